import { test } from 'node:test';
import assert from 'node:assert/strict';

import { applyStrategicMergePatch } from '../../sandbox/sim/api/patch/strategic-merge.ts';
import { PatchError } from '../../sandbox/sim/api/patch/patch-error.ts';
import {
  SchemaDefinitions, arr, bool, freeform, int, keyedList, mapOf, obj, ref, str, stringMap, type Schema,
} from '../../sandbox/sim/kinds/schema.ts';

// A Pod-like schema with the patch metadata kubectl relies on. Shared types go
// through a local SchemaDefinitions so $ref and allOf wrappers are exercised.
const defs = new SchemaDefinitions();
const objectMeta = defs.define('ObjectMeta', obj({
  name: str(),
  namespace: str(),
  uid: str(),
  resourceVersion: str(),
  labels: stringMap(),
  annotations: stringMap(),
  finalizers: { ...arr(str()), 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' },
}));
const envVar = defs.define('EnvVar', obj({ name: str(), value: str() }));
const port = defs.define('ContainerPort', obj({ containerPort: int(), protocol: str(), name: str() }));
const mount = defs.define('VolumeMount', obj({ name: str(), mountPath: str(), readOnly: bool() }));
const container = defs.define('Container', obj({
  name: str(),
  image: str(),
  imagePullPolicy: str(),
  args: arr(str()),
  env: keyedList(envVar, 'name'),
  ports: keyedList(port, 'containerPort'),
  volumeMounts: keyedList(mount, 'mountPath'),
  resources: obj({ limits: mapOf(str()), requests: mapOf(str()) }),
}));
const volume = defs.define('Volume', obj({
  name: str(),
  emptyDir: obj({ medium: str(), sizeLimit: str() }),
  configMap: obj({ name: str(), defaultMode: int() }),
  secret: obj({ secretName: str() }),
}));
const toleration = defs.define('Toleration', obj({ key: str(), operator: str(), value: str(), effect: str() }));
const podSpec = defs.define('PodSpec', obj({
  containers: keyedList(container, 'name'),
  initContainers: keyedList(container, 'name'),
  volumes: keyedList(volume, 'name', undefined, 'merge,retainKeys'),
  tolerations: arr(toleration),
  nodeSelector: stringMap(),
  nodeName: str(),
  // A map the schema says must be replaced, not merged.
  overhead: { ...mapOf(str()), 'x-kubernetes-patch-strategy': 'replace' },
}));
const podSchema: Schema = obj({
  apiVersion: str(),
  kind: str(),
  metadata: ref('ObjectMeta', 'Standard object metadata.'), // allOf wrapper
  spec: podSpec,
  status: obj({}), // nothing modelled: lists under it replace, maps merge
  extra: freeform(),
});
void objectMeta;

const smp = (doc: Record<string, unknown>, patch: Record<string, unknown>) =>
  applyStrategicMergePatch(doc, patch, podSchema, defs);

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

// Body of the PATCH recorded in results/apply-pod-update.req (pod-v1.yaml → pod-v2.yaml).
const applyPodUpdateBody = String.raw`{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"demo\",\"tier\":\"web\"},\"name\":\"applied-pod\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"env\":[{\"name\":\"A\",\"value\":\"1\"}],\"image\":\"nginx:1.26\",\"name\":\"main\"}]}}\n"},"labels":{"tier":"web"}},"spec":{"$setElementOrder/containers":[{"name":"main"}],"containers":[{"$setElementOrder/env":[{"name":"A"}],"env":[{"$patch":"delete","name":"B"}],"image":"nginx:1.26","name":"main"},{"$patch":"delete","name":"sidecar"}]}}`;

// Body of the PATCH recorded in results/apply-smp-directives.req (pod-smp-a.yaml → pod-smp-b.yaml).
const applySmpDirectivesBody = String.raw`{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/b"],"$setElementOrder/finalizers":["example.com/a"],"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{},\"finalizers\":[\"example.com/a\"],\"name\":\"smp-pod\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"image\":\"nginx\",\"name\":\"main\",\"ports\":[{\"containerPort\":443}]}],\"tolerations\":[{\"key\":\"b\",\"operator\":\"Exists\"}],\"volumes\":[{\"configMap\":{\"name\":\"cfg\"},\"name\":\"data\"}]}}\n"}},"spec":{"$setElementOrder/containers":[{"name":"main"}],"$setElementOrder/volumes":[{"name":"data"}],"containers":[{"$setElementOrder/ports":[{"containerPort":443}],"name":"main","ports":[{"$patch":"delete","containerPort":80}]}],"tolerations":[{"key":"b","operator":"Exists"}],"volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cfg"},"emptyDir":null,"name":"data"}]}}`;

// Body of the PATCH recorded in results/edit-pod.req.
const editPodBody = String.raw`{"metadata":{"labels":{"edited":"yes"}},"spec":{"$setElementOrder/containers":[{"name":"main"}],"containers":[{"image":"nginx:9.9","name":"main"}]},"status":{"containerStatuses":[{"image":"nginx:9.9","imageID":"","name":"main","ready":true,"restartCount":0,"started":true,"state":{"running":{"startedAt":"2026-11-23T16:03:42Z"}}}]}}`;

/** No key of the value, at any depth, is a patch directive. */
function assertNoDirectives(v: unknown, path = ''): void {
  if (Array.isArray(v)) v.forEach((x, i) => assertNoDirectives(x, `${path}[${i}]`));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      assert.ok(!k.startsWith('$'), `directive ${k} left at ${path}`);
      assertNoDirectives(x, `${path}.${k}`);
    }
  }
}

