import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KindRegistry } from '../../sandbox/sim/kinds/registry.ts';
import { obj, str } from '../../sandbox/sim/kinds/schema.ts';
import type { KindDef } from '../../sandbox/sim/kinds/types.ts';
import { DiscoveryDocuments, chooseAggregated, compareKubeVersions, storageVersionHash } from '../../sandbox/sim/api/discovery.ts';

function kind(over: Partial<KindDef> & Pick<KindDef, 'group' | 'version' | 'kind' | 'plural'>): KindDef {
  return {
    singular: over.kind.toLowerCase(),
    namespaced: true,
    custom: false,
    schemaName: `test.${over.group || 'core'}.${over.version}.${over.kind}`,
    schema: obj({ spec: obj({ x: str() }) }),
    description: `${over.kind} for tests.`,
    printerColumns: [],
    ...over,
  };
}

const pod = kind({
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', shortNames: ['po'], categories: ['all'],
  subresources: { status: true },
  extraSubresources: [
    { name: 'eviction', kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
    { name: 'log', kind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
  ],
});
const namespace = kind({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: { status: true } });
const deployment = kind({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], categories: ['all'],
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } });
const vmAlpha = kind({ group: 'kubevirt.io', version: 'v1alpha3', kind: 'VirtualMachine', plural: 'virtualmachines', custom: true });
const vm = kind({ group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine', plural: 'virtualmachines', custom: true,
  shortNames: ['vm', 'vms'], categories: ['all'], subresources: { status: true } });
const vmBeta = kind({ group: 'kubevirt.io', version: 'v1beta1', kind: 'VirtualMachine', plural: 'virtualmachines', custom: true });

const extra = [{
  group: 'subresources.kubevirt.io', version: 'v1', resources: [
    { name: 'virtualmachines/start', namespaced: true, kind: '', verbs: ['update'] },
    { name: 'virtualmachines/stop', namespaced: true, kind: '', verbs: ['update'] },
    { name: 'virtualmachineinstances/console', namespaced: true, kind: '', verbs: ['get'] },
    { name: 'virtualmachines/expand-spec', namespaced: true, kind: 'VirtualMachine', group: 'kubevirt.io', version: 'v1', verbs: ['get'] },
  ],
}];

function docs(): DiscoveryDocuments {
  return new DiscoveryDocuments(new KindRegistry([pod, namespace, deployment, vmAlpha, vm, vmBeta]), extra);
}

