// The server's side of the screen worker: one worker thread holds the
// headless terminals of all shells, and each shell talks to its own through a
// RemoteScreen with the same surface as a local one. Parsing then runs on the
// second core while the main thread moves bytes between ptys and sockets.

import { Worker } from 'node:worker_threads';
import type { Screen, ScreenOptions } from './screen.ts';
import type { FromScreenWorker, ToScreenWorker } from './screen-messages.ts';

const WORKER_URL = new URL('./screen-worker.mjs', import.meta.url);

export class ScreenHost {
  private worker: Worker | undefined;
  private readonly screens = new Map<number, RemoteScreen>();
  private readonly snapshots = new Map<number, (text: string) => void>();
  private nextId = 1;
  private nextRequest = 1;

  create(o: ScreenOptions): Screen {
    const worker = this.start();
    const id = this.nextId++;
    const screen = new RemoteScreen(this, id, o.cols, o.rows);
    this.screens.set(id, screen);
    worker.ref();
    this.send({ op: 'create', id, cols: o.cols, rows: o.rows, scrollback: o.scrollback });
    return screen;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_URL);
    worker.on('message', (m: FromScreenWorker) => {
      if (m.op === 'parsed') this.screens.get(m.id)?.parsed(m.bytes);
      else {
        this.snapshots.get(m.request)?.(m.text);
        this.snapshots.delete(m.request);
      }
    });
    const lost = (): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      // Screens of a lost worker cannot replay any more, but must never hold a pty paused.
      for (const s of this.screens.values()) s.lost();
      this.screens.clear();
      for (const resolve of this.snapshots.values()) resolve('');
      this.snapshots.clear();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.worker = worker;
    return worker;
  }

  /** @internal */
  send(m: ToScreenWorker): void {
    this.worker?.postMessage(m);
  }

  /** @internal */
  snapshot(id: number): Promise<string> {
    if (!this.worker) return Promise.resolve('');
    const request = this.nextRequest++;
    return new Promise((resolve) => {
      this.snapshots.set(request, resolve);
      this.send({ op: 'snapshot', id, request });
    });
  }

  /** @internal */
  disposed(id: number): void {
    if (!this.screens.delete(id)) return;
    this.send({ op: 'dispose', id });
    // An idle worker must not keep the process alive.
    if (this.screens.size === 0) this.worker?.unref();
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    for (const s of this.screens.values()) s.lost();
    this.screens.clear();
    if (w) await w.terminate();
  }
}

class RemoteScreen implements Screen {
  private sent = 0;
  private taken = 0;
  /** Write callbacks by the cumulative byte count at which they are due. */
  private readonly due: { at: number; done: () => void }[] = [];
  private gone = false;

  constructor(private readonly host: ScreenHost, private readonly id: number, public cols: number, public rows: number) {}

  write(data: Uint8Array, done?: () => void): void {
    if (this.gone) {
      done?.();
      return;
    }
    this.sent += data.length;
    if (done) this.due.push({ at: this.sent, done });
    this.host.send({ op: 'write', id: this.id, data });
  }

  parsed(bytes: number): void {
    this.taken += bytes;
    while (this.due.length && this.due[0].at <= this.taken) this.due.shift()!.done();
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    if (!this.gone) this.host.send({ op: 'resize', id: this.id, cols, rows });
  }

  snapshot(): Promise<string> {
    return this.gone ? Promise.resolve('') : this.host.snapshot(this.id);
  }

  lost(): void {
    this.gone = true;
    for (const d of this.due.splice(0)) d.done();
  }

  dispose(): void {
    if (this.gone) return;
    this.gone = true;
    this.due.length = 0;
    this.host.disposed(this.id);
  }
}
