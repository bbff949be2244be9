// `virtctl migrate` of a VM whose node is down (reference §5.1, §6). Only the
// source virt-handler starts a transfer, so with its node powered off, its
// kubelet and virt-handler stopped, or the node cut off from the network, the
// migration stops in TargetReady: the target pod runs and its virt-handler
// listens, nothing more. No KubeVirt timeout ends that wait (progressTimeout
// and completionTimeoutPerGiB are timed by the source virt-launcher once the
// transfer starts). A powered-off node holds its VM until it is fenced; then
// the VMI fails, the migration fails with it and the VM restarts elsewhere.
// When stopped agents come back, the waiting migration simply goes on; a
// source that stops answering mid-transfer breaks it and the VMI stays put.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from '../integration/harness.ts';
import { runTool } from '../integration/shell-tools.ts';
import { kubectlOk, launcherPods, vmManifest } from './fixtures.ts';

type J = Record<string, any>;
const VMIS = 'kubevirt.io/virtualmachineinstances';
const VMIMS = 'kubevirt.io/virtualmachineinstancemigrations';
const SOURCE = 'worker-0';
const OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service=nodeshutdown:NoExecute';

const st = (o: KubeObject | undefined): J => (o?.status ?? {}) as J;

function helpers(sim: () => Sim) {
  const vmi = (name: string): KubeObject | undefined => sim().cluster.store.get(VMIS, 'default', name);
  const migration = (vmiName: string): KubeObject | undefined =>
    sim().cluster.store.list(VMIMS, 'default').find((m) => (m.spec as J).vmiName === vmiName);
  const migrationPhase = (vmiName: string): string | undefined => st(migration(vmiName)).phase;
  const targetPod = (vmiName: string): KubeObject | undefined =>
    launcherPods(sim(), vmiName).find((p) => p.metadata.labels?.['kubevirt.io/migrationJobUID'] === migration(vmiName)?.metadata.uid);

  /** `type reason: message` of every event about the object, oldest first. */
  async function events(kind: string, name: string): Promise<string[]> {
    const out = await kubectlOk(sim(), ['get', 'events', '--field-selector', `involvedObject.kind=${kind},involvedObject.name=${name}`,
      '-o', 'jsonpath={range .items[*]}{.type} {.reason}: {.message}{"\\n"}{end}']);
    return out.split('\n').filter(Boolean);
  }

  /** Creates the VM with only the source node schedulable and waits until its VMI runs there. */
  async function vmOnSource(name: string): Promise<KubeObject> {
    await kubectlOk(sim(), ['cordon', 'worker-1', 'worker-2']);
    await kubectlOk(sim(), ['apply', '-f', '-'], JSON.stringify(vmManifest(name, 'Always', { evictionStrategy: 'LiveMigrate' })));
    for (let i = 0; i < 60 && st(vmi(name)).phase !== 'Running'; i++) await sim().advance(1);
    await kubectlOk(sim(), ['uncordon', 'worker-1', 'worker-2']);
    await sim().advance(1);
    const v = vmi(name)!;
    assert.equal(st(v).phase, 'Running');
    assert.equal(st(v).nodeName, SOURCE);
    assert.equal(st(v).conditions.find((c: J) => c.type === 'LiveMigratable')?.status, 'True');
    return v;
  }

  async function fault(name: string, type: string): Promise<void> {
    await kubectlOk(sim(), ['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name }, spec: { type, target: { kind: 'Node', name: SOURCE } },
    }));
  }

  async function virtctlMigrate(name: string): Promise<void> {
    const r = await runTool(sim(), 'virtctl', ['migrate', name]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `VM ${name} was scheduled to migrate\n`);
  }

  /**
   * The migration waits for the source: the target pod runs on another node and
   * its virt-handler listens, but nothing started, nothing moved and no failure is claimed.
   */
  async function assertWaitingForSource(name: string, uid: string): Promise<void> {
    assert.equal(migrationPhase(name), 'TargetReady');
    const v = vmi(name)!;
    assert.equal(v.metadata.uid, uid, 'the same VMI');
    assert.equal(st(v).phase, 'Running');
    assert.equal(st(v).nodeName, SOURCE, 'the VMI did not move');
    assert.equal(v.metadata.labels?.['kubevirt.io/nodeName'], SOURCE);
    const ms = st(v).migrationState;
    assert.equal(ms.sourceNode, SOURCE);
    assert.ok(ms.targetNodeAddress, 'the target listens');
    assert.equal(ms.startTimestamp, undefined, 'the source never started the transfer');
    assert.equal(ms.completed, undefined);
    const target = targetPod(name)!;
    assert.equal(st(target).phase, 'Running');
    assert.notEqual((target.spec as J).nodeName, SOURCE);
    const vmiEvents = (await events('VirtualMachineInstance', name)).join('\n');
    assert.match(vmiEvents, /Normal PreparingTarget: Migration Target is listening at /);
    assert.doesNotMatch(vmiEvents, /Migrating|Migrated|crashed/, vmiEvents);
    const migEvents = (await events('VirtualMachineInstanceMigration', migration(name)!.metadata.name!)).join('\n');
    assert.match(migEvents, /Normal SuccessfulHandOver: Migration target pod is ready for preparation by virt-handler\./);
    assert.doesNotMatch(migEvents, /FailedMigration|SuccessfulMigration/, migEvents);
  }

  async function cleanup(name: string, faultName: string): Promise<void> {
    await sim().kubectl(['delete', 'fault', faultName, '--ignore-not-found', '--wait=false']);
    await sim().kubectl(['delete', 'vm', name, '--wait=false']);
    for (let i = 0; i < 120 && (vmi(name) || launcherPods(sim(), name).length); i++) await sim().advance(1);
    await sim().kubectl(['delete', 'vmim', '--all', '--wait=false']);
    await sim().advance(5);
  }

  return { vmi, migration, migrationPhase, targetPod, events, vmOnSource, fault, virtctlMigrate, assertWaitingForSource, cleanup };
}