test('aggregated /api: one item named "" with core resources, status and extra subresources', () => {
  const d = docs().aggregated('core', 'v2');
  assert.equal(d.contentType, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const body = JSON.parse(d.body);
  assert.equal(body.kind, 'APIGroupDiscoveryList');
  assert.equal(body.apiVersion, 'apidiscovery.k8s.io/v2');
  assert.deepEqual(body.metadata, {});
  assert.equal(body.items.length, 1);
  assert.equal(body.items[0].metadata.name, '');
  const v1 = body.items[0].versions[0];
  assert.equal(v1.version, 'v1');
  assert.equal(v1.freshness, 'Current');
  const pods = v1.resources.find((r: { resource: string }) => r.resource === 'pods');
  assert.deepEqual(pods.responseKind, { group: '', version: 'v1', kind: 'Pod' });
  assert.equal(pods.scope, 'Namespaced');
  assert.equal(pods.singularResource, 'pod');
  assert.deepEqual(pods.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  assert.deepEqual(pods.shortNames, ['po']);
  assert.deepEqual(pods.categories, ['all']);
  assert.deepEqual(pods.subresources.find((s: { subresource: string }) => s.subresource === 'status'),
    { subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] });
  assert.deepEqual(pods.subresources.find((s: { subresource: string }) => s.subresource === 'eviction'),
    { subresource: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] });
  const ns = v1.resources.find((r: { resource: string }) => r.resource === 'namespaces');
  assert.equal(ns.scope, 'Cluster');
  assert.deepEqual(ns.verbs, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
  assert.equal(ns.categories, undefined);
});

test('aggregated /apis: non-core groups only, versions newest first, scale subresource', () => {
  const body = JSON.parse(docs().aggregated('apis', 'v2').body);
  const names = body.items.map((i: { metadata: { name: string } }) => i.metadata.name);
  assert.deepEqual(names, ['apps', 'kubevirt.io', 'subresources.kubevirt.io']);
  const kv = body.items[1];
  assert.deepEqual(kv.versions.map((v: { version: string }) => v.version), ['v1', 'v1beta1', 'v1alpha3']);
  const vmRes = kv.versions[0].resources[0];
  assert.equal(vmRes.resource, 'virtualmachines');
  assert.deepEqual(vmRes.shortNames, ['vm', 'vms']);
  const dep = body.items[0].versions[0].resources[0];
  assert.deepEqual(dep.subresources.find((s: { subresource: string }) => s.subresource === 'scale'),
    { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
});

test('aggregated: subresource-only group gets placeholder parents with a responseKind', () => {
  const body = JSON.parse(docs().aggregated('apis', 'v2').body);
  const sub = body.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'subresources.kubevirt.io');
  const resources = sub.versions[0].resources;
  assert.deepEqual(resources.map((r: { resource: string }) => r.resource), ['virtualmachineinstances', 'virtualmachines']);
  const vms = resources[1];
  assert.deepEqual(vms.responseKind, { group: '', version: '', kind: '' });
  assert.equal(vms.scope, 'Namespaced');
  assert.deepEqual(vms.subresources.map((s: { subresource: string }) => s.subresource), ['expand-spec', 'start', 'stop']);
  assert.deepEqual(vms.subresources[1], { subresource: 'start', responseKind: { group: '', version: '', kind: '' }, verbs: ['update'] });
  assert.deepEqual(vms.subresources[0].responseKind, { group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine' });
  assert.equal(vms.singularResource, undefined);
});

test('aggregated v2beta1 differs only in apiVersion; ETags are quoted, stable and distinct', () => {
  const a = docs();
  const v2 = a.aggregated('apis', 'v2');
  const beta = a.aggregated('apis', 'v2beta1');
  assert.equal(beta.contentType, 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
  assert.equal(JSON.parse(beta.body).apiVersion, 'apidiscovery.k8s.io/v2beta1');
  assert.deepEqual({ ...JSON.parse(beta.body), apiVersion: 'x' }, { ...JSON.parse(v2.body), apiVersion: 'x' });
  assert.match(v2.etag, /^"[0-9a-f]+"$/);
  assert.notEqual(v2.etag, beta.etag);
  // Cached, and identical for an identical registry.
  assert.equal(a.aggregated('apis', 'v2'), v2);
  assert.equal(docs().aggregated('apis', 'v2').etag, v2.etag);
  assert.equal(docs().aggregated('apis', 'v2').body, v2.body);
  // Different content, different ETag.
  const other = new DiscoveryDocuments(new KindRegistry([pod, namespace, deployment]));
  assert.notEqual(other.aggregated('apis', 'v2').etag, v2.etag);
});

test('chooseAggregated follows the Accept header', () => {
  const kubectl = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
  assert.equal(chooseAggregated(kubectl), 'v2');
  assert.equal(docs().chooseAggregated(kubectl), 'v2');
  assert.equal(chooseAggregated('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2beta1');
  assert.equal(chooseAggregated('application/json; as=APIGroupDiscoveryList; v=v2beta1; g=apidiscovery.k8s.io'), 'v2beta1');
  assert.equal(chooseAggregated('application/json'), null);
  assert.equal(chooseAggregated('application/json, */*'), null);
  assert.equal(chooseAggregated(undefined), null);
  assert.equal(chooseAggregated(''), null);
  // Plain JSON listed first wins.
  assert.equal(chooseAggregated('application/json,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'), null);
  // Unknown discovery version or protobuf are skipped.
  assert.equal(chooseAggregated('application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList'), 'v2beta1');
  assert.equal(chooseAggregated('application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json'), null);
  // q-values.
  assert.equal(chooseAggregated('application/json;q=0.5,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'), 'v2');
  assert.equal(chooseAggregated('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0,application/json'), null);
});

test('legacy /api APIVersions', () => {
  const d = docs().apiVersions('10.0.0.1:6443');
  assert.deepEqual(JSON.parse(d.body), {
    kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }],
  });
  assert.equal(d.contentType, 'application/json');
});

test('legacy /apis APIGroupList and /apis/<group> APIGroup', () => {
  const d = docs();
  const list = JSON.parse(d.apiGroupList().body);
  assert.equal(list.kind, 'APIGroupList');
  assert.equal(list.apiVersion, 'v1');
  const kv = list.groups.find((g: { name: string }) => g.name === 'kubevirt.io');
  assert.deepEqual(kv.versions.map((v: { groupVersion: string }) => v.groupVersion), ['kubevirt.io/v1', 'kubevirt.io/v1beta1', 'kubevirt.io/v1alpha3']);
  assert.deepEqual(kv.preferredVersion, { groupVersion: 'kubevirt.io/v1', version: 'v1' });
  assert.equal(list.groups.some((g: { name: string }) => g.name === ''), false);
  const group = JSON.parse(d.apiGroup('apps')!.body);
  assert.equal(group.kind, 'APIGroup');
  assert.equal(group.name, 'apps');
  assert.deepEqual(group.preferredVersion, { groupVersion: 'apps/v1', version: 'v1' });
  assert.equal(d.apiGroup('nope.example.com'), undefined);
  assert.equal(d.apiGroup(''), undefined);
  assert.ok(d.apiGroup('subresources.kubevirt.io'));
});

test('legacy APIResourceList: main resources and subresources with foreign group/version', () => {
  const d = docs();
  const core = JSON.parse(d.apiResourceList('', 'v1')!.body);
  assert.equal(core.kind, 'APIResourceList');
  assert.equal(core.groupVersion, 'v1');
  const names = core.resources.map((r: { name: string }) => r.name);
  assert.deepEqual(names, ['namespaces', 'namespaces/status', 'pods', 'pods/eviction', 'pods/log', 'pods/status']);
  const eviction = core.resources.find((r: { name: string }) => r.name === 'pods/eviction');
  assert.deepEqual(eviction, { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
  const status = core.resources.find((r: { name: string }) => r.name === 'pods/status');
  assert.deepEqual(status, { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
  const pods = core.resources.find((r: { name: string }) => r.name === 'pods');
  assert.equal(pods.singularName, 'pod');
  assert.equal(pods.namespaced, true);
  assert.equal(pods.kind, 'Pod');
  assert.deepEqual(pods.shortNames, ['po']);
  assert.deepEqual(pods.categories, ['all']);
  assert.equal(pods.storageVersionHash, storageVersionHash('', 'v1', 'Pod'));
  assert.match(pods.storageVersionHash, /^[A-Za-z0-9+/]{11}=$/);

  const apps = JSON.parse(d.apiResourceList('apps', 'v1')!.body);
  assert.equal(apps.groupVersion, 'apps/v1');
  assert.deepEqual(apps.resources.find((r: { name: string }) => r.name === 'deployments/scale'),
    { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });

  const sub = JSON.parse(d.apiResourceList('subresources.kubevirt.io', 'v1')!.body);
  assert.deepEqual(sub.resources.map((r: { name: string }) => r.name),
    ['virtualmachineinstances/console', 'virtualmachines/expand-spec', 'virtualmachines/start', 'virtualmachines/stop']);
  assert.deepEqual(sub.resources[1], { name: 'virtualmachines/expand-spec', singularName: '', namespaced: true, group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine', verbs: ['get'] });
  assert.deepEqual(sub.resources[2], { name: 'virtualmachines/start', singularName: '', namespaced: true, kind: '', verbs: ['update'] });

  assert.equal(d.apiResourceList('kubevirt.io', 'v2'), undefined);
  assert.equal(d.apiResourceList('apps', 'v1'), d.apiResourceList('apps', 'v1'));
  assert.equal(d.hasGroupVersion('kubevirt.io', 'v1alpha3'), true);
  assert.equal(d.hasGroupVersion('kubevirt.io', 'v9'), false);
});

test('kube-aware version ordering', () => {
  const sorted = ['v1alpha1', 'v1beta2', 'v2', 'v1', 'foo', 'v1beta1', 'v10', 'v2alpha1', 'bar'].sort(compareKubeVersions);
  assert.deepEqual(sorted, ['v10', 'v2', 'v1', 'v1beta2', 'v1beta1', 'v2alpha1', 'v1alpha1', 'bar', 'foo']);
});
