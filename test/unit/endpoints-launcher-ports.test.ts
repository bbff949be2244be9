// The virt-launcher pod declares the ports the VMI's interfaces list, as
// KubeVirt does, so a Service's named targetPort resolves on it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { virtualMachineInstanceKind } from '../../sandbox/sim/kinds/kubevirt/index.ts';
import { podKind } from '../../sandbox/sim/kinds/core/pod.ts';
import { renderLauncherPod } from '../../sandbox/sim/controllers/vmi/launcher-pod.ts';
import { findPort } from '../../sandbox/sim/controllers/endpoints/membership.ts';
import type { J } from './endpoints-fixtures.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function vmi(interfaces: J[]): KubeObject {
  const o: KubeObject = {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
    metadata: { name: 'web1', namespace: 'ha', uid: '11111111-2222-3333-4444-555555555555', labels: { tier: 'frontend' } },
    spec: {
      domain: { memory: { guest: '1Gi' }, devices: { disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }], interfaces } },
      networks: [{ name: 'default', pod: {} }],
      volumes: [{ name: 'rootdisk', containerDisk: { image: 'quay.io/virtlab/webserver:latest' } }],
    },
  };
  virtualMachineInstanceKind.defaults?.(o);
  virtualMachineInstanceKind.prepareForCreate?.(o, { now: NOW, user: 'kube:admin', subresource: '' });
  return o;
}

const compute = (pod: KubeObject): J => (pod.spec as J).containers.find((c: J) => c.name === 'compute');

test('interface ports become compute container ports (TCP by default) and resolve a named targetPort', () => {
  const pod = renderLauncherPod(vmi([{ name: 'default', masquerade: {}, ports: [{ name: 'http', port: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }, { port: 22 }] }]));
  assert.deepEqual(compute(pod).ports, [
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { containerPort: 22, protocol: 'TCP' },
  ]);
  podKind.defaults?.(pod);
  assert.deepEqual(podKind.validate?.(pod, { now: NOW, user: 'x', subresource: '' }) ?? [], []);
  assert.equal(findPort(pod, { port: 80, targetPort: 'http', protocol: 'TCP' }), 8080);
  assert.equal(pod.metadata.labels!.tier, 'frontend', 'the VMI labels a Service selects on');
});

test('no interface ports: no container ports', () => {
  const pod = renderLauncherPod(vmi([{ name: 'default', masquerade: {} }]));
  assert.equal(compute(pod).ports, undefined);
  assert.equal(findPort(pod, { port: 80, targetPort: 'http', protocol: 'TCP' }), undefined);
});
