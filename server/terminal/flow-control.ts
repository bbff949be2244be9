// Back-pressure from the slowest reader to the pty: every consumer of a
// shell's output (each attached browser, and the replay screen) has a count of
// bytes sent but not yet processed. Above the high-water mark the pty is
// paused, so the kernel's pty buffer stops the writer (`cat` of a large file
// waits instead of filling memory); once every consumer is back under the
// low-water mark it resumes.

export interface FlowControlOptions {
  highWater: number;
  lowWater: number;
  pause(): void;
  resume(): void;
}

export const DEFAULT_HIGH_WATER = 512 * 1024;
export const DEFAULT_LOW_WATER = 128 * 1024;

export class FlowControl<C> {
  private readonly pending = new Map<C, number>();
  private paused = false;

  constructor(private readonly o: FlowControlOptions) {
    if (!(o.lowWater >= 0 && o.lowWater < o.highWater)) throw new Error(`flow control: lowWater (${o.lowWater}) must be below highWater (${o.highWater})`);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Bytes not yet acknowledged by a consumer. */
  unacknowledged(c: C): number {
    return this.pending.get(c) ?? 0;
  }

  add(c: C): void {
    if (!this.pending.has(c)) this.pending.set(c, 0);
  }

  remove(c: C): void {
    this.pending.delete(c);
    this.settle();
  }

  sent(c: C, bytes: number): void {
    this.pending.set(c, (this.pending.get(c) ?? 0) + bytes);
    this.settle();
  }

  /** A consumer processed bytes; acknowledging more than was sent counts as all. */
  acked(c: C, bytes: number): void {
    const n = this.pending.get(c);
    if (n === undefined) return;
    this.pending.set(c, Math.max(0, n - bytes));
    this.settle();
  }

  private settle(): void {
    let max = 0;
    for (const n of this.pending.values()) max = Math.max(max, n);
    if (!this.paused && max > this.o.highWater) {
      this.paused = true;
      this.o.pause();
    } else if (this.paused && max <= this.o.lowWater) {
      this.paused = false;
      this.o.resume();
    }
  }
}
