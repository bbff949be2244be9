// Every simulated delay goes through a Clock. The real clock runs delays
// `timeScale` times faster while timestamps stay wall-clock; the manual clock
// only moves when a test advances it, so no test sleeps.
//
// Timestamps written into API objects are real (now()), because clients such
// as kubectl compute ages from them. Durations are simulated: code that judges
// how long ago a timestamp was, or when a delay measured from one ends, must
// not subtract timestamps itself but go through elapsed / deadline /
// simSecondsUntil, so that with timeScale X every simulated duration takes
// 1/X of the real time. requeueAfter and after() take simulated seconds.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Run `fn` after `seconds` of simulated time. */
  after(seconds: number, fn: () => void): Timer;
  /** Simulated milliseconds elapsed since the real timestamp `sinceMs`. */
  elapsed(sinceMs: number): number;
  /**
   * The real timestamp at which `simSeconds` of simulated time will have
   * passed since the real timestamp `fromMs` (negative seconds go back).
   */
  deadline(fromMs: number, simSeconds: number): number;
  /** Simulated seconds from now until the real timestamp `realMs` (negative once past). */
  simSecondsUntil(realMs: number): number;
}

/** Clock.elapsed as a function, for pure helpers that judge how long ago a timestamp was. */
export type Elapsed = (sinceMs: number) => number;
/** Clock.deadline as a function, for pure helpers that compute when a simulated delay ends. */
export type Deadline = (fromMs: number, simSeconds: number) => number;

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

  elapsed(sinceMs: number): number {
    return (Date.now() - sinceMs) * this.timeScale;
  }

  deadline(fromMs: number, simSeconds: number): number {
    return fromMs + (simSeconds * 1000) / this.timeScale;
  }

  simSecondsUntil(realMs: number): number {
    return ((realMs - Date.now()) * this.timeScale) / 1000;
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

  elapsed(sinceMs: number): number {
    return this.current - sinceMs;
  }

  deadline(fromMs: number, simSeconds: number): number {
    return fromMs + simSeconds * 1000;
  }

  simSecondsUntil(realMs: number): number {
    return (realMs - this.current) / 1000;
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
