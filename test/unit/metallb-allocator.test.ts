// MetalLB's allocator and convergeBalancer, rule by rule, with the exact
// texts the controller puts in its events (reference §7.2).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import {
  Allocator, parseAddress, parsePools, poolSize, requestedIPs, serviceFacts, serviceFamily, sharingError, type Pools,
} from '../../sandbox/sim/controllers/metallb/allocator.ts';
import {
  allocatorFor, convergeBalancer, deprecatedAnnotationEvents, type Convergence,
} from '../../sandbox/sim/controllers/metallb/converge.ts';

function pool(name: string, addresses: string[], spec: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool',
    metadata: { name, namespace: 'metallb-system', ...(labels ? { labels } : {}) },
    spec: { addresses, ...spec },
  };
}

interface SvcOptions {
  namespace?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  ports?: { port: number; protocol?: string }[];
  spec?: Record<string, unknown>;
  ips?: string[];
  created?: string;
}

function svc(name: string, o: SvcOptions = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: {
      name, namespace: o.namespace ?? 'default', uid: `uid-${name}`, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      ...(o.annotations ? { annotations: o.annotations } : {}), ...(o.labels ? { labels: o.labels } : {}),
    },
    spec: {
      type: 'LoadBalancer', ports: (o.ports ?? [{ port: 80 }]).map((p) => ({ protocol: 'TCP', ...p })),
      ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', externalTrafficPolicy: 'Cluster', ...o.spec,
    },
    status: { loadBalancer: o.ips ? { ingress: o.ips.map((ip) => ({ ip, ipMode: 'VIP' })) } : {} },
  };
}

const namespaces: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b', labels: { team: 'b' } } },
];

function pools(...objs: KubeObject[]): Pools {
  const p = parsePools(objs, namespaces);
  assert.deepEqual(p.errors, []);
  return p;
}

/** Allocates for each Service in turn (as the controller does, one reconcile at a time), returning their results. */
function allocateAll(ps: Pools, services: KubeObject[]): Convergence[] {
  const done: KubeObject[] = [];
  return services.map((s) => {
    const c = convergeBalancer(allocatorFor(ps, done), s);
    done.push(svcWith(s, c.ips));
    return c;
  });
}

function svcWith(s: KubeObject, ips: string[]): KubeObject {
  return { ...s, status: { loadBalancer: ips.length ? { ingress: ips.map((ip) => ({ ip })) } : {} } };
}

const failed = (key: string, why: string): Convergence['events'] => [{ type: 'Warning', reason: 'AllocationFailed', message: `Failed to allocate IP for "${key}": ${why}` }];

describe('parsing pools', () => {
  it('reads CIDRs and start-end ranges (whitespace trimmed), IPv4 and IPv6', () => {
    const p = pools(pool('a', ['192.168.10.0/30', ' 192.168.9.1 - 192.168.9.5 ', 'fd00::/126']));
    const cidrs = p.byName.get('a')!.cidrs.map((c) => `${c.v6 ? 'v6' : 'v4'}/${c.bits}`);
    // 9.1-9.5 is covered by 9.1/32, 9.2/31, 9.4/31.
    assert.deepEqual(cidrs, ['v4/30', 'v4/32', 'v4/31', 'v4/31', 'v6/126']);
    assert.deepEqual(poolSize(p.byName.get('a')!), { ipv4: 9, ipv6: 4 });
  });

  it('defaults autoAssign to true and avoidBuggyIPs to false', () => {
    const a = pools(pool('a', ['10.0.0.0/24'])).byName.get('a')!;
    assert.equal(a.autoAssign, true);
    assert.equal(a.avoidBuggyIPs, false);
    assert.equal(pools(pool('b', ['10.0.0.0/24'], { autoAssign: false })).byName.get('b')!.autoAssign, false);
  });

  it('leaves out the pools MetalLB would reject, with its reasons', () => {
    const p = parsePools([
      pool('bad', ['10.0.0.1']),
      pool('backwards', ['10.0.0.9-10.0.0.1']),
      pool('empty', []),
      pool('first', ['10.1.0.0/24']),
      pool('second', ['10.1.0.128/25']),
    ], namespaces);
    assert.deepEqual(p.list.map((x) => x.name), ['first']);
    assert.deepEqual(p.errors, [
      'parsing address pool backwards: invalid CIDR "10.0.0.9-10.0.0.1" in pool "backwards": invalid IP range "10.0.0.9-10.0.0.1": start IP "10.0.0.9" is after the end IP "10.0.0.1"',
      'parsing address pool bad: invalid CIDR "10.0.0.1" in pool "bad": invalid CIDR "10.0.0.1"',
      'parsing address pool empty: pool has no prefixes defined',
      'CIDR "10.1.0.128/25" in pool "second" overlaps with already defined CIDR "10.1.0.0/24"',
    ]);
  });

  it('counts pool sizes without the buggy addresses it avoids', () => {
    assert.deepEqual(poolSize(pools(pool('a', ['10.0.0.0/24'], { avoidBuggyIPs: true })).byName.get('a')!), { ipv4: 254, ipv6: 0 });
    assert.deepEqual(poolSize(pools(pool('a', ['10.0.0.0/23'], { avoidBuggyIPs: true })).byName.get('a')!), { ipv4: 508, ipv6: 0 });
    assert.deepEqual(poolSize(pools(pool('a', ['10.0.0.252/30'], { avoidBuggyIPs: true })).byName.get('a')!), { ipv4: 3, ipv6: 0 });
  });
});