function livePodV1(): Record<string, unknown> {
  // pod-v1.yaml as the server stores it after `kubectl apply` (defaults and status added).
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'applied-pod', namespace: 'default', uid: 'u-1', resourceVersion: '7',
      labels: { app: 'demo' },
      annotations: { [LAST_APPLIED]: '{"old":true}\n' },
    },
    spec: {
      containers: [
        {
          name: 'main', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent',
          env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
          resources: {},
        },
        { name: 'sidecar', image: 'busybox', imagePullPolicy: 'Always', resources: {} },
      ],
      nodeName: 'node-1',
    },
    status: { phase: 'Running', containerStatuses: [{ name: 'main', ready: true }, { name: 'sidecar', ready: true }] },
  };
}

function liveSmpPodA(): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'smp-pod', namespace: 'default', uid: 'u-2', resourceVersion: '9',
      finalizers: ['example.com/a', 'example.com/b'],
      annotations: { [LAST_APPLIED]: '{"old":true}\n' },
    },
    spec: {
      containers: [{
        name: 'main', image: 'nginx', imagePullPolicy: 'Always',
        ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, protocol: 'TCP' }],
      }],
      volumes: [{ name: 'data', emptyDir: {} }],
      tolerations: [
        { key: 'a', operator: 'Exists' },
        { key: 'b', operator: 'Exists' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      ],
    },
  };
}

test('apply-pod-update: removes a container and an env var, updates image and labels', () => {
  const live = livePodV1();
  const patch = JSON.parse(applyPodUpdateBody);
  const before = structuredClone({ live, patch });
  const out = smp(live, patch);

  assert.deepEqual({ live, patch }, before, 'inputs are not mutated');
  assertNoDirectives(out);
  const meta = out.metadata as Record<string, unknown>;
  assert.deepEqual(meta.labels, { app: 'demo', tier: 'web' });
  assert.equal((meta.annotations as Record<string, string>)[LAST_APPLIED], patch.metadata.annotations[LAST_APPLIED]);
  assert.equal(meta.uid, 'u-1');
  assert.deepEqual((out.spec as Record<string, unknown>).containers, [{
    name: 'main', image: 'nginx:1.26', imagePullPolicy: 'IfNotPresent',
    env: [{ name: 'A', value: '1' }],
    resources: {},
  }]);
  assert.equal((out.spec as Record<string, unknown>).nodeName, 'node-1');
  assert.deepEqual(out.status, (before.live as Record<string, unknown>).status);
});

