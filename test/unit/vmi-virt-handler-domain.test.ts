import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import type { GuestInfo } from '../../sandbox/sim/guest/types.ts';
import {
  bootImage, derivedMac, domainPhase, guestOsInfo, interfaceStatuses, phaseEvent, phaseForShutoff, userDataFromSecret, volumeStatuses,
} from '../../sandbox/sim/controllers/virt-handler/domain.ts';
import { migratability } from '../../sandbox/sim/controllers/virt-handler/migratable.ts';

type J = Record<string, any>;

function vmi(spec: J, annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'web1', namespace: 'ha', uid: 'u-1', ...(annotations ? { annotations } : {}) }, spec };
}

function guest(over: Partial<GuestInfo> = {}): GuestInfo {
  return {
    vmiUid: 'u-1', namespace: 'ha', vmiName: 'web1', hostname: 'web1', state: 'Running', bootStartedAt: 0, services: [], agentConnected: false, ip: '10.128.16.5',
    ...over,
  };
}

test('phase for a stopped domain: clean shutdown Succeeded, crash Failed, destroy Failed unless ACPI is off', () => {
  assert.equal(phaseForShutoff('Shutdown', true), 'Succeeded');
  assert.equal(phaseForShutoff('Crashed', true), 'Failed');
  assert.equal(phaseForShutoff('Destroyed', true), 'Failed');
  assert.equal(phaseForShutoff('Destroyed', false), 'Succeeded');
  assert.equal(phaseForShutoff(undefined, true), 'Failed');
});

test('domainPhase transition table', () => {
  const rows: [string, string, GuestInfo | undefined, string][] = [
    ['Scheduled, no domain yet', 'Scheduled', undefined, 'Scheduled'],
    ['Scheduled, domain booting', 'Scheduled', guest({ state: 'Booting' }), 'Running'],
    ['Running, guest up', 'Running', guest(), 'Running'],
    ['Running, paused', 'Running', guest({ state: 'Paused' }), 'Running'],
    ['Running, kernel hang', 'Running', guest({ state: 'Hung' }), 'Running'],
    ['Running, powered off', 'Running', guest({ state: 'Shutoff', shutoffReason: 'Shutdown' }), 'Succeeded'],
    ['Running, crashed', 'Running', guest({ state: 'Shutoff', shutoffReason: 'Crashed' }), 'Failed'],
    ['Running, destroyed', 'Running', guest({ state: 'Shutoff', shutoffReason: 'Destroyed' }), 'Failed'],
    ['Running, domain vanished', 'Running', undefined, 'Failed'],
    ['Scheduled, domain failed to start', 'Scheduled', guest({ state: 'Shutoff', shutoffReason: 'Crashed' }), 'Failed'],
    ['final stays', 'Succeeded', guest({ state: 'Running' }), 'Succeeded'],
  ];
  for (const [name, from, g, want] of rows) assert.equal(domainPhase(from, g, true), want, name);
});

test('virt-handler events for phase changes', () => {
  assert.deepEqual(phaseEvent('Scheduled', 'Running'), { type: 'Normal', reason: 'Started', message: 'VirtualMachineInstance started.' });
  assert.deepEqual(phaseEvent('Running', 'Succeeded'), { type: 'Normal', reason: 'Stopped', message: 'The VirtualMachineInstance was shut down.' });
  assert.deepEqual(phaseEvent('Running', 'Failed'), { type: 'Warning', reason: 'Stopped', message: 'The VirtualMachineInstance crashed.' });
  assert.equal(phaseEvent('Running', 'Running'), undefined);
});

test('interfaces: the pod IP on the pod network, guest-agent fields once connected', () => {
  const v = vmi({
    domain: { devices: { interfaces: [{ name: 'default', masquerade: {} }, { name: 'storage', bridge: {}, macAddress: '02:00:00:00:00:01' }] } },
    networks: [{ name: 'default', pod: {} }, { name: 'storage', multus: { networkName: 'storage-net' } }],
  });
  const mac = derivedMac('u-1', 'default');
  assert.match(mac, /^52:54:00(:[0-9a-f]{2}){3}$/);
  assert.equal(derivedMac('u-1', 'default'), mac, 'stable');
  assert.deepEqual(interfaceStatuses(v, '10.128.16.5', false), [
    { infoSource: 'domain', ipAddress: '10.128.16.5', ipAddresses: ['10.128.16.5'], linkState: 'up', mac, name: 'default', podInterfaceName: 'eth0', queueCount: 1 },
    { infoSource: 'domain', linkState: 'up', mac: '02:00:00:00:00:01', name: 'storage', queueCount: 1 },
  ]);
  const withAgent = interfaceStatuses(v, '10.128.16.5', true);
  assert.equal(withAgent[0].infoSource, 'domain, guest-agent');
  assert.equal(withAgent[0].interfaceName, 'eth0');
});

