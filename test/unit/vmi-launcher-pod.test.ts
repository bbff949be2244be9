import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { virtualMachineInstanceKind } from '../../sandbox/sim/kinds/kubevirt/index.ts';
import { podKind } from '../../sandbox/sim/kinds/core/pod.ts';
import {
  computeResources, formatBytes, isLauncherPodOf, launcherOwnerName, memoryOverheadBytes, renderLauncherPod, renderProbe, vmiIdLabel,
} from '../../sandbox/sim/controllers/vmi/launcher-pod.ts';

type J = Record<string, any>;
const NOW = Date.parse('2026-01-01T00:00:00Z');

function vmi(over: J = {}, meta: J = {}): KubeObject {
  const o: KubeObject = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: 'web1', namespace: 'ha', uid: '11111111-2222-3333-4444-555555555555', labels: { app: 'web' }, ...meta },
    spec: {
      domain: {
        memory: { guest: '1Gi' },
        devices: {
          disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }, { name: 'cloudinitdisk', disk: { bus: 'virtio' } }],
          interfaces: [{ name: 'default', masquerade: {} }],
        },
      },
      networks: [{ name: 'default', pod: {} }],
      volumes: [
        { name: 'rootdisk', containerDisk: { image: 'quay.io/containerdisks/fedora:41' } },
        { name: 'cloudinitdisk', cloudInitNoCloud: { userData: '#cloud-config\n' } },
      ],
      ...over,
    },
  };
  virtualMachineInstanceKind.defaults?.(o);
  virtualMachineInstanceKind.prepareForCreate?.(o, { now: NOW, user: 'kube:admin', subresource: '' });
  return o;
}

test('launcher pod identity: generateName, labels, annotations, controller owner', () => {
  const v = vmi({}, { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'team': 'blue', 'kubevirt.io/latest-observed-api-version': 'v1' } });
  const pod = renderLauncherPod(v);
  assert.equal(pod.metadata.generateName, 'virt-launcher-web1-');
  assert.equal(pod.metadata.namespace, 'ha');
  assert.deepEqual(pod.metadata.labels, {
    app: 'web',
    'kubevirt.io': 'virt-launcher',
    'kubevirt.io/created-by': v.metadata.uid,
    'vm.kubevirt.io/name': 'web1',
    'vmi.kubevirt.io/id': 'web1',
  });
  const a = pod.metadata.annotations!;
  assert.equal(a['kubevirt.io/domain'], 'web1');
  assert.equal(a['kubectl.kubernetes.io/default-container'], 'compute');
  assert.equal(a['kubevirt.io/migrationTransportUnix'], 'true');
  assert.equal(a.team, 'blue');
  assert.equal(a['kubectl.kubernetes.io/last-applied-configuration'], undefined);
  assert.equal(a['kubevirt.io/latest-observed-api-version'], undefined);
  assert.deepEqual(pod.metadata.ownerReferences, [{
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: 'web1', uid: v.metadata.uid, controller: true, blockOwnerDeletion: true,
  }]);
  assert.ok(isLauncherPodOf(pod, v.metadata.uid));
  assert.equal(isLauncherPodOf(pod, 'other'), false);
  assert.equal(launcherOwnerName(pod), 'web1');
});

test('launcher pod spec: restart policy, grace, node selector, gate, volumes, containers', () => {
  const v = vmi({
    terminationGracePeriodSeconds: 45,
    nodeSelector: { 'topology.kubernetes.io/zone': 'virtlab-1a' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'vms', effect: 'NoSchedule' }],
    affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
    hostname: 'www',
  });
  const spec = renderLauncherPod(v).spec as J;
  assert.equal(spec.restartPolicy, 'Never');
  assert.equal(spec.terminationGracePeriodSeconds, 75);
  assert.deepEqual(spec.nodeSelector, { 'kubevirt.io/schedulable': 'true', 'topology.kubernetes.io/zone': 'virtlab-1a' });
  assert.deepEqual(spec.tolerations, [{ key: 'dedicated', operator: 'Equal', value: 'vms', effect: 'NoSchedule' }]);
  assert.ok(spec.affinity.podAntiAffinity);
  assert.deepEqual(spec.readinessGates, [{ conditionType: 'kubevirt.io/virtual-machine-unpaused' }]);
  assert.equal(spec.enableServiceLinks, false);
  assert.equal(spec.hostname, 'www');
  assert.ok(spec.volumes.length >= 7);
  assert.ok(spec.volumes.every((vol: J) => vol.emptyDir !== undefined));
  assert.deepEqual(spec.containers.map((c: J) => c.name), ['compute', 'volumerootdisk']);
  assert.equal(spec.containers[1].image, 'quay.io/containerdisks/fedora:41');
  // Default grace: 30 + 30.
  assert.equal((renderLauncherPod(vmi()).spec as J).terminationGracePeriodSeconds, 60);
});

