// MetalLB on the embedded cluster, told through kubectl (reference §7): the
// controller hands out pool addresses lowest first, leaves a Service
// <pending> with an AllocationFailed event when the pool runs dry and gives
// it the next address freed; requested addresses, pools and shared addresses;
// and the layer 2 speaker, which announces an address only with an
// L2Advertisement and a ready endpoint, from one elected node, moving when
// that node fails.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from '../integration/harness.ts';
import { kubectlOk } from './fixtures.ts';

const MLB = 'metallb-system';

function pool(name: string, addresses: string[], spec: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: MLB }, spec: { addresses, ...spec } });
}

function l2(name: string, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name, namespace: MLB }, spec });
}

function lbService(name: string, o: { annotations?: Record<string, string>; ports?: number[]; spec?: Record<string, unknown> } = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: 'default', ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: { type: 'LoadBalancer', ports: (o.ports ?? [80]).map((port) => ({ name: `p${port}`, port, targetPort: 8080 })), ...o.spec },
  });
}

/** A hand-made EndpointSlice for a selector-less Service: one endpoint on `node`. */
function endpointSlice(service: string, node: string, ready: boolean): string {
  return JSON.stringify({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `${service}-manual`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'p80', port: 8080, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.128.2.10'], conditions: { ready, serving: ready, terminating: false }, nodeName: node }],
  });
}

const fault = (name: string, node: string): string => JSON.stringify({
  apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name }, spec: { type: 'NodePowerOff', target: { kind: 'Node', name: node } },
});

async function externalIP(sim: Sim, svc: string): Promise<string> {
  const out = await kubectlOk(sim, ['get', 'svc', svc, '--no-headers']);
  return out.trim().split(/\s+/)[3];
}

/** Events about a Service, as kubectl lists them: reason, message, source. */
async function serviceEvents(sim: Sim, svc: string): Promise<string[]> {
  const out = await kubectlOk(sim, ['get', 'events', '--field-selector', `involvedObject.name=${svc}`, '--sort-by=.metadata.resourceVersion',
    '-o', 'jsonpath={range .items[*]}{.type} {.reason} {.source.component}/{.source.host}: {.message}{"\\n"}{end}']);
  return out.trim().split('\n').filter(Boolean);
}

