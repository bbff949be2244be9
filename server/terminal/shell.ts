// One shell (one terminal tab of a session): its pty, the screen kept for
// replay, the browsers attached to it and the flow control between them. The
// shell outlives its connections: a browser that reconnects gets the screen
// as it is, then live output; with nobody attached for the idle time it ends.

import { performance } from 'node:perf_hooks';
import { FlowControl } from './flow-control.ts';
import type { ExitReason, ServerMessage } from './protocol.ts';
import type { PtyProcess } from './pty.ts';
import type { Screen } from './screen.ts';

/** A connection attached to a shell (a WebSocket, or a test's fake). */
export interface TerminalClient {
  /** Output bytes (one binary frame); the client acknowledges them once processed. */
  output(data: Buffer): void;
  control(m: ServerMessage): void;
  /** Ends the connection (after the shell exited). */
  close(): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ShellOptions {
  tab: string;
  /** End the shell after this long with no client attached (0: never). */
  idleMs: number;
  highWater: number;
  lowWater: number;
  timers: Timers;
  /**
   * While output floods (the last frame was a full pty read or more, this
   * recently), let it gather this long into one frame: a flood then costs a
   * few writes per 64 KiB instead of one per 4 KiB read. Small output (a
   * keystroke's echo, a prompt) still goes out at once. 0: never gather.
   */
  coalesceMs: number;
}

export interface ShellExit {
  reason: ExitReason;
  exitCode?: number;
  signal?: number;
}

const SCREEN = Symbol('screen');
/** Output gathered into one frame goes out once it reaches this size. */
const MAX_FRAME = 256 * 1024;
/** A frame this large means the pty's buffer was full: output is flooding. */
const FLOOD_READ = 4000;
/** How long a shell asked to end may take before it is killed outright. */
const KILL_GRACE_MS = 3000;

export class TerminalShell {
  private readonly live = new Set<TerminalClient>();
  /** Clients waiting for their replay, with the live output that arrived meanwhile. */
  private readonly joining = new Map<TerminalClient, Buffer[]>();
  private readonly flow: FlowControl<TerminalClient | typeof SCREEN>;
  private idleTimer: unknown;
  private killTimer: unknown;
  private endReason: ExitReason | undefined;
  private exit: ShellExit | undefined;
  private readonly exitListeners: ((e: ShellExit) => void)[] = [];
  /** Output read but not yet relayed (the pty hands it over in ~4 KiB reads). */
  private batch: Buffer[] = [];
  private batched = 0;
  private flushScheduled = false;
  private lastFlush = 0;
  private lastFrame = 0;
  readonly done: Promise<ShellExit>;

  constructor(private readonly pty: PtyProcess, private readonly screen: Screen, private readonly o: ShellOptions) {
    this.flow = new FlowControl({
      highWater: o.highWater,
      lowWater: o.lowWater,
      pause: () => pty.pause(),
      resume: () => pty.resume(),
    });
    this.flow.add(SCREEN);
    this.done = new Promise((resolve) => this.exitListeners.push(resolve));
    pty.onData((d) => this.collect(d));
    pty.onExit((e) => this.exited(e));
    this.armIdle();
  }

  get tab(): string {
    return this.o.tab;
  }

  get pid(): number {
    return this.pty.pid;
  }

  get clientCount(): number {
    return this.live.size + this.joining.size;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** Bytes a client has not acknowledged yet (for tests and diagnostics). */
  unacknowledged(client: TerminalClient): number {
    return this.flow.unacknowledged(client);
  }

  get paused(): boolean {
    return this.flow.isPaused;
  }

  onExit(listener: (e: ShellExit) => void): void {
    if (this.exit) listener(this.exit);
    else this.exitListeners.push(listener);
  }

  private collect(data: Buffer): void {
    this.batch.push(data);
    this.batched += data.length;
    if (this.batched >= MAX_FRAME) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      const streaming = this.o.coalesceMs > 0 && this.lastFrame >= FLOOD_READ && performance.now() - this.lastFlush < this.o.coalesceMs * 2;
      if (streaming) setTimeout(() => this.flush(), this.o.coalesceMs);
      else setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.batched) return;
    this.lastFlush = performance.now();
    this.lastFrame = this.batched;
    const data = this.batch.length === 1 ? this.batch[0] : Buffer.concat(this.batch, this.batched);
    this.batch = [];
    this.batched = 0;
    this.relay(data);
  }

