// Service ClusterIP and NodePort allocation: the allocator's rules (ranges,
// static band, requested values, kube-apiserver's error texts) and the
// admission plugin's bookkeeping (the store is the truth; requests in flight
// hold their values; dry runs hold nothing; type changes release by absence).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import { ObjectStore } from '../../sandbox/sim/store/object-store.ts';
import { RestStorage } from '../../sandbox/sim/api/rest-storage.ts';
import { ApiError } from '../../sandbox/sim/api/errors.ts';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { clusterRegistry } from '../../sandbox/sim/cluster.ts';
import { definitions } from '../../sandbox/sim/kinds/index.ts';
import {
  ServiceAllocator, parsePortRange, parseServiceCIDR, serviceAllocationPlugin, type Allocated, type AllocationRanges,
} from '../../sandbox/sim/admission/service-allocation.ts';

type J = Record<string, any>;

const RANGES: AllocationRanges = { ips: parseServiceCIDR('172.30.0.0/16')!, ports: parsePortRange('30000-32767')! };

function none(): Allocated {
  return { ips: new Set(), ports: new Set() };
}

/** A random source returning the given fractions in turn, then 0. */
function fixedRandom(...values: number[]): () => number {
  return () => values.shift() ?? 0;
}

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected an ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

// ---- ranges ---------------------------------------------------------------------------------

test('ranges: the usable addresses exclude network and broadcast; the static bands follow the allocators', () => {
  const r = parseServiceCIDR('172.30.0.0/16')!;
  assert.equal(r.size, 65534);
  assert.equal(r.staticBand, 256); // min(max(16, 65536/16), 256)
  assert.equal(parseServiceCIDR('10.96.0.0/24')!.staticBand, 16);
  assert.equal(parseServiceCIDR('10.96.0.0/28')!.staticBand, 0);
  assert.equal(parseServiceCIDR('172.30.5.7/16')!.text, '172.30.0.0/16');
  assert.equal(parseServiceCIDR('fd00::/108'), undefined);
  const p = parsePortRange('30000-32767')!;
  assert.equal(p.size, 2768);
  assert.equal(p.staticBand, 86); // min(max(16, 2768/32), 128)
});

// ---- cluster IPs ----------------------------------------------------------------------------

test('a cluster IP comes from the dynamic band first: random offset, scanning up to a free address', () => {
  const a = new ServiceAllocator(fixedRandom(0, 0));
  const allocated = none();
  const s1: J = { type: 'ClusterIP', ports: [{ port: 80 }] };
  assert.deepEqual(a.create('a', s1, RANGES, allocated), { ips: ['172.30.1.1'], ports: [] });
  assert.equal(s1.clusterIP, '172.30.1.1');
  assert.deepEqual(s1.clusterIPs, ['172.30.1.1']);
  const s2: J = { type: 'ClusterIP', ports: [{ port: 80 }] };
  a.create('b', s2, RANGES, allocated);
  assert.equal(s2.clusterIP, '172.30.1.2', 'the next free address after the taken one');
  // The last random offset lands on the highest usable address, never the broadcast address.
  const top: J = { type: 'ClusterIP' };
  new ServiceAllocator(() => 0.999999999).create('c', top, RANGES, none());
  assert.equal(top.clusterIP, '172.30.255.254');
});

test('the static band is used only when the dynamic band is full; a full range is an internal error', () => {
  const ranges: AllocationRanges = { ips: parseServiceCIDR('10.0.0.0/27')!, ports: RANGES.ports };
  // /27: 30 usable addresses, offsets 0..15 static (10.0.0.1-10.0.0.16), 16..29 dynamic.
  const allocated = none();
  for (let i = 17; i <= 30; i++) allocated.ips.add(`10.0.0.${i}`);
  const s: J = { type: 'ClusterIP' };
  new ServiceAllocator(() => 0).create('x', s, ranges, allocated);
  assert.equal(s.clusterIP, '10.0.0.1');
  for (let i = 1; i <= 16; i++) allocated.ips.add(`10.0.0.${i}`);
  const e = apiError(() => new ServiceAllocator().create('y', { type: 'ClusterIP' }, ranges, allocated));
  assert.equal(e.code, 500);
  assert.equal(e.message, 'Internal error occurred: failed to allocate a serviceIP: range is full');
});

