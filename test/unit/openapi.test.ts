import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { KindRegistry } from '../../sandbox/sim/kinds/registry.ts';
import { bool, keyedList, obj, str } from '../../sandbox/sim/kinds/schema.ts';
import { definitions } from '../../sandbox/sim/kinds/meta.ts';
import type { KindDef } from '../../sandbox/sim/kinds/types.ts';
import { OpenApiDocuments, objectSchema } from '../../sandbox/sim/api/openapi.ts';

// Test-only shared definitions, in their own namespace of names.
const containerRef = definitions.define('io.virtlab.test.v1.Container', obj({
  name: str('Name of the container.'),
  image: str('Container image name.'),
}, { required: ['name'], description: 'A single application container.' }));
const podSpecRef = definitions.define('io.virtlab.test.v1.PodSpec', obj({
  containers: keyedList(containerRef, 'name', 'List of containers.'),
  nodeName: str('Node the pod runs on.'),
}, { required: ['containers'], description: 'Specification of a pod.' }));
definitions.define('io.virtlab.test.v1.Unused', obj({ x: str() }));

function kind(over: Partial<KindDef> & Pick<KindDef, 'group' | 'version' | 'kind' | 'plural' | 'schemaName'>): KindDef {
  return {
    singular: over.kind.toLowerCase(),
    namespaced: true,
    custom: false,
    schema: obj({}),
    description: `${over.kind} for tests.`,
    printerColumns: [],
    ...over,
  };
}

const pod = kind({
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', schemaName: 'io.virtlab.test.v1.Pod',
  subresources: { status: true },
  schema: obj({ spec: { description: 'Desired behaviour of the pod.', allOf: [podSpecRef] }, status: obj({ phase: str('Pod phase.') }) }, { required: ['spec'] }),
  description: 'Pod is a collection of containers that can run on a host.',
});
const node = kind({
  group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, schemaName: 'io.virtlab.test.v1.Node',
  schema: obj({ spec: obj({ unschedulable: bool('Unschedulable.') }) }),
});
function vmKind(runningDescription: string): KindDef {
  return kind({
    group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine', plural: 'virtualmachines', custom: true,
    schemaName: 'io.kubevirt.v1.VirtualMachine', subresources: { status: true },
    schema: obj({ spec: obj({ running: bool(runningDescription), template: obj({ x: str() }) }, { required: ['template'] }), status: obj({ ready: bool() }) }),
    description: 'VirtualMachine handles the VirtualMachineInstance lifecycle.',
  });
}
const vm = vmKind('Whether the VM should run.');
const lease = kind({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', schemaName: 'io.virtlab.test.coordination.v1.Lease',
  verbs: ['get', 'list', 'watch'] });

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

function build(kinds: KindDef[] = [pod, node, vm, lease]): OpenApiDocuments {
  return new OpenApiDocuments(new KindRegistry(kinds), definitions);
}

function gvDoc(docs: OpenApiDocuments, path: string): Json {
  const d = docs.groupVersion(path);
  assert.ok(d, `no document for ${path}`);
  return JSON.parse(d.body);
}

function operations(doc: Json): { path: string; method: string; op: Json }[] {
  const out: { path: string; method: string; op: Json }[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const m of METHODS) if (item[m]) out.push({ path, method: m, op: item[m] });
  }
  return out;
}

test('root lists one entry per group-version with the sha512 hash of its document', () => {
  const docs = build();
  const root = JSON.parse(docs.root().body);
  assert.deepEqual(Object.keys(root.paths), ['api/v1', 'apis/kubevirt.io/v1', 'apis/coordination.k8s.io/v1']);
  for (const [path, entry] of Object.entries<Json>(root.paths)) {
    const d = docs.groupVersion(path)!;
    assert.equal(d.hash, createHash('sha512').update(d.body).digest('hex').toUpperCase());
    assert.match(d.hash, /^[0-9A-F]{128}$/);
    assert.equal(entry.serverRelativeURL, `/openapi/v3/${path}?hash=${d.hash}`);
  }
  assert.match(docs.root().etag, /^"[0-9A-F]+"$/);
  assert.equal(docs.groupVersion('/openapi/v3/api/v1'), docs.groupVersion('api/v1'));
  assert.equal(docs.groupVersion('/apis/kubevirt.io/v1'), docs.groupVersion('apis/kubevirt.io/v1'));
  assert.equal(docs.groupVersion('apis/kubevirt.io/v2'), undefined);
  assert.equal(docs.groupVersion('apis/kubevirt.io'), undefined);
});

