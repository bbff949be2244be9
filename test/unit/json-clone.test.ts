import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonClone } from '../../sandbox/sim/api/json-clone.ts';

test('jsonClone copies plain objects and arrays deeply, sharing nothing', () => {
  const frozen = Object.freeze({ metadata: Object.freeze({ name: 'n', labels: Object.freeze({ a: '1' }) }), items: Object.freeze([Object.freeze({ x: 1 }), 'two', null, true]) });
  const copy = jsonClone(frozen);
  assert.deepEqual(copy, frozen);
  assert.notEqual(copy.metadata, frozen.metadata);
  assert.notEqual(copy.items, frozen.items);
  assert.notEqual(copy.items[0], frozen.items[0]);
  assert.ok(!Object.isFrozen(copy) && !Object.isFrozen(copy.metadata.labels));
  (copy.metadata.labels as Record<string, string>).a = '2';
  assert.equal(frozen.metadata.labels.a, '1');
});

test('jsonClone keeps what structuredClone keeps for other values', () => {
  const when = new Date(0);
  const copy = jsonClone({ when, set: new Set([1]), undef: undefined, n: 0, s: '' });
  assert.ok(copy.when instanceof Date && copy.when !== when && copy.when.getTime() === 0);
  assert.ok(copy.set instanceof Set && copy.set.has(1));
  assert.ok(Object.hasOwn(copy, 'undef'));
  assert.equal(jsonClone('x'), 'x');
  assert.equal(jsonClone(null), null);
});
