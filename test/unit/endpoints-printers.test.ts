// The ENDPOINTS and PORTS cells of `kubectl get endpoints` and
// `kubectl get endpointslices`, as the apiserver's printers fill them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { endpointsKind } from '../../sandbox/sim/kinds/core/endpoints.ts';
import { endpointSliceKind } from '../../sandbox/sim/kinds/core/endpointslice.ts';
import type { KindDef } from '../../sandbox/sim/kinds/types.ts';
import type { J } from './endpoints-fixtures.ts';

function cells(kind: KindDef, o: J): Record<string, unknown> {
  const obj = { apiVersion: 'v1', kind: kind.kind, metadata: { name: 'x', namespace: 'ha' }, ...o } as KubeObject;
  return Object.fromEntries((kind.printerColumns ?? []).filter((c) => c.cell).map((c) => [c.name, c.cell!(obj, {} as never)]));
}

const ep = (subsets: J[] | undefined) => cells(endpointsKind, subsets ? { subsets } : {}).Endpoints;

test('kubectl get endpoints: ip:port of ready addresses, three at most, <none> without subsets', () => {
  assert.deepEqual((endpointsKind.printerColumns ?? []).map((c) => c.name), ['Endpoints', 'Age']);
  assert.equal(ep(undefined), '<none>');
  assert.equal(ep([{ addresses: [{ ip: '10.128.2.5' }, { ip: '10.128.4.7' }], ports: [{ port: 8080, protocol: 'TCP' }] }]), '10.128.2.5:8080,10.128.4.7:8080');
  assert.equal(ep([{ notReadyAddresses: [{ ip: '10.128.2.5' }], ports: [{ port: 8080 }] }]), '', 'only not-ready addresses: an empty cell');
  assert.equal(ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }]), '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...');
  assert.equal(ep([{ addresses: [{ ip: '10.0.0.1' }] }]), '10.0.0.1', 'headless without ports: bare IPs');
  assert.equal(ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }]), '[fd00::1]:80');
});

test('kubectl get endpointslices: ports, addresses, <unset> when empty', () => {
  assert.deepEqual((endpointSliceKind.printerColumns ?? []).map((c) => c.name), ['AddressType', 'Ports', 'Endpoints', 'Age']);
  const es = (o: J) => cells(endpointSliceKind, { addressType: 'IPv4', ...o });
  const e = (ip: string) => ({ addresses: [ip], conditions: { ready: true } });
  assert.deepEqual(es({ endpoints: [], ports: [] }), { AddressType: 'IPv4', Ports: '<unset>', Endpoints: '<unset>', Age: es({}).Age });
  assert.deepEqual(es({ endpoints: [e('10.0.0.1'), e('10.0.0.2')], ports: [{ name: '', port: 8080, protocol: 'TCP' }] }).Ports, '8080');
  assert.equal(es({ endpoints: [e('10.0.0.1'), e('10.0.0.2'), e('10.0.0.3'), e('10.0.0.4')] }).Endpoints, '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...');
  assert.equal(es({ ports: [{ name: 'http' }, {}, { port: 1 }, { port: 2 }] }).Ports, 'http,*,1 + 1 more...', 'no number: the name, else "*"');
  assert.equal(es({ ports: [{ name: '' }] }).Ports, '<unset>', 'an empty name leaves nothing to print');
});
