import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../sandbox/sim/runtime/workqueue.ts';
import { ManualClock } from '../../sandbox/sim/clock.ts';

describe('WorkQueue', () => {
  it('deduplicates keys and re-runs a key added while it is processed', async () => {
    const q = new WorkQueue(new ManualClock());
    q.add('a');
    q.add('a');
    q.add('b');
    assert.equal(q.length, 2);
    const k = await q.get();
    assert.equal(k, 'a');
    q.add('a');
    assert.equal(q.length, 1, 'a is processing: queued again only after done');
    q.done('a');
    assert.equal(q.length, 2);
  });

  it('delays adds on the cluster clock', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue(clock);
    q.addAfter('x', 10);
    assert.equal(q.length, 0);
    clock.advance(9);
    assert.equal(q.length, 0);
    clock.advance(1);
    assert.equal(q.length, 1);
  });
});

describe('ManualClock', () => {
  it('fires timers in time order, including ones added by a firing timer', () => {
    const c = new ManualClock(0);
    const fired: string[] = [];
    c.after(2, () => fired.push('b'));
    c.after(1, () => { fired.push('a'); c.after(0.5, () => fired.push('a2')); });
    c.after(5, () => fired.push('late'));
    c.advance(3);
    assert.deepEqual(fired, ['a', 'a2', 'b']);
    assert.equal(c.now(), 3000);
  });
});
