// What a shell's terminal shows, kept on the server so a browser that reloads
// or reconnects gets the same screen back: a headless xterm fed with all the
// pty's output (bounded scrollback), serialized on demand. The headless parser
// works asynchronously; write() reports when it has taken data in, so flow
// control can pause the pty when the screen falls behind. Output that arrives
// while the parser is busy is parsed as one batch, with long plain-text runs
// fast-forwarded (fast-forward.ts), so a flood costs little more than its last lines.

import { fastForward } from './fast-forward.ts';
import { HeadlessTerminal, SerializeAddon } from './xterm.ts';

export interface ScreenOptions {
  cols: number;
  rows: number;
  /** Lines kept above the screen (and replayed). */
  scrollback: number;
}

/** A shell's screen, here or in the screen worker (screen-host.ts). */
export interface Screen {
  readonly cols: number;
  readonly rows: number;
  write(data: Uint8Array, done?: () => void): void;
  resize(cols: number, rows: number): void;
  snapshot(): Promise<string>;
  dispose(): void;
}

type Op =
  | { kind: 'data'; data: Uint8Array; done?: () => void }
  | { kind: 'resize'; cols: number; rows: number }
  | { kind: 'mark'; then: () => void };

export class HeadlessScreen implements Screen {
  private readonly term: InstanceType<typeof HeadlessTerminal>;
  private readonly serializer: InstanceType<typeof SerializeAddon>;
  /** Output, resizes and snapshot points in order; the terminal parses one batch at a time. */
  private readonly queue: Op[] = [];
  private parsing = false;
  private size: { cols: number; rows: number };
  private disposed = false;

  constructor(private readonly o: ScreenOptions) {
    this.size = { cols: o.cols, rows: o.rows };
    this.term = new HeadlessTerminal({ cols: o.cols, rows: o.rows, scrollback: o.scrollback, allowProposedApi: true });
    this.serializer = new SerializeAddon();
    // The addon's typings name the browser Terminal; the headless one has the same surface.
    this.term.loadAddon(this.serializer as unknown as Parameters<typeof this.term.loadAddon>[0]);
  }

  get cols(): number {
    return this.size.cols;
  }

  get rows(): number {
    return this.size.rows;
  }

  /** Feeds output; done() runs once the parser has taken it in. */
  write(data: Uint8Array, done?: () => void): void {
    if (this.disposed) return;
    this.queue.push({ kind: 'data', data, done });
    this.pump();
  }

  resize(cols: number, rows: number): void {
    if (this.disposed) return;
    this.size = { cols, rows };
    this.queue.push({ kind: 'resize', cols, rows });
    this.pump();
  }

  /**
   * The screen (and scrollback) as escape sequences that redraw it in a fresh
   * terminal, covering exactly the output written before this call.
   */
  snapshot(): Promise<string> {
    if (this.disposed) return Promise.resolve('');
    return new Promise((resolve) => {
      this.queue.push({ kind: 'mark', then: () => resolve(this.disposed ? '' : this.serializer.serialize({ scrollback: this.o.scrollback })) });
      this.pump();
    });
  }

  private pump(): void {
    while (!this.parsing && !this.disposed && this.queue.length) {
      const op = this.queue[0];
      if (op.kind === 'resize') {
        this.queue.shift();
        this.term.resize(op.cols, op.rows);
        continue;
      }
      if (op.kind === 'mark') {
        this.queue.shift();
        op.then();
        continue;
      }
      // Everything that arrived while the parser was busy goes in as one batch, fast-forwarded.
      const chunks: Uint8Array[] = [];
      const dones: (() => void)[] = [];
      let bytes = 0;
      while (this.queue.length && this.queue[0].kind === 'data') {
        const d = this.queue.shift() as Extract<Op, { kind: 'data' }>;
        chunks.push(d.data);
        bytes += d.data.length;
        if (d.done) dones.push(d.done);
      }
      const batch = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes);
      // Keep the scrollback and two screenfuls: one shown, one that pushes out what skipped lines would have overwritten.
      const fed = fastForward(batch, this.o.scrollback + 2 * this.term.rows);
      this.parsing = true;
      this.term.write(fed, () => {
        this.parsing = false;
        for (const d of dones) d();
        this.pump();
      });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const op of this.queue.splice(0)) {
      if (op.kind === 'mark') op.then();
      else if (op.kind === 'data') op.done?.();
    }
    this.term.dispose();
  }
}
