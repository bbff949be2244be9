// The clock's duration arithmetic: timestamps are real, durations simulated.
// RealClock at scale 10 judges real timestamps with Date.now() (tolerances
// cover the few ms between the test's Date.now() and the clock's), no sleeping;
// ManualClock is unscaled and exact.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, RealClock } from '../../sandbox/sim/clock.ts';

/** Within `tol` of `want`. */
function near(got: number, want: number, tol: number, what: string): void {
  assert.ok(Math.abs(got - want) <= tol, `${what}: ${got}, want ${want} ± ${tol}`);
}

describe('RealClock at time scale 10', () => {
  const clock = new RealClock(10);

  it('keeps now() real', () => {
    near(clock.now(), Date.now(), 50, 'now');
  });

  it('elapsed: one real second ago is ten simulated seconds', () => {
    near(clock.elapsed(Date.now() - 1000), 10_000, 500, 'elapsed(1 s ago)');
    near(clock.elapsed(Date.now() - 30_000), 300_000, 500, 'elapsed(30 s ago)');
    near(clock.elapsed(Date.now() + 1000), -10_000, 500, 'elapsed(1 s ahead)');
  });

  it('deadline: simulated seconds from a real timestamp, as a real timestamp', () => {
    const t = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(clock.deadline(t, 50), t + 5000);
    assert.equal(clock.deadline(t, 300), t + 30_000);
    assert.equal(clock.deadline(t, 0), t);
    assert.equal(clock.deadline(t, -30), t - 3000, 'negative seconds go back');
  });

  it('simSecondsUntil: simulated seconds until a real timestamp', () => {
    near(clock.simSecondsUntil(Date.now() + 1000), 10, 0.5, 'until 1 s ahead');
    near(clock.simSecondsUntil(Date.now() - 2000), -20, 0.5, 'until 2 s ago');
  });

  it('round-trips: the time until a deadline is the delay', () => {
    const now = Date.now();
    near(clock.simSecondsUntil(clock.deadline(now, 300)), 300, 0.5, 'until deadline(now, 300)');
    near(clock.elapsed(clock.deadline(now, -40)), 40_000, 500, 'elapsed since deadline(now, -40)');
  });
});

describe('RealClock at time scale 1', () => {
  it('is plain wall-clock arithmetic', () => {
    const clock = new RealClock();
    const t = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(clock.deadline(t, 50), t + 50_000);
    near(clock.elapsed(Date.now() - 1000), 1000, 50, 'elapsed');
    near(clock.simSecondsUntil(Date.now() + 5000), 5, 0.05, 'until');
  });
});

describe('ManualClock', () => {
  it('is unscaled and exact', () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const t0 = clock.now();
    assert.equal(clock.elapsed(t0 - 1500), 1500);
    assert.equal(clock.deadline(t0, 50), t0 + 50_000);
    assert.equal(clock.simSecondsUntil(t0 + 2500), 2.5);
    clock.advance(10);
    assert.equal(clock.elapsed(t0), 10_000);
    assert.equal(clock.simSecondsUntil(t0 + 2500), -7.5);
  });
});