test('apply-smp-directives: finalizers, retainKeys volume, port delete, tolerations replaced', () => {
  const live = liveSmpPodA();
  const patch = JSON.parse(applySmpDirectivesBody);
  const before = structuredClone({ live, patch });
  const out = smp(live, patch);

  assert.deepEqual({ live, patch }, before, 'inputs are not mutated');
  assertNoDirectives(out);
  const meta = out.metadata as Record<string, unknown>;
  assert.deepEqual(meta.finalizers, ['example.com/a']);
  const spec = out.spec as Record<string, unknown>;
  assert.deepEqual(spec.containers, [{
    name: 'main', image: 'nginx', imagePullPolicy: 'Always',
    ports: [{ containerPort: 443, protocol: 'TCP' }],
  }]);
  // emptyDir → configMap: retainKeys drops the old volume source.
  assert.deepEqual(spec.volumes, [{ name: 'data', configMap: { name: 'cfg' } }]);
  // tolerations have no merge key: replaced whole, the server-added one is gone too.
  assert.deepEqual(spec.tolerations, [{ key: 'b', operator: 'Exists' }]);
});

test('edit-pod: status list without schema is replaced, container merged by name', () => {
  const live = livePodV1();
  const out = smp(live, JSON.parse(editPodBody));
  assertNoDirectives(out);
  assert.deepEqual((out.metadata as Record<string, unknown>).labels, { app: 'demo', edited: 'yes' });
  const containers = (out.spec as Record<string, unknown>).containers as Record<string, unknown>[];
  assert.deepEqual(containers.map((c) => [c.name, c.image]), [['main', 'nginx:9.9'], ['sidecar', 'busybox']]);
  const status = out.status as Record<string, unknown>;
  assert.equal(status.phase, 'Running');
  assert.equal((status.containerStatuses as unknown[]).length, 1);
});

test('kubectl patch (default SMP): other containers are kept in place', () => {
  const out = smp(livePodV1(), { spec: { containers: [{ name: 'sidecar', image: 'busybox:2' }] } });
  const containers = (out.spec as Record<string, unknown>).containers as Record<string, unknown>[];
  assert.deepEqual(containers.map((c) => [c.name, c.image]), [['main', 'nginx:1.25'], ['sidecar', 'busybox:2']]);
  assert.deepEqual(containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
});

test('new list items: appended after merge, server-only items keep their place', () => {
  const live = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } };
  // The patch order (b, d) is kept; server-only items go in front of the first patch
  // item that followed them in the live list. d is not in the live list, so it is
  // placed as soon as it is reached, ahead of c (what Kubernetes does too).
  const out = smp(live, { spec: { containers: [{ name: 'b', image: 'x' }, { name: 'd' }] } });
  assert.deepEqual(((out.spec as Record<string, unknown>).containers as { name: string }[]).map((c) => c.name), ['a', 'b', 'd', 'c']);
});

test('$setElementOrder reorders named items and slots server-only items by live position', () => {
  const live = { spec: { containers: [{ name: 'a' }, { name: 'srv' }, { name: 'b' }, { name: 'c' }] } };
  const out = smp(live, {
    spec: {
      '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }],
    },
  });
  const names = ((out.spec as Record<string, unknown>).containers as { name: string }[]).map((c) => c.name);
  // c, a, b in the wanted order; srv preceded c in the live list, so it stays in front of it.
  assert.deepEqual(names, ['srv', 'c', 'a', 'b']);
});