test('a requested cluster IP must be inside the range, not the network or broadcast address, and free', () => {
  const a = new ServiceAllocator();
  const allocated = none();
  const fixed: J = { type: 'ClusterIP', clusterIP: '172.30.0.10', clusterIPs: ['172.30.0.10'] };
  assert.deepEqual(a.create('dns', fixed, RANGES, allocated).ips, ['172.30.0.10']);
  const taken = apiError(() => a.create('x', { type: 'ClusterIP', clusterIP: '172.30.0.10', clusterIPs: ['172.30.0.10'] }, RANGES, allocated));
  assert.equal(taken.code, 422);
  assert.equal(taken.message, 'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"172.30.0.10"}: failed to allocate IP 172.30.0.10: provided IP is already allocated');
  assert.deepEqual(taken.status.details?.causes, [{
    reason: 'FieldValueInvalid', field: 'spec.clusterIPs',
    message: 'Invalid value: []string{"172.30.0.10"}: failed to allocate IP 172.30.0.10: provided IP is already allocated',
  }]);
  for (const ip of ['10.0.0.5', '172.30.0.0', '172.30.255.255']) {
    const e = apiError(() => a.create('y', { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip] }, RANGES, allocated));
    assert.equal(e.message, `Service "y" is invalid: spec.clusterIPs: Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is 172.30.0.0/16`);
  }
});

test('headless and ExternalName Services get no cluster IP; a malformed IP is left to validation', () => {
  const a = new ServiceAllocator();
  const headless: J = { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80 }] };
  assert.deepEqual(a.create('h', headless, RANGES, none()), { ips: [], ports: [] });
  assert.deepEqual(headless.clusterIPs, ['None']);
  const external: J = { type: 'ExternalName', externalName: 'db.example.com' };
  assert.deepEqual(a.create('e', external, RANGES, none()), { ips: [], ports: [] });
  assert.equal(external.clusterIP, undefined);
  const bad: J = { type: 'ClusterIP', clusterIP: 'not-an-ip', clusterIPs: ['not-an-ip'] };
  assert.deepEqual(a.create('b', bad, RANGES, none()).ips, []);
});

// ---- node ports -----------------------------------------------------------------------------

test('NodePort: every port gets a node port from the dynamic band; ports of one number share it', () => {
  const a = new ServiceAllocator(() => 0);
  const s: J = { type: 'NodePort', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'http', port: 80, protocol: 'TCP' }] };
  const taken = a.create('dns', s, RANGES, none());
  assert.deepEqual(s.ports.map((p: J) => p.nodePort), [30086, 30086, 30087]);
  assert.deepEqual(taken.ports, [30086, 30087]);
});

test('a requested node port must be in the range and free, with kube-apiserver\'s texts', () => {
  const a = new ServiceAllocator();
  const allocated = none();
  const first: J = { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] };
  a.create('web', first, RANGES, allocated);
  assert.equal(first.ports[0].nodePort, 30080);
  const clash = apiError(() => a.create('web2', { type: 'NodePort', ports: [{ port: 8080 }, { port: 80, nodePort: 30080 }] }, RANGES, allocated));
  assert.equal(clash.message, 'Service "web2" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated');
  const low = apiError(() => a.create('web3', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }, RANGES, allocated));
  assert.equal(low.message, 'Service "web3" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767');
});

test('LoadBalancer: node ports unless allocateLoadBalancerNodePorts is false; a health-check node port with externalTrafficPolicy Local', () => {
  const a = new ServiceAllocator(() => 0);
  const lb: J = { type: 'LoadBalancer', externalTrafficPolicy: 'Local', allocateLoadBalancerNodePorts: true, ports: [{ port: 80 }] };
  a.create('lb', lb, RANGES, none());
  assert.equal(lb.ports[0].nodePort, 30086);
  assert.equal(lb.healthCheckNodePort, 30087);
  const noPorts: J = { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }, { port: 443, nodePort: 31443 }] };
  assert.deepEqual(a.create('lb2', noPorts, RANGES, none()).ports, [31443], 'requests are still honoured');
  assert.equal(noPorts.ports[0].nodePort, undefined);
  assert.equal(noPorts.healthCheckNodePort, undefined);
  const taken = none();
  taken.ports.add(32000);
  const e = apiError(() => a.create('lb3', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [{ port: 80 }] }, RANGES, taken));
  assert.equal(e.message, 'Internal error occurred: failed to allocate requested HealthCheck NodePort 32000: provided port is already allocated');
});

test('update: ClusterIP → NodePort allocates node ports; kept and unchanged values are not re-checked', () => {
  const a = new ServiceAllocator(() => 0);
  const old: J = { type: 'ClusterIP', clusterIP: '172.30.1.1', clusterIPs: ['172.30.1.1'], ports: [{ name: 'http', port: 80 }] };
  const next: J = { ...structuredClone(old), type: 'NodePort' };
  assert.deepEqual(a.update('web', next, old, RANGES, none()), { ips: [], ports: [30086] });
  assert.equal(next.ports[0].nodePort, 30086);
  // Its own node port is not "already allocated" to itself (the caller leaves the Service's own values out).
  const again: J = structuredClone(next);
  assert.deepEqual(a.update('web', again, next, RANGES, none()), { ips: [], ports: [] });
  // ExternalName → ClusterIP gets an address.
  const ext: J = { type: 'ExternalName', externalName: 'db.example.com' };
  const back: J = { type: 'ClusterIP', ports: [{ port: 80 }] };
  assert.deepEqual(a.update('db', back, ext, RANGES, none()).ips, ['172.30.1.1']);
});