test('documents are stable, and a schema change changes only that group-version hash', () => {
  const a = build();
  const b = build();
  assert.equal(a.root().body, b.root().body);
  assert.equal(a.root().etag, b.root().etag);
  const changed = build([pod, node, vmKind('Something else.'), lease]);
  assert.notEqual(changed.groupVersion('apis/kubevirt.io/v1')!.hash, a.groupVersion('apis/kubevirt.io/v1')!.hash);
  assert.equal(changed.groupVersion('api/v1')!.hash, a.groupVersion('api/v1')!.hash);
  assert.notEqual(changed.root().etag, a.root().etag);
});

test('group-version document shape and paths', () => {
  const doc = gvDoc(build(), 'api/v1');
  assert.equal(doc.openapi, '3.0.0');
  assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'v1.32.4' });
  const paths = Object.keys(doc.paths);
  for (const p of [
    '/api/v1/namespaces/{namespace}/pods',
    '/api/v1/namespaces/{namespace}/pods/{name}',
    '/api/v1/namespaces/{namespace}/pods/{name}/status',
    '/api/v1/pods',
    '/api/v1/nodes',
    '/api/v1/nodes/{name}',
  ]) assert.ok(paths.includes(p), `missing ${p}`);
  assert.ok(!paths.includes('/api/v1/nodes/{name}/status'));
  assert.ok(!paths.some((p) => p.includes('{namespace}/nodes')));
  const coll = doc.paths['/api/v1/namespaces/{namespace}/pods'];
  assert.equal(coll.get['x-kubernetes-action'], 'list');
  assert.equal(coll.post['x-kubernetes-action'], 'post');
  assert.equal(coll.delete['x-kubernetes-action'], 'deletecollection');
  const item = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'];
  assert.deepEqual(['get', 'put', 'patch', 'delete'].map((m) => item[m]['x-kubernetes-action']), ['get', 'put', 'patch', 'delete']);
  assert.deepEqual(item.parameters.map((p: Json) => `${p.in}:${p.name}`).slice(0, 2), ['path:name', 'path:namespace']);
  assert.equal(item.get.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.virtlab.test.v1.Pod');
  assert.equal(coll.get.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.virtlab.test.v1.PodList');
  assert.equal(doc.paths['/api/v1/pods'].get.operationId, 'listCoreV1PodForAllNamespaces');
  assert.equal(item.patch.operationId, 'patchCoreV1NamespacedPod');

  // A read-only kind has only read operations.
  const coord = gvDoc(build(), 'apis/coordination.k8s.io/v1');
  const ops = operations(coord).map((o) => `${o.method} ${o.path}`).sort();
  assert.deepEqual(ops, [
    'get /apis/coordination.k8s.io/v1/leases',
    'get /apis/coordination.k8s.io/v1/namespaces/{namespace}/leases',
    'get /apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}',
  ]);
  assert.equal(coord.paths['/apis/coordination.k8s.io/v1/leases'].get.operationId, 'listCoordinationV1LeaseForAllNamespaces');
});

