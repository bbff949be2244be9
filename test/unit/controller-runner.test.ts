import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerRunner } from '../../sandbox/sim/runtime/controller.ts';
import { ObjectStore } from '../../sandbox/sim/store/object-store.ts';
import { ManualClock } from '../../sandbox/sim/clock.ts';

/** Work of many clusters falls due together; the API server shares the event loop with it. */
test('controllers let the event loop serve I/O between slices of work, then finish it', async () => {
  const runner = new ControllerRunner(new ObjectStore(), new ManualClock());
  let done = 0;
  runner.add({
    name: 'busy',
    watches: [],
    sources: [(enqueue) => { for (let i = 0; i < 20; i++) enqueue(`k${i}`); return () => {}; }],
    reconcile: async () => {
      const until = performance.now() + 2;
      while (performance.now() < until) { /* a reconcile that costs 2 ms */ }
      done++;
    },
  });
  let seenByIo: number | undefined;
  setImmediate(() => { seenByIo = done; });
  runner.start();
  await runner.settle();
  assert.equal(done, 20);
  assert.ok(seenByIo !== undefined && seenByIo < 20, `an immediate queued with the work ran after ${seenByIo} of 20 reconciles`);
  runner.stop();
});
