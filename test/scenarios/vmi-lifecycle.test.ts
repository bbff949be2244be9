// A VMI's life as a student sees it with the real kubectl: `kubectl get vmi -w`
// goes Pending → Scheduling → Scheduled → Running, the virt-launcher pod
// carries KubeVirt's name and labels, the VMI shows the pod's IP and node;
// deleting the launcher pod fails the VMI, a guest power-off makes it
// Succeeded, a guest crash Failed. The cluster's own guest runtime runs the
// guests (Fedora boots in 20–30 s). Manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from '../integration/harness.ts';
import { vmiManifest } from './fixtures.ts';

const VMI = 'kubevirt.io/virtualmachineinstances';

function vmiYaml(name: string): string {
  return JSON.stringify(vmiManifest(name));
}

let sim: Sim;
before(async () => { sim = await startSim({ workers: 3, controlPlanes: 1 }); });
after(async () => { await sim.close(); });

/** Watchers of the VMI resource in the store (controllers plus kubectl). */
function vmiWatchers(): number {
  const buckets = (sim.cluster.store as unknown as { buckets: Map<string, { watchers: Set<unknown> }> }).buckets;
  return buckets.get(VMI)?.watchers.size ?? 0;
}

function vmiOf(name: string): KubeObject {
  return sim.cluster.client('kube:admin', 'test').get(VMI, 'default', name)!;
}

function phaseOf(name: string): string {
  return (vmiOf(name)?.status as { phase?: string } | undefined)?.phase ?? '';
}

/** Advances the clock a second at a time until the test holds (at most `max` seconds). */
async function advanceUntil(check: () => boolean, max = 120): Promise<void> {
  for (let i = 0; i < max && !check(); i++) await sim.advance(1);
  assert.ok(check(), `not reached within ${max} s`);
}

/** A Running VMI whose guest has finished booting (agent connected). */
async function createRunning(name: string): Promise<KubeObject> {
  const r = await sim.kubectl(['apply', '-f', '-'], { input: vmiYaml(name) });
  assert.equal(r.code, 0, r.stderr);
  await advanceUntil(() => phaseOf(name) === 'Running' && sim.cluster.guests.get(vmiOf(name).metadata.uid!)?.bootedAt !== undefined);
  return vmiOf(name);
}

