// metallb.io/v1beta1 ServiceL2Status: written by the speaker that announces a
// Service in layer 2 mode; shows which node answers for its address.

import type { FieldErrorLike } from '../../api/errors.ts';
import { isPlainObject } from '../../api/object.ts';
import { arr, obj, str } from '../schema.ts';
import type { KindDef } from '../types.ts';

const IMMUTABLE = ['node', 'serviceName', 'serviceNamespace'] as const;

export const serviceL2StatusKind: KindDef = {
  group: 'metallb.io',
  version: 'v1beta1',
  kind: 'ServiceL2Status',
  plural: 'servicel2statuses',
  singular: 'servicel2status',
  namespaced: true,
  custom: true,
  subresources: { status: true },
  schemaName: 'io.metallb.v1beta1.ServiceL2Status',
  schema: obj({
    spec: obj({}, { description: 'Empty; everything is in status.' }),
    status: obj({
      node: str('Node that answers ARP/NDP for the Service address and receives its traffic.'),
      serviceName: str('Name of the announced Service.'),
      serviceNamespace: str('Namespace of the announced Service.'),
      interfaces: arr(obj({ name: str('Name of the network interface.') }), 'Interfaces that receive the traffic.'),
    }, { description: 'Where the Service is announced.' }),
  }),
  description: 'Which node MetalLB announces a LoadBalancer Service from in layer 2 mode; one object per announced Service, kept by the speaker.',
  printerColumns: [
    { name: 'Allocated Node', type: 'string', jsonPath: '.status.node' },
    { name: 'Service Name', type: 'string', jsonPath: '.status.serviceName' },
    { name: 'Service Namespace', type: 'string', jsonPath: '.status.serviceNamespace' },
  ],
  prepareForCreate(o) {
    delete o.status;
  },
  // CEL rules `self == oldSelf` on the three status fields.
  validateUpdate(o, old) {
    const errs: FieldErrorLike[] = [];
    const cur = isPlainObject(o.status) ? o.status : {};
    const prev = isPlainObject(old.status) ? old.status : {};
    for (const k of IMMUTABLE) {
      if (cur[k] !== undefined && prev[k] !== undefined && cur[k] !== prev[k]) {
        errs.push({ type: 'Invalid', field: `status.${k}`, value: 'string', detail: 'Value is immutable' });
      }
    }
    return errs;
  },
};
