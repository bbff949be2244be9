import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  FieldSet, changedFields, fieldsOf, fromFieldsV1, renderPath, toFieldsV1,
} from '../../sandbox/sim/api/apply/fieldset.ts';
import {
  ApplyConflictError, LAST_APPLIED_ANNOTATION, conflictApiError, conflictMessage, conflictStatusCauses, recordUpdate, serverSideApply,
} from '../../sandbox/sim/api/apply/managed-fields.ts';
import { ApiError } from '../../sandbox/sim/api/errors.ts';
import {
  SchemaDefinitions, arr, dateTime, freeform, int, keyedList, mapOf, obj, str, stringMap,
} from '../../sandbox/sim/kinds/schema.ts';

// A Pod-like schema: containers/env keyed by name, ports by containerPort,
// tolerations atomic, finalizers a set, labels a granular map.
const defs = new SchemaDefinitions();
const objectMeta = defs.define('ObjectMeta', obj({
  name: str(),
  namespace: str(),
  uid: str(),
  resourceVersion: str(),
  generation: int(),
  creationTimestamp: dateTime(),
  labels: stringMap(),
  annotations: stringMap(),
  finalizers: { ...arr(str()), 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' },
  managedFields: arr(freeform()),
}));
const container = defs.define('Container', obj({
  name: str(),
  image: str(),
  env: keyedList(obj({ name: str(), value: str() }), 'name'),
  ports: keyedList(obj({ containerPort: int(), protocol: str() }), 'containerPort'),
  resources: obj({ limits: mapOf(str()), requests: mapOf(str()) }),
}));
const pod = obj({
  apiVersion: str(),
  kind: str(),
  metadata: objectMeta,
  spec: obj({
    replicas: int(),
    containers: keyedList(container, 'name'),
    tolerations: arr(obj({ key: str(), operator: str(), effect: str() }), undefined, { 'x-kubernetes-list-type': 'atomic' }),
    nodeSelector: stringMap(),
  }),
  status: obj({ phase: str() }),
});

const T1 = '2025-01-01T00:00:00Z';
const T2 = '2025-01-01T00:05:00Z';
const T3 = '2025-01-01T00:10:00Z';
type Obj = Record<string, unknown>;

// The manifests of the ssa-pod-create / ssa-pod-update traces.
const createManifest = (): Obj => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { labels: { app: 'demo' }, name: 'applied-pod', namespace: 'default' },
  spec: { containers: [
    { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], image: 'nginx:1.25', name: 'main' },
    { image: 'busybox', name: 'sidecar' },
  ] },
});
const updateManifest = (): Obj => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { labels: { app: 'demo', tier: 'web' }, name: 'applied-pod', namespace: 'default' },
  spec: { containers: [{ env: [{ name: 'A', value: '1' }], image: 'nginx:1.26', name: 'main' }] },
});

function apply(live: Obj | undefined, applied: Obj, manager: string, now = T1, force = false, extra: Partial<{ ignoredRoots: string[] }> = {}): Obj {
  return serverSideApply(live, applied, manager, { force, apiVersion: 'v1', now, ...extra }, pod, defs).object;
}

function managed(o: Obj): { manager: string; operation: string; fieldsV1: Obj; time: string; apiVersion: string }[] {
  return ((o.metadata as Obj).managedFields ?? []) as never;
}

function entry(o: Obj, manager: string, operation = 'Apply') {
  return managed(o).find((e) => e.manager === manager && e.operation === operation);
}

/** Stands in for the server: uid etc. set after a create. */
function persisted(o: Obj): Obj {
  const c = structuredClone(o);
  Object.assign(c.metadata as Obj, { uid: 'u-1', resourceVersion: '1', creationTimestamp: T1 });
  return c;
}

