import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { customKinds } from '../../sandbox/sim/kinds/custom-index.ts';
import { definitions } from '../../sandbox/sim/kinds/meta.ts';
import { KindRegistry } from '../../sandbox/sim/kinds/registry.ts';
import type { Schema } from '../../sandbox/sim/kinds/schema.ts';
import type { KindDef, StrategyContext } from '../../sandbox/sim/kinds/types.ts';
import {
  ipAddressPoolKind, l2AdvertisementKind, metallbConfig, parseAddressRange, serviceL2StatusKind, validatePoolAddresses,
} from '../../sandbox/sim/kinds/metallb/index.ts';
import {
  machineHealthCheckKind, machineKind, machineSetKind, networkConfigKind, routeKind, routeHostCell, routePortCell, routeServicesCell,
  routeTerminationCell,
} from '../../sandbox/sim/kinds/openshift/index.ts';

type J = Record<string, any>;
const ctx: StrategyContext = { now: Date.parse('2025-03-01T10:00:00Z'), user: 'kube:admin', subresource: '' };

function route(spec: J, status?: J, name = 'helloworld'): KubeObject {
  const r: KubeObject = { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name, namespace: 'ha' }, spec };
  if (status) r.status = status;
  return r;
}

function defaulted(r: KubeObject): KubeObject {
  routeKind.defaults!(r);
  return r;
}

function cells(r: KubeObject): unknown[] {
  return routeKind.printerColumns.map((c) => c.cell!(r, { now: ctx.now }));
}

const admitted = (host: string) => ({ host, routerName: 'default', conditions: [{ type: 'Admitted', status: 'True' }] });
const rejected = (host: string, reason: string) => ({ host, routerName: 'default', conditions: [{ type: 'Admitted', status: 'False', reason }] });

// ---- registry ---------------------------------------------------------------------

test('registry and identities of the OpenShift and MetalLB kinds', () => {
  const reg = new KindRegistry(customKinds);
  assert.equal(reg.resource('route.openshift.io', 'v1', 'routes'), routeKind);
  assert.equal(reg.resource('metallb.io', 'v1beta1', 'ipaddresspools'), ipAddressPoolKind);
  assert.equal(reg.resource('machine.openshift.io', 'v1beta1', 'machinehealthchecks'), machineHealthCheckKind);
  assert.equal(reg.resource('config.openshift.io', 'v1', 'networks'), networkConfigKind);

  assert.equal(routeKind.custom, false);
  assert.equal(routeKind.schemaName, 'com.github.openshift.api.route.v1.Route');
  assert.equal(routeKind.shortNames, undefined);
  assert.deepEqual(routeKind.categories, ['all']);
  assert.deepEqual(routeKind.subresources, { status: true });
  for (const k of [ipAddressPoolKind, l2AdvertisementKind, serviceL2StatusKind]) {
    assert.equal(k.custom, true);
    assert.equal(k.shortNames, undefined);
    assert.deepEqual(k.subresources, { status: true });
  }
  for (const k of [machineKind, machineSetKind, machineHealthCheckKind]) {
    assert.equal(k.custom, true);
    assert.match(k.schemaName, /^com\.github\.openshift\.api\.machine\.v1beta1\./);
  }
  assert.equal(machineKind.shortNames, undefined);
  assert.deepEqual(machineHealthCheckKind.shortNames, ['mhc', 'mhcs']);
  assert.deepEqual(machineSetKind.subresources, {
    status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.labelSelector' },
  });
  assert.equal(networkConfigKind.namespaced, false);
  assert.equal(networkConfigKind.custom, true);
  assert.deepEqual(networkConfigKind.subresources, { status: true });
});

function walkRefs(s: Schema | undefined, seen: Set<Schema>, out: string[]): void {
  if (!s || seen.has(s)) return;
  seen.add(s);
  if (s.$ref) {
    out.push(s.$ref);
    walkRefs(definitions.resolve(s), seen, out);
  }
  for (const p of Object.values(s.properties ?? {})) walkRefs(p, seen, out);
  walkRefs(s.items, seen, out);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') walkRefs(s.additionalProperties, seen, out);
  for (const a of s.allOf ?? []) walkRefs(a, seen, out);
}

