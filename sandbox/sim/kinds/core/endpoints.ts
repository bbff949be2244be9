// core/v1 Endpoints: the addresses behind a Service, maintained by the
// endpoints controller from the ready pods its selector matches.

import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { int, obj, str } from '../schema.ts';
import { CORE, atomicList, coreRef } from './definitions.ts';
import { ageColumn, records, text } from './table-cells.ts';

definitions.define(`${CORE}.EndpointAddress`, {
  ...obj({
    ip: str('IP address of the endpoint.'),
    hostname: str('Host name of the endpoint.'),
    nodeName: str('Node hosting the endpoint.'),
    targetRef: coreRef('ObjectReference', 'The object (usually a pod) behind the address.'),
  }, { required: ['ip'], description: 'One address of an endpoint subset.' }),
  'x-kubernetes-map-type': 'atomic',
});

definitions.define(`${CORE}.EndpointPort`, {
  ...obj({
    name: str('Name of the port, matching the Service port name.'),
    port: int('Port number.'),
    protocol: str('TCP, UDP or SCTP.'),
    appProtocol: str('Application protocol of the port.'),
  }, { required: ['port'], description: 'A port of an endpoint subset.' }),
  'x-kubernetes-map-type': 'atomic',
});

definitions.define(`${CORE}.EndpointSubset`, obj({
  addresses: atomicList(coreRef('EndpointAddress'), 'Ready addresses.'),
  notReadyAddresses: atomicList(coreRef('EndpointAddress'), 'Addresses not ready yet (failing readiness, starting or terminating).'),
  ports: atomicList(coreRef('EndpointPort'), 'Ports available on every address of the subset.'),
}, { description: 'A group of addresses sharing the same ports.' }));

function hostPort(ip: string, port: unknown): string {
  const p = typeof port === 'number' ? String(port) : '0';
  return ip.includes(':') ? `[${ip}]:${p}` : `${ip}:${p}`;
}

/** The ENDPOINTS cell: up to three "ip:port" entries, then "+ N more...". */
export function formatEndpoints(ep: KubeObject): string {
  const subsets = records(ep.subsets);
  if (!subsets.length) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addresses = records(ss.addresses);
    const ports = records(ss.ports);
    if (!ports.length) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) break;
        list.push(text(a.ip));
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) break;
        list.push(hostPort(text(a.ip), port.port));
      }
    }
  }
  const joined = list.join(',');
  return count > max ? `${joined} + ${count - max} more...` : joined;
}

export const endpointsKind: KindDef = {
  group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', namespaced: true,
  shortNames: ['ep'], custom: false,
  schemaName: `${CORE}.Endpoints`,
  schema: obj({
    subsets: atomicList(coreRef('EndpointSubset'), 'Groups of addresses with the same ports.'),
  }),
  description: 'The network addresses behind a Service, kept current by the endpoints controller. Superseded by EndpointSlices but still read by many tools.',
  printerColumns: [
    { name: 'Endpoints', type: 'string', description: 'Addresses and ports of the endpoints.', cell: formatEndpoints },
    ageColumn,
  ],
};
