// Flow control between a shell's pty and the consumers of its output: pause
// above the high-water mark of the slowest consumer, resume once every
// consumer is under the low-water mark.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowControl } from '../../server/terminal/flow-control.ts';

function recorder() {
  const calls: string[] = [];
  const flow = new FlowControl<string>({ highWater: 100, lowWater: 20, pause: () => calls.push('pause'), resume: () => calls.push('resume') });
  return { flow, calls };
}

test('pauses once a consumer is over the high-water mark and resumes under the low-water mark', () => {
  const { flow, calls } = recorder();
  flow.add('browser');
  flow.sent('browser', 100);
  assert.deepEqual(calls, []);
  flow.sent('browser', 1);
  assert.deepEqual(calls, ['pause']);
  flow.sent('browser', 50);
  flow.acked('browser', 100);
  assert.equal(flow.unacknowledged('browser'), 51);
  assert.deepEqual(calls, ['pause'], 'still above the low-water mark');
  flow.acked('browser', 31);
  assert.deepEqual(calls, ['pause', 'resume']);
  assert.equal(flow.isPaused, false);
});

test('the slowest consumer decides; one that leaves no longer holds the pty', () => {
  const { flow, calls } = recorder();
  flow.add('fast');
  flow.add('slow');
  flow.sent('fast', 150);
  flow.sent('slow', 150);
  flow.acked('fast', 150);
  assert.deepEqual(calls, ['pause']);
  flow.remove('slow');
  assert.deepEqual(calls, ['pause', 'resume']);
});

test('acknowledging more than was sent counts as all; acks from unknown consumers are ignored', () => {
  const { flow } = recorder();
  flow.add('b');
  flow.sent('b', 10);
  flow.acked('b', 1000);
  assert.equal(flow.unacknowledged('b'), 0);
  flow.acked('ghost', 5);
  assert.equal(flow.unacknowledged('ghost'), 0);
});

test('refuses a low-water mark that is not below the high-water mark', () => {
  assert.throws(() => new FlowControl({ highWater: 10, lowWater: 10, pause() {}, resume() {} }), /lowWater \(10\) must be below highWater \(10\)/);
});
