import { test } from 'node:test';
import assert from 'node:assert/strict';

import { applyMergePatch, createMergePatch } from '../../sandbox/sim/api/patch/merge-patch.ts';

test('RFC 7386 appendix A examples', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [doc, patch, want] of cases) {
    assert.deepEqual(applyMergePatch(doc, patch), want, `${JSON.stringify(doc)} + ${JSON.stringify(patch)}`);
  }
});

test('kubectl bodies: patch --type merge, label, label removal, CR apply', () => {
  const vm = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: 'applied-vm', labels: { env: 'dev', tier: 'db' } },
    spec: {
      running: false,
      template: { spec: { domain: { devices: { disks: [{ name: 'disk0', disk: { bus: 'sata' } }, { name: 'disk1' }] } } } },
    },
  };
  const before = structuredClone(vm);
  // results/patch-vm-merge.req
  assert.equal((applyMergePatch(vm, JSON.parse('{"spec":{"running":true}}')) as typeof vm).spec.running, true);
  // results/label-remove.req
  assert.deepEqual((applyMergePatch(vm, JSON.parse('{"metadata":{"labels":{"env":null}}}')) as typeof vm).metadata.labels, { tier: 'db' });
  // results/apply-vm-update.req (annotation elided): lists are sent whole and replace.
  const applied = applyMergePatch(vm, JSON.parse(
    '{"metadata":{"labels":{"tier":"db"}},"spec":{"running":true,"template":{"spec":{"domain":{"devices":{"disks":[{"disk":{"bus":"virtio"},"name":"disk0"}]},"resources":{"requests":{"memory":"128M"}}}}}}}',
  )) as typeof vm;
  assert.deepEqual(applied.spec.template.spec.domain, {
    devices: { disks: [{ name: 'disk0', disk: { bus: 'virtio' } }] },
    resources: { requests: { memory: '128M' } },
  });
  assert.deepEqual(vm, before, 'input not mutated');
});

test('result shares no structure with the inputs', () => {
  const doc = { a: { keep: { deep: 1 } } };
  const patch = { b: { x: [1] } };
  const out = applyMergePatch(doc, patch) as { a: { keep: { deep: number } }; b: { x: number[] } };
  out.a.keep.deep = 2;
  out.b.x.push(2);
  assert.deepEqual(doc, { a: { keep: { deep: 1 } } });
  assert.deepEqual(patch, { b: { x: [1] } });
});

test('createMergePatch: minimal patch, round-trips', () => {
  const original = {
    metadata: { name: 'x', labels: { a: '1', b: '2' }, annotations: { k: 'v' } },
    spec: { running: false, list: [1, 2], nested: { same: true, changed: 1 } },
  };
  const modified = {
    metadata: { name: 'x', labels: { a: '1', c: '3' } },
    spec: { running: true, list: [1, 2], nested: { same: true, changed: 2 }, added: { z: 1 } },
  };
  const patch = createMergePatch(original, modified);
  assert.deepEqual(patch, {
    metadata: { labels: { b: null, c: '3' }, annotations: null },
    spec: { running: true, nested: { changed: 2 }, added: { z: 1 } },
  });
  assert.deepEqual(applyMergePatch(original, patch), modified);

  const pairs: [unknown, unknown][] = [
    [{ l: [1, 2] }, { l: [2] }],
    [{ a: { b: 1 } }, { a: 'flat' }],
    [{ a: 'flat' }, { a: { b: 1 } }],
    [{ a: 1 }, {}],
    [{}, { a: { b: { c: [] } } }],
  ];
  for (const [o, m] of pairs) assert.deepEqual(applyMergePatch(o, createMergePatch(o, m)), m, JSON.stringify([o, m]));
});

test('createMergePatch: equal inputs give an empty patch', () => {
  assert.deepEqual(createMergePatch({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } }), {});
  assert.equal(createMergePatch(3, 3), undefined);
  assert.equal(createMergePatch([1], [1]), undefined);
  assert.deepEqual(createMergePatch([1], [2]), [2]);
});
