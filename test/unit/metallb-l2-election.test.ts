// The layer 2 election of MetalLB's speakers (reference §7.3): which
// advertisements apply, which endpoints count, which nodes may announce and
// the order every speaker agrees on.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import {
  advertisementsFor, announcedInterfaces, electL2Leader, endpointCanServe, parseL2Advertisements, sortL2Candidates,
} from '../../sandbox/sim/controllers/metallb/l2-election.ts';

function node(name: string, labels: Record<string, string> = {}, conditions: { type: string; status: string }[] = [{ type: 'Ready', status: 'True' }]): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, status: { conditions } };
}

function adv(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name, namespace: 'metallb-system' }, spec };
}

function pool(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: 'metallb-system', labels }, spec: { addresses: ['10.0.0.0/24'] } };
}

function svc(o: { annotations?: Record<string, string>; labels?: Record<string, string>; local?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'web', namespace: 'default', ...(o.annotations ? { annotations: o.annotations } : {}), ...(o.labels ? { labels: o.labels } : {}) },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: o.local ? 'Local' : 'Cluster' },
  };
}

function slice(endpoints: { node: string; ready?: boolean; serving?: boolean }[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: endpoints.map((e) => ({ addresses: ['10.128.0.5'], nodeName: e.node, conditions: { ready: e.ready, serving: e.serving } })),
  };
}

const NODES = [node('worker-0'), node('worker-1'), node('worker-2')];
const IP = '192.168.50.20';
const hashOrder = (names: string[]): string[] => {
  const h = (n: string): string => createHash('sha256').update(`${n}#${IP}`).digest('hex');
  return [...names].sort((a, b) => (h(a) < h(b) ? -1 : 1));
};
const up = (): boolean => true;

describe('L2Advertisements', () => {
  const pools = [pool('lab', { zone: 'a' }), pool('other')];

  it('cover the pools they name or select, or every pool', () => {
    const ads = parseL2Advertisements([adv('all'), adv('named', { ipAddressPools: ['other'] }), adv('selected', { ipAddressPoolSelectors: [{ matchLabels: { zone: 'a' } }] })], pools, NODES);
    assert.deepEqual(advertisementsFor(ads, 'lab', svc()).map((a) => a.name), ['all', 'selected']);
    assert.deepEqual(advertisementsFor(ads, 'other', svc()).map((a) => a.name), ['all', 'named']);
  });

  it('apply to the Services their serviceSelectors match', () => {
    const ads = parseL2Advertisements([adv('web-only', { serviceSelectors: [{ matchLabels: { tier: 'web' } }] })], pools, NODES);
    assert.deepEqual(advertisementsFor(ads, 'lab', svc({ labels: { tier: 'web' } })).map((a) => a.name), ['web-only']);
    assert.deepEqual(advertisementsFor(ads, 'lab', svc({ labels: { tier: 'db' } })), []);
  });

  it('name the interfaces to announce on, or none for every interface', () => {
    const ads = parseL2Advertisements([adv('a', { interfaces: ['eth1', 'eth0'] }), adv('b', { interfaces: ['eth0'] })], pools, NODES);
    assert.deepEqual(announcedInterfaces(ads, 'worker-0'), ['eth0', 'eth1']);
    assert.equal(announcedInterfaces(parseL2Advertisements([adv('a', { interfaces: ['eth1'] }), adv('all')], pools, NODES), 'worker-0'), undefined);
  });
});

describe('endpoints that count', () => {
  it('are ready (or ready unset) or serving', () => {
    assert.equal(endpointCanServe({ ready: true }), true);
    assert.equal(endpointCanServe({}), true);
    assert.equal(endpointCanServe({ ready: false, serving: true }), true);
    assert.equal(endpointCanServe({ ready: false, serving: false }), false);
    assert.equal(endpointCanServe({ ready: false }), false);
  });
});

describe('the election', () => {
  const ads = (spec: Record<string, unknown> = {}) => parseL2Advertisements([adv('lab', spec)], [pool('lab')], NODES);

  it('picks the first node in sha256("node#ip") order, the same on every speaker', () => {
    const order = hashOrder(NODES.map((n) => n.metadata.name!));
    assert.deepEqual(sortL2Candidates(['worker-2', 'worker-0', 'worker-1'], IP, []), order);
    assert.equal(electL2Leader(svc(), [IP], ads(), [slice([{ node: 'worker-0', ready: true }])], NODES, up).node, order[0]);
  });

  it('announces nothing without an endpoint that can serve', () => {
    assert.deepEqual(electL2Leader(svc(), [IP], ads(), [], NODES, up).node, undefined);
    assert.equal(electL2Leader(svc(), [IP], ads(), [slice([{ node: 'worker-0', ready: false }])], NODES, up).node, undefined);
    assert.ok(electL2Leader(svc(), [IP], ads(), [slice([{ node: 'worker-0', ready: false, serving: true }])], NODES, up).node);
  });

  it('leaves out nodes whose speaker is down, excluded nodes, unselected nodes and nodes without network', () => {
    const eps = [slice([{ node: 'worker-0', ready: true }])];
    const order = hashOrder(NODES.map((n) => n.metadata.name!));
    assert.equal(electL2Leader(svc(), [IP], ads(), eps, NODES, (n) => n.metadata.name !== order[0]).node, order[1]);
    const excluded = NODES.map((n) => (n.metadata.name === order[0] ? node(order[0], { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }) : n));
    assert.equal(electL2Leader(svc(), [IP], ads(), eps, excluded, up).node, order[1]);
    const noNet = NODES.map((n) => (n.metadata.name === order[0] ? node(order[0], {}, [{ type: 'Ready', status: 'True' }, { type: 'NetworkUnavailable', status: 'True' }]) : n));
    assert.equal(electL2Leader(svc(), [IP], ads(), eps, noNet, up).node, order[1]);
    const only = ads({ nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': order[2] } }] });
    assert.equal(electL2Leader(svc(), [IP], only, eps, NODES, up).node, order[2]);
  });

  it('prefers nodes by the weights of preferredNodeSelectors', () => {
    const order = hashOrder(NODES.map((n) => n.metadata.name!));
    const preferring = ads({ preferredNodeSelectors: [{ weight: 10, preference: { matchLabels: { 'kubernetes.io/hostname': order[2] } } }] });
    assert.equal(electL2Leader(svc(), [IP], preferring, [slice([{ node: 'worker-0', ready: true }])], NODES, up).node, order[2]);
  });

  it('with externalTrafficPolicy Local, only nodes with a serving endpoint qualify', () => {
    const order = hashOrder(NODES.map((n) => n.metadata.name!));
    const eps = [slice([{ node: order[2], ready: true }, { node: order[0], ready: false }])];
    assert.equal(electL2Leader(svc({ local: true }), [IP], ads(), eps, NODES, up).node, order[2]);
    assert.equal(electL2Leader(svc({ local: true }), [IP], ads(), eps, NODES, (n) => n.metadata.name !== order[2]).node, undefined);
  });

  it('refuses a shared address with advertisements that select Services', () => {
    const selecting = ads({ serviceSelectors: [{ matchLabels: { tier: 'web' } }] });
    const shared = svc({ labels: { tier: 'web' }, annotations: { 'metallb.io/allow-shared-ip': 'k' } });
    const e = electL2Leader(shared, [IP], selecting, [slice([{ node: 'worker-0', ready: true }])], NODES, up);
    assert.deepEqual([e.node, e.reason], [undefined, 'sharedIPWithServiceSelector']);
  });
});