test('every operation carries an object GVK and an action; writes carry fieldValidation', () => {
  const docs = build();
  for (const path of ['api/v1', 'apis/kubevirt.io/v1', 'apis/coordination.k8s.io/v1']) {
    const doc = gvDoc(docs, path);
    let patches = 0;
    for (const { path: p, method, op } of operations(doc)) {
      const gvk = op['x-kubernetes-group-version-kind'];
      assert.equal(typeof gvk, 'object', `${method} ${p}`);
      assert.ok(!Array.isArray(gvk));
      assert.deepEqual(Object.keys(gvk).sort(), ['group', 'kind', 'version']);
      assert.equal(typeof op['x-kubernetes-action'], 'string');
      const params: Json[] = op.parameters ?? [];
      const byName = (n: string): Json | undefined => params.find((x) => x.name === n && x.in === 'query');
      if (method === 'patch' || method === 'put' || method === 'post') {
        const fv = byName('fieldValidation');
        assert.ok(fv, `fieldValidation on ${method} ${p}`);
        assert.deepEqual(fv!.schema, { type: 'string', uniqueItems: true });
        assert.equal(typeof fv!.description, 'string');
        assert.ok(byName('dryRun'));
        assert.ok(byName('fieldManager'));
      }
      if (method === 'patch') {
        patches++;
        assert.deepEqual(byName('force')!.schema, { type: 'boolean', uniqueItems: true });
        const content = Object.keys(op.requestBody.content);
        for (const t of ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']) assert.ok(content.includes(t), t);
      } else {
        assert.equal(byName('force'), undefined);
      }
    }
    if (path !== 'apis/coordination.k8s.io/v1') assert.ok(patches > 0);
  }
});

test('strategic merge patch is offered for built-in kinds only', () => {
  const docs = build();
  const core = gvDoc(docs, 'api/v1');
  const kv = gvDoc(docs, 'apis/kubevirt.io/v1');
  for (const { op } of operations(core).filter((o) => o.method === 'patch')) {
    assert.ok('application/strategic-merge-patch+json' in op.requestBody.content);
  }
  const kvPatches = operations(kv).filter((o) => o.method === 'patch');
  assert.equal(kvPatches.length, 2); // item and status
  for (const { op } of kvPatches) {
    assert.deepEqual(Object.keys(op.requestBody.content).sort(),
      ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
    assert.deepEqual(op['x-kubernetes-group-version-kind'], { group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine' });
  }
});

test('components: kind schema, list schema and the closure of referenced definitions', () => {
  const docs = build();
  const core = gvDoc(docs, 'api/v1');
  const schemas = core.components.schemas;
  const podSchema = schemas['io.virtlab.test.v1.Pod'];
  assert.deepEqual(podSchema, JSON.parse(JSON.stringify(objectSchema(pod))));
  assert.equal(podSchema.type, 'object');
  assert.equal(podSchema.description, 'Pod is a collection of containers that can run on a host.');
  assert.deepEqual(podSchema['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Pod' }]);
  assert.deepEqual(podSchema.required, ['spec']);
  assert.equal(podSchema.properties.apiVersion.type, 'string');
  assert.equal(podSchema.properties.kind.type, 'string');
  assert.deepEqual(podSchema.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
  assert.equal(typeof podSchema.properties.metadata.description, 'string');
  const list = schemas['io.virtlab.test.v1.PodList'];
  assert.deepEqual(list.properties.items.items, { $ref: '#/components/schemas/io.virtlab.test.v1.Pod' });
  assert.deepEqual(list.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' }]);
  assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'PodList' }]);
  for (const name of ['io.virtlab.test.v1.PodSpec', 'io.virtlab.test.v1.Container', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference', 'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry',
    'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.virtlab.test.v1.Node', 'io.virtlab.test.v1.NodeList']) {
    assert.ok(schemas[name], `missing ${name}`);
  }
  assert.equal(schemas['io.virtlab.test.v1.PodSpec'].properties.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(schemas['io.virtlab.test.v1.Unused'], undefined);

  const kv = gvDoc(docs, 'apis/kubevirt.io/v1').components.schemas;
  assert.ok(kv['io.kubevirt.v1.VirtualMachine']);
  assert.ok(kv['io.kubevirt.v1.VirtualMachineList']);
  assert.ok(kv['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  assert.equal(kv['io.virtlab.test.v1.PodSpec'], undefined);
  assert.equal(kv['io.virtlab.test.v1.Pod'], undefined);
  assert.deepEqual(kv['io.kubevirt.v1.VirtualMachine'].properties.spec.required, ['template']);
});

test('every $ref in a document resolves inside it, and kubectl-style GVK lookup finds the kind', () => {
  const docs = build();
  for (const path of ['api/v1', 'apis/kubevirt.io/v1', 'apis/coordination.k8s.io/v1']) {
    const doc = gvDoc(docs, path);
    const schemas = doc.components.schemas;
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) { v.forEach(visit); return; }
      if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref') {
            const name = String(x).replace('#/components/schemas/', '');
            assert.ok(schemas[name], `${path}: dangling ${x}`);
          } else visit(x);
        }
      }
    };
    visit(doc);
  }
  const kv = gvDoc(docs, 'apis/kubevirt.io/v1');
  const found = Object.entries<Json>(kv.components.schemas).filter(([, s]) =>
    (s['x-kubernetes-group-version-kind'] ?? []).some((g: Json) => g.group === 'kubevirt.io' && g.version === 'v1' && g.kind === 'VirtualMachine'));
  assert.deepEqual(found.map(([n]) => n), ['io.kubevirt.v1.VirtualMachine']);
});

test('objectSchema is cached per KindDef and published as is', () => {
  assert.equal(objectSchema(pod), objectSchema(pod));
  const s = objectSchema(vm);
  assert.ok(s.properties?.spec);
  assert.ok(s.properties?.metadata);
  assert.equal(definitions.resolve(s.properties!.metadata)!.properties!.name.type, 'string');
});
