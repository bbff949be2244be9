import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KindRegistry } from '../../sandbox/sim/kinds/registry.ts';
import { arr, bool, keyedList, obj, ref, str } from '../../sandbox/sim/kinds/schema.ts';
import { definitions } from '../../sandbox/sim/kinds/meta.ts';
import type { KindDef } from '../../sandbox/sim/kinds/types.ts';
import { customResourceDefinitionFor, customResourceDefinitions, deterministicUid } from '../../sandbox/sim/api/crd.ts';

const diskRef = definitions.define('io.virtlab.crdtest.v1.Disk', keyedList(obj({ name: str('Disk name.'), bus: str('Bus.') }, { required: ['name'] }), 'name', 'Disks.'));
// A recursive definition must not loop forever.
definitions.define('io.virtlab.crdtest.v1.Tree', obj({ value: str(), children: arr(ref('io.virtlab.crdtest.v1.Tree')) }));

function kind(over: Partial<KindDef> & Pick<KindDef, 'group' | 'version' | 'kind' | 'plural'>): KindDef {
  return {
    singular: over.kind.toLowerCase(),
    namespaced: true,
    custom: true,
    schemaName: `io.virtlab.crdtest.${over.version}.${over.kind}`,
    schema: obj({}),
    description: `${over.kind} for tests.`,
    printerColumns: [],
    ...over,
  };
}

const vmSchema = obj({
  spec: obj({
    running: bool('Whether the VM should run.'),
    disks: { description: 'Disks of the VM.', allOf: [diskRef] },
    template: obj({ metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'Template metadata.') }),
    tree: ref('io.virtlab.crdtest.v1.Tree'),
  }, { required: ['running'] }),
  status: obj({ ready: bool('Ready.') }),
});

