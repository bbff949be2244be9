// The controller runner: informer-style watches that only map changes to
// keys, one work queue and one worker per controller, level-triggered
// reconciles with a small result vocabulary, and settle() for tests.

import type { KubeObject } from '../api/object.ts';
import type { Clock } from '../clock.ts';
import type { ObjectStore, StoreEvent } from '../store/object-store.ts';
import { WorkQueue } from './workqueue.ts';

export interface ReconcileResult {
  /** Look again after this many seconds of cluster time. */
  requeueAfter?: number;
}

/** A failure that retrying will not fix: logged, not requeued. */
export class TerminalError extends Error {}

export interface Watch {
  /** Store key of the watched resource, e.g. "pods", "kubevirt.io/virtualmachineinstances"; "*" for every resource. */
  resource: string;
  /** Pure mapper from a changed object to the keys to reconcile. */
  map: (obj: KubeObject, ev: StoreEvent | undefined) => string[];
}

export interface Controller {
  name: string;
  watches: Watch[];
  /** Non-API event sources (a guest changed state): each gets an enqueue function and returns its unsubscribe. */
  sources?: ((enqueue: (key: string) => void) => () => void)[];
  reconcile(key: string): Promise<ReconcileResult | void>;
}

interface Running {
  controller: Controller;
  queue: WorkQueue;
  stops: (() => void)[];
  busy: boolean;
}

/**
 * The controllers of every cluster in the process share one event loop with
 * the API server. Timers of many clusters fall due together (leases, probes,
 * heartbeats) and their reconciles would run back to back in one turn of the
 * loop while API requests wait; after this much work without a pause the
 * workers let the loop serve I/O, then go on.
 */
const SLICE_MS = 4;
/** A gap this long since the last reconcile ended means the loop was free meanwhile: a new slice begins. */
const GAP_MS = 1;
let sliceStart = 0;
let lastEnd = 0;
let pause: Promise<void> | undefined;

/** A promise to wait on when the current slice of work is used up, else undefined. */
function pauseIfSliceUsed(): Promise<void> | undefined {
  if (pause) return pause;
  const now = performance.now();
  if (now - lastEnd > GAP_MS) sliceStart = now;
  if (now - sliceStart < SLICE_MS) return undefined;
  pause = new Promise<void>((resolve) => setImmediate(() => {
    pause = undefined;
    sliceStart = performance.now();
    resolve();
  }));
  return pause;
}

export class ControllerRunner {
  private readonly running: Running[] = [];
  private stopped = false;
  readonly errors: { controller: string; key: string; error: unknown }[] = [];

  constructor(private readonly store: ObjectStore, private readonly clock: Clock, private readonly log: (line: string) => void = () => {}) {}

  add(controller: Controller): void {
    const r: Running = { controller, queue: new WorkQueue(this.clock), stops: [], busy: false };
    this.running.push(r);
  }

  start(): void {
    for (const r of this.running) {
      for (const w of r.controller.watches) {
        const onEvent = (ev: StoreEvent): void => {
          for (const key of w.map(ev.object, ev)) r.queue.add(key);
        };
        r.stops.push(w.resource === '*' ? this.store.watchAll(onEvent) : this.store.watch(w.resource, onEvent));
        const initial = w.resource === '*' ? this.store.resources() : [w.resource];
        for (const res of initial) for (const obj of this.store.list(res)) for (const key of w.map(obj, undefined)) r.queue.add(key);
      }
      for (const source of r.controller.sources ?? []) r.stops.push(source((key) => r.queue.add(key)));
      void this.work(r);
    }
  }

  private async work(r: Running): Promise<void> {
    for (;;) {
      const key = await r.queue.get();
      if (key === undefined || this.stopped) return;
      r.busy = true;
      const paused = pauseIfSliceUsed();
      if (paused) {
        await paused;
        if (this.stopped) return;
      }
      try {
        const res = await r.controller.reconcile(key);
        r.queue.forget(key);
        if (res?.requeueAfter !== undefined) r.queue.addAfter(key, res.requeueAfter);
      } catch (e) {
        if (e instanceof TerminalError) {
          this.log(`${r.controller.name}: ${key}: ${e.message}`);
        } else {
          this.errors.push({ controller: r.controller.name, key, error: e });
          if (this.errors.length > 100) this.errors.shift();
          this.log(`${r.controller.name}: ${key}: ${e instanceof Error ? e.message : String(e)} (will retry)`);
          r.queue.addRateLimited(key);
        }
      } finally {
        lastEnd = performance.now();
        r.busy = false;
        r.queue.done(key);
      }
    }
  }

  /** Enqueues a key on a named controller (used by tests and by resyncs). */
  enqueue(controllerName: string, key: string): void {
    this.running.find((r) => r.controller.name === controllerName)?.queue.add(key);
  }

  idle(): boolean {
    return this.running.every((r) => r.queue.idle() && !r.busy);
  }

  /** Waits until every queue is drained (delayed requeues are not waited for). */
  async settle(maxTurns = 10000): Promise<void> {
    for (let i = 0; i < maxTurns; i++) {
      await new Promise<void>((res) => setImmediate(res));
      if (this.idle()) {
        // One more turn: a reconcile's writes may have queued work on another controller.
        await new Promise<void>((res) => setImmediate(res));
        if (this.idle()) return;
      }
    }
    throw new Error('controllers did not settle');
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.running) {
      for (const s of r.stops) s();
      r.queue.shutDown();
    }
  }
}

/** Key helpers: "namespace/name" or "name". */
export function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