test('Route sub-schemas are shared definitions and resolve', () => {
  const refs: string[] = [];
  walkRefs(routeKind.schema, new Set(), refs);
  for (const name of ['RouteSpec', 'RouteStatus', 'RouteTargetReference', 'RoutePort', 'TLSConfig', 'RouteIngress', 'RouteIngressCondition']) {
    assert.ok(refs.includes(`#/components/schemas/com.github.openshift.api.route.v1.${name}`), name);
    assert.ok(definitions.get(`com.github.openshift.api.route.v1.${name}`), name);
  }
  for (const k of customKinds) {
    const all: string[] = [];
    walkRefs(k.schema, new Set(), all);
    for (const r of all) assert.ok(definitions.resolve({ $ref: r }), `${k.kind}: ${r}`);
  }
});

// ---- Route defaults, validation, table ---------------------------------------------

test('Route defaults', () => {
  const r = defaulted(route({ to: { name: 'web' }, alternateBackends: [{ name: 'b' }], tls: {} }));
  assert.deepEqual(r.spec, {
    to: { name: 'web', kind: 'Service', weight: 100 },
    alternateBackends: [{ name: 'b', kind: 'Service', weight: 100 }],
    tls: { termination: 'edge' },
    wildcardPolicy: 'None',
  });
  const keep = defaulted(route({ to: { kind: 'Service', name: 'web', weight: 0 }, tls: { termination: 'Passthrough' }, wildcardPolicy: 'Subdomain', host: 'a.example.com' }));
  assert.deepEqual(keep.spec, { to: { kind: 'Service', name: 'web', weight: 0 }, tls: { termination: 'passthrough' }, wildcardPolicy: 'Subdomain', host: 'a.example.com' });
  const st = defaulted(route({ to: { name: 'web' } }, { ingress: [admitted('x.example.com')] }));
  assert.equal((st.status as J).ingress[0].wildcardPolicy, 'None');
  const created = route({ to: { name: 'web' } }, { ingress: [] });
  routeKind.prepareForCreate!(created, ctx);
  assert.deepEqual(created.status, {});
});

function errors(spec: J, name = 'r'): string[] {
  const r = defaulted(route(spec, undefined, name));
  return routeKind.validate!(r, ctx).map((e) => `${e.type}|${e.field}|${JSON.stringify(e.value)}|${e.detail ?? ''}`);
}