test('guest OS info only with an agent', () => {
  const os = { id: 'fedora', name: 'Fedora Linux', prettyName: 'Fedora Linux 41 (Cloud Edition)', version: '41 (Cloud Edition)', versionId: '41', kernelRelease: 'k', kernelVersion: 'v', machine: 'x86_64' };
  assert.deepEqual(guestOsInfo(guest({ os }), true), os);
  assert.deepEqual(guestOsInfo(guest({ os }), false), {});
  assert.deepEqual(guestOsInfo(undefined, true), {});
});

test('volume status: libvirt targets per bus, cloud-init size, PVC info', () => {
  const v = vmi({
    domain: { devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }, { name: 'ci', disk: { bus: 'virtio' } }, { name: 'data', disk: { bus: 'sata' } }] } },
    volumes: [{ name: 'root', containerDisk: { image: 'x' } }, { name: 'ci', cloudInitNoCloud: { userData: '' } }, { name: 'data', persistentVolumeClaim: { claimName: 'data-pvc' } }],
  });
  const pvc: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-pvc' }, spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', resources: { requests: { storage: '10Gi' } } }, status: { capacity: { storage: '10Gi' } } };
  assert.deepEqual(volumeStatuses(v, (c) => (c === 'data-pvc' ? pvc : undefined)), [
    { name: 'root', target: 'vda' },
    { name: 'ci', target: 'vdb', size: 1048576 },
    { name: 'data', target: 'sda', persistentVolumeClaimInfo: { claimName: 'data-pvc', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' }, filesystemOverhead: '0.055', requests: { storage: '10Gi' }, volumeMode: 'Filesystem' } },
  ]);
});

test('boot image and user data that boot() cannot read from the VMI', () => {
  const v = vmi({ volumes: [{ name: 'root', dataVolume: { name: 'web1-root' } }] });
  const vm: KubeObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'web1' }, spec: { dataVolumeTemplates: [{ metadata: { name: 'web1-root' }, spec: { source: { registry: { url: 'docker://quay.io/containerdisks/fedora:41' } } } }] } };
  assert.equal(bootImage(v, vm, () => undefined), 'quay.io/containerdisks/fedora:41');
  assert.equal(bootImage(vmi({ volumes: [{ name: 'r', containerDisk: { image: 'x' } }] }), vm, () => undefined), undefined);
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { userdata: Buffer.from('#cloud-config\n').toString('base64') } };
  assert.equal(userDataFromSecret(secret), '#cloud-config\n');
  assert.equal(userDataFromSecret(undefined), undefined);
});

test('LiveMigratable: disks first, then the pod network binding', () => {
  const masq = { domain: { devices: { interfaces: [{ name: 'default', masquerade: {} }] } }, networks: [{ name: 'default', pod: {} }] };
  const bridge = { domain: { devices: { interfaces: [{ name: 'default', bridge: {} }] } }, networks: [{ name: 'default', pod: {} }] };
  const pvcs: Record<string, KubeObject> = {
    rwx: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'rwx' }, spec: { accessModes: ['ReadWriteMany'] } },
    rwo: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'rwo' }, spec: { accessModes: ['ReadWriteOnce'] } },
  };
  const lookup = (c: string) => pvcs[c];
  const cd = [{ name: 'root', containerDisk: { image: 'x' } }, { name: 'ci', cloudInitNoCloud: {} }];

  let m = migratability(vmi({ ...masq, volumes: cd }), lookup);
  assert.deepEqual(m, { condition: { type: 'LiveMigratable', status: 'True', lastProbeTime: null, lastTransitionTime: null }, method: 'BlockMigration' });

  m = migratability(vmi({ ...masq, volumes: [{ name: 'root', persistentVolumeClaim: { claimName: 'rwx' } }] }), lookup);
  assert.equal(m.condition.status, 'True');
  assert.equal(m.method, 'LiveMigration');

  m = migratability(vmi({ ...bridge, volumes: cd }), lookup);
  assert.deepEqual(m.condition, {
    type: 'LiveMigratable', status: 'False', reason: 'InterfaceNotLiveMigratable',
    message: 'cannot migrate VMI which does not use masquerade or a migratable plugin to connect to the pod network', lastProbeTime: null, lastTransitionTime: null,
  });
  assert.equal(migratability(vmi({ ...bridge, volumes: cd }, { 'kubevirt.io/allow-pod-bridge-network-live-migration': '' }), lookup).condition.status, 'True');

  m = migratability(vmi({ ...bridge, volumes: [{ name: 'root', dataVolume: { name: 'rwo' } }] }), lookup);
  assert.equal(m.condition.reason, 'DisksNotLiveMigratable', 'disks are checked before interfaces');
  assert.equal(m.condition.message, 'cannot migrate VMI: PVC rwo is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)');

  m = migratability(vmi({ ...masq, volumes: [{ name: 'root', persistentVolumeClaim: { claimName: 'missing' } }] }), lookup);
  assert.equal(m.condition.message, 'cannot migrate VMI: Unable to determine if PVC missing is shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)');
});