test('FieldsV1: the set of an object, encoded as upstream', () => {
  const set = fieldsOf({
    metadata: { labels: { app: 'x' } },
    spec: { containers: [{ name: 'main', image: 'nginx' }] },
  }, pod, defs);
  assert.equal(JSON.stringify(toFieldsV1(set)),
    '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"main\\"}":{".":{},"f:image":{},"f:name":{}}}}}');
});

test('FieldsV1: a real kubectl entry round-trips byte for byte, and input order is canonicalised', () => {
  const real = '{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}},"f:labels":{".":{},"f:app":{}}},'
    + '"f:spec":{"f:containers":{"k:{\\"name\\":\\"main\\"}":{".":{},"f:env":{".":{},"k:{\\"name\\":\\"A\\"}":{".":{},"f:name":{},"f:value":{}}},'
    + '"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:ports":{".":{},"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},'
    + '"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{},'
    + '"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}';
  const set = fromFieldsV1(JSON.parse(real));
  assert.equal(JSON.stringify(toFieldsV1(set)), real);
  assert.ok(set.has(['f:metadata', 'f:labels']));
  assert.ok(set.has(['f:spec', 'f:containers', 'k:{"name":"main"}', 'f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']));
  assert.ok(!set.has(['f:spec']));

  const shuffled = { 'f:spec': { 'v:"b"': {}, 'k:{"protocol":"TCP","containerPort":80}': {}, 'f:z': {}, 'v:"a"': {}, 'f:a': { 'f:x': {}, '.': {} } } };
  assert.equal(JSON.stringify(toFieldsV1(fromFieldsV1(shuffled))),
    '{"f:spec":{"f:a":{".":{},"f:x":{}},"f:z":{},"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{},"v:\\"a\\"":{},"v:\\"b\\"":{}}}');
});

test('field sets: union, intersection, difference, recursive difference', () => {
  const a = FieldSet.of([['f:a', 'f:x'], ['f:a', 'f:y'], ['f:b']]);
  const b = FieldSet.of([['f:a', 'f:y'], ['f:c']]);
  assert.deepEqual(a.union(b).paths(), [['f:b'], ['f:c'], ['f:a', 'f:x'], ['f:a', 'f:y']]);
  assert.deepEqual(a.intersection(b).paths(), [['f:a', 'f:y']]);
  assert.deepEqual(a.difference(b).paths(), [['f:b'], ['f:a', 'f:x']]);
  assert.deepEqual(a.recursiveDifference(FieldSet.of([['f:a']])).paths(), [['f:b']]);
  assert.deepEqual(a.difference(FieldSet.of([['f:a']])).paths(), a.paths());
});

test('atomic lists are one leaf, sets are v: items, non-schema subtrees are deduced', () => {
  const set = fieldsOf({
    metadata: { finalizers: ['example.com/a', 'example.com/b'] },
    spec: { tolerations: [{ key: 'k', operator: 'Exists' }], nodeSelector: {} },
    extra: { free: { deep: [1, 2] } },
  }, pod, defs);
  assert.deepEqual(toFieldsV1(set), {
    'f:extra': { '.': {}, 'f:free': { '.': {}, 'f:deep': {} } },
    'f:metadata': { 'f:finalizers': { 'v:"example.com/a"': {}, 'v:"example.com/b"': {} } },
    'f:spec': { 'f:nodeSelector': {}, 'f:tolerations': {} },
  });
});

test('paths render as upstream prints them', () => {
  assert.equal(renderPath(['f:spec', 'f:containers', 'k:{"name":"main"}', 'f:image']), '.spec.containers[name="main"].image');
  assert.equal(renderPath(['f:spec', 'f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']), '.spec.ports[containerPort=80,protocol="TCP"]');
  assert.equal(renderPath(['f:metadata', 'f:finalizers', 'v:"example.com/a"']), '.metadata.finalizers[="example.com/a"]');
  assert.equal(renderPath(['f:metadata', 'f:annotations', `f:${LAST_APPLIED_ANNOTATION}`]),
    '.metadata.annotations.kubectl.kubernetes.io/last-applied-configuration');
});