describe('MetalLB address allocation', () => {
  let sim: Sim;
  before(async () => { sim = await startSim({ workers: 2, controlPlanes: 1 }); });
  after(async () => { await sim.close(); });

  it('starts with no pool: a LoadBalancer Service stays <pending> without events', async () => {
    const r = await sim.kubectl(['get', 'ipaddresspools', '-n', MLB]);
    assert.match(r.stderr, /No resources found in metallb-system namespace/);
    await kubectlOk(sim, ['apply', '-f', '-'], lbService('early'));
    await sim.advance(1);
    assert.equal(await externalIP(sim, 'early'), '<pending>');
    assert.deepEqual(await serviceEvents(sim, 'early'), []);
    await kubectlOk(sim, ['delete', 'svc', 'early']);
  });

  it('hands out the lowest free address, then leaves the next Service <pending> with AllocationFailed', async () => {
    await kubectlOk(sim, ['apply', '-f', '-'], pool('lab', ['192.168.50.20-192.168.50.21']));
    for (const s of ['web-a', 'web-b', 'web-c']) {
      await kubectlOk(sim, ['apply', '-f', '-'], lbService(s));
      await sim.advance(1);
    }
    const out = await kubectlOk(sim, ['get', 'svc']);
    assert.match(out, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
    assert.match(out, /^web-a\s+LoadBalancer\s+\S+\s+192\.168\.50\.20\s+80:\d+\/TCP\s+\d+s$/m);
    assert.match(out, /^web-b\s+LoadBalancer\s+\S+\s+192\.168\.50\.21\s+80:\d+\/TCP\s+\d+s$/m);
    assert.match(out, /^web-c\s+LoadBalancer\s+\S+\s+<pending>\s+80:\d+\/TCP\s+\d+s$/m);

    const events = await kubectlOk(sim, ['get', 'events']);
    assert.match(events, /Normal\s+IPAllocated\s+service\/web-a\s+Assigned IP \["192\.168\.50\.20"\]/);
    assert.match(events, /Normal\s+IPAllocated\s+service\/web-b\s+Assigned IP \["192\.168\.50\.21"\]/);
    assert.match(events, /Warning\s+AllocationFailed\s+service\/web-c\s+Failed to allocate IP for "default\/web-c": no available IPs/);
    const described = await kubectlOk(sim, ['describe', 'svc', 'web-c']);
    assert.match(described, /Warning\s+AllocationFailed\s+\S+\s+metallb-controller\s+Failed to allocate IP for "default\/web-c": no available IPs/);

    assert.equal(await kubectlOk(sim, ['get', 'svc', 'web-a', '-o', 'jsonpath={.metadata.annotations.metallb\\.io/ip-allocated-from-pool} {.status.loadBalancer.ingress}']),
      'lab [{"ip":"192.168.50.20","ipMode":"VIP"}]');
    assert.equal(await kubectlOk(sim, ['get', 'ipaddresspool', 'lab', '-n', MLB, '-o', 'jsonpath={.status}']),
      '{"assignedIPv4":2,"assignedIPv6":0,"availableIPv4":0,"availableIPv6":0}');
  });

  it('gives the pending Service the address a deleted Service frees', async () => {
    await kubectlOk(sim, ['delete', 'svc', 'web-a']);
    await sim.advance(1);
    assert.equal(await externalIP(sim, 'web-c'), '192.168.50.20');
    assert.equal((await serviceEvents(sim, 'web-c')).at(-1), 'Normal IPAllocated metallb-controller/: Assigned IP ["192.168.50.20"]');
  });

  it('takes the address back when the type changes, and gives it to the next pending Service', async () => {
    await kubectlOk(sim, ['apply', '-f', '-'], lbService('web-d'));
    await sim.advance(1);
    assert.equal(await externalIP(sim, 'web-d'), '<pending>');
    await kubectlOk(sim, ['patch', 'svc', 'web-b', '--type=merge', '-p', '{"spec":{"type":"ClusterIP"}}']);
    await sim.advance(1);
    assert.equal(await externalIP(sim, 'web-b'), '<none>');
    assert.equal(await kubectlOk(sim, ['get', 'svc', 'web-b', '-o', 'jsonpath={.metadata.annotations.metallb\\.io/ip-allocated-from-pool}{.status}']), '{"loadBalancer":{}}');
    assert.equal(await externalIP(sim, 'web-d'), '192.168.50.21');
  });

  it('gives a requested address from any pool, even one that does not auto-assign', async () => {
    await kubectlOk(sim, ['apply', '-f', '-'], pool('reserved', ['192.168.60.0/24'], { autoAssign: false }));
    await kubectlOk(sim, ['apply', '-f', '-'], lbService('db', { annotations: { 'metallb.io/loadBalancerIPs': '192.168.60.10' } }));
    await sim.advance(1);
    assert.equal(await externalIP(sim, 'db'), '192.168.60.10');
    assert.equal(await kubectlOk(sim, ['get', 'svc', 'db', '-o', 'jsonpath={.metadata.annotations.metallb\\.io/ip-allocated-from-pool}']), 'reserved');

    await kubectlOk(sim, ['apply', '-f', '-'], lbService('db-taken', { annotations: { 'metallb.io/loadBalancerIPs': '192.168.60.10' } }));
    await kubectlOk(sim, ['apply', '-f', '-'], lbService('db-outside', { spec: { loadBalancerIP: '10.99.0.1' } }));
    await sim.advance(1);
    assert.equal(await externalIP(sim, 'db-taken'), '<pending>');
    assert.deepEqual(await serviceEvents(sim, 'db-taken'), [
      'Warning AllocationFailed metallb-controller/: Failed to allocate IP for "default/db-taken": can\'t change sharing key for "default/db-taken", address also in use by default/db',
    ]);
    assert.deepEqual(await serviceEvents(sim, 'db-outside'), [
      'Warning AllocationFailed metallb-controller/: Failed to allocate IP for "default/db-outside": ["10.99.0.1"] is not allowed in config',
    ]);
  });

  it('allocates from a requested pool, skipping .0 of a /24 with avoidBuggyIPs, and names an unknown pool', async () => {
    await kubectlOk(sim, ['apply', '-f', '-'], pool('buggy', ['192.168.70.0/24'], { avoidBuggyIPs: true, autoAssign: false }));
    await kubectlOk(sim, ['apply', '-f', '-'], lbService('cache', { annotations: { 'metallb.io/address-pool': 'buggy' } }));
    await kubectlOk(sim, ['apply', '-f', '-'], lbService('lost', { annotations: { 'metallb.io/address-pool': 'nope' } }));
    await sim.advance(1);
    assert.equal(await externalIP(sim, 'cache'), '192.168.70.1');
    assert.equal(await externalIP(sim, 'lost'), '<pending>');
    assert.deepEqual(await serviceEvents(sim, 'lost'), ['Warning AllocationFailed metallb-controller/: Failed to allocate IP for "default/lost": unknown pool "nope"']);
    assert.equal(await kubectlOk(sim, ['get', 'ipaddresspool', 'buggy', '-n', MLB, '-o', 'jsonpath={.status.assignedIPv4}/{.status.availableIPv4}']), '1/253');
  });

  it('lets Services with the same sharing key share an address on different ports', async () => {
    const shared = (ports: number[]): { annotations: Record<string, string>; ports: number[] } =>
      ({ annotations: { 'metallb.io/allow-shared-ip': 'web', 'metallb.io/loadBalancerIPs': '192.168.60.20' }, ports });
    await kubectlOk(sim, ['apply', '-f', '-'], lbService('front-http', shared([80])));
    await kubectlOk(sim, ['apply', '-f', '-'], lbService('front-https', shared([443])));
    await kubectlOk(sim, ['apply', '-f', '-'], lbService('front-clash', shared([80])));
    await sim.advance(1);
    assert.equal(await externalIP(sim, 'front-http'), '192.168.60.20');
    assert.equal(await externalIP(sim, 'front-https'), '192.168.60.20');
    assert.equal(await externalIP(sim, 'front-clash'), '<pending>');
    assert.deepEqual(await serviceEvents(sim, 'front-clash'), [
      'Warning AllocationFailed metallb-controller/: Failed to allocate IP for "default/front-clash": port TCP/80 is already in use on "192.168.60.20"',
    ]);
    assert.equal(await kubectlOk(sim, ['get', 'ipaddresspool', 'reserved', '-n', MLB, '-o', 'jsonpath={.status.assignedIPv4}']), '2');
  });

  it('clears addresses a changed pool no longer holds, saying why', async () => {
    await kubectlOk(sim, ['patch', 'ipaddresspool', 'reserved', '-n', MLB, '--type=merge', '-p', '{"spec":{"addresses":["192.168.60.16/28"]}}']);
    await sim.advance(1);
    assert.equal(await externalIP(sim, 'db'), '<pending>');
    assert.deepEqual((await serviceEvents(sim, 'db')).slice(1), [
      'Normal ClearAssignment metallb-controller/: current IP for "default/db" not allowed by config, will attempt for new IP assignment: ["192.168.60.10"] is not allowed in config',
      'Warning AllocationFailed metallb-controller/: Failed to allocate IP for "default/db": ["192.168.60.10"] is not allowed in config',
    ]);
    assert.equal(await externalIP(sim, 'front-http'), '192.168.60.20', 'still in the pool');
  });

  it('clears the addresses of a deleted pool', async () => {
    await kubectlOk(sim, ['delete', 'ipaddresspool', 'buggy', '-n', MLB]);
    await sim.advance(1);
    assert.equal(await externalIP(sim, 'cache'), '<pending>');
    assert.equal(await kubectlOk(sim, ['get', 'svc', 'cache', '-o', 'jsonpath={.metadata.annotations.metallb\\.io/ip-allocated-from-pool}']), '');
    assert.deepEqual((await serviceEvents(sim, 'cache')).slice(1), [
      'Normal ClearAssignment metallb-controller/: current IP for "default/cache" not allowed by config, will attempt for new IP assignment: ["192.168.70.1"] is not allowed in config',
      'Warning AllocationFailed metallb-controller/: Failed to allocate IP for "default/cache": unknown pool "buggy"',
    ]);
  });

  it('ignores IPAddressPools outside metallb-system and Services of another loadBalancerClass', async () => {
    const r = await sim.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'elsewhere', namespace: 'default' }, spec: { addresses: ['10.0.0.0/24'] } }) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /admission webhook "ipaddresspoolvalidationwebhook\.metallb\.io" denied the request: resource must be created in metallb-system namespace/);
    await kubectlOk(sim, ['delete', 'svc', 'web-c']);
    await kubectlOk(sim, ['apply', '-f', '-'], lbService('classy', { spec: { loadBalancerClass: 'example.com/other' } }));
    await sim.advance(1);
    assert.equal(await externalIP(sim, 'classy'), '<pending>');
    assert.deepEqual(await serviceEvents(sim, 'classy'), []);
  });
});

