// coordination.k8s.io/v1 Lease: node heartbeats (kube-node-lease) and
// leader election. Times are MicroTime (six fractional digits).

import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { int, obj, str } from '../schema.ts';
import { microTime } from './definitions.ts';
import { ageColumn, record, text } from './table-cells.ts';

const COORDINATION = 'io.k8s.api.coordination.v1';

definitions.define(`${COORDINATION}.LeaseSpec`, obj({
  holderIdentity: str('Current holder of the lease.'),
  leaseDurationSeconds: int('How long candidates wait before taking the lease over, counted from renewTime.'),
  acquireTime: microTime('When the current holder acquired the lease.'),
  renewTime: microTime('When the holder last renewed the lease.'),
  leaseTransitions: int('How many times the lease changed holders.'),
  strategy: str('Strategy for picking the leader (coordinated leader election).'),
  preferredHolder: str('Holder the lease should move to (coordinated leader election).'),
}, { description: 'The desired state of a lease.' }));

export const leaseKind: KindDef = {
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease', namespaced: true,
  custom: false,
  schemaName: `${COORDINATION}.Lease`,
  schema: obj({
    spec: { allOf: [{ $ref: `#/components/schemas/${COORDINATION}.LeaseSpec` }], description: 'Holder and timing of the lease.' },
  }),
  description: 'A lightweight lock: kubelets renew one per node in kube-node-lease as a heartbeat; controllers use them for leader election.',
  printerColumns: [
    { name: 'Holder', type: 'string', description: 'Current holder of the lease.', cell: (o) => text(record(o.spec).holderIdentity) },
    ageColumn,
  ],
};
