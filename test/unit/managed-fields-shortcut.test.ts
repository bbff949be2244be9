// recordUpdate answers the common write (a manager rewriting values only it
// owns) without decoding every entry. Whatever the write, its answer must be
// the one the whole computation gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordUpdate, recordUpdateInFull, type UpdateOptions } from '../../sandbox/sim/api/apply/managed-fields.ts';
import { SchemaDefinitions, int, keyedList, obj, str, stringMap, arr, freeform, dateTime } from '../../sandbox/sim/kinds/schema.ts';

type Obj = Record<string, unknown>;
const defs = new SchemaDefinitions();
const meta = obj({
  name: str(), namespace: str(), uid: str(), resourceVersion: str(), creationTimestamp: dateTime(),
  labels: stringMap(), annotations: stringMap(), managedFields: arr(freeform()),
});
const schema = obj({
  apiVersion: str(), kind: str(), metadata: meta,
  spec: obj({ holderIdentity: str(), renewTime: str(), leaseDurationSeconds: int() }),
  status: obj({ conditions: keyedList(obj({ type: str(), status: str(), lastHeartbeatTime: str() }), 'type') }),
});

const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-01T00:00:10Z';
const T3 = '2026-01-01T00:00:20Z';

function write(old: Obj | undefined, next: Obj, manager: string, opts: UpdateOptions): Obj {
  const fast = recordUpdate(old, next, manager, opts, schema, defs);
  const who = { manager, operation: 'Update' as const, apiVersion: opts.apiVersion, ...(opts.subresource ? { subresource: opts.subresource } : {}) };
  const full = recordUpdateInFull(old, next, who, opts, schema, defs);
  assert.deepEqual(fast, full, `${manager} at ${opts.now}: the shortcut and the whole computation disagree`);
  const out = structuredClone(next);
  (out.metadata as Obj).managedFields = fast;
  return out;
}

function edit(o: Obj, change: (c: Obj & { metadata: Obj; spec: Obj; status: Obj }) => void): Obj {
  const c = structuredClone(o) as Obj & { metadata: Obj; spec: Obj; status: Obj };
  change(c);
  return c;
}

const created = (): Obj => write(undefined, {
  apiVersion: 'v1', kind: 'Lease', metadata: { name: 'worker-1', uid: 'u1', labels: { a: '1' } },
  spec: { holderIdentity: 'worker-1', renewTime: T1, leaseDurationSeconds: 40 },
  status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: T1 }] },
}, 'kubelet', { apiVersion: 'v1', now: T1 });

test('a renewal of fields the writer alone owns restamps only its entry', () => {
  let lease = created();
  lease = write(lease, edit(lease, (c) => { c.metadata.labels = { a: '1', b: '2' }; }), 'kubectl-label', { apiVersion: 'v1', now: T2 });
  const renewed = write(lease, edit(lease, (c) => { c.spec.renewTime = T3; }), 'kubelet', { apiVersion: 'v1', now: T3 });
  const entries = (renewed.metadata as Obj).managedFields as { manager: string; time: string }[];
  assert.deepEqual(entries.map((e) => [e.manager, e.time]), [['kubectl-label', T2], ['kubelet', T3]]);
});

test('writes the shortcut must not take give the whole computation\'s answer', () => {
  let lease = created();
  lease = write(lease, edit(lease, (c) => { c.metadata.labels = { a: '1', b: '2' }; }), 'kubectl-label', { apiVersion: 'v1', now: T2 });
  // Another manager's field changes hands.
  write(lease, edit(lease, (c) => { c.spec.holderIdentity = 'worker-2'; }), 'intruder', { apiVersion: 'v1', now: T3 });
  write(lease, edit(lease, (c) => { (c.metadata.labels as Obj).b = '3'; }), 'kubelet', { apiVersion: 'v1', now: T3 });
  // A new field, a removed field, a keyed-list item, no change at all, a status write.
  write(lease, edit(lease, (c) => { c.metadata.annotations = { x: 'y' }; }), 'kubelet', { apiVersion: 'v1', now: T3 });
  write(lease, edit(lease, (c) => { delete c.spec.leaseDurationSeconds; }), 'kubelet', { apiVersion: 'v1', now: T3 });
  write(lease, edit(lease, (c) => { (c.status.conditions as Obj[])[0].lastHeartbeatTime = T3; }), 'kubelet', { apiVersion: 'v1', now: T3 });
  write(lease, edit(lease, () => {}), 'kubelet', { apiVersion: 'v1', now: T3 });
  write(lease, edit(lease, (c) => { (c.status.conditions as Obj[])[0].status = 'False'; }), 'kubelet', { apiVersion: 'v1', now: T3, subresource: 'status', ignoredRoots: ['spec'] });
  // Changes under an ignored root and request-supplied managedFields.
  write(lease, edit(lease, (c) => { c.spec.renewTime = T3; c.status.conditions = []; }), 'kubelet', { apiVersion: 'v1', now: T3, ignoredRoots: ['status'] });
  write(lease, edit(lease, (c) => { c.spec.renewTime = T3; c.metadata.managedFields = []; }), 'kubelet', { apiVersion: 'v1', now: T3 });
  // A patch: the request carries no resourceVersion.
  write(lease, edit(lease, (c) => { c.spec.renewTime = T3; c.metadata.resourceVersion = '7'; }), 'kubelet', { apiVersion: 'v1', now: T2 });
  write(edit(lease, (c) => { c.metadata.resourceVersion = '7'; }), edit(lease, (c) => { c.spec.renewTime = T3; }), 'kubelet', { apiVersion: 'v1', now: T3 });
  // A writer that owns nothing yet, and one under another apiVersion.
  write(lease, edit(lease, (c) => { c.spec.renewTime = T3; }), 'someone', { apiVersion: 'v1', now: T3 });
  write(lease, edit(lease, (c) => { c.spec.renewTime = T3; }), 'kubelet', { apiVersion: 'v2', now: T3 });
});

test('the restamped entry moves to its place in upstream order', () => {
  let lease = created();
  lease = write(lease, edit(lease, (c) => { c.metadata.labels = { a: '1', b: '2' }; }), 'kubectl-label', { apiVersion: 'v1', now: T2 });
  lease = write(lease, edit(lease, (c) => { c.spec.renewTime = T3; }), 'kubelet', { apiVersion: 'v1', now: T3 });
  const later = '2026-01-01T00:00:30Z';
  lease = write(lease, edit(lease, (c) => { c.metadata.labels = { a: '1', b: '3' }; }), 'kubectl-label', { apiVersion: 'v1', now: later });
  assert.deepEqual(((lease.metadata as Obj).managedFields as { manager: string }[]).map((e) => e.manager), ['kubelet', 'kubectl-label']);
});