// ---- the admission plugin on a real pipeline ------------------------------------------------

interface Pipeline {
  storage: RestStorage;
  plugin: ReturnType<typeof serviceAllocationPlugin>;
  /** Ends every pending hold (what the next macrotask does in a running cluster). */
  finishWrites(): void;
}

async function pipeline(random: () => number = () => 0): Promise<Pipeline> {
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const pending: (() => void)[] = [];
  const plugin = serviceAllocationPlugin({ random, afterWrite: (release) => { pending.push(release); } });
  const storage = new RestStorage(new ObjectStore(), clusterRegistry(), definitions, clock, [plugin]);
  const opts = { user: 'system:admin' };
  await storage.create(storage.registry.kind('', 'v1', 'Namespace')!, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' } }, opts);
  await storage.create(storage.registry.kind('config.openshift.io', 'v1', 'Network')!, undefined, {
    apiVersion: 'config.openshift.io/v1', kind: 'Network', metadata: { name: 'cluster' }, spec: { serviceNetwork: ['10.96.0.0/24'] },
  }, opts);
  return { storage, plugin, finishWrites: () => { for (const r of pending.splice(0)) r(); } };
}

const SERVICE = clusterRegistry().kind('', 'v1', 'Service')!;
const OPTS = { user: 'system:admin' };

function svc(name: string, spec: J): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec };
}

test('plugin: the range comes from the Network config; concurrent creates never share an address', async () => {
  const p = await pipeline();
  const [a, b] = await Promise.all([
    p.storage.create(SERVICE, 'lab', svc('a', { ports: [{ port: 80 }] }), OPTS),
    p.storage.create(SERVICE, 'lab', svc('b', { ports: [{ port: 80 }] }), OPTS),
  ]);
  assert.equal((a.object.spec as J).clusterIP, '10.96.0.17', 'the first dynamic address of a /24 (static band: 16)');
  assert.equal((b.object.spec as J).clusterIP, '10.96.0.18');
  p.finishWrites();
  assert.equal(p.plugin.inFlight(), 0);
  // Once the holds are gone the store still says the addresses are taken.
  const c = await p.storage.create(SERVICE, 'lab', svc('c', { ports: [{ port: 80 }] }), OPTS);
  assert.equal((c.object.spec as J).clusterIP, '10.96.0.19');
});

test('plugin: a failed create releases what it took; a dry run takes nothing', async () => {
  const p = await pipeline();
  await assert.rejects(p.storage.create(SERVICE, 'lab', svc('bad', { ports: [{ port: 80, name: 'Not_A_Label' }] }), OPTS), /is invalid/);
  assert.equal(p.plugin.inFlight(), 1, 'held until the write is over');
  p.finishWrites();
  const ok = await p.storage.create(SERVICE, 'lab', svc('ok', { ports: [{ port: 80 }] }), OPTS);
  assert.equal((ok.object.spec as J).clusterIP, '10.96.0.17', 'the failed request\'s address is free again');
  p.finishWrites();
  const dry = await p.storage.create(SERVICE, 'lab', svc('dry', { type: 'NodePort', ports: [{ port: 80 }] }), { ...OPTS, dryRun: true });
  assert.equal((dry.object.spec as J).clusterIP, '10.96.0.18', 'a dry run shows an address');
  assert.equal((dry.object.spec as J).ports[0].nodePort, 30086);
  assert.equal(p.plugin.inFlight(), 0, 'but holds none');
  assert.equal(p.storage.get(SERVICE, 'lab', 'dry'), undefined);
});