test('the rendered pod passes pod defaulting and validation', () => {
  const pod = renderLauncherPod(vmi({
    readinessProbe: { httpGet: { port: 80, path: '/' }, periodSeconds: 5 },
    livenessProbe: { guestAgentPing: {} },
  }));
  pod.metadata.name = 'virt-launcher-web1-abcde';
  podKind.defaults?.(pod);
  assert.deepEqual(podKind.validate?.(pod, { now: NOW, user: 'x', subresource: '' }) ?? [], []);
});

test('compute resources: guest memory plus overhead, 100m per vCPU, the KVM device', () => {
  const v = vmi();
  // 1Gi/512 page tables + 220Mi processes + 8Mi per vCPU + 8Mi iothread + 32Mi video.
  assert.equal(memoryOverheadBytes(v), (2 + 220 + 8 + 8 + 32) * 2 ** 20);
  assert.deepEqual(computeResources(v), {
    limits: { 'devices.kubevirt.io/kvm': '1' },
    requests: { cpu: '100m', memory: '1294Mi', 'devices.kubevirt.io/kvm': '1' },
  });
  const big = vmi({ domain: { cpu: { cores: 2 }, memory: { guest: '4Gi' }, resources: { requests: { cpu: '2' }, limits: { memory: '4Gi', cpu: '2' } }, devices: { autoattachGraphicsDevice: false } } });
  const r = computeResources(big) as J;
  assert.equal(r.requests.cpu, '2');
  assert.equal(r.limits.cpu, '2');
  // 4Gi/512 = 8Mi; 2 vCPUs; no video RAM.
  assert.equal(r.requests.memory, `${4096 + 8 + 220 + 16 + 8}Mi`);
  assert.equal(r.limits.memory, r.requests.memory);
});

test('formatBytes picks the largest exact binary unit', () => {
  assert.equal(formatBytes(2 ** 30), '1Gi');
  assert.equal(formatBytes(1294 * 2 ** 20), '1294Mi');
  assert.equal(formatBytes(1025 * 1024), '1025Ki');
  assert.equal(formatBytes(1000), '1000');
});

test('probes: +10 s initial delay; exec and guest-agent ping through virt-probe with +1 s timeout', () => {
  const v = vmi();
  assert.deepEqual(renderProbe(v, { httpGet: { port: 80, path: '/healthz' }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 }), {
    httpGet: { port: 80, path: '/healthz' }, initialDelaySeconds: 15, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
  });
  assert.deepEqual(renderProbe(v, { tcpSocket: { port: 22 }, timeoutSeconds: 2 }), { tcpSocket: { port: 22 }, initialDelaySeconds: 10, timeoutSeconds: 2 });
  assert.deepEqual(renderProbe(v, { exec: { command: ['cat', '/tmp/healthy'] }, timeoutSeconds: 3 }), {
    exec: { command: ['virt-probe', '--domainName', 'ha_web1', '--timeoutSeconds', '3', '--command', 'cat', '--', '/tmp/healthy'] },
    initialDelaySeconds: 10, timeoutSeconds: 4,
  });
  assert.deepEqual(renderProbe(v, { exec: { command: ['true'] } }), {
    exec: { command: ['virt-probe', '--domainName', 'ha_web1', '--timeoutSeconds', '1', '--command', 'true'] },
    initialDelaySeconds: 10, timeoutSeconds: 2,
  });
  assert.deepEqual(renderProbe(v, { guestAgentPing: {}, initialDelaySeconds: 20, timeoutSeconds: 1 }), {
    exec: { command: ['virt-probe', '--domainName', 'ha_web1', '--timeoutSeconds', '1', '--guestAgentPing'] },
    initialDelaySeconds: 30, timeoutSeconds: 2,
  });
  assert.equal(renderProbe(v, undefined), undefined);
  const pod = renderLauncherPod(vmi({ readinessProbe: { tcpSocket: { port: 80 } } }));
  const compute = (pod.spec as J).containers[0];
  assert.equal(compute.readinessProbe.initialDelaySeconds, 10);
  assert.equal(compute.livenessProbe, undefined);
});

test('PVC and DataVolume volumes become pod PVC volumes', () => {
  const v = vmi({
    domain: { memory: { guest: '1Gi' }, devices: { disks: [{ name: 'root', disk: {} }, { name: 'data', disk: {} }] } },
    volumes: [{ name: 'root', dataVolume: { name: 'web1-root' } }, { name: 'data', persistentVolumeClaim: { claimName: 'shared' } }],
  });
  const spec = renderLauncherPod(v).spec as J;
  assert.deepEqual(spec.volumes.filter((x: J) => x.persistentVolumeClaim), [
    { name: 'root', persistentVolumeClaim: { claimName: 'web1-root' } },
    { name: 'data', persistentVolumeClaim: { claimName: 'shared' } },
  ]);
  assert.deepEqual(spec.containers.map((c: J) => c.name), ['compute']);
});

test('vmi.kubevirt.io/id hashes names that do not fit a label value', () => {
  assert.equal(vmiIdLabel('web1'), 'web1');
  const long = 'x'.repeat(70);
  assert.equal(vmiIdLabel(long).length, 63);
  assert.notEqual(vmiIdLabel(long), long.slice(0, 63));
});