test('$setElementOrder with a new item places it where the order says', () => {
  const live = { spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
  const out = smp(live, {
    spec: {
      '$setElementOrder/containers': [{ name: 'a' }, { name: 'new' }, { name: 'b' }],
      containers: [{ name: 'new', image: 'i' }],
    },
  });
  assert.deepEqual((out.spec as Record<string, unknown>).containers, [{ name: 'a' }, { name: 'new', image: 'i' }, { name: 'b' }]);
});

test('$setElementOrder on a list absent from the object creates it from the patch', () => {
  const out = smp({ spec: {} }, {
    spec: {
      '$setElementOrder/initContainers': [{ name: 'x' }, { name: 'y' }],
      initContainers: [{ name: 'y' }, { name: 'x', env: [{ name: 'E', value: null }] }],
    },
  });
  assert.deepEqual((out.spec as Record<string, unknown>).initContainers, [{ name: 'x', env: [{ name: 'E' }] }, { name: 'y' }]);
});

test('primitive merge list: union keeping order, delete, order', () => {
  const live = { metadata: { finalizers: ['a', 'b'] } };
  assert.deepEqual((smp(live, { metadata: { finalizers: ['b', 'c'] } }).metadata as Record<string, unknown>).finalizers, ['a', 'b', 'c']);
  assert.deepEqual(
    (smp(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 'zz'] } }).metadata as Record<string, unknown>).finalizers,
    ['b'],
  );
  assert.deepEqual(
    (smp(live, { metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'], finalizers: ['c'] } }).metadata as Record<string, unknown>).finalizers,
    ['c', 'b', 'a'],
  );
  // Not in the object yet: created, directive-free.
  assert.deepEqual((smp({ metadata: {} }, { metadata: { finalizers: ['x'] } }).metadata as Record<string, unknown>).finalizers, ['x']);
});

test('list without merge strategy, or without schema, is replaced whole', () => {
  const live = { spec: { containers: [{ name: 'main', args: ['a', 'b'] }] }, extra: { list: [1, 2, 3] } };
  const out = smp(live, { spec: { containers: [{ name: 'main', args: ['c'] }] }, extra: { list: [4] } });
  assert.deepEqual(((out.spec as Record<string, unknown>).containers as Record<string, unknown>[])[0].args, ['c']);
  assert.deepEqual(out.extra, { list: [4] });
  // No schema at all: maps merge, lists replace.
  const bare = applyStrategicMergePatch({ a: { x: 1, l: [1] } }, { a: { y: 2, l: [2] } }, undefined, defs);
  assert.deepEqual(bare, { a: { x: 1, y: 2, l: [2] } });
});

test('maps merge, null deletes, additionalProperties maps merge', () => {
  const live = { metadata: { labels: { a: '1', b: '2' }, annotations: { keep: 'y' } } };
  const out = smp(live, { metadata: { labels: { a: null, c: '3' }, annotations: null } });
  assert.deepEqual(out.metadata, { labels: { b: '2', c: '3' } });
});

test('$patch: replace and delete in a map', () => {
  const live = { spec: { nodeSelector: { a: '1', b: '2' } }, metadata: { labels: { x: '1' } } };
  const replaced = smp(live, { spec: { nodeSelector: { $patch: 'replace', c: '3' } } });
  assert.deepEqual((replaced.spec as Record<string, unknown>).nodeSelector, { c: '3' });
  // Kubernetes leaves an empty map where `$patch: delete` was.
  const deleted = smp(live, { spec: { nodeSelector: { $patch: 'delete' } } });
  assert.deepEqual((deleted.spec as Record<string, unknown>).nodeSelector, {});
  // At the root.
  assert.deepEqual(smp(live, { $patch: 'replace', kind: 'Pod' }), { kind: 'Pod' });
});

test('patch strategy "replace" on a map replaces it', () => {
  const out = smp({ spec: { overhead: { cpu: '1', memory: '1Gi' } } }, { spec: { overhead: { cpu: '2' } } });
  assert.deepEqual((out.spec as Record<string, unknown>).overhead, { cpu: '2' });
});

test('$patch: replace as a list element replaces the whole list', () => {
  const live = { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b' }] } };
  const out = smp(live, { spec: { containers: [{ $patch: 'replace' }, { name: 'c', env: [{ $patch: 'delete', name: 'q' }] }] } });
  assert.deepEqual((out.spec as Record<string, unknown>).containers, [{ name: 'c', env: [] }]);
});

test('$retainKeys clears unlisted keys; patch keys must be listed', () => {
  const live = { spec: { volumes: [{ name: 'v', secret: { secretName: 's' } }, { name: 'w', emptyDir: {} }] } };
  const out = smp(live, { spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'configMap'], configMap: { name: 'c' } }] } });
  assert.deepEqual((out.spec as Record<string, unknown>).volumes, [{ name: 'v', configMap: { name: 'c' } }, { name: 'w', emptyDir: {} }]);
  assert.throws(
    () => smp(live, { spec: { volumes: [{ name: 'v', $retainKeys: ['name'], configMap: { name: 'c' } }] } }),
    (e: unknown) => e instanceof PatchError && e.code === 400,
  );
  assert.throws(
    () => smp(live, { spec: { volumes: [{ name: 'v', $retainKeys: 'name' }] } }),
    (e: unknown) => e instanceof PatchError && e.code === 400,
  );
});

