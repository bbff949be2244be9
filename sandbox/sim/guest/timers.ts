// Timers that run on a guest's own time: a paused domain's virtual clock stops,
// so its boot, its shutdown, its watchdog countdown and a `sleep` in its shell
// stop too, and resume where they were on unpause.

import type { Clock, Timer } from '../clock.ts';

export interface GuestTimer extends Timer {
  /** Cluster-clock (real) ms when it fires if the domain stays unpaused; undefined while paused or once done. */
  dueAt(): number | undefined;
}

interface Entry {
  remainingMs: number;
  startedAt: number;
  handle?: Timer;
  fn: () => void;
}

export class GuestTimers {
  private readonly entries = new Set<Entry>();
  private paused = false;

  constructor(private readonly clock: Clock) {}

  after(seconds: number, fn: () => void): GuestTimer {
    const e: Entry = { remainingMs: Math.max(0, seconds * 1000), startedAt: this.clock.now(), fn };
    this.entries.add(e);
    if (!this.paused) this.schedule(e);
    return {
      cancel: () => {
        e.handle?.cancel();
        this.entries.delete(e);
      },
      dueAt: () => (this.entries.has(e) && e.handle ? this.clock.deadline(e.startedAt, e.remainingMs / 1000) : undefined),
    };
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    for (const e of this.entries) {
      e.handle?.cancel();
      e.handle = undefined;
      // remainingMs is guest (simulated) time; startedAt a real timestamp.
      e.remainingMs = Math.max(0, e.remainingMs - this.clock.elapsed(e.startedAt));
    }
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const e of this.entries) this.schedule(e);
  }

  /** Cancels everything (the domain is gone or starts over). */
  clear(): void {
    for (const e of this.entries) e.handle?.cancel();
    this.entries.clear();
  }

  private schedule(e: Entry): void {
    e.startedAt = this.clock.now();
    e.handle = this.clock.after(e.remainingMs / 1000, () => {
      if (!this.entries.delete(e)) return;
      e.fn();
    });
  }
}
