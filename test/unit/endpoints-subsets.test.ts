// The subsets of core/v1 Endpoints: ready and not-ready addresses, ports
// resolved per pod, repacking, headless Services, truncation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_CAPACITY, desiredSubsets, repackSubsets, subsetsEqual, truncateSubsets, type EndpointSubset,
} from '../../sandbox/sim/controllers/endpoints/subsets.ts';
import { pod, service } from './endpoints-fixtures.ts';

const ref = (name: string) => ({ kind: 'Pod', namespace: 'ha', name, uid: `uid-${name}` });

test('ready pods in addresses, the others in notReadyAddresses, sorted by IP, on the resolved port', () => {
  const svc = service('front', { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] });
  const subsets = desiredSubsets(svc, [
    pod('b', { ip: '10.128.4.7', node: 'worker-1' }),
    pod('a', { ip: '10.128.2.5' }),
    pod('c', { ip: '10.128.3.9', ready: false }),
    pod('d', { ip: '' }),
    pod('e', { ip: '10.128.3.10', phase: 'Succeeded' }),
    pod('f', { ip: '10.128.3.11', deleting: true }),
  ]);
  assert.deepEqual(subsets, [{
    addresses: [
      { ip: '10.128.2.5', nodeName: 'worker-0', targetRef: ref('a') },
      { ip: '10.128.4.7', nodeName: 'worker-1', targetRef: ref('b') },
    ],
    notReadyAddresses: [{ ip: '10.128.3.9', nodeName: 'worker-0', targetRef: ref('c') }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  }]);
});

test('publishNotReadyAddresses lists every pod as ready, terminating ones too', () => {
  const svc = service('peers', { publishNotReadyAddresses: true });
  const subsets = desiredSubsets(svc, [pod('a', { ready: false }), pod('b', { ip: '10.128.2.6', deleting: true })]);
  assert.deepEqual(subsets.map((s) => [s.addresses?.map((a) => a.ip), s.notReadyAddresses]), [[['10.128.2.5', '10.128.2.6'], undefined]]);
});

test('named targetPort: a pod without the port is left out of that port only', () => {
  const svc = service('front', { ports: [
    { name: 'web', port: 80, protocol: 'TCP', targetPort: 'http' },
    { name: 'admin', port: 9000, protocol: 'TCP', targetPort: 9000 },
  ] });
  const named = pod('a', { ip: '10.128.2.5', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] });
  const plain = pod('b', { ip: '10.128.2.6' });
  const subsets = desiredSubsets(svc, [named, plain]);
  const byPort = Object.fromEntries(subsets.map((s) => [s.ports![0].name, { ips: s.addresses!.map((a) => a.ip), ports: s.ports }]));
  assert.equal(subsets.length, 2);
  assert.deepEqual(byPort, {
    web: { ips: ['10.128.2.5'], ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] },
    admin: { ips: ['10.128.2.5', '10.128.2.6'], ports: [{ name: 'admin', port: 9000, protocol: 'TCP' }] },
  });
});

test('several ports on the same pods pack into one subset', () => {
  const svc = service('front', { ports: [
    { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
    { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
  ] });
  const subsets = desiredSubsets(svc, [pod('a'), pod('b', { ip: '10.128.2.6', ready: false })]);
  assert.equal(subsets.length, 1);
  assert.deepEqual(subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'https', port: 8443, protocol: 'TCP' }]);
  assert.deepEqual(subsets[0].addresses!.map((a) => a.ip), ['10.128.2.5']);
  assert.deepEqual(subsets[0].notReadyAddresses!.map((a) => a.ip), ['10.128.2.6']);
});

test('headless: hostname for pods naming the Service as subdomain; no ports still lists the pods', () => {
  const svc = service('db', { clusterIP: 'None', ports: [] });
  const subsets = desiredSubsets(svc, [pod('a', { hostname: 'db-0', subdomain: 'db' }), pod('b', { ip: '10.128.2.6' })]);
  assert.deepEqual(subsets, [{ addresses: [
    { ip: '10.128.2.5', hostname: 'db-0', nodeName: 'worker-0', targetRef: ref('a') },
    { ip: '10.128.2.6', nodeName: 'worker-0', targetRef: ref('b') },
  ] }]);
  // A Service with a cluster IP and no ports gets nothing (validation forbids it anyway).
  assert.deepEqual(desiredSubsets(service('x', { clusterIP: '172.30.0.10', ports: [] }), [pod('a')]), []);
});

test('repack: not ready on one subset wins; duplicates merge', () => {
  const a = { ip: '10.0.0.1', targetRef: ref('a') };
  const port = { port: 80, protocol: 'TCP' };
  const packed = repackSubsets([
    { addresses: [a], ports: [port] },
    { notReadyAddresses: [a], ports: [port] },
    { addresses: [a], ports: [port] },
  ]);
  assert.deepEqual(packed, [{ notReadyAddresses: [a], ports: [port] }]);
});

test('comparison ignores pod resourceVersions and empty lists', () => {
  const a: EndpointSubset[] = [{ addresses: [{ ip: '10.0.0.1', nodeName: 'w', targetRef: { ...ref('a'), resourceVersion: '17' } }], notReadyAddresses: [], ports: [{ port: 80 }] }];
  const b: EndpointSubset[] = [{ addresses: [{ ip: '10.0.0.1', nodeName: 'w', targetRef: ref('a') }], ports: [{ port: 80 }] }];
  assert.equal(subsetsEqual(a, b), true);
  assert.equal(subsetsEqual(a, [{ notReadyAddresses: b[0].addresses, ports: [{ port: 80 }] }]), false);
  assert.equal(subsetsEqual(undefined, []), true);
});

test(`more than ${MAX_CAPACITY} addresses: not-ready ones are cut first`, () => {
  const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ ip: `${prefix}.${i}` }));
  const subsets: EndpointSubset[] = [{ addresses: many(900, '10.1'), notReadyAddresses: many(300, '10.2'), ports: [{ port: 80 }] }];
  assert.equal(truncateSubsets(subsets), true);
  assert.equal(subsets[0].addresses!.length, 900);
  assert.equal(subsets[0].notReadyAddresses!.length, 100);
  const small: EndpointSubset[] = [{ addresses: many(3, '10.1') }];
  assert.equal(truncateSubsets(small), false);
});