test('changedFields: modified and added leaves, and new container nodes', () => {
  const before = { metadata: { labels: { app: 'a', keep: 'k' } }, spec: { containers: [{ name: 'main', image: 'x' }] } };
  const after = { metadata: { labels: { app: 'b', keep: 'k' } }, spec: { containers: [{ name: 'main', image: 'x' }, { name: 's', image: 'y' }] } };
  assert.deepEqual(toFieldsV1(changedFields(before, after, pod, defs)), {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"s"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
  });
});

test('apply creates: the applied object, owned by the applier', () => {
  const o = apply(undefined, createManifest(), 'kubectl');
  const { managedFields, ...meta } = o.metadata as Obj;
  assert.deepEqual({ ...o, metadata: meta }, createManifest());
  assert.deepEqual(managedFields, [{
    manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: T1, fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': { 'f:containers': {
        'k:{"name":"main"}': {
          '.': {},
          'f:env': {
            'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} },
            'k:{"name":"B"}': { '.': {}, 'f:name': {}, 'f:value': {} },
          },
          'f:image': {}, 'f:name': {},
        },
        'k:{"name":"sidecar"}': { '.': {}, 'f:image': {}, 'f:name': {} },
      } },
    },
  }]);
});

test('re-applying the same config changes nothing (not even the time)', () => {
  const first = persisted(apply(undefined, createManifest(), 'kubectl', T1));
  const again = apply(first, createManifest(), 'kubectl', T2);
  assert.deepEqual(again, first);
});

test('apply omitting a container and an env var removes them (ssa-pod-update)', () => {
  const live = persisted(apply(undefined, createManifest(), 'kubectl', T1));
  const o = apply(live, updateManifest(), 'kubectl', T2);
  const spec = o.spec as Obj;
  assert.deepEqual(spec.containers, [{ env: [{ name: 'A', value: '1' }], image: 'nginx:1.26', name: 'main' }]);
  assert.deepEqual((o.metadata as Obj).labels, { app: 'demo', tier: 'web' });
  assert.equal((o.metadata as Obj).uid, 'u-1');
  const e = entry(o, 'kubectl')!;
  assert.equal(e.time, T2);
  assert.deepEqual(e.fieldsV1, {
    'f:metadata': { 'f:labels': { 'f:app': {}, 'f:tier': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"main"}': {
      '.': {}, 'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:image': {}, 'f:name': {},
    } } },
  });
});

test('a field the applier drops is kept while another manager still owns it', () => {
  let o = persisted(apply(undefined, updateManifest(), 'kubectl', T1));
  // A second applier co-owns tier (same value: no conflict, shared ownership).
  o = apply(o, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'applied-pod', labels: { tier: 'web' } } }, 'other', T2);
  assert.ok(entry(o, 'other'));
  const withoutLabels = (): Obj => {
    const m = updateManifest();
    (m.metadata as Obj).labels = { app: 'demo' };
    return m;
  };
  o = apply(o, withoutLabels(), 'kubectl', T3);
  assert.deepEqual((o.metadata as Obj).labels, { app: 'demo', tier: 'web' });
  // Once "other" no longer applies it either, the label goes.
  o = apply(o, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'applied-pod', annotations: { note: 'x' } } }, 'other', T3);
  assert.deepEqual((o.metadata as Obj).labels, { app: 'demo' });
});

test('a label the applier alone owned is removed; unowned labels set by an Update stay with their owner', () => {
  let o = persisted(apply(undefined, updateManifest(), 'kubectl', T1));
  const labelled = structuredClone(o);
  ((labelled.metadata as Obj).labels as Obj).extra = 'e';
  (labelled.metadata as Obj).managedFields = recordUpdate(o, labelled, 'kubectl-label', { apiVersion: 'v1', now: T2 }, pod, defs);
  const m = updateManifest();
  (m.metadata as Obj).labels = { app: 'demo' };
  o = apply(labelled, m, 'kubectl', T3);
  assert.deepEqual((o.metadata as Obj).labels, { app: 'demo', extra: 'e' });
});

