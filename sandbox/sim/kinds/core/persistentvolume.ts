// core/v1 PersistentVolume: a piece of storage in the cluster, bound to at
// most one claim.

import { rfc3339 } from '../../api/age.ts';
import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { bool, dateTime, enumOf, freeform, obj, str, stringMap } from '../schema.ts';
import { CORE, atomicList, coreRef, resourceList } from './definitions.ts';
import { ACCESS_MODES, accessModesText } from './persistentvolumeclaim.ts';
import { notSupported, required, type FieldErrors } from './field-errors.ts';
import { ageColumn, record, spec, status, text, type Json } from './table-cells.ts';

const RARE_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc', 'flocker', 'flexVolume',
  'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos',
];
const SOURCES = ['hostPath', 'local', 'nfs', 'csi', ...RARE_SOURCES];

definitions.define(`${CORE}.PersistentVolumeSpec`, obj({
  capacity: resourceList('Capacity of the volume, e.g. storage: 10Gi.'),
  accessModes: atomicList(str(), 'How the volume can be mounted: ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.'),
  claimRef: coreRef('ObjectReference', 'The claim bound to this volume.'),
  persistentVolumeReclaimPolicy: enumOf(['Delete', 'Recycle', 'Retain'], 'What happens when the claim is released: Retain (default for manual volumes), Delete or Recycle.'),
  storageClassName: str('StorageClass the volume belongs to.'),
  mountOptions: atomicList(str(), 'Mount options, not validated.'),
  volumeMode: enumOf(['Block', 'Filesystem'], 'Filesystem (default) or Block.'),
  nodeAffinity: obj({ required: coreRef('NodeSelector', 'Nodes the volume can be reached from.') }, { description: 'Nodes the volume is restricted to.' }),
  volumeAttributesClassName: str('VolumeAttributesClass of the volume.'),
  hostPath: coreRef('HostPathVolumeSource', 'A directory on one node; for single-node testing.'),
  local: obj({ path: str('Path on the node.'), fsType: str('Filesystem type.') }, { required: ['path'], description: 'A local disk, partition or directory of one node.' }),
  nfs: obj({ server: str('NFS server.'), path: str('Exported path.'), readOnly: bool('Mount read-only.') }, { required: ['server', 'path'], description: 'An NFS share.' }),
  csi: obj({
    driver: str('Name of the CSI driver.'),
    volumeHandle: str('ID of the volume at the driver.'),
    readOnly: bool('Mount read-only.'),
    fsType: str('Filesystem type.'),
    volumeAttributes: stringMap('Driver-specific attributes.'),
    controllerPublishSecretRef: coreRef('SecretReference', 'Secret for ControllerPublishVolume.'),
    nodeStageSecretRef: coreRef('SecretReference', 'Secret for NodeStageVolume.'),
    nodePublishSecretRef: coreRef('SecretReference', 'Secret for NodePublishVolume.'),
    controllerExpandSecretRef: coreRef('SecretReference', 'Secret for ControllerExpandVolume.'),
    nodeExpandSecretRef: coreRef('SecretReference', 'Secret for NodeExpandVolume.'),
  }, { required: ['driver', 'volumeHandle'], description: 'A volume managed by a CSI driver.' }),
  ...Object.fromEntries(RARE_SOURCES.map((k) => [k, freeform(`A ${k} volume (not simulated; accepted as given).`)])),
}, { description: 'The desired state of a persistent volume.' }));

definitions.define(`${CORE}.PersistentVolumeStatus`, obj({
  phase: enumOf(['Available', 'Bound', 'Failed', 'Pending', 'Released'], 'Pending, Available, Bound, Released or Failed.'),
  message: str('Details of the phase, for humans.'),
  reason: str('Short reason of a failure.'),
  lastPhaseTransitionTime: dateTime('When the phase last changed.'),
}, { description: 'The observed state of a persistent volume.' }));

function validateVolume(o: KubeObject): FieldErrors {
  const s = spec(o);
  const errs: FieldErrors = [];
  if (record(s.capacity).storage === undefined) errs.push(required('spec.capacity'));
  const modes = Array.isArray(s.accessModes) ? s.accessModes : [];
  if (!modes.length) errs.push(required('spec.accessModes'));
  for (const m of modes) if (!ACCESS_MODES.includes(text(m))) errs.push(notSupported('spec.accessModes', m, ACCESS_MODES));
  if (!SOURCES.some((k) => s[k] !== undefined && s[k] !== null)) errs.push(required('spec', 'must specify a volume type'));
  return errs;
}

export const persistentVolumeKind: KindDef = {
  group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', singular: 'persistentvolume',
  namespaced: false, shortNames: ['pv'], custom: false,
  subresources: { status: true },
  schemaName: `${CORE}.PersistentVolume`,
  schema: obj({
    spec: coreRef('PersistentVolumeSpec', 'Capacity, access modes and the backing storage.'),
    status: coreRef('PersistentVolumeStatus', 'The phase of the volume.'),
  }),
  description: 'A piece of storage provisioned by an administrator or a storage class, claimed through a PersistentVolumeClaim.',
  printerColumns: [
    { name: 'Capacity', type: 'string', description: 'Capacity of the volume.', cell: (o) => String(record(spec(o).capacity).storage ?? '0') },
    { name: 'Access Modes', type: 'string', description: 'How the volume can be mounted.', cell: (o) => accessModesText(spec(o).accessModes) },
    { name: 'Reclaim Policy', type: 'string', description: 'What happens when the claim is released.', cell: (o) => text(spec(o).persistentVolumeReclaimPolicy) },
    { name: 'Status', type: 'string', description: 'Phase of the volume.', cell: (o) => (o.metadata.deletionTimestamp ? 'Terminating' : text(status(o).phase)) },
    { name: 'Claim', type: 'string', description: 'The bound claim as namespace/name.', cell: (o) => {
      const ref = spec(o).claimRef;
      return ref && typeof ref === 'object' ? `${text(record(ref).namespace)}/${text(record(ref).name)}` : '';
    } },
    { name: 'StorageClass', type: 'string', description: 'StorageClass of the volume.', cell: (o) => o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? text(spec(o).storageClassName) },
    { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the volume.', cell: (o) => text(spec(o).volumeAttributesClassName) || '<unset>' },
    { name: 'Reason', type: 'string', description: 'Reason of a failure.', cell: (o) => text(status(o).reason) },
    ageColumn,
    { name: 'VolumeMode', type: 'string', priority: 1, description: 'Filesystem or Block.', cell: (o) => text(spec(o).volumeMode) || '<unset>' },
  ],
  defaults(o) {
    if (o.spec && typeof o.spec === 'object') {
      const s = o.spec as Json;
      if (!text(s.persistentVolumeReclaimPolicy)) s.persistentVolumeReclaimPolicy = 'Retain';
      if (s.volumeMode === undefined) s.volumeMode = 'Filesystem';
    }
    if (o.status && typeof o.status === 'object' && !text((o.status as Json).phase)) (o.status as Json).phase = 'Pending';
  },
  prepareForCreate(o, ctx) {
    o.status = { phase: 'Pending', lastPhaseTransitionTime: rfc3339(ctx.now) };
  },
  validate: validateVolume,
};