async function launcherPodOf(name: string): Promise<Record<string, any>> {
  const r = await sim.kubectl(['get', 'pods', '-l', `vm.kubevirt.io/name=${name}`, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const items = JSON.parse(r.stdout).items;
  assert.equal(items.length, 1);
  return items[0];
}

describe('VMI lifecycle', () => {
  it('kubectl get vmi -w shows Pending, Scheduling, Scheduled, Running; the VMI has the pod IP and node', async () => {
    const baseline = vmiWatchers();
    const watch = sim.kubectlStart(['get', 'vmi', '-w']);
    // kubectl has listed and is watching (the VMI must not exist before its LIST).
    for (let i = 0; i < 200 && vmiWatchers() === baseline; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(vmiWatchers() > baseline, 'kubectl get -w is watching');
    const r = await sim.kubectl(['apply', '-f', '-'], { input: vmiYaml('web1') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /virtualmachineinstance.kubevirt.io\/web1 created/);
    await advanceUntil(() => phaseOf('web1') === 'Running', 30);
    await watch.waitForOutput(/web1\s+\S+\s+Running/);
    watch.kill();

    const lines = watch.stdout().split('\n').filter((l) => l.startsWith('web1'));
    const phases = lines.map((l) => l.split(/\s+/)[2]).filter((p, i, a) => i === 0 || a[i - 1] !== p);
    assert.deepEqual(phases, ['Pending', 'Scheduling', 'Scheduled', 'Running']);
    assert.match(watch.stdout(), /^NAME\s+AGE\s+PHASE\s+IP\s+NODENAME\s+READY/);
    // While Scheduled the IP column is blank; the node is known.
    const scheduled = lines.find((l) => l.split(/\s+/)[2] === 'Scheduled')!;
    assert.match(scheduled, /^web1\s+\S+\s+Scheduled\s+worker-\d\s+False\s*$/);

    const pod = await launcherPodOf('web1');
    const vmi = vmiOf('web1');
    assert.match(pod.metadata.name, /^virt-launcher-web1-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(pod.metadata.labels['kubevirt.io'], 'virt-launcher');
    assert.equal(pod.metadata.labels['kubevirt.io/created-by'], vmi.metadata.uid);
    assert.equal(pod.metadata.labels.app, 'web1');
    assert.equal(pod.metadata.labels['kubevirt.io/nodeName'], pod.spec.nodeName);
    assert.equal(pod.metadata.ownerReferences[0].kind, 'VirtualMachineInstance');

    const wide = await sim.kubectl(['get', 'vmi', 'web1', '-o', 'wide', '--no-headers']);
    const [name, , phase, ip, node, ready, migratable] = wide.stdout.trim().split(/\s+/);
    assert.deepEqual([name, phase, ip, node, migratable], ['web1', 'Running', pod.status.podIP, pod.spec.nodeName, 'True']);
    assert.ok(ready === 'True' || ready === 'False');
    assert.equal(vmi.metadata.labels!['kubevirt.io/nodeName'], pod.spec.nodeName);

    const ev = await sim.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=web1', '-o', 'custom-columns=REASON:.reason,MESSAGE:.message,SOURCE:.source.component', '--no-headers']);
    assert.match(ev.stdout, new RegExp(`SuccessfulCreate\\s+Created virtual machine pod ${pod.metadata.name}\\s+virtualmachine-controller`));
    assert.match(ev.stdout, /Started\s+VirtualMachineInstance started\.\s+virt-handler/);
  });

  it('deleting the launcher pod fails the VMI', async () => {
    await createRunning('web2');
    const pod = await launcherPodOf('web2');
    const del = sim.kubectlStart(['delete', 'pod', pod.metadata.name, '--wait=false']);
    assert.equal((await del.done).code, 0);
    await sim.advance(5);
    assert.equal(phaseOf('web2'), 'Failed');
    const ready = ((vmiOf('web2').status as any).conditions as any[]).find((c) => c.type === 'Ready');
    assert.equal(ready.status, 'False');
  });

  it('a guest power-off makes the VMI Succeeded', async () => {
    const vmi = await createRunning('web3');
    // The power button (ACPI); `poweroff` in the console does the same.
    sim.cluster.guests.shutdown(vmi.metadata.uid!);
    await sim.advance(2);
    assert.equal(phaseOf('web3'), 'Running', 'systemd is stopping units');
    await advanceUntil(() => phaseOf('web3') === 'Succeeded', 10);
    const ev = await sim.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=web3,reason=Stopped', '-o', 'jsonpath={.items[*].message}']);
    assert.equal(ev.stdout, 'The VirtualMachineInstance was shut down.');
  });

  it('a guest crash makes the VMI Failed', async () => {
    const vmi = await createRunning('web4');
    sim.cluster.guests.crash(vmi.metadata.uid!);
    await sim.advance(2);
    assert.equal(phaseOf('web4'), 'Failed');
    const ev = await sim.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=web4,reason=Stopped', '-o', 'custom-columns=TYPE:.type,MESSAGE:.message', '--no-headers']);
    assert.match(ev.stdout, /Warning\s+The VirtualMachineInstance crashed\./);
  });

  it('pause and unpause through the subresource: the domain pauses, the launcher pod and the VMI go not ready', async () => {
    const vmi = await createRunning('web6');
    const uid = vmi.metadata.uid!;
    const url = '/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachineinstances/web6';
    let r = await sim.kubectl(['replace', '--raw', `${url}/pause`, '-f', '-'], { input: '{}' });
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(1);
    assert.equal(sim.cluster.guests.get(uid)!.state, 'Paused');
    const pod = await launcherPodOf('web6');
    const gate = pod.status.conditions.find((c: any) => c.type === 'kubevirt.io/virtual-machine-unpaused');
    assert.deepEqual([gate.status, gate.reason, gate.message], ['False', 'Paused', 'the virtual machine is paused']);
    let wide = (await sim.kubectl(['get', 'vmi', 'web6', '-o', 'wide', '--no-headers'])).stdout.trim().split(/\s+/);
    assert.deepEqual([wide[2], wide[5], wide[7]], ['Running', 'False', 'True'], 'PHASE, READY, PAUSED');

    r = await sim.kubectl(['replace', '--raw', `${url}/unpause`, '-f', '-'], { input: '{}' });
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(1);
    assert.notEqual(sim.cluster.guests.get(uid)!.state, 'Paused');
    wide = (await sim.kubectl(['get', 'vmi', 'web6', '-o', 'wide', '--no-headers'])).stdout.trim().split(/\s+/);
    assert.deepEqual([wide[2], wide[5]], ['Running', 'True']);
    assert.equal(wide.length, 7, 'PAUSED is blank again');
  });

  it('deleting a running VMI shuts the guest down and removes VMI and pod', async () => {
    await createRunning('web5');
    const del = sim.kubectlStart(['delete', 'vmi', 'web5']);
    const r = await sim.advanceWhile(del, 1, 120);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /virtualmachineinstance.kubevirt.io "web5" deleted/);
    assert.equal(vmiOf('web5'), undefined);
    const pods = await sim.kubectl(['get', 'pods', '-l', 'vm.kubevirt.io/name=web5', '--no-headers']);
    assert.equal(pods.stdout.trim(), '');
    const ev = await sim.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=web5', '-o', 'jsonpath={.items[*].reason}']);
    assert.match(ev.stdout, /ShuttingDown/);
    assert.match(ev.stdout, /SuccessfulDelete/);
  });
});