test('conflict with an Update manager: ApplyConflictError with the field paths and upstream texts', () => {
  const csa = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u-1' },
    spec: { replicas: 1, containers: [{ name: 'main', image: 'nginx:1.25' }] },
  };
  (csa.metadata as Obj).managedFields = recordUpdate(undefined, csa, 'kubectl-client-side-apply', { apiVersion: 'v1', now: T1 }, pod, defs);
  const cfg = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { replicas: 3, containers: [{ name: 'main', image: 'nginx:1.26' }] } };
  let err: unknown;
  try {
    apply(csa, cfg, 'ssa-tool', T2);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ApplyConflictError);
  assert.deepEqual(err.conflicts.map((c) => [c.manager, c.field]), [
    ['kubectl-client-side-apply', '.spec.replicas'],
    ['kubectl-client-side-apply', '.spec.containers[name="main"].image'],
  ]);
  assert.deepEqual(conflictStatusCauses(err, 'v1'), [
    { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.spec.replicas' },
    { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.spec.containers[name="main"].image' },
  ]);
  assert.equal(conflictMessage(err),
    'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using v1:\n- .spec.replicas\n- .spec.containers[name="main"].image');
  assert.equal(err.message, conflictMessage(err));
  const status = conflictApiError(err).status;
  assert.equal(status.code, 409);
  assert.equal(status.reason, 'Conflict');
  assert.equal(status.details?.causes?.length, 2);

  // Same value: no conflict, the field becomes shared.
  const same = apply(csa, { ...cfg, spec: { replicas: 1 } }, 'ssa-tool', T2);
  assert.deepEqual(entry(same, 'ssa-tool')!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.ok(JSON.stringify(entry(same, 'kubectl-client-side-apply', 'Update')!.fieldsV1).includes('f:replicas'));
});

test('the single-conflict message matches the kubectl trace', () => {
  const err = new ApplyConflictError([{ manager: 'kubectl-client-side-apply', field: '.spec.replicas', operation: 'Update', apiVersion: 'apps/v1' }]);
  assert.equal(conflictMessage(err), 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  const applier = new ApplyConflictError([{ manager: 'helm', field: '.spec.replicas', operation: 'Apply' }]);
  assert.deepEqual(conflictStatusCauses(applier, 'v1')[0].message, 'conflict with "helm"');
});

test('force moves ownership from the Update manager to the applier', () => {
  const csa = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u-1' },
    spec: { replicas: 1, containers: [{ name: 'main', image: 'nginx:1.25' }] },
  };
  (csa.metadata as Obj).managedFields = recordUpdate(undefined, csa, 'kubectl-client-side-apply', { apiVersion: 'v1', now: T1 }, pod, defs);
  const o = apply(csa, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { replicas: 3 } }, 'ssa-tool', T2, true);
  assert.equal((o.spec as Obj).replicas, 3);
  assert.deepEqual(entry(o, 'ssa-tool')!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  const csaEntry = entry(o, 'kubectl-client-side-apply', 'Update')!;
  assert.ok(!JSON.stringify(csaEntry.fieldsV1).includes('f:replicas'));
  assert.ok(JSON.stringify(csaEntry.fieldsV1).includes('f:image'));
  assert.equal(csaEntry.time, T1);
  // Apply entries come first, as upstream sorts them.
  assert.deepEqual(managed(o).map((e) => e.manager), ['ssa-tool', 'kubectl-client-side-apply']);
});

test('recordUpdate: a label change gives the label to kubectl-label', () => {
  const live = persisted(apply(undefined, updateManifest(), 'kubectl', T1));
  const next = structuredClone(live);
  (next.metadata as Obj).labels = { app: 'changed', tier: 'web', env: 'prod' };
  (next.metadata as Obj).resourceVersion = '2';
  const entries = recordUpdate(live, next, 'kubectl-label', { apiVersion: 'v1', now: T2 }, pod, defs);
  assert.deepEqual(entries.map((e) => [e.manager, e.operation]), [['kubectl', 'Apply'], ['kubectl-label', 'Update']]);
  assert.deepEqual(entries[1], {
    manager: 'kubectl-label', operation: 'Update', apiVersion: 'v1', time: T2, fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {}, 'f:env': {} } } },
  });
  assert.deepEqual((entries[0].fieldsV1['f:metadata'] as Obj)['f:labels'], { 'f:tier': {} });

  // A write that changes nothing ownable adds no entry and keeps times.
  const bump = structuredClone(next);
  (bump.metadata as Obj).managedFields = entries;
  const bumped = structuredClone(bump);
  (bumped.metadata as Obj).resourceVersion = '3';
  assert.deepEqual(recordUpdate(bump, bumped, 'kubectl-edit', { apiVersion: 'v1', now: T3 }, pod, defs), entries);
});