/** The order MetalLB's speakers agree on: sha256 of "node#ip", lowest first. */
function l2Order(nodes: string[], ip: string): string[] {
  const h = (n: string): string => createHash('sha256').update(`${n}#${ip}`).digest('hex');
  return [...nodes].sort((a, b) => (h(a) < h(b) ? -1 : 1));
}

describe('MetalLB layer 2 announcement', () => {
  let sim: Sim;
  const NODES = ['master-0', 'worker-0', 'worker-1', 'worker-2'];
  const order = l2Order(NODES, '192.168.50.20');
  before(async () => {
    sim = await startSim({ workers: 3, controlPlanes: 1 });
    await kubectlOk(sim, ['apply', '-f', '-'], pool('lab', ['192.168.50.20-192.168.50.21']));
    await kubectlOk(sim, ['apply', '-f', '-'], lbService('web'));
    await kubectlOk(sim, ['apply', '-f', '-'], endpointSlice('web', order[0], true));
    await sim.advance(1);
  });
  after(async () => { await sim.close(); });

  const statuses = async (): Promise<KubeObject[]> =>
    JSON.parse(await kubectlOk(sim, ['get', 'servicel2statuses', '-n', MLB, '-o', 'json'])).items as KubeObject[];
  const announcer = async (): Promise<string | undefined> => {
    const s = await statuses();
    assert.ok(s.length <= 1, JSON.stringify(s));
    return (s[0]?.status as { node?: string } | undefined)?.node;
  };

  it('assigns the address but announces nothing without an L2Advertisement', async () => {
    assert.equal(await externalIP(sim, 'web'), '192.168.50.20');
    const r = await sim.kubectl(['get', 'servicel2statuses', '-n', MLB]);
    assert.match(r.stderr, /No resources found in metallb-system namespace/);
  });

  it('announces from the elected node once an L2Advertisement covers the pool', async () => {
    await kubectlOk(sim, ['apply', '-f', '-'], l2('lab', { ipAddressPools: ['lab'] }));
    await sim.advance(1);
    const out = await kubectlOk(sim, ['get', 'servicel2statuses', '-n', MLB]);
    assert.match(out, new RegExp(`^NAME\\s+ALLOCATED NODE\\s+SERVICE NAME\\s+SERVICE NAMESPACE\\n(l2-[a-z0-9]{5})\\s+${order[0]}\\s+web\\s+default\\n$`));
    const [s] = await statuses();
    assert.deepEqual(s.metadata.labels, { 'metallb.io/node': order[0], 'metallb.io/service-name': 'web', 'metallb.io/service-namespace': 'default' });
    assert.deepEqual(s.status, { node: order[0], serviceName: 'web', serviceNamespace: 'default' });
    const described = await kubectlOk(sim, ['describe', 'svc', 'web']);
    assert.match(described, new RegExp(`Normal\\s+nodeAssigned\\s+\\S+\\s+metallb-speaker\\s+announcing from node "${order[0]}" with protocol "layer2"`));
    assert.deepEqual(await serviceEvents(sim, 'web'), [
      'Normal IPAllocated metallb-controller/: Assigned IP ["192.168.50.20"]',
      `Normal nodeAssigned metallb-speaker/${order[0]}: announcing from node "${order[0]}" with protocol "layer2"`,
    ]);
  });

  it('stops announcing while no endpoint is ready, keeping the address', async () => {
    await kubectlOk(sim, ['apply', '-f', '-'], endpointSlice('web', order[0], false));
    await sim.advance(1);
    assert.equal(await announcer(), undefined);
    assert.equal(await externalIP(sim, 'web'), '192.168.50.20');
    await kubectlOk(sim, ['apply', '-f', '-'], endpointSlice('web', order[0], true));
    await sim.advance(1);
    assert.equal(await announcer(), order[0]);
  });

  it('moves the announcement off a node that loses power, and back when it returns', async () => {
    const first = order[0];
    const next = order[1];
    await kubectlOk(sim, ['apply', '-f', '-'], fault('power', first));
    await sim.advance(2);
    // The speakers' memberlist notices the dead speaker at once; the node itself turns NotReady later.
    assert.equal(await announcer(), next);
    await sim.advance(60);
    assert.match(await kubectlOk(sim, ['get', 'node', first]), new RegExp(`${first}\\s+NotReady\\s`));
    assert.equal(await announcer(), next);
    assert.equal((await serviceEvents(sim, 'web')).at(-1), `Normal nodeAssigned metallb-speaker/${next}: announcing from node "${next}" with protocol "layer2"`);

    await kubectlOk(sim, ['delete', 'fault', 'power']);
    await sim.advance(10);
    assert.match(await kubectlOk(sim, ['get', 'node', first]), new RegExp(`${first}\\s+Ready\\s`));
    assert.equal(await announcer(), first, 'the hash order puts the returning node first again');
  });

  it('skips nodes excluded from load balancers and nodes the advertisement does not select', async () => {
    await kubectlOk(sim, ['label', 'node', order[0], 'node.kubernetes.io/exclude-from-external-load-balancers=']);
    await sim.advance(1);
    assert.equal(await announcer(), order[1]);
    await kubectlOk(sim, ['label', 'node', order[0], 'node.kubernetes.io/exclude-from-external-load-balancers-']);
    await kubectlOk(sim, ['apply', '-f', '-'], l2('lab', { ipAddressPools: ['lab'], nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': order[2] } }] }));
    await sim.advance(1);
    assert.equal(await announcer(), order[2]);
    await kubectlOk(sim, ['apply', '-f', '-'], l2('lab', { ipAddressPools: ['lab'] }));
    await sim.advance(1);
    assert.equal(await announcer(), order[0]);
  });

  it('announces only from a node with a ready endpoint under externalTrafficPolicy Local', async () => {
    const local = order[3];
    await kubectlOk(sim, ['apply', '-f', '-'], endpointSlice('web', local, true));
    await kubectlOk(sim, ['patch', 'svc', 'web', '--type=merge', '-p', '{"spec":{"externalTrafficPolicy":"Local"}}']);
    await sim.advance(1);
    assert.equal(await announcer(), local);
  });

  it('withdraws the announcement when the Service goes away', async () => {
    await kubectlOk(sim, ['delete', 'svc', 'web']);
    await sim.advance(1);
    assert.deepEqual(await statuses(), []);
  });
});
