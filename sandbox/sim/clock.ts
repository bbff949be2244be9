// Every simulated delay goes through a Clock. The real clock runs delays
// `timeScale` times faster while timestamps stay wall-clock; the manual clock
// only moves when a test advances it, so no test sleeps.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Run `fn` after `seconds` of simulated time. */
  after(seconds: number, fn: () => void): Timer;
}

export class RealClock implements Clock {
  constructor(readonly timeScale = 1) {
    if (!(timeScale > 0)) throw new Error(`time scale must be a positive number, got ${timeScale}`);
  }

  now(): number {
    return Date.now();
  }

  after(seconds: number, fn: () => void): Timer {
    const t = setTimeout(fn, Math.max(0, (seconds * 1000) / this.timeScale));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  }
}

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start: number | string = '2026-01-01T00:00:00Z') {
    this.current = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.current;
  }

  after(seconds: number, fn: () => void): Timer {
    const p: Pending = { at: this.current + Math.max(0, seconds * 1000), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => { p.cancelled = true; } };
  }

  /** The time of the next pending timer, if any. */
  nextDue(): number | undefined {
    let min: number | undefined;
    for (const p of this.pending) if (!p.cancelled && (min === undefined || p.at < min)) min = p.at;
    return min;
  }

  /** Moves time forward, firing due timers in order (timers they add fire too, if due). */
  advance(seconds: number): void {
    const target = this.current + seconds * 1000;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      let next: Pending | undefined;
      for (const p of this.pending) if (p.at <= target && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      if (!next) break;
      this.pending.splice(this.pending.indexOf(next), 1);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
  }
}
