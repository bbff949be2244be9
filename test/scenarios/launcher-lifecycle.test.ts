// virt-launcher pods follow their domain (reference §2.1, §2.4): the pod
// completes when the guest powers off (Completed / Error in kubectl get pods),
// and a graceful deletion waits for the guest to shut down instead of
// dropping the pod after a second.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from '../integration/harness.ts';
import { kubectlOk as kubectlOkIn, launcherPods as launcherPodsOf, vmManifest } from './fixtures.ts';

type J = Record<string, any>;
const VMIS = 'kubevirt.io/virtualmachineinstances';
const VMS = 'kubevirt.io/virtualmachines';


let sim: Sim;
const vmi = (name: string): KubeObject | undefined => sim.cluster.store.get(VMIS, 'default', name);
const vm = (name: string): KubeObject | undefined => sim.cluster.store.get(VMS, 'default', name);
const st = (o: KubeObject | undefined): J => (o?.status ?? {}) as J;
const launcherPods = (name: string): KubeObject[] => launcherPodsOf(sim, name);
const kubectlOk = (args: string[], input?: string): Promise<string> => kubectlOkIn(sim, args, input);


async function runningVm(name: string, runStrategy = 'Always'): Promise<KubeObject> {
  await kubectlOk(['apply', '-f', '-'], JSON.stringify(vmManifest(name, runStrategy)));
  if (runStrategy === 'Manual') {
    const r = await sim.kubectl(['patch', 'vm', name, '--subresource=status', '--type=merge', '-p', '{"status":{"stateChangeRequests":[{"action":"Start"}]}}']);
    assert.equal(r.code, 0, r.stderr);
  }
  for (let i = 0; i < 90 && !(st(vmi(name)).phase === 'Running' && sim.cluster.guests.get(vmi(name)!.metadata.uid!)?.state === 'Running'); i++) await sim.advance(1);
  const v = vmi(name)!;
  assert.equal(st(v).phase, 'Running');
  return v;
}

async function cleanup(name: string): Promise<void> {
  await sim.kubectl(['delete', 'vm', name, '--wait=false']);
  for (let i = 0; i < 120 && (vmi(name) || launcherPods(name).length); i++) await sim.advance(1);
}

before(async () => { sim = await startSim({ workers: 2 }); });
after(async () => { await sim.close(); });

describe('launcher pods follow their domain', () => {
  it('a clean guest poweroff completes the launcher pod (Completed, exit 0, Succeeded)', async () => {
    const v = await runningVm('vm-off', 'Manual');
    sim.cluster.guests.shutdown(v.metadata.uid!);
    for (let i = 0; i < 20 && st(launcherPods('vm-off')[0]).phase === 'Running'; i++) await sim.advance(1);
    const pod = launcherPods('vm-off')[0];
    assert.equal(st(pod).phase, 'Succeeded');
    const compute = (st(pod).containerStatuses as J[]).find((c) => c.name === 'compute')!;
    assert.equal(compute.state.terminated.reason, 'Completed');
    assert.equal(compute.state.terminated.exitCode, 0);
    assert.equal(st(vmi('vm-off')).phase, 'Succeeded');
    const out = await kubectlOk(['get', 'pod', pod.metadata.name!, '--no-headers']);
    assert.match(out, /\sCompleted\s/);
    await cleanup('vm-off');
  });

  it('a crashed domain fails the launcher pod (Error, exit 1, Failed)', async () => {
    const v = await runningVm('vm-crash', 'Manual');
    sim.cluster.guests.crash(v.metadata.uid!);
    await sim.advance(1);
    const pod = launcherPods('vm-crash')[0];
    assert.equal(st(pod).phase, 'Failed');
    const compute = (st(pod).containerStatuses as J[]).find((c) => c.name === 'compute')!;
    assert.equal(compute.state.terminated.reason, 'Error');
    assert.equal(compute.state.terminated.exitCode, 1);
    assert.equal(st(vmi('vm-crash')).phase, 'Failed');
    const out = await kubectlOk(['get', 'pod', pod.metadata.name!, '--no-headers']);
    assert.match(out, /\sError\s/);
    await cleanup('vm-crash');
  });

  it('kubectl delete vmi waits for the guest to shut down; the VMI ends Succeeded and the Manual VM Stopped', async () => {
    const v = await runningVm('vm-del', 'Manual');
    const uid = v.metadata.uid!;
    const phases: string[] = [];
    const stop = sim.cluster.store.watch(VMIS, (ev) => {
      if (ev.object.metadata.uid === uid && st(ev.object).phase && phases[phases.length - 1] !== st(ev.object).phase) phases.push(st(ev.object).phase);
    });
    await kubectlOk(['delete', 'vmi', 'vm-del', '--wait=false']);
    await sim.advance(2);
    assert.equal(launcherPods('vm-del').length, 1, 'the pod is still there while the guest shuts down');
    assert.equal(sim.cluster.guests.get(uid)?.state === 'Shutoff', false);
    for (let i = 0; i < 30 && (vmi('vm-del') || launcherPods('vm-del').length); i++) await sim.advance(1);
    stop();
    assert.equal(vmi('vm-del'), undefined, 'the VMI is gone');
    assert.equal(launcherPods('vm-del').length, 0);
    assert.equal(phases[phases.length - 1], 'Succeeded', phases.join(' → '));
    assert.ok(!phases.includes('Failed'), phases.join(' → '));
    await sim.advance(1);
    assert.equal(st(vm('vm-del')).printableStatus, 'Stopped');
    await cleanup('vm-del');
  });

  it('deleting only the launcher pod shuts the guest down before the pod goes, then the VMI fails', async () => {
    const v = await runningVm('vm-pod', 'Manual');
    const uid = v.metadata.uid!;
    const pod = launcherPods('vm-pod')[0];
    await kubectlOk(['delete', 'pod', pod.metadata.name!, '--wait=false']);
    await sim.advance(2);
    assert.ok(sim.cluster.store.get('pods', 'default', pod.metadata.name!), 'not gone after ~1 s: the guest is shutting down');
    for (let i = 0; i < 30 && sim.cluster.store.get('pods', 'default', pod.metadata.name!); i++) await sim.advance(1);
    assert.equal(sim.cluster.store.get('pods', 'default', pod.metadata.name!), undefined);
    assert.equal(sim.cluster.guests.get(uid)?.state ?? 'Shutoff', 'Shutoff');
    // The launcher pod object no longer exists → Failed (reference §2.1), not a clean VMI shutdown.
    assert.equal(st(vmi('vm-pod')).phase, 'Failed');
    await sim.advance(1);
    assert.equal(st(vm('vm-pod')).printableStatus, 'Stopped');
    await cleanup('vm-pod');
  });

  it('a guest that ignores the shutdown request is destroyed when the pod grace period ends', async () => {
    const v = await runningVm('vm-hung', 'Manual');
    const uid = v.metadata.uid!;
    sim.cluster.guests.hangKernel(uid);
    const pod = launcherPods('vm-hung')[0];
    await kubectlOk(['delete', 'pod', pod.metadata.name!, '--wait=false', '--grace-period=20']);
    await sim.advance(15);
    assert.ok(sim.cluster.store.get('pods', 'default', pod.metadata.name!), 'still terminating within the grace period');
    for (let i = 0; i < 30 && sim.cluster.store.get('pods', 'default', pod.metadata.name!); i++) await sim.advance(1);
    assert.equal(sim.cluster.store.get('pods', 'default', pod.metadata.name!), undefined);
    assert.equal(st(vmi('vm-hung')).phase, 'Failed');
    await cleanup('vm-hung');
  });
});
