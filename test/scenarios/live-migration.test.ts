// Node drain and live migration with the real kubectl against the embedded
// cluster (reference §5): the eviction webhook, the evacuation controller, the
// migration controller and virt-handler's side of the migration, together
// with the VM, VMI, scheduler, kubelet and virt-handler controllers.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from '../integration/harness.ts';
import { kubectlOk as kubectlOkIn, launcherPods as launcherPodsOf, vmManifest } from './fixtures.ts';

type J = Record<string, any>;
const VMIS = 'kubevirt.io/virtualmachineinstances';
const VMIMS = 'kubevirt.io/virtualmachineinstancemigrations';


let sim: Sim;

const vmi = (name: string): KubeObject | undefined => sim.cluster.store.get(VMIS, 'default', name);
const st = (o: KubeObject | undefined): J => (o?.status ?? {}) as J;
const launcherPods = (name: string): KubeObject[] => launcherPodsOf(sim, name);
const kubectlOk = (args: string[], input?: string): Promise<string> => kubectlOkIn(sim, args, input);


/** Creates the VM with only worker-0 schedulable, and waits until its VMI runs there. */
async function vmOnWorker0(name: string, o: { strategy: string; binding?: 'masquerade' | 'bridge'; runStrategy?: string }): Promise<KubeObject> {
  await kubectlOk(['cordon', 'worker-1', 'worker-2']);
  await kubectlOk(['apply', '-f', '-'], JSON.stringify(vmManifest(name, o.runStrategy ?? 'Always', { evictionStrategy: o.strategy, binding: o.binding })));
  for (let i = 0; i < 60 && st(vmi(name)).phase !== 'Running'; i++) await sim.advance(1);
  await kubectlOk(['uncordon', 'worker-1', 'worker-2']);
  await sim.advance(1);
  const v = vmi(name)!;
  assert.equal(st(v).phase, 'Running', `VMI ${name} runs`);
  assert.equal(st(v).nodeName, 'worker-0');
  return v;
}

/** Resolves when the API server next opens a watch on `resource` (kubectl get -w is then listening). */
function apiWatchOpened(resource: string): Promise<void> {
  const store = sim.cluster.store;
  const original = store.watch;
  return new Promise((resolve) => {
    store.watch = function (this: typeof store, ...args: Parameters<typeof original>) {
      const stop = original.apply(this, args);
      if (args[0] === resource) {
        store.watch = original;
        resolve();
      }
      return stop;
    };
  });
}

async function cleanup(name: string): Promise<void> {
  await sim.kubectl(['uncordon', 'worker-0', 'worker-1', 'worker-2']);
  await sim.kubectl(['delete', 'vm', name, '--wait=false']);
  for (let i = 0; i < 120 && (vmi(name) || launcherPods(name).length); i++) await sim.advance(1);
  await sim.kubectl(['delete', 'vmim', '--all', '--wait=false']);
  await sim.advance(1);
}

before(async () => { sim = await startSim({ workers: 3 }); });
after(async () => { await sim.close(); });

describe('kubectl drain with evictionStrategy LiveMigrate', () => {
  it('refuses the eviction, migrates the VMI away and then drains', async () => {
    const before = await vmOnWorker0('vm-live', { strategy: 'LiveMigrate' });
    const uid = before.metadata.uid;
    const sourcePod = launcherPods('vm-live')[0].metadata.name!;
    const bootsBefore = sim.cluster.guests.get(uid!)!.bootCount;
    // virt-controller takes the target pod as the VMI's pod only once the VMI's nodeName moved.
    const GATE = 'kubevirt.io/virtual-machine-unpaused';
    const early: string[] = [];
    const stopWatch = sim.cluster.store.watch('pods', (ev) => {
      const p = ev.object;
      if (!p.metadata.labels?.['kubevirt.io/migrationJobUID'] || p.metadata.annotations?.['kubevirt.io/domain'] !== 'vm-live') return;
      const gate = ((st(p).conditions ?? []) as J[]).find((c) => c.type === GATE);
      if (gate && st(vmi('vm-live')).nodeName === 'worker-0') early.push(`${p.metadata.name} ${gate.status}`);
    });
    const drain = sim.kubectlStart(['drain', 'worker-0', '--ignore-daemonsets', '--delete-emptydir-data', '--force']);
    const res = await sim.advanceWhile(drain, 1, 400);
    stopWatch();
    const out = res.stdout + res.stderr;
    assert.equal(res.code, 0, out);
    assert.deepEqual(early, [], 'no readiness gate on the target pod before the VMI moved');
    await sim.advance(1);
    const targetPod = launcherPods('vm-live').find((p) => p.metadata.labels?.['kubevirt.io/migrationJobUID'] !== undefined)!;
    assert.equal(((st(targetPod).conditions ?? []) as J[]).find((c) => c.type === GATE)?.status, 'True', 'the VMI controller sets the gate on the new current pod');
    assert.equal(((st(targetPod).conditions ?? []) as J[]).find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(((st(vmi('vm-live')).conditions ?? []) as J[]).find((c) => c.type === 'Ready')?.status, 'True');
    // The guest moved without rebooting: reached at the target pod's IP, same boot count.
    const guest = sim.cluster.guests.get(uid!)!;
    assert.equal(guest.ip, st(targetPod).podIP);
    assert.equal(guest.node, st(targetPod).nodeName ?? (targetPod.spec as J).nodeName);
    assert.equal(guest.bootCount, bootsBefore);
    assert.equal(guest.state, 'Running');
    assert.match(out, /node\/worker-0 cordoned/);
    assert.ok(out.includes(`error when evicting pods/"${sourcePod}" -n "default" (will retry after 5s): admission webhook "virt-launcher-eviction-interceptor.kubevirt.io" denied the request: Eviction triggered evacuation of VMI "default/vm-live"`), out);
    assert.ok(out.includes(`pod/${sourcePod} evicted`), out);
    assert.match(out, /node\/worker-0 drained/);

    const after = vmi('vm-live')!;
    assert.equal(after.metadata.uid, uid, 'the same VMI');
    assert.notEqual(st(after).nodeName, 'worker-0');
    assert.equal(after.metadata.labels?.['kubevirt.io/nodeName'], st(after).nodeName);
    assert.equal(st(after).phase, 'Running');
    assert.equal(st(after).evacuationNodeName, undefined);
    const migs = sim.cluster.store.list(VMIMS, 'default');
    assert.equal(migs.length, 1);
    assert.match(migs[0].metadata.name!, /^kubevirt-evacuation-[a-z0-9]{5}$/);
    assert.equal(st(migs[0]).phase, 'Succeeded');
    assert.equal(migs[0].metadata.annotations?.['kubevirt.io/evacuationMigration'], 'worker-0');

    const vms = await kubectlOk(['get', 'vm', 'vm-live', '-o', 'jsonpath={.status.printableStatus}']);
    assert.equal(vms, 'Running');
    const uncordon = await kubectlOk(['uncordon', 'worker-0']);
    assert.match(uncordon, /node\/worker-0 uncordoned/);
    assert.notEqual(st(vmi('vm-live')).nodeName, 'worker-0', 'nothing moves back');
    await cleanup('vm-live');
  });
});

describe('kubectl drain with evictionStrategy None', () => {
  it('evicts the launcher pod and the VM starts a new VMI elsewhere', async () => {
    const before = await vmOnWorker0('vm-none', { strategy: 'None' });
    const drain = sim.kubectlStart(['drain', 'worker-0', '--ignore-daemonsets', '--delete-emptydir-data', '--force']);
    const res = await sim.advanceWhile(drain, 1, 400);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout + res.stderr, /node\/worker-0 drained/);
    for (let i = 0; i < 60 && !(vmi('vm-none') && vmi('vm-none')!.metadata.uid !== before.metadata.uid && st(vmi('vm-none')).phase === 'Running'); i++) await sim.advance(1);
    const now = vmi('vm-none')!;
    assert.notEqual(now.metadata.uid, before.metadata.uid, 'a new VMI');
    assert.notEqual(st(now).nodeName, 'worker-0');
    assert.equal(sim.cluster.store.list(VMIMS, 'default').length, 0, 'no migration');
    await cleanup('vm-none');
  });
});