test('recordUpdate: create owns new maps and items with "."; status ignored; untracked objects stay untracked', () => {
  const o = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', labels: { app: 'a' } },
    spec: { containers: [{ name: 'main', image: 'x' }] },
    status: { phase: 'Pending' },
  };
  const entries = recordUpdate(undefined, o, 'kubectl-create',
    // The Go zero value of a Pod: structs present, containers (not omitempty) null.
    { apiVersion: 'v1', now: T1, ignoredRoots: ['status'], createBaseline: { metadata: {}, spec: { containers: null }, status: {} } }, pod, defs);
  assert.deepEqual(entries[0].fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"main"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
  });
  // Custom resources are compared with an empty object, so spec itself is owned.
  const cr = recordUpdate(undefined, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { replicas: 1 } }, 'kubectl-create',
    { apiVersion: 'v1', now: T1 }, pod, defs);
  assert.deepEqual(cr[0].fieldsV1, { 'f:spec': { '.': {}, 'f:replicas': {} } });
  const untracked = { ...o, metadata: { name: 'p', uid: 'u' } };
  assert.deepEqual(recordUpdate(untracked, { ...untracked, spec: {} }, 'kubectl-edit', { apiVersion: 'v1', now: T2 }, pod, defs), []);
});

test('kubectl-last-applied: applying only the annotation gives that manager an Apply entry owning it', () => {
  const manifest = createManifest();
  const lastApplied = `${JSON.stringify(manifest)}\n`;
  const csaObj = structuredClone(manifest);
  (csaObj.metadata as Obj).annotations = { [LAST_APPLIED_ANNOTATION]: lastApplied };
  (csaObj.metadata as Obj).managedFields = recordUpdate(undefined, csaObj, 'kubectl-client-side-apply', { apiVersion: 'v1', now: T1 }, pod, defs);
  const live = persisted(csaObj);
  const o = apply(live, {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { annotations: { [LAST_APPLIED_ANNOTATION]: lastApplied }, name: 'applied-pod', namespace: 'default' },
  }, 'kubectl-last-applied', T2);
  const e = entry(o, 'kubectl-last-applied')!;
  assert.equal(e.operation, 'Apply');
  assert.deepEqual(e.fieldsV1, { 'f:metadata': { 'f:annotations': { [`f:${LAST_APPLIED_ANNOTATION}`]: {} } } });
  assert.deepEqual(o.spec, manifest.spec);
});