  private relay(data: Buffer): void {
    const n = data.length;
    this.flow.sent(SCREEN, n);
    this.screen.write(data, () => this.flow.acked(SCREEN, n));
    for (const c of this.live) {
      c.output(data);
      this.flow.sent(c, n);
    }
    for (const [c, queue] of this.joining) {
      queue.push(data);
      this.flow.sent(c, n);
    }
  }

  /**
   * Attaches a client: it gets `attached`, the screen as it is now, then live
   * output. With a size, the shell takes that size first (the browser fits its pane).
   */
  async attach(client: TerminalClient, opts: { fresh: boolean; size?: { cols: number; rows: number } }): Promise<void> {
    if (this.exit) {
      client.control({ type: 'exit', ...this.exit });
      client.close();
      return;
    }
    this.disarmIdle();
    if (opts.size) this.resize(opts.size.cols, opts.size.rows);
    this.flow.add(client);
    this.joining.set(client, []);
    const replay = await this.screen.snapshot();
    const queued = this.joining.get(client);
    if (!queued || this.exit) return;
    this.joining.delete(client);
    client.control({ type: 'attached', tab: this.o.tab, cols: this.screen.cols, rows: this.screen.rows, fresh: opts.fresh });
    if (replay) {
      const bytes = Buffer.from(replay);
      client.output(bytes);
      this.flow.sent(client, bytes.length);
    }
    for (const chunk of queued) client.output(chunk);
    this.live.add(client);
  }

  detach(client: TerminalClient): void {
    const was = this.live.delete(client) || this.joining.delete(client);
    if (!was) return;
    this.flow.remove(client);
    if (this.clientCount === 0) this.armIdle();
  }

  input(data: string | Buffer): void {
    if (!this.exit) this.pty.write(data);
  }

  ack(client: TerminalClient, bytes: number): void {
    this.flow.acked(client, bytes);
  }

  resize(cols: number, rows: number): void {
    if (this.exit) return;
    if (cols === this.screen.cols && rows === this.screen.rows) return;
    this.pty.resize(cols, rows);
    this.screen.resize(cols, rows);
  }

  /** Ends the shell (hang-up, then a kill if it lingers); `done` resolves when it is gone. */
  end(reason: ExitReason): Promise<ShellExit> {
    if (!this.exit && !this.endReason) {
      this.endReason = reason;
      this.pty.kill('SIGHUP');
      this.killTimer = this.o.timers.setTimeout(() => {
        if (!this.exit) this.pty.kill('SIGKILL');
      }, KILL_GRACE_MS);
    }
    return this.done;
  }

  private armIdle(): void {
    this.disarmIdle();
    if (this.o.idleMs > 0 && !this.exit) this.idleTimer = this.o.timers.setTimeout(() => { void this.end('idle'); }, this.o.idleMs);
  }

  private disarmIdle(): void {
    if (this.idleTimer !== undefined) this.o.timers.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private exited(e: { exitCode: number; signal?: number }): void {
    if (this.exit) return;
    this.flush();
    this.exit = { reason: this.endReason ?? 'exited', exitCode: e.exitCode, ...(e.signal ? { signal: e.signal } : {}) };
    this.disarmIdle();
    if (this.killTimer !== undefined) this.o.timers.clearTimeout(this.killTimer);
    const clients = [...this.live, ...this.joining.keys()];
    this.live.clear();
    this.joining.clear();
    for (const c of clients) {
      c.control({ type: 'exit', ...this.exit });
      c.close();
    }
    this.screen.dispose();
    for (const l of this.exitListeners.splice(0)) l(this.exit);
  }
}