describe('virtctl migrate from a powered-off node', () => {
  let sim: Sim;
  const h = helpers(() => sim);
  let uid = '';
  let sourcePod = '';
  before(async () => { sim = await startSim({ workers: 3 }); });
  after(async () => { await sim.close(); });

  it('gets as far as a listening target, and no further', async () => {
    uid = (await h.vmOnSource('vm')).metadata.uid!;
    sourcePod = launcherPods(sim, 'vm')[0].metadata.name!;
    await h.fault('power', 'NodePowerOff');
    await sim.advance(60);
    assert.match(await kubectlOk(sim, ['get', 'node', SOURCE]), /NotReady/);

    await h.virtctlMigrate('vm');
    await sim.advance(30);
    await h.assertWaitingForSource('vm', uid);
  });

  it('waits with no timeout while the node stays down, even after its launcher pod is deleted', async () => {
    // Past the taint manager's 300 s and the migration controller's 5 and 15 minute pending-pod timeouts.
    for (let i = 0; i < 20; i++) await sim.advance(60);
    await h.assertWaitingForSource('vm', uid);
    assert.match(await kubectlOk(sim, ['get', 'pod', sourcePod]), /Terminating/);
  });

  it('fails with the VMI once the node is fenced, and the VM restarts on another node', async () => {
    await kubectlOk(sim, ['taint', 'node', SOURCE, OUT_OF_SERVICE]);
    for (let i = 0; i < 120 && !(h.vmi('vm') && h.vmi('vm')!.metadata.uid !== uid && st(h.vmi('vm')).phase === 'Running'); i++) await sim.advance(1);
    assert.equal(h.migrationPhase('vm'), 'Failed');
    const migEvents = await h.events('VirtualMachineInstanceMigration', h.migration('vm')!.metadata.name!);
    assert.ok(migEvents.includes('Warning FailedMigration: Migration failed vmi shutdown during migration.'), migEvents.join('\n'));
    assert.ok(!migEvents.some((e) => e.includes('SuccessfulMigration')), migEvents.join('\n'));

    const now = h.vmi('vm')!;
    assert.notEqual(now.metadata.uid, uid, 'a new VMI');
    assert.equal(st(now).phase, 'Running');
    assert.notEqual(st(now).nodeName, SOURCE);
    assert.equal(st(now).migrationState, undefined, 'the new VMI carries no migration');
    const pods = launcherPods(sim, 'vm');
    assert.deepEqual(pods.map((p) => p.metadata.labels?.['kubevirt.io/migrationJobUID']), [undefined], 'only the new VMI\'s own pod is left');
    const vmiEvents = (await h.events('VirtualMachineInstance', 'vm')).join('\n');
    assert.doesNotMatch(vmiEvents, /migrated to node|Migrating/, vmiEvents);
  });
});

