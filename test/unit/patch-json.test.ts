import { test } from 'node:test';
import assert from 'node:assert/strict';

import { applyJsonPatch } from '../../sandbox/sim/api/patch/json-patch.ts';
import { PatchError } from '../../sandbox/sim/api/patch/patch-error.ts';

const code = (c: number) => (e: unknown) => e instanceof PatchError && e.code === c;

const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'applied-pod', labels: { app: 'demo' } },
  spec: { containers: [{ name: 'main', image: 'nginx:1.26' }, { name: 'sidecar', image: 'busybox' }] },
});

test('kubectl patch --type json body (results/patch-pod-json.req)', () => {
  const doc = pod();
  const before = structuredClone(doc);
  const ops = JSON.parse('[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.28"}]');
  const out = applyJsonPatch(doc, ops) as ReturnType<typeof pod>;
  assert.equal(out.spec.containers[0].image, 'nginx:1.28');
  assert.deepEqual(doc, before, 'input not mutated');
});

test('add: object member, array insert, "-" append, root', () => {
  const out = applyJsonPatch(pod(), [
    { op: 'add', path: '/metadata/labels/tier', value: 'web' },
    { op: 'add', path: '/spec/containers/1', value: { name: 'mid' } },
    { op: 'add', path: '/spec/containers/-', value: { name: 'last' } },
    { op: 'add', path: '/spec/containers/4', value: { name: 'at-end' } },
  ]) as ReturnType<typeof pod>;
  assert.deepEqual(out.metadata.labels, { app: 'demo', tier: 'web' });
  assert.deepEqual(out.spec.containers.map((c) => c.name), ['main', 'mid', 'sidecar', 'last', 'at-end']);
  assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '', value: [1] }]), [1]);
  // add replaces an existing member.
  assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '/a', value: 2 }]), { a: 2 });
});

test('remove, replace, move, copy', () => {
  const out = applyJsonPatch(pod(), [
    { op: 'remove', path: '/spec/containers/1' },
    { op: 'replace', path: '/metadata/name', value: 'renamed' },
    { op: 'copy', from: '/metadata/labels', path: '/metadata/annotations' },
    { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/application' },
  ]);
  assert.deepEqual(out, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'renamed', labels: { application: 'demo' }, annotations: { app: 'demo' } },
    spec: { containers: [{ name: 'main', image: 'nginx:1.26' }] },
  });
  // move within an array.
  assert.deepEqual(applyJsonPatch({ l: [1, 2, 3] }, [{ op: 'move', from: '/l/0', path: '/l/2' }]), { l: [2, 3, 1] });
  // copy is deep: changing the copy leaves the source alone.
  assert.deepEqual(
    applyJsonPatch({ a: { x: 1 } }, [{ op: 'copy', from: '/a', path: '/b' }, { op: 'replace', path: '/b/x', value: 2 }]),
    { a: { x: 1 }, b: { x: 2 } },
  );
});

test('JSON pointer escaping: ~1 is "/", ~0 is "~"', () => {
  const doc = { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'x', 'a~b': 'y' } } };
  const out = applyJsonPatch(doc, [
    { op: 'remove', path: '/metadata/annotations/kubectl.kubernetes.io~1restartedAt' },
    { op: 'replace', path: '/metadata/annotations/a~0b', value: 'z' },
    { op: 'add', path: '/metadata/annotations/~01', value: 'tilde-one' },
  ]);
  assert.deepEqual(out, { metadata: { annotations: { 'a~b': 'z', '~1': 'tilde-one' } } });
});

test('test op: deep equality regardless of key order', () => {
  const doc = { spec: { a: { x: 1, y: [1, { z: null }] } } };
  assert.deepEqual(
    applyJsonPatch(doc, [
      { op: 'test', path: '/spec/a', value: { y: [1, { z: null }], x: 1 } },
      { op: 'replace', path: '/spec/a/x', value: 2 },
    ]),
    { spec: { a: { x: 2, y: [1, { z: null }] } } },
  );
  assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/a/x', value: '1' }]), code(422));
  assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/a/y', value: [1] }]), code(422));
  assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/missing', value: null }]), code(422));
});

test('a failing op leaves the input untouched', () => {
  const doc = pod();
  const before = structuredClone(doc);
  assert.throws(
    () => applyJsonPatch(doc, [
      { op: 'replace', path: '/metadata/name', value: 'changed' },
      { op: 'test', path: '/kind', value: 'Service' },
    ]),
    (e: unknown) => e instanceof PatchError && e.code === 422 && /testing value \/kind failed/.test(e.message),
  );
  assert.deepEqual(doc, before);
});

test('paths that do not exist and bad indexes are 422', () => {
  const doc = pod();
  const bad: unknown[] = [
    { op: 'replace', path: '/spec/nope', value: 1 },
    { op: 'remove', path: '/metadata/labels/nope' },
    { op: 'add', path: '/no/such/parent', value: 1 },
    { op: 'add', path: '/spec/containers/3', value: {} },
    { op: 'add', path: '/spec/containers/01', value: {} },
    { op: 'replace', path: '/spec/containers/2', value: {} },
    { op: 'remove', path: '/spec/containers/-' },
    { op: 'move', from: '/nope', path: '/x' },
    { op: 'copy', from: '/spec/containers/9', path: '/x' },
    { op: 'move', from: '/spec', path: '/spec/inner' },
    { op: 'replace', path: 'spec', value: 1 },
    { op: 'add', path: '/x' },
  ];
  for (const op of bad) assert.throws(() => applyJsonPatch(doc, [op]), code(422), JSON.stringify(op));
});

test('unknown op is rejected (422, as the apiserver does when applying)', () => {
  assert.throws(
    () => applyJsonPatch({}, [{ op: 'increment', path: '/a', value: 1 }]),
    (e: unknown) => e instanceof PatchError && e.code === 422 && e.message === 'Unexpected kind: increment',
  );
  assert.throws(() => applyJsonPatch({}, [{ path: '/a', value: 1 }]), code(422));
});

test('a body that is not a list of operations is 400', () => {
  assert.throws(() => applyJsonPatch({}, { op: 'add', path: '/a', value: 1 }), code(400));
  assert.throws(() => applyJsonPatch({}, 'x'), code(400));
  assert.throws(() => applyJsonPatch({}, null), code(400));
  assert.throws(() => applyJsonPatch({}, [1]), code(400));
});

test('an empty patch returns an equal copy', () => {
  const doc = pod();
  const out = applyJsonPatch(doc, []);
  assert.deepEqual(out, doc);
  assert.notEqual(out, doc);
});