const vm = kind({
  group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine', plural: 'virtualmachines',
  shortNames: ['vm', 'vms'], categories: ['all'], subresources: { status: true }, schema: vmSchema,
  description: 'VirtualMachine handles the VirtualMachineInstance lifecycle.',
  printerColumns: [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Status', type: 'string', description: 'Human Readable Status', jsonPath: '.status.printableStatus' },
    { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    { name: 'Computed', type: 'string', cell: () => 'x' },
    { name: 'Wide', type: 'string', priority: 1, jsonPath: '.status.wide' },
  ],
});
const vmAlpha = kind({ group: 'kubevirt.io', version: 'v1alpha3', kind: 'VirtualMachine', plural: 'virtualmachines',
  shortNames: ['vm', 'vms'], categories: ['all'], subresources: { status: true }, schema: vmSchema });
const pool = kind({ group: 'pool.kubevirt.io', version: 'v1alpha1', kind: 'VirtualMachinePool', plural: 'virtualmachinepools', namespaced: false,
  subresources: { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.labelSelector' } } });
const builtin = kind({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', custom: false });

const CREATED = '2026-01-01T00:00:00Z';
type Json = Record<string, any>;

test('CRD object: names, scope, versions, status', () => {
  const crd = customResourceDefinitionFor([vmAlpha, vm], definitions, CREATED) as Json;
  assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
  assert.equal(crd.kind, 'CustomResourceDefinition');
  assert.equal(crd.metadata.name, 'virtualmachines.kubevirt.io');
  assert.equal(crd.metadata.creationTimestamp, CREATED);
  assert.equal(crd.metadata.uid, deterministicUid('virtualmachines.kubevirt.io'));
  assert.match(crd.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(crd.spec.group, 'kubevirt.io');
  assert.equal(crd.spec.scope, 'Namespaced');
  assert.deepEqual(crd.spec.names, {
    plural: 'virtualmachines', singular: 'virtualmachine', shortNames: ['vm', 'vms'],
    kind: 'VirtualMachine', listKind: 'VirtualMachineList', categories: ['all'],
  });
  assert.deepEqual(crd.spec.versions.map((v: Json) => [v.name, v.served, v.storage]), [['v1', true, true], ['v1alpha3', true, false]]);
  assert.deepEqual(crd.spec.versions[0].subresources, { status: {} });
  const conds = crd.status.conditions.map((c: Json) => [c.type, c.status]);
  assert.deepEqual(conds, [['NamesAccepted', 'True'], ['Established', 'True']]);
  assert.deepEqual(crd.status.acceptedNames, crd.spec.names);
  assert.deepEqual(crd.status.storedVersions, ['v1']);
});

test('CRD printer columns: jsonPath columns only', () => {
  const crd = customResourceDefinitionFor([vm], definitions, CREATED) as Json;
  assert.deepEqual(crd.spec.versions[0].additionalPrinterColumns, [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Status', type: 'string', description: 'Human Readable Status', jsonPath: '.status.printableStatus' },
    { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    { name: 'Wide', type: 'string', priority: 1, jsonPath: '.status.wide' },
  ]);
});

test('CRD schema: structural, every $ref inlined, root metadata reduced to {type: object}', () => {
  const crd = customResourceDefinitionFor([vm], definitions, CREATED) as Json;
  const s = crd.spec.versions[0].schema.openAPIV3Schema;
  assert.equal(s.type, 'object');
  assert.equal(s.description, 'VirtualMachine handles the VirtualMachineInstance lifecycle.');
  assert.deepEqual(s.properties.metadata, { type: 'object' });
  assert.equal(s.properties.apiVersion.type, 'string');
  assert.equal(s['x-kubernetes-group-version-kind'], undefined);
  assert.deepEqual(s.properties.spec.required, ['running']);
  const disks = s.properties.spec.properties.disks;
  assert.equal(disks.type, 'array');
  assert.equal(disks.description, 'Disks of the VM.');
  assert.equal(disks.allOf, undefined);
  assert.equal(disks['x-kubernetes-list-type'], 'map');
  assert.deepEqual(disks['x-kubernetes-list-map-keys'], ['name']);
  assert.equal(disks['x-kubernetes-patch-merge-key'], undefined);
  assert.equal(disks.items.properties.bus.type, 'string');
  const tmeta = s.properties.spec.properties.template.properties.metadata;
  assert.equal(tmeta.type, 'object');
  assert.equal(tmeta.description, 'Template metadata.');
  assert.equal(tmeta.properties.labels.type, 'object');
  const tree = s.properties.spec.properties.tree;
  assert.equal(tree.properties.children.items['x-kubernetes-preserve-unknown-fields'], true);
  const text = JSON.stringify(crd);
  assert.ok(!text.includes('$ref'));
  assert.ok(!text.includes('"allOf"'));
  assert.ok(!text.includes('x-kubernetes-patch-strategy'));
});

test('scale subresource and cluster scope', () => {
  const crd = customResourceDefinitionFor([pool], definitions, CREATED) as Json;
  assert.equal(crd.spec.scope, 'Cluster');
  assert.deepEqual(crd.spec.versions[0].subresources, {
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.labelSelector' },
  });
  assert.equal(crd.spec.versions[0].additionalPrinterColumns, undefined);
  assert.equal(crd.spec.names.shortNames, undefined);
});

test('customResourceDefinitions: custom kinds only, one per resource, deterministic', () => {
  const reg = new KindRegistry([builtin, vm, pool, vmAlpha]);
  const list = customResourceDefinitions(reg, definitions, CREATED) as Json[];
  assert.deepEqual(list.map((c) => c.metadata.name), ['virtualmachinepools.pool.kubevirt.io', 'virtualmachines.kubevirt.io']);
  assert.deepEqual(list[1].spec.versions.map((v: Json) => v.name), ['v1', 'v1alpha3']);
  const again = customResourceDefinitions(new KindRegistry([builtin, vm, pool, vmAlpha]), definitions, CREATED);
  assert.equal(JSON.stringify(again), JSON.stringify(list));
  assert.notEqual(list[0].metadata.uid, list[1].metadata.uid);
  // Returned objects are copies: mutating one does not affect the shared schemas.
  list[1].spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.running.type = 'string';
  const fresh = customResourceDefinitionFor([vm], definitions, CREATED) as Json;
  assert.equal(fresh.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.running.type, 'boolean');
});

test('mismatched kinds are rejected', () => {
  assert.throws(() => customResourceDefinitionFor([vm, pool], definitions, CREATED));
  assert.throws(() => customResourceDefinitionFor([], definitions, CREATED));
});
