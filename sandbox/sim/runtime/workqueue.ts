// A rate-limited work queue of keys, shaped like client-go's: a key queued
// twice runs once (dirty set), a key re-added while it runs runs again
// afterwards (processing set), and delayed adds go through the cluster clock.

import type { Clock, Timer } from '../clock.ts';

export class WorkQueue<K extends string = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly delayed = new Map<K, { at: number; timer: Timer }>();
  private readonly failures = new Map<K, number>();
  private wake: (() => void) | null = null;
  private shuttingDown = false;

  constructor(private readonly clock: Clock, private readonly onAdd: () => void = () => {}) {}

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.onAdd();
    this.wake?.();
  }

  /** Adds the key after `seconds` of cluster time; an earlier pending add wins. */
  addAfter(key: K, seconds: number): void {
    if (seconds <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.deadline(this.clock.now(), seconds);
    const cur = this.delayed.get(key);
    if (cur && cur.at <= at) return;
    cur?.timer.cancel();
    const timer = this.clock.after(seconds, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { at, timer });
  }

  /** Exponential backoff per key: 5 ms… capped at 60 s of cluster time. */
  addRateLimited(key: K): void {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    this.addAfter(key, Math.min(60, 0.005 * 2 ** (n - 1)));
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  /** Next key, or undefined when shutting down. */
  async get(): Promise<K | undefined> {
    while (!this.queue.length) {
      if (this.shuttingDown) return undefined;
      await new Promise<void>((r) => { this.wake = r; });
      this.wake = null;
    }
    const key = this.queue.shift()!;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.wake?.();
    }
  }

  /** Nothing queued and nothing running (delayed adds don't count). */
  idle(): boolean {
    return this.queue.length === 0 && this.processing.size === 0;
  }

  get length(): number {
    return this.queue.length;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) d.timer.cancel();
    this.delayed.clear();
    this.wake?.();
  }
}
