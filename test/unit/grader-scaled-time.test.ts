import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scaledTime } from '../../graders/sdk/connection.ts';

test('a scaled clock sleeps until the cluster time has really passed, even for sub-millisecond waits', async () => {
  // At 1000x, 0.0004 simulated seconds are 0.4 µs of wall time: the timer fires before Date.now() moves.
  const time = scaledTime(1000);
  for (let i = 0; i < 50; i++) {
    const before = time.now();
    await time.sleep(0.0004);
    assert.ok(time.now() > before, `the clock moved during sleep ${i}`);
  }
  // Wall-clock timers and Date.now() round differently: a 2 ms timer may see Date.now() move by 1 ms only.
  for (let i = 0; i < 200; i++) {
    const start = time.now();
    await time.sleep(2);
    assert.ok(time.now() - start >= 2000, `sleep ${i}: ${time.now() - start} ms of cluster time passed, expected 2000`);
  }
});