describe('virtctl migrate from a node whose agents cannot act', () => {
  let sim: Sim;
  const h = helpers(() => sim);
  before(async () => { sim = await startSim({ workers: 3 }); });
  after(async () => { await sim.close(); });

  for (const type of ['KubeletStop', 'NetworkPartition']) {
    it(`${type}: the migration waits in TargetReady, then completes once the agents are back`, async () => {
      const name = `vm-${type.toLowerCase()}`;
      const v = await h.vmOnSource(name);
      const boots = sim.cluster.guests.get(v.metadata.uid!)!.bootCount;
      await h.fault('agents', type);
      await sim.advance(60);
      assert.match(await kubectlOk(sim, ['get', 'node', SOURCE]), /NotReady/);

      await h.virtctlMigrate(name);
      await sim.advance(30);
      await h.assertWaitingForSource(name, v.metadata.uid!);
      await sim.advance(120);
      await h.assertWaitingForSource(name, v.metadata.uid!);

      await kubectlOk(sim, ['delete', 'fault', 'agents']);
      for (let i = 0; i < 30 && h.migrationPhase(name) !== 'Succeeded'; i++) await sim.advance(1);
      assert.equal(h.migrationPhase(name), 'Succeeded');
      const moved = h.vmi(name)!;
      assert.equal(moved.metadata.uid, v.metadata.uid, 'the same VMI');
      assert.equal(st(moved).nodeName, (h.targetPod(name)!.spec as J).nodeName);
      const guest = sim.cluster.guests.get(v.metadata.uid!)!;
      assert.equal(guest.state, 'Running');
      assert.equal(guest.bootCount, boots, 'the guest kept running: no reboot');
      const vmiEvents = (await h.events('VirtualMachineInstance', name)).join('\n');
      assert.match(vmiEvents, /Normal Migrated: The VirtualMachineInstance migrated to node worker-[12]\./);
      assert.doesNotMatch(vmiEvents, /crashed/);
      await h.cleanup(name, 'agents');
    });
  }

  it('a source that stops answering mid-transfer breaks the migration; the VMI stays on its node', async () => {
    const name = 'vm-midway';
    const v = await h.vmOnSource(name);
    await h.virtctlMigrate(name);
    for (let i = 0; i < 30 && h.migrationPhase(name) !== 'Running'; i++) await sim.advance(1);
    assert.equal(h.migrationPhase(name), 'Running');
    assert.ok(st(h.vmi(name)).migrationState.startTimestamp);
    await h.fault('agents', 'KubeletStop');
    await sim.advance(10);

    assert.equal(h.migrationPhase(name), 'Failed');
    assert.equal(st(h.targetPod(name)).phase, 'Succeeded', 'the target launcher exited');
    const migEvents = await h.events('VirtualMachineInstanceMigration', h.migration(name)!.metadata.name!);
    assert.ok(migEvents.includes('Warning FailedMigration: Migration failed because target pod shutdown during migration'), migEvents.join('\n'));
    const now = h.vmi(name)!;
    assert.equal(now.metadata.uid, v.metadata.uid);
    assert.equal(st(now).phase, 'Running');
    assert.equal(st(now).nodeName, SOURCE, 'nothing moved');
    assert.equal(st(now).migrationState.failed, true);
    assert.doesNotMatch((await h.events('VirtualMachineInstance', name)).join('\n'), /migrated to node/);

    // The agents come back: the guest still runs on the source, as before.
    await kubectlOk(sim, ['delete', 'fault', 'agents']);
    await sim.advance(10);
    assert.equal(st(h.vmi(name)).phase, 'Running');
    assert.equal(st(h.vmi(name)).nodeName, SOURCE);
    assert.equal(sim.cluster.guests.get(v.metadata.uid!)!.state, 'Running');
    await h.cleanup(name, 'agents');
  });
});