test('manager "kubectl" upgrading from client-side apply: no conflict on fields matching last-applied, annotation rewritten', () => {
  const manifest = createManifest();
  const csaObj = structuredClone(manifest);
  (csaObj.metadata as Obj).annotations = { [LAST_APPLIED_ANNOTATION]: `${JSON.stringify(manifest)}\n` };
  (csaObj.metadata as Obj).managedFields = recordUpdate(undefined, csaObj, 'kubectl-client-side-apply', { apiVersion: 'v1', now: T1 }, pod, defs);
  const live = persisted(csaObj);
  assert.throws(() => apply(live, updateManifest(), 'someone-else', T2), ApplyConflictError);
  const o = apply(live, updateManifest(), 'kubectl', T2);
  assert.equal(((o.spec as Obj).containers as Obj[])[0].image, 'nginx:1.26');
  const ann = ((o.metadata as Obj).annotations as Obj)[LAST_APPLIED_ANNOTATION] as string;
  assert.equal(ann, '{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"demo","tier":"web"},"name":"applied-pod","namespace":"default"},'
    + '"spec":{"containers":[{"env":[{"name":"A","value":"1"}],"image":"nginx:1.26","name":"main"}]}}\n');
  // The sidecar is owned by client-side apply too, so SSA does not remove it.
  assert.equal(((o.spec as Obj).containers as Obj[]).length, 2);
});

test('list merge order: config order for shared items, live-only items stay in place', () => {
  const live = persisted(apply(undefined, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }, { name: 'c', image: '1' }] },
  }, 'owner', T1));
  const o = apply(live, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: '1' }, { name: 'a', image: '1' }] },
  }, 'other', T2);
  assert.deepEqual(((o.spec as Obj).containers as Obj[]).map((c) => c.name), ['b', 'c', 'a']);
});

test('sets union and atomic lists replace', () => {
  let o = persisted(apply(undefined, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers: ['a'] },
    spec: { tolerations: [{ key: 'x', operator: 'Exists' }] },
  }, 'one', T1));
  o = apply(o, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers: ['b'] },
  }, 'two', T2);
  assert.deepEqual((o.metadata as Obj).finalizers, ['a', 'b']);
  o = apply(o, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers: ['a'] },
    spec: { tolerations: [{ key: 'y', operator: 'Exists' }] },
  }, 'one', T3);
  assert.deepEqual((o.spec as Obj).tolerations, [{ key: 'y', operator: 'Exists' }]);
});

test('ignored roots: status is neither applied nor owned on a main-resource apply', () => {
  const m = { ...createManifest(), status: { phase: 'Running' } };
  const created = apply(undefined, m, 'kubectl', T1, false, { ignoredRoots: ['status'] });
  assert.equal(created.status, undefined);
  assert.ok(!JSON.stringify(managed(created)).includes('f:status'));
  const live = { ...persisted(created), status: { phase: 'Pending' } };
  const updated = apply(live, m, 'kubectl', T2, false, { ignoredRoots: ['status'] });
  assert.deepEqual(updated.status, { phase: 'Pending' });
});

test('malformed configs are rejected as upstream does', () => {
  const noName = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ image: 'x' }] } };
  assert.throws(() => apply(undefined, noName, 'kubectl'), (e: unknown) => e instanceof ApiError && e.code === 500
    && e.message === 'failed to create typed patch object (default/p; /v1, Kind=Pod): .spec.containers: element 0: '
      + 'associative list with keys has an element that omits all key fields ["name"] (and doesn\'t have default values for any key fields)');
  const dup = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'm' }, { name: 'm' }] } };
  assert.throws(() => apply(undefined, dup, 'kubectl'), /duplicate entries for key \[name="m"\]/);
  const withMF = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', managedFields: [] } };
  assert.throws(() => apply(undefined, withMF, 'kubectl'), (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'metadata.managedFields must be nil');
  assert.throws(() => apply(undefined, { apiVersion: 'v2', kind: 'Pod', metadata: { name: 'p' } }, 'kubectl'),
    /Incorrect version specified in apply patch. Specified patch version: v2, expected: v1/);
});

test('an existing object without managedFields: its fields belong to before-first-apply', () => {
  const live = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', uid: 'u' }, spec: { replicas: 1 } };
  assert.throws(() => apply(live, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { replicas: 2 } }, 'x', T2),
    (e: unknown) => e instanceof ApplyConflictError && e.conflicts[0].manager === 'before-first-apply');
});