describe('automatic allocation', () => {
  it('hands out the lowest free address, prefixes in listed order', () => {
    const ps = pools(pool('p', ['192.168.50.20-192.168.50.21']));
    const [a, b, c] = allocateAll(ps, [svc('a'), svc('b'), svc('c')]);
    assert.deepEqual(a, { ips: ['192.168.50.20'], pool: 'p', events: [{ type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["192.168.50.20"]' }] });
    assert.deepEqual(b.ips, ['192.168.50.21']);
    assert.deepEqual(c, { ips: [], events: failed('default/c', 'no available IPs') });

    const listed = pools(pool('q', ['10.0.0.8/30', '10.0.0.0/30']));
    assert.deepEqual(allocateAll(listed, [svc('a')])[0].ips, ['10.0.0.8']);
  });

  it('skips .0 and .255 with avoidBuggyIPs, and hands them out otherwise', () => {
    assert.deepEqual(allocateAll(pools(pool('p', ['10.0.0.0/24'], { avoidBuggyIPs: true })), [svc('a')])[0].ips, ['10.0.0.1']);
    assert.deepEqual(allocateAll(pools(pool('p', ['10.0.0.0/24'])), [svc('a')])[0].ips, ['10.0.0.0']);
    const tail = pools(pool('p', ['10.0.0.254/31'], { avoidBuggyIPs: true }));
    const [a, b] = allocateAll(tail, [svc('a'), svc('b')]);
    assert.deepEqual(a.ips, ['10.0.0.254']);
    assert.deepEqual(b.events, failed('default/b', 'no available IPs'));
  });

  it('never hands out from an autoAssign: false pool unless asked', () => {
    const ps = pools(pool('manual', ['10.0.0.0/30'], { autoAssign: false }));
    assert.deepEqual(allocateAll(ps, [svc('a')])[0].events, failed('default/a', 'no available IPs'));
    assert.deepEqual(allocateAll(ps, [svc('a', { annotations: { 'metallb.io/address-pool': 'manual' } })])[0].ips, ['10.0.0.0']);
    assert.deepEqual(allocateAll(ps, [svc('a', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.2' } })])[0].ips, ['10.0.0.2']);
  });

  it('does nothing and says nothing without pools', () => {
    const c = convergeBalancer(allocatorFor(pools(), []), svc('a', { ips: ['10.0.0.1'] }));
    assert.deepEqual(c, { ips: [], events: [] });
  });
});

describe('serviceAllocation', () => {
  it('prefers pinned pools, lower priority value first, unset priority last', () => {
    const ps = pools(
      pool('generic', ['10.0.0.0/30']),
      pool('low', ['10.1.0.0/30'], { serviceAllocation: { priority: 50, namespaces: ['team-a'] } }),
      pool('high', ['10.2.0.0/30'], { serviceAllocation: { priority: 10, namespaces: ['team-a'] } }),
      pool('unset', ['10.3.0.0/30'], { serviceAllocation: { namespaces: ['team-a'] } }),
    );
    const alloc = new Allocator(ps);
    assert.deepEqual(alloc.pinnedPoolsForService(serviceFacts(svc('x', { namespace: 'team-a' }))).map((p) => p.name), ['high', 'low', 'unset']);
    const [x] = allocateAll(ps, [svc('x', { namespace: 'team-a' })]);
    assert.deepEqual([x.ips, x.pool], [['10.2.0.0'], 'high']);
  });

  it('keeps pinned pools away from other Services, which use the generic pools', () => {
    const ps = pools(pool('team-a-only', ['10.1.0.0/30'], { serviceAllocation: { namespaces: ['team-a'] } }));
    assert.deepEqual(allocateAll(ps, [svc('x')])[0].events, failed('default/x', 'no available IPs'));
    const both = pools(pool('team-a-only', ['10.1.0.0/30'], { serviceAllocation: { namespaces: ['team-a'] } }), pool('generic', ['10.0.0.0/30']));
    assert.deepEqual(allocateAll(both, [svc('x')])[0].pool, 'generic');
  });

  it('selects namespaces by label and Services by label', () => {
    const ps = pools(
      pool('by-ns', ['10.1.0.0/30'], { serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'b' } }] } }),
      pool('by-svc', ['10.2.0.0/30'], { serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }] } }),
      pool('generic', ['10.0.0.0/30']),
    );
    assert.equal(allocateAll(ps, [svc('x', { namespace: 'team-b' })])[0].pool, 'by-ns');
    assert.equal(allocateAll(ps, [svc('x', { labels: { tier: 'web' } })])[0].pool, 'by-svc');
    assert.equal(allocateAll(ps, [svc('x', { labels: { tier: 'db' } })])[0].pool, 'generic');
  });

  it('falls back to the generic pools when the pinned ones are full', () => {
    const ps = pools(pool('pinned', ['10.1.0.0/32'], { serviceAllocation: { namespaces: ['team-a'] } }), pool('generic', ['10.0.0.0/30']));
    const [a, b] = allocateAll(ps, [svc('a', { namespace: 'team-a' }), svc('b', { namespace: 'team-a' })]);
    assert.deepEqual([a.pool, b.pool], ['pinned', 'generic']);
  });

  it('refuses a requested pool reserved for others', () => {
    const ps = pools(pool('team-a-only', ['10.1.0.0/30'], { serviceAllocation: { namespaces: ['team-a'] } }));
    assert.deepEqual(allocateAll(ps, [svc('x', { annotations: { 'metallb.io/address-pool': 'team-a-only' } })])[0].events,
      failed('default/x', 'pool team-a-only not compatible for ip assignment'));
  });
});

describe('requested addresses and pools', () => {
  const ps = pools(pool('p', ['192.168.50.20-192.168.50.29']), pool('q', ['192.168.60.0/29']));

  it('gives the address from the annotation, the deprecated annotation or spec.loadBalancerIP', () => {
    assert.deepEqual(allocateAll(ps, [svc('a', { annotations: { 'metallb.io/loadBalancerIPs': '192.168.50.25' } })])[0].ips, ['192.168.50.25']);
    assert.deepEqual(allocateAll(ps, [svc('a', { annotations: { 'metallb.universe.tf/loadBalancerIPs': '192.168.50.26' } })])[0].ips, ['192.168.50.26']);
    assert.deepEqual(allocateAll(ps, [svc('a', { spec: { loadBalancerIP: '192.168.60.3' } })])[0], {
      ips: ['192.168.60.3'], pool: 'q', events: [{ type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["192.168.60.3"]' }],
    });
  });

  it('prefers the metallb.io annotation over the deprecated one', () => {
    const s = svc('a', { annotations: { 'metallb.io/loadBalancerIPs': '192.168.50.27', 'metallb.universe.tf/loadBalancerIPs': '192.168.50.28' } });
    assert.deepEqual(allocateAll(ps, [s])[0].ips, ['192.168.50.27']);
  });

  it('reports requests it cannot meet', () => {
    const one = (o: SvcOptions): Convergence['events'] => allocateAll(ps, [svc('a', o)])[0].events;
    assert.deepEqual(one({ annotations: { 'metallb.io/loadBalancerIPs': '10.9.9.9' } }), failed('default/a', '["10.9.9.9"] is not allowed in config'));
    assert.deepEqual(one({ annotations: { 'metallb.io/loadBalancerIPs': '192.168.50.25' }, spec: { loadBalancerIP: '192.168.50.26' } }),
      failed('default/a', 'service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP'));
    assert.deepEqual(one({ annotations: { 'metallb.io/loadBalancerIPs': '192.168.50.x' } }), failed('default/a', 'invalid metallb.io/loadBalancerIPs: "192.168.50.x"'));
    assert.deepEqual(one({ spec: { loadBalancerIP: 'nope' } }), failed('default/a', 'invalid spec.loadBalancerIP "nope"'));
    assert.deepEqual(one({ annotations: { 'metallb.io/loadBalancerIPs': '192.168.50.25', 'metallb.io/address-pool': 'q' } }),
      failed('default/a', 'requested loadBalancer IP(s) ["192.168.50.25"] is not compatible with requested address pool q'));
    assert.deepEqual(one({ annotations: { 'metallb.io/loadBalancerIPs': 'fd00::1' } }),
      failed('default/a', 'requested loadBalancer IP(s) ["fd00::1"] does not match the ipFamily of the service'));
    assert.deepEqual(one({ annotations: { 'metallb.io/loadBalancerIPs': '192.168.50.25,192.168.50.26' } }),
      failed('default/a', 'IPFamilyForAddresses: same address family ["192.168.50.25" "192.168.50.26"]'));
  });

  it('allocates from the requested pool, lowest first, and names unknown or full pools', () => {
    assert.deepEqual(allocateAll(ps, [svc('a', { annotations: { 'metallb.io/address-pool': 'q' } })])[0].ips, ['192.168.60.0']);
    assert.deepEqual(allocateAll(ps, [svc('a', { annotations: { 'metallb.universe.tf/address-pool': 'q' } })])[0].pool, 'q');
    assert.deepEqual(allocateAll(ps, [svc('a', { annotations: { 'metallb.io/address-pool': 'nope' } })])[0].events, failed('default/a', 'unknown pool "nope"'));
    const tiny = pools(pool('one', ['10.0.0.1/32']));
    const ask = { annotations: { 'metallb.io/address-pool': 'one' } };
    assert.deepEqual(allocateAll(tiny, [svc('a', ask), svc('b', ask)])[1].events, failed('default/b', 'no available IPs in pool one'));
  });

  it('refuses an address another Service holds without a sharing key', () => {
    const ask = { annotations: { 'metallb.io/loadBalancerIPs': '192.168.50.20' } };
    const [, b] = allocateAll(ps, [svc('a', ask), svc('b', { ...ask, ports: [{ port: 443 }] })]);
    assert.deepEqual(b.events, failed('default/b', 'can\'t change sharing key for "default/b", address also in use by default/a'));
  });

  it('parses requests without allocating', () => {
    assert.deepEqual(requestedIPs(svc('a')), { ips: [] });
    const r = requestedIPs(svc('a', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.1, fd00::1' } }));
    assert.ok('ips' in r);
    assert.deepEqual([r.ips.map((ip) => ip.text), r.family], [['10.0.0.1', 'fd00::1'], 'dual']);
  });
});

describe('sharing an address', () => {
  const ps = pools(pool('p', ['192.168.50.20-192.168.50.21']));
  const shared = (key: string, port: number, extra: SvcOptions = {}): SvcOptions => ({
    ...extra, ports: [{ port }], annotations: { 'metallb.io/allow-shared-ip': key, 'metallb.io/loadBalancerIPs': '192.168.50.20', ...extra.annotations },
  });

  it('lets Services with the same key and different ports share', () => {
    const [a, b] = allocateAll(ps, [svc('a', shared('k', 80)), svc('b', shared('k', 443))]);
    assert.deepEqual([a.ips, b.ips], [['192.168.50.20'], ['192.168.50.20']]);
    const alloc = allocatorFor(ps, [svcWith(svc('a', shared('k', 80)), a.ips), svcWith(svc('b', shared('k', 443)), b.ips)]);
    assert.deepEqual(alloc.counters('p'), { assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 1, availableIPv6: 0 });
  });

  it('picks the shared address automatically when it is the lowest usable one', () => {
    const auto = (name: string, port: number): KubeObject => svc(name, { ports: [{ port }], annotations: { 'metallb.io/allow-shared-ip': 'k' } });
    const [a, b, c] = allocateAll(ps, [auto('a', 80), auto('b', 443), auto('c', 80)]);
    assert.deepEqual([a.ips, b.ips, c.ips], [['192.168.50.20'], ['192.168.50.20'], ['192.168.50.21']]);
  });

  it('also honours the deprecated annotation', () => {
    const old = (name: string, port: number): KubeObject => svc(name, { ports: [{ port }], annotations: { 'metallb.universe.tf/allow-shared-ip': 'k', 'metallb.io/loadBalancerIPs': '192.168.50.20' } });
    assert.deepEqual(allocateAll(ps, [old('a', 80), old('b', 443)])[1].ips, ['192.168.50.20']);
  });

  it('refuses colliding ports, other keys and different backends', () => {
    assert.deepEqual(allocateAll(ps, [svc('a', shared('k', 80)), svc('b', shared('k', 80))])[1].events,
      failed('default/b', 'port TCP/80 is already in use on "192.168.50.20"'));
    assert.deepEqual(allocateAll(ps, [svc('a', shared('k', 80)), svc('b', shared('other', 443))])[1].events,
      failed('default/b', 'can\'t change sharing key for "default/b", address also in use by default/a'));
    const local = (sel: Record<string, string>): SvcOptions['spec'] => ({ externalTrafficPolicy: 'Local', selector: sel });
    assert.deepEqual(allocateAll(ps, [svc('a', shared('k', 80, { spec: local({ app: 'a' }) })), svc('b', shared('k', 443, { spec: local({ app: 'b' }) }))])[1].events,
      failed('default/b', 'can\'t change sharing key for "default/b", address also in use by default/a'));
    assert.deepEqual(allocateAll(ps, [svc('a', shared('k', 80, { spec: local({ app: 'web' }) })), svc('b', shared('k', 443, { spec: local({ app: 'web' }) }))])[1].ips,
      ['192.168.50.20']);
  });

  it('words each sharing conflict as MetalLB does', () => {
    assert.equal(sharingError({ sharing: '', backend: '' }, { sharing: 'k', backend: '' }), 'existing service does not allow sharing');
    assert.equal(sharingError({ sharing: 'k', backend: '' }, { sharing: '', backend: '' }), 'new service does not allow sharing');
    assert.equal(sharingError({ sharing: 'b', backend: '' }, { sharing: 'a', backend: '' }), 'sharing key "a" does not match existing sharing key "b"');
    assert.equal(sharingError({ sharing: 'k', backend: 'app=a' }, { sharing: 'k', backend: 'app=b' }), 'backend key "app=b" does not match existing sharing key "app=a"');
    assert.equal(sharingError({ sharing: 'k', backend: '' }, { sharing: 'k', backend: '' }), undefined);
  });
});

describe('converging a Service that holds an address', () => {
  const ps = pools(pool('p', ['192.168.50.20-192.168.50.21']));

  it('keeps a valid address without events', () => {
    assert.deepEqual(convergeBalancer(allocatorFor(ps, []), svc('a', { ips: ['192.168.50.21'] })), { ips: ['192.168.50.21'], pool: 'p', events: [] });
  });

  it('clears an address the configuration no longer allows and allocates again', () => {
    const moved = pools(pool('p', ['192.168.50.30/31']));
    assert.deepEqual(convergeBalancer(allocatorFor(moved, []), svc('a', { ips: ['192.168.50.20'] })), {
      ips: ['192.168.50.30'], pool: 'p', events: [
        { type: 'Normal', reason: 'ClearAssignment', message: 'current IP for "default/a" not allowed by config, will attempt for new IP assignment: ["192.168.50.20"] is not allowed in config' },
        { type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["192.168.50.30"]' },
      ],
    });
  });

  it('moves to a newly requested address or pool', () => {
    const two = pools(pool('p', ['192.168.50.20-192.168.50.21']), pool('q', ['192.168.60.0/30']));
    assert.deepEqual(convergeBalancer(allocatorFor(two, []), svc('a', { ips: ['192.168.50.20'], annotations: { 'metallb.io/loadBalancerIPs': '192.168.50.21' } })).ips, ['192.168.50.21']);
    assert.deepEqual(convergeBalancer(allocatorFor(two, []), svc('a', { ips: ['192.168.50.20'], annotations: { 'metallb.io/address-pool': 'q' } })).ips, ['192.168.60.0']);
  });

  it('warns about an invalid request but keeps the address', () => {
    const s = svc('a', { ips: ['192.168.50.20'], annotations: { 'metallb.io/loadBalancerIPs': '192.168.50.20' }, spec: { loadBalancerIP: '192.168.50.20' } });
    assert.deepEqual(convergeBalancer(allocatorFor(ps, []), s), {
      ips: ['192.168.50.20'], pool: 'p', events: [{
        type: 'Warning', reason: 'LoadBalancerFailed',
        message: 'invalid requested loadbalancer IPs: service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
      }],
    });
  });

  it('clears the address of a Service that is no longer a LoadBalancer', () => {
    const s = svc('a', { ips: ['192.168.50.20'], spec: { type: 'ClusterIP' } });
    assert.deepEqual(convergeBalancer(allocatorFor(ps, []), s), { ips: [], events: [] });
  });

  it('lets the older Service keep an address two claim', () => {
    const older = svc('old', { ips: ['192.168.50.20'], created: '2026-01-01T00:00:00Z' });
    const newer = svc('new', { ips: ['192.168.50.20'], created: '2026-01-02T00:00:00Z' });
    const c = convergeBalancer(allocatorFor(ps, [older, newer], 'default/new'), newer);
    assert.deepEqual(c.ips, ['192.168.50.21']);
    assert.equal(c.events[0].reason, 'ClearAssignment');
    assert.equal(c.events[0].message, 'current IP for "default/new" not allowed by config, will attempt for new IP assignment: can\'t change sharing key for "default/new", address also in use by default/old');
  });

  it('counts the addresses held from each pool', () => {
    const alloc = allocatorFor(ps, [svc('a', { ips: ['192.168.50.20'] }), svc('other-class', { ips: ['192.168.50.21'], spec: { loadBalancerClass: 'x' } })]);
    assert.deepEqual(alloc.counters('p'), { assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 1, availableIPv6: 0 });
  });

  it('warns about each deprecated annotation', () => {
    assert.deepEqual(deprecatedAnnotationEvents(svc('a', { annotations: { 'metallb.universe.tf/address-pool': 'p', 'metallb.io/allow-shared-ip': 'k' } })), [
      { type: 'Warning', reason: 'deprecatedAnnotation', message: 'Service uses deprecated annotation metallb.universe.tf/address-pool' },
    ]);
  });
});

describe('address families', () => {
  it('takes the family from the cluster IPs, else from spec.ipFamilies', () => {
    assert.equal(serviceFamily(svc('a', { spec: { clusterIP: '172.30.0.10', clusterIPs: ['172.30.0.10'] } })), 'ipv4');
    assert.equal(serviceFamily(svc('a', { spec: { clusterIPs: ['172.30.0.10', 'fd02::10'] } })), 'dual');
    assert.equal(serviceFamily(svc('a', { spec: { ipFamilies: ['IPv6'] } })), 'ipv6');
    assert.equal(parseAddress('::ffff:10.0.0.1')?.v6, false);
  });

  it('allocates IPv6 from IPv6 prefixes', () => {
    const ps = pools(pool('p', ['10.0.0.0/30', 'fd00::10/126']));
    assert.deepEqual(allocateAll(ps, [svc('a', { spec: { ipFamilies: ['IPv6'] } })])[0].ips, ['fd00::10']);
  });
});