describe('kubectl drain with LiveMigrate but a bridge-bound pod network', () => {
  it('is refused again and again: the VMI is not live-migratable', async () => {
    await vmOnWorker0('vm-bridge', { strategy: 'LiveMigrate', binding: 'bridge' });
    assert.equal(st(vmi('vm-bridge')).conditions.find((c: J) => c.type === 'LiveMigratable')?.status, 'False');
    const drain = sim.kubectlStart(['drain', 'worker-0', '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=7s']);
    const res = await sim.advanceWhile(drain, 1, 400);
    const out = res.stdout + res.stderr;
    assert.notEqual(res.code, 0);
    const refusals = out.split('\n').filter((l) => l.includes('admission webhook "virt-launcher-eviction-interceptor.kubevirt.io" denied the request: VMI vm-bridge is configured with an eviction strategy but is not live-migratable'));
    assert.ok(refusals.length >= 2, out);
    assert.equal(st(vmi('vm-bridge')).nodeName, 'worker-0');
    assert.equal(st(vmi('vm-bridge')).evacuationNodeName, undefined);
    assert.equal(sim.cluster.store.list(VMIMS, 'default').length, 0);
    await cleanup('vm-bridge');
  });
});

describe('a migration created by hand (virtctl migrate)', () => {
  it('shows every phase in kubectl get vmim -w', async () => {
    await vmOnWorker0('vm-mig', { strategy: 'LiveMigrate' });
    const watching = apiWatchOpened(VMIMS);
    const watch = sim.kubectlStart(['get', 'vmim', '-w']);
    await watching;
    await kubectlOk(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration',
      metadata: { generateName: 'kubevirt-migrate-vm-', namespace: 'default' }, spec: { vmiName: 'vm-mig' },
    }));
    for (let i = 0; i < 60 && !watch.stdout().includes('Succeeded'); i++) {
      await sim.advance(1);
      await new Promise((r) => setTimeout(r, 50));
    }
    await watch.waitForOutput('Succeeded');
    watch.kill();
    const phases: string[] = [];
    for (const line of watch.stdout().split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 2) continue;
      const phase = cols.length === 3 ? cols[1] : '';
      if (phase && phases[phases.length - 1] !== phase) phases.push(phase);
    }
    assert.deepEqual(phases, ['Pending', 'Scheduling', 'Scheduled', 'PreparingTarget', 'TargetReady', 'Running', 'Succeeded'], watch.stdout());
    assert.match(watch.stdout().split('\n')[0], /^NAME\s+PHASE\s+VMI\s*$/);
    assert.notEqual(st(vmi('vm-mig')).nodeName, 'worker-0');
    const events = await kubectlOk(['get', 'events', '--field-selector', 'involvedObject.kind=VirtualMachineInstanceMigration', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /SuccessfulCreate: Created migration target pod virt-launcher-vm-mig-/);
    assert.match(events, /SuccessfulMigration: Source node reported migration succeeded/);
    const second = await sim.kubectl(['create', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'again', namespace: 'default' }, spec: { vmiName: 'nope' },
    }) });
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, /admission webhook "migration-create-validator.kubevirt.io" denied the request: the VMI "default\/nope" does not exist/);
    await cleanup('vm-mig');
  });
});