test('nested merge lists: volumeMounts by mountPath, ports by containerPort', () => {
  const live = {
    spec: {
      containers: [{
        name: 'm',
        volumeMounts: [{ name: 'a', mountPath: '/a' }, { name: 'b', mountPath: '/b' }],
        ports: [{ containerPort: 80 }],
      }],
    },
  };
  const out = smp(live, {
    spec: {
      containers: [{
        name: 'm',
        volumeMounts: [{ mountPath: '/b', readOnly: true }, { $patch: 'delete', mountPath: '/a' }],
        ports: [{ containerPort: 8080, name: 'alt' }],
      }],
    },
  });
  const c = ((out.spec as Record<string, unknown>).containers as Record<string, unknown>[])[0];
  assert.deepEqual(c.volumeMounts, [{ name: 'b', mountPath: '/b', readOnly: true }]);
  assert.deepEqual(c.ports, [{ containerPort: 8080, name: 'alt' }, { containerPort: 80 }]);
});

test('new subtrees are normalised: nulls and directives dropped', () => {
  const out = smp({}, {
    metadata: { labels: { a: '1', gone: null }, '$setElementOrder/finalizers': ['f'], finalizers: ['f'] },
    spec: { containers: [{ name: 'c', env: [{ name: 'x', value: '1' }, { $patch: 'delete', name: 'y' }] }] },
  });
  assertNoDirectives(out);
  assert.deepEqual(out, {
    metadata: { labels: { a: '1' }, finalizers: ['f'] },
    spec: { containers: [{ name: 'c', env: [{ name: 'x', value: '1' }] }] },
  });
});

test('type change replaces the value', () => {
  const out = smp({ extra: { a: { b: 1 } } }, { extra: { a: [1] } });
  assert.deepEqual(out.extra, { a: [1] });
});

test('errors: bad directive, missing merge key, list of lists', () => {
  const is = (code: number) => (e: unknown) => e instanceof PatchError && e.code === code;
  assert.throws(() => smp({ spec: {} }, { spec: { $patch: 'explode' } }), is(400));
  assert.throws(() => smp({ spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ $patch: 'nope', name: 'a' }] } }), is(400));
  assert.throws(() => smp({ spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ image: 'x' }] } }), is(400));
  assert.throws(() => smp({ spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ $patch: 'delete' }] } }), is(400));
  assert.throws(() => smp({ metadata: { finalizers: ['a'] } }, { metadata: { finalizers: [['x']] } }), is(422));
  assert.throws(() => smp({}, { metadata: { '$setElementOrder/finalizers': 'a' } }), is(400));
  assert.throws(() => smp({}, { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }), is(400));
});