test('Route validation', () => {
  assert.deepEqual(errors({ host: 'hello-ha.apps.ocp4.example.com', port: { targetPort: 80 }, to: { kind: 'Service', name: 'helloworld' } }), []);
  assert.deepEqual(errors({ to: { name: 'web' }, path: 'health' }), ['Invalid|spec.path|"health"|path must begin with /']);
  assert.deepEqual(errors({ to: { name: 'web', kind: 'Pod' } }), ['Invalid|spec.to.kind|"Pod"|must reference a Service']);
  assert.deepEqual(errors({ to: {} }), ['Required|spec.to.name|undefined|']);
  assert.deepEqual(errors({ to: { name: 'web', weight: 257 } }), ['Invalid|spec.to.weight|257|weight must be an integer between 0 and 256']);
  assert.deepEqual(errors({ to: { name: 'a' }, alternateBackends: [{ name: 'b' }, { name: 'c' }, { name: 'd' }, { name: 'e', weight: -1 }] }), [
    'Required|spec.alternateBackends|undefined|cannot specify more than 3 alternate backends',
    'Invalid|spec.alternateBackends[3].weight|-1|weight must be an integer between 0 and 256',
  ]);
  assert.deepEqual(errors({ to: { name: 'web' }, tls: { termination: 'simple' } }), ['NotSupported|spec.tls.termination|"simple"|supported values: "edge", "passthrough", "reencrypt"']);
  assert.deepEqual(errors({ to: { name: 'web' }, tls: { termination: 'passthrough', insecureEdgeTerminationPolicy: 'Allow' } }), [
    'Invalid|spec.tls.insecureEdgeTerminationPolicy|"Allow"|invalid value for InsecureEdgeTerminationPolicy option, acceptable values are None, Redirect, or empty',
  ]);
  assert.deepEqual(errors({ to: { name: 'web' }, tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' } }), []);
  assert.deepEqual(errors({ to: { name: 'web' }, path: '/x', tls: { termination: 'passthrough' } }), ['Invalid|spec.path|"/x"|passthrough termination does not support paths']);
  assert.deepEqual(errors({ to: { name: 'web' }, port: { targetPort: 0 } }), ['Required|spec.port.targetPort|undefined|']);
  const upper = errors({ to: { name: 'web' }, host: 'Hello.example.com' });
  assert.equal(upper[0], 'Invalid|spec.host|"Hello.example.com"|host must conform to DNS 952 subdomain conventions');
  assert.match(upper[1], /^Invalid\|spec\.host\|"Hello\.example\.com"\|a lowercase RFC 1123 label must consist of/);
  const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com`;
  assert.equal(errors({ to: { name: 'web' }, host: long })[0], `Invalid|spec.host|${JSON.stringify(long)}|host must conform to DNS 952 subdomain conventions`);
  assert.deepEqual(errors({ to: { name: 'web' }, wildcardPolicy: 'Subdomain' }), ['Invalid|spec.wildcardPolicy|"Subdomain"|host name not specified for wildcard policy']);
});

test('Route updates: wildcard policy is immutable, an empty host keeps the old one', () => {
  const old = defaulted(route({ to: { name: 'web' }, host: 'a.example.com' }));
  const next = defaulted(route({ to: { name: 'web' }, host: 'a.example.com', wildcardPolicy: 'Subdomain' }));
  assert.deepEqual(routeKind.validateUpdate!(next, old, ctx), [{ type: 'Invalid', field: 'spec.wildcardPolicy', value: 'Subdomain', detail: 'field is immutable' }]);
  const cleared = defaulted(route({ to: { name: 'web' } }));
  routeKind.prepareForUpdate!(cleared, old, ctx);
  assert.equal((cleared.spec as J).host, 'a.example.com');
  const warn = routeKind.admit!(defaulted(route({ to: { name: 'web' }, host: 'a.example.com', subdomain: 'a' })), undefined, 'CREATE', ctx);
  assert.deepEqual(warn, { warnings: ['spec.host is set; spec.subdomain may be ignored'] });
});

test('Route table: columns and cells as openshift-apiserver prints them', () => {
  assert.deepEqual(routeKind.printerColumns.map((c) => c.name), ['Host/Port', 'Path', 'Services', 'Port', 'Termination', 'Wildcard']);
  assert.ok(routeKind.printerColumns.every((c) => c.cell && !c.jsonPath));
  const r = defaulted(route({ host: 'hello.apps.example.com', port: { targetPort: 80 }, to: { kind: 'Service', name: 'helloworld' } }));
  assert.deepEqual(cells(r), ['hello.apps.example.com', '', 'helloworld', '80', '', 'None']);

  const tls = defaulted(route({ to: { name: 'web' }, path: '/app', port: { targetPort: 'http' }, tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' } }));
  assert.deepEqual(cells(tls).slice(1), ['/app', 'web', 'http', 'edge/Redirect', 'None']);
  assert.equal(routeTerminationCell(route({ tls: { termination: 'edge' } })), 'edge');
  assert.equal(routeTerminationCell(route({ tls: { insecureEdgeTerminationPolicy: 'Allow' } })), 'default/Allow');
  assert.equal(routePortCell(route({ to: { name: 'web' } })), '<all>');

  const weighted = defaulted(route({ to: { name: 'a', weight: 70 }, alternateBackends: [{ name: 'b', weight: 30 }] }));
  assert.equal(routeServicesCell(weighted), 'a(70%),b(30%)');
  assert.equal(routeServicesCell(defaulted(route({ to: { name: 'a' }, alternateBackends: [{ name: 'b' }, { name: 'c' }] }))), 'a(33%),b(33%),c(33%)');
  assert.equal(routeServicesCell(route({ to: { name: 'a', weight: 0 }, alternateBackends: [{ name: 'b', weight: 0 }] })), 'a(0%),b(0%)');
  assert.equal(routeServicesCell(route({ to: { name: 'a', weight: 0 } })), 'a(0%)');

  const spec = { host: 'hello.apps.example.com', to: { name: 'web', kind: 'Service', weight: 100 } };
  assert.equal(routeHostCell(route(spec)), 'hello.apps.example.com');
  assert.equal(routeHostCell(route(spec, { ingress: [] })), 'hello.apps.example.com');
  assert.equal(routeHostCell(route(spec, { ingress: [admitted('hello.apps.example.com')] })), 'hello.apps.example.com');
  assert.equal(routeHostCell(route({ to: spec.to }, { ingress: [admitted('web-ha.apps.example.com')] })), 'web-ha.apps.example.com');
  assert.equal(routeHostCell(route(spec, { ingress: [{ host: 'hello.apps.example.com', routerName: 'default', conditions: [] }] })), 'Pending');
  assert.equal(routeHostCell(route(spec, { ingress: [rejected('hello.apps.example.com', 'HostAlreadyClaimed')] })), 'HostAlreadyClaimed');
  assert.equal(routeHostCell(route(spec, { ingress: [admitted('hello.apps.example.com'), rejected('hello.apps.example.com', 'HostAlreadyClaimed')] })), 'hello.apps.example.com ... 1 rejected');
  assert.equal(routeHostCell(route(spec, { ingress: [admitted('hello.apps.example.com'), admitted('hello.apps.example.com')] })), 'hello.apps.example.com ... 1 more');
  assert.equal(routeKind.selectableFields!['spec.to.name'](r), 'helloworld');
});

// ---- MetalLB ----------------------------------------------------------------------------

test('MetalLB address parsing and the webhook messages', () => {
  assert.equal(validatePoolAddresses('p', ['192.168.10.0/24']), undefined);
  assert.equal(validatePoolAddresses('p', ['192.168.9.1-192.168.9.5', ' fc00:f853:ccd:e799::/124']), 'parsing address pool p: invalid CIDR " fc00:f853:ccd:e799::/124" in pool "p": invalid CIDR " fc00:f853:ccd:e799::/124"');
  assert.equal(validatePoolAddresses('p', ['192.168.9.1 - 192.168.9.5', 'fc00:f853:ccd:e799::/124']), undefined);
  assert.equal(validatePoolAddresses('p', ['192.168.1.300/24']), 'parsing address pool p: invalid CIDR "192.168.1.300/24" in pool "p": invalid CIDR "192.168.1.300/24"');
  assert.equal(validatePoolAddresses('p', ['192.168.1.0/33']), 'parsing address pool p: invalid CIDR "192.168.1.0/33" in pool "p": invalid CIDR "192.168.1.0/33"');
  assert.equal(validatePoolAddresses('p', ['192.168.1.1']), 'parsing address pool p: invalid CIDR "192.168.1.1" in pool "p": invalid CIDR "192.168.1.1"');
  assert.equal(validatePoolAddresses('p', ['192.168.1.x-192.168.1.9']), 'parsing address pool p: invalid CIDR "192.168.1.x-192.168.1.9" in pool "p": invalid IP range "192.168.1.x-192.168.1.9": invalid start IP "192.168.1.x"');
  assert.equal(validatePoolAddresses('p', ['192.168.1.1-nope']), 'parsing address pool p: invalid CIDR "192.168.1.1-nope" in pool "p": invalid IP range "192.168.1.1-nope": invalid end IP "nope"');
  assert.equal(validatePoolAddresses('p', ['192.168.1.250-192.168.1.240']),
    'parsing address pool p: invalid CIDR "192.168.1.250-192.168.1.240" in pool "p": invalid IP range "192.168.1.250-192.168.1.240": start IP "192.168.1.250" is after the end IP "192.168.1.240"');
  assert.equal(validatePoolAddresses('p', []), 'parsing address pool p: pool has no prefixes defined');
  assert.equal(validatePoolAddresses('p', ['10.0.0.0/24', '10.0.0.128-10.0.0.200']), 'CIDR "10.0.0.128/26" in pool "p" overlaps with already defined CIDR "10.0.0.0/24"');
  const r = parseAddressRange('192.168.1.240-192.168.1.250');
  assert.ok('nets' in r);
  assert.equal(r.nets.length, 3); // .240/29, .248/31, .250/32
  const v6 = parseAddressRange('fd00::10-fd00::1');
  assert.ok('error' in v6 && v6.error === 'invalid IP range "fd00::10-fd00::1": start IP "fd00::10" is after the end IP "fd00::1"');
});

test('MetalLB webhook denials', () => {
  const pool = (ns: string, addresses: unknown): KubeObject => ({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'ip-addresspool', namespace: ns }, spec: { addresses } });
  assert.deepEqual(ipAddressPoolKind.admit!(pool('metallb-system', ['192.168.50.20-192.168.50.21']), undefined, 'CREATE', ctx), {});
  assert.deepEqual(ipAddressPoolKind.admit!(pool('metallb-system', ['192.168.50.0/33']), undefined, 'UPDATE', ctx).denied, {
    webhook: 'ipaddresspoolvalidationwebhook.metallb.io', code: 403, reason: 'Forbidden',
    message: 'parsing address pool ip-addresspool: invalid CIDR "192.168.50.0/33" in pool "ip-addresspool": invalid CIDR "192.168.50.0/33"',
  });
  assert.deepEqual(ipAddressPoolKind.admit!(pool('default', ['192.168.50.0/24']), undefined, 'CREATE', ctx).denied, {
    webhook: 'ipaddresspoolvalidationwebhook.metallb.io', code: 403, reason: 'Forbidden', message: 'resource must be created in metallb-system namespace',
  });
  assert.equal(metallbConfig.namespace, 'metallb-system');
  const adv: KubeObject = { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2', namespace: 'default' }, spec: {} };
  assert.equal(l2AdvertisementKind.admit!(adv, undefined, 'CREATE', ctx).denied?.webhook, 'l2advertisementvalidationwebhook.metallb.io');
});

test('MetalLB defaults and columns', () => {
  const p: KubeObject = { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p', namespace: 'metallb-system' }, spec: { addresses: ['10.0.0.0/24'] }, status: { assignedIPv4: 1 } };
  ipAddressPoolKind.defaults!(p);
  ipAddressPoolKind.prepareForCreate!(p, ctx);
  assert.deepEqual(p.spec, { addresses: ['10.0.0.0/24'], autoAssign: true, avoidBuggyIPs: false });
  assert.equal(p.status, undefined);
  const noAuto: KubeObject = { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p' }, spec: { addresses: [], autoAssign: false } };
  ipAddressPoolKind.defaults!(noAuto);
  assert.equal((noAuto.spec as J).autoAssign, false);

  const cols = (k: KindDef) => k.printerColumns.map((c) => [c.name, c.type, c.jsonPath, c.priority ?? 0]);
  assert.deepEqual(cols(ipAddressPoolKind), [
    ['Auto Assign', 'boolean', '.spec.autoAssign', 0], ['Avoid Buggy IPs', 'boolean', '.spec.avoidBuggyIPs', 0], ['Addresses', 'string', '.spec.addresses', 0],
  ]);
  assert.deepEqual(cols(l2AdvertisementKind), [
    ['IPAddressPools', 'string', '.spec.ipAddressPools', 0], ['IPAddressPool Selectors', 'string', '.spec.ipAddressPoolSelectors', 0],
    ['Interfaces', 'string', '.spec.interfaces', 0], ['Node Selectors', 'string', '.spec.nodeSelectors', 10],
  ]);
  assert.deepEqual(cols(serviceL2StatusKind), [
    ['Allocated Node', 'string', '.status.node', 0], ['Service Name', 'string', '.status.serviceName', 0], ['Service Namespace', 'string', '.status.serviceNamespace', 0],
  ]);
  const old: KubeObject = { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceL2Status', metadata: { name: 's' }, status: { node: 'w1', serviceName: 'web' } };
  const moved: KubeObject = { ...old, status: { node: 'w2', serviceName: 'web' } };
  assert.deepEqual(serviceL2StatusKind.validateUpdate!(moved, old, ctx), [{ type: 'Invalid', field: 'status.node', value: 'string', detail: 'Value is immutable' }]);
});

// ---- Machine API and Network ---------------------------------------------------------------

test('Machine API columns, defaults and validation', () => {
  const cols = (k: KindDef) => k.printerColumns.map((c) => [c.name, c.type, c.jsonPath, c.priority ?? 0]);
  assert.deepEqual(cols(machineKind), [
    ['Phase', 'string', '.status.phase', 0],
    ['Type', 'string', ".metadata.labels['machine\\.openshift\\.io/instance-type']", 0],
    ['Region', 'string', ".metadata.labels['machine\\.openshift\\.io/region']", 0],
    ['Zone', 'string', ".metadata.labels['machine\\.openshift\\.io/zone']", 0],
    ['Age', 'date', '.metadata.creationTimestamp', 0],
    ['Node', 'string', '.status.nodeRef.name', 1],
    ['ProviderID', 'string', '.spec.providerID', 1],
    ['State', 'string', ".metadata.annotations['machine\\.openshift\\.io/instance-state']", 1],
  ]);
  assert.deepEqual(cols(machineSetKind), [
    ['Desired', 'integer', '.spec.replicas', 0], ['Current', 'integer', '.status.replicas', 0], ['Ready', 'integer', '.status.readyReplicas', 0],
    ['Available', 'string', '.status.availableReplicas', 0], ['Age', 'date', '.metadata.creationTimestamp', 0],
  ]);
  assert.deepEqual(cols(machineHealthCheckKind), [
    ['MaxUnhealthy', 'string', '.spec.maxUnhealthy', 0], ['ExpectedMachines', 'integer', '.status.expectedMachines', 0], ['CurrentHealthy', 'integer', '.status.currentHealthy', 0],
  ]);

  const ms: KubeObject = { apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', metadata: { name: 'w' }, spec: { selector: {} } };
  machineSetKind.defaults!(ms);
  assert.equal((ms.spec as J).replicas, 1);
  const zero: KubeObject = { ...ms, spec: { replicas: 0 } };
  machineSetKind.defaults!(zero);
  assert.equal((zero.spec as J).replicas, 0);

  const mhc: KubeObject = { apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineHealthCheck', metadata: { name: 'm' }, spec: { selector: {}, unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '300s' }] } };
  machineHealthCheckKind.defaults!(mhc);
  assert.equal((mhc.spec as J).maxUnhealthy, '100%');
  assert.equal((mhc.spec as J).nodeStartupTimeout, '10m');
  assert.deepEqual(machineHealthCheckKind.validate!(mhc, ctx), []);
  const none: KubeObject = { ...mhc, spec: { selector: {}, unhealthyConditions: [], maxUnhealthy: 2 } };
  machineHealthCheckKind.defaults!(none);
  assert.equal((none.spec as J).maxUnhealthy, 2);
  assert.deepEqual(machineHealthCheckKind.validate!(none, ctx), [
    { type: 'Invalid', field: 'spec.unhealthyConditions', value: 0, detail: 'spec.unhealthyConditions in body should have at least 1 items' },
  ]);
  const spec = machineHealthCheckKind.schema.properties!.spec.properties!;
  assert.equal(spec.maxUnhealthy.default, '100%');
  assert.equal(spec.nodeStartupTimeout.default, '10m');
});

test('Network config schema', () => {
  const spec = networkConfigKind.schema.properties!.spec.properties!;
  assert.ok(spec.clusterNetwork.items!.properties!.cidr);
  assert.ok(spec.clusterNetwork.items!.properties!.hostPrefix);
  assert.equal(spec.serviceNetwork.items!.type, 'string');
  assert.ok(spec.networkType);
  assert.ok(networkConfigKind.schema.properties!.status.properties!.clusterNetworkMTU);
  assert.equal(networkConfigKind.schemaName, 'com.github.openshift.api.config.v1.Network');
});
