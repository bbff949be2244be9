// discovery.k8s.io/v1 EndpointSlice: the scalable successor of Endpoints.

import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { bool, enumOf, int, obj, str, stringMap } from '../schema.ts';
import { atomicList, coreRef, setList } from './definitions.ts';
import { invalid, notSupported, required, type FieldErrors } from './field-errors.ts';
import { ageColumn, records, text } from './table-cells.ts';

const DISCOVERY = 'io.k8s.api.discovery.v1';
const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

definitions.define(`${DISCOVERY}.EndpointConditions`, obj({
  ready: bool('Ready to receive traffic (serving and not terminating).'),
  serving: bool('Passing readiness checks, terminating or not.'),
  terminating: bool('Being deleted.'),
}, { description: 'The state of one endpoint.' }));

definitions.define(`${DISCOVERY}.EndpointHints`, obj({
  forZones: atomicList(obj({ name: str('Zone name.') }, { required: ['name'] }), 'Zones that should consume this endpoint.'),
}, { description: 'Routing hints of an endpoint.' }));

definitions.define(`${DISCOVERY}.Endpoint`, obj({
  addresses: setList(str(), 'Addresses of the endpoint (one for IP address types).'),
  conditions: { allOf: [{ $ref: `#/components/schemas/${DISCOVERY}.EndpointConditions` }], description: 'State of the endpoint.' },
  hostname: str('Host name of the endpoint.'),
  targetRef: coreRef('ObjectReference', 'The object (usually a pod) behind the endpoint.'),
  deprecatedTopology: stringMap('Deprecated topology labels.'),
  nodeName: str('Node hosting the endpoint.'),
  zone: str('Zone of the endpoint.'),
  hints: { allOf: [{ $ref: `#/components/schemas/${DISCOVERY}.EndpointHints` }], description: 'Routing hints.' },
}, { required: ['addresses'], description: 'One backend of a Service.' }));

definitions.define(`${DISCOVERY}.EndpointPort`, {
  ...obj({
    name: str('Name of the port, matching the Service port name.'),
    protocol: str('TCP, UDP or SCTP.'),
    port: int('Port number; unset means all ports.'),
    appProtocol: str('Application protocol of the port.'),
  }, { description: 'A port served by the endpoints of a slice.' }),
  'x-kubernetes-map-type': 'atomic',
});

function listWithMore(list: string[], count: number, max: number): string {
  if (count > max) return `${list.join(',')} + ${count - max} more...`;
  return list.join(',') || '<unset>';
}

function portsCell(slice: Record<string, unknown>): string {
  const ports = records(slice.ports);
  // A port without a number shows its name (even an empty one), then "*" (all ports).
  const list = ports.slice(0, 3).map((p) => (typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*'));
  return listWithMore(list, ports.length, 3);
}

function endpointsCell(slice: Record<string, unknown>): string {
  const all = records(slice.endpoints).flatMap((e) => (Array.isArray(e.addresses) ? e.addresses.map(text) : []));
  return listWithMore(all.slice(0, 3), all.length, 3);
}

export const endpointSliceKind: KindDef = {
  group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', singular: 'endpointslice',
  namespaced: true, custom: false, tracksGeneration: true,
  schemaName: `${DISCOVERY}.EndpointSlice`,
  schema: obj({
    addressType: enumOf(ADDRESS_TYPES, 'IPv4, IPv6 or FQDN. Cannot be changed.'),
    endpoints: atomicList({ $ref: `#/components/schemas/${DISCOVERY}.Endpoint` }, 'The endpoints of the slice (at most 1000).'),
    ports: atomicList({ $ref: `#/components/schemas/${DISCOVERY}.EndpointPort` }, 'Ports served by every endpoint of the slice.'),
  }, { required: ['addressType'] }),
  description: 'A subset of the endpoints of a Service, maintained by the EndpointSlice controller.',
  printerColumns: [
    { name: 'AddressType', type: 'string', description: 'Type of the addresses.', cell: (o) => text(o.addressType) },
    { name: 'Ports', type: 'string', description: 'Ports served.', cell: (o) => portsCell(o) },
    { name: 'Endpoints', type: 'string', description: 'Addresses of the endpoints.', cell: (o) => endpointsCell(o) },
    ageColumn,
  ],
  validate(o) {
    const errs: FieldErrors = [];
    if (!ADDRESS_TYPES.includes(text(o.addressType))) errs.push(notSupported('addressType', o.addressType, ADDRESS_TYPES));
    records(o.endpoints).forEach((e, i) => {
      const addrs = Array.isArray(e.addresses) ? e.addresses : [];
      if (!addrs.length) errs.push(required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
      if (addrs.length > 100) errs.push(invalid(`endpoints[${i}].addresses`, addrs.length, 'must have at most 100 items'));
    });
    return errs;
  },
  validateUpdate(o, old) {
    return text(o.addressType) !== text(old.addressType) ? [invalid('addressType', o.addressType, 'field is immutable')] : [];
  },
};
