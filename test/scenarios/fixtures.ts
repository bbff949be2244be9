// The VMs and VMIs the scenario tests create, and small helpers they share.

import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import type { Sim } from '../integration/harness.ts';

export interface GuestOptions {
  image?: string;
  /** Interface binding of the pod network (masquerade migrates, bridge does not). */
  binding?: 'masquerade' | 'bridge';
  evictionStrategy?: string;
  /** Extra VMI spec fields (readinessProbe, livenessProbe, …). */
  extra?: Record<string, unknown>;
}

/** A VMI spec with one containerDisk, the pod network and 1 GiB of memory. */
export function vmiSpec(o: GuestOptions = {}): Record<string, unknown> {
  return {
    ...(o.evictionStrategy ? { evictionStrategy: o.evictionStrategy } : {}),
    domain: {
      devices: { disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', [o.binding ?? 'masquerade']: {} }] },
      resources: { requests: { memory: '1Gi' } },
    },
    networks: [{ name: 'default', pod: {} }],
    volumes: [{ name: 'rootdisk', containerDisk: { image: o.image ?? 'quay.io/containerdisks/fedora:41' } }],
    ...o.extra,
  };
}

export function vmiManifest(name: string, o: GuestOptions = {}): KubeObject {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name, namespace: 'default', labels: { app: name } }, spec: vmiSpec(o) };
}

export function vmManifest(name: string, runStrategy = 'Always', o: GuestOptions = {}): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { runStrategy, template: { metadata: { labels: { app: name } }, spec: vmiSpec(o) } },
  };
}

/** The virt-launcher pods of a VMI, by its domain annotation. */
export function launcherPods(sim: Sim, vmiName: string): KubeObject[] {
  return sim.cluster.store.list('pods', 'default')
    .filter((p) => p.metadata.labels?.['kubevirt.io'] === 'virt-launcher' && p.metadata.annotations?.['kubevirt.io/domain'] === vmiName);
}

/** Runs kubectl and fails the test, showing stderr, unless it succeeds. */
export async function kubectlOk(sim: Sim, args: string[], input?: string): Promise<string> {
  const r = await sim.kubectl(args, input === undefined ? undefined : { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}