test('plugin: NodePort → ClusterIP releases the node port (upstream wipes the unchanged value); deletion releases the address', async () => {
  const p = await pipeline();
  const created = (await p.storage.create(SERVICE, 'lab', svc('web', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }), OPTS)).object;
  p.finishWrites();
  const ip = (created.spec as J).clusterIP;
  // A strategic merge patch that only changes the type leaves the nodePort in the object.
  const toClusterIP = await p.storage.patch(SERVICE, 'lab', 'web', 'strategic', { spec: { type: 'ClusterIP' } }, OPTS);
  const spec = toClusterIP.object.spec as J;
  assert.equal(spec.clusterIP, ip, 'the address is kept');
  assert.equal(spec.ports[0].nodePort, undefined);
  assert.equal(spec.externalTrafficPolicy, undefined);
  p.finishWrites();
  const other = await p.storage.create(SERVICE, 'lab', svc('other', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), OPTS);
  assert.equal((other.object.spec as J).ports[0].nodePort, 30080, 'the node port is free again');
  p.finishWrites();
  // Changing the type back allocates again; an apply-style update without nodePort keeps it afterwards.
  const back = (await p.storage.patch(SERVICE, 'lab', 'web', 'merge', { spec: { type: 'NodePort' } }, OPTS)).object;
  const np = (back.spec as J).ports[0].nodePort;
  assert.ok(np >= 30000 && np !== 30080, `new node port ${np}`);
  const put = structuredClone(back);
  delete (put.spec as J).clusterIP;
  delete (put.spec as J).clusterIPs;
  delete (put.spec as J).ports[0].nodePort;
  const kept = (await p.storage.update(SERVICE, 'lab', 'web', put, OPTS)).object;
  assert.equal((kept.spec as J).clusterIP, ip);
  assert.equal((kept.spec as J).ports[0].nodePort, np);
  p.finishWrites();
  await p.storage.delete(SERVICE, 'lab', 'web', {}, OPTS);
  const reuse = await p.storage.create(SERVICE, 'lab', svc('reuse', { clusterIP: ip, ports: [{ port: 80 }] }), OPTS);
  assert.equal((reuse.object.spec as J).clusterIP, ip);
});

test('plugin: ClusterIP → ExternalName drops and releases the address', async () => {
  const p = await pipeline();
  const created = (await p.storage.create(SERVICE, 'lab', svc('db', { ports: [{ port: 5432 }] }), OPTS)).object;
  p.finishWrites();
  const ip = (created.spec as J).clusterIP;
  const ext = (await p.storage.patch(SERVICE, 'lab', 'db', 'merge', { spec: { type: 'ExternalName', externalName: 'db.example.com' } }, OPTS)).object.spec as J;
  assert.equal(ext.clusterIP, undefined);
  assert.equal(ext.clusterIPs, undefined);
  assert.equal(ext.ipFamilies, undefined);
  const again = await p.storage.create(SERVICE, 'lab', svc('again', { clusterIP: ip, ports: [{ port: 80 }] }), OPTS);
  assert.equal((again.object.spec as J).clusterIP, ip);
});

test('plugin: a headless Service without a selector defaults to dual stack, as kube-apiserver does', async () => {
  const p = await pipeline();
  const s = (await p.storage.create(SERVICE, 'lab', svc('peers', { clusterIP: 'None', ports: [{ port: 80 }] }), OPTS)).object.spec as J;
  assert.deepEqual(s.clusterIPs, ['None']);
  assert.equal(s.ipFamilyPolicy, 'RequireDualStack');
  assert.deepEqual(s.ipFamilies, ['IPv4', 'IPv6']);
  const withSelector = (await p.storage.create(SERVICE, 'lab', svc('sel', { clusterIP: 'None', selector: { app: 'x' }, ports: [{ port: 80 }] }), OPTS)).object.spec as J;
  assert.equal(withSelector.ipFamilyPolicy, 'SingleStack');
});

test('plugin: an update that allocates nothing does not list the Services', () => {
  const plugin = serviceAllocationPlugin({ random: () => 0, afterWrite: () => {} });
  let listed = 0;
  const cluster = {
    get: () => undefined,
    list: (kind: unknown) => {
      if (kind === 'services') listed++;
      return [];
    },
  };
  const old = svc('web', { type: 'NodePort', clusterIP: '172.30.0.40', clusterIPs: ['172.30.0.40'], ports: [{ port: 80, nodePort: 30080 }] });
  const request = (operation: 'CREATE' | 'UPDATE', object: KubeObject) => ({
    kind: SERVICE, subresource: '', operation, object, name: 'web', namespace: 'lab', dryRun: false,
    ...(operation === 'UPDATE' ? { oldObject: old } : {}),
    ctx: {} as Parameters<typeof plugin.admit>[0]['ctx'],
  });
  const relabelled = structuredClone(old);
  relabelled.metadata.labels = { app: 'web' };
  plugin.admit(request('UPDATE', relabelled), cluster);
  assert.equal(listed, 0);
  // A new node port needs to know what is taken.
  const grown = structuredClone(old);
  (grown.spec as J).ports.push({ name: 'https', port: 443 });
  (grown.spec as J).ports[0].name = 'http';
  plugin.admit(request('UPDATE', grown), cluster);
  assert.equal(listed, 1);
  assert.ok((grown.spec as J).ports[1].nodePort >= 30000);
});
