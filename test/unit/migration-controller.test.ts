import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { migrationController, renderTargetPod } from '../../sandbox/sim/controllers/migration/controller.ts';
import { vmiController } from '../../sandbox/sim/controllers/vmi/controller.ts';
import { migrationHandlerController, migrationTransferSeconds } from '../../sandbox/sim/controllers/migration/handler.ts';
import {
  bareCluster, bindPod, CONTROLLER, eventsFor, get, HANDLER, launcherPod, podRunning, runningVmi, VMI, VMIM, type Bare,
  migratedGuests,
} from './kubevirt-migration-fixtures.ts';

type J = Record<string, any>;

async function setup(o: Parameters<typeof runningVmi>[1] = {}) {
  const b = await bareCluster();
  const { vmi, pod } = await runningVmi(b, { strategy: 'LiveMigrate', ...o });
  const ctrl = migrationController(b.deps(CONTROLLER));
  const handler = migrationHandlerController(b.deps(HANDLER));
  const m = await b.admin.create(VMIM, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'mig1', namespace: 'default' }, spec: { vmiName: vmi.metadata.name } });
  return { b, vmi, source: pod, m, ctrl, handler };
}

const phase = (b: Bare, name = 'mig1'): string | undefined => (get(b, VMIM, name)?.status as J | undefined)?.phase;
const ms = (b: Bare): J => (get(b, VMI, 'vm1')!.status as J).migrationState ?? {};
const targetPods = (b: Bare, m: KubeObject): KubeObject[] => b.admin.list('pods', 'default').filter((p) => p.metadata.labels?.['kubevirt.io/migrationJobUID'] === m.metadata.uid);

/** Runs the migration controller until the phase changes (at most a few passes). */
async function step(ctrl: ReturnType<typeof migrationController>, b: Bare, want: string): Promise<void> {
  for (let i = 0; i < 3 && phase(b) !== want; i++) await ctrl.reconcile('default/mig1');
  assert.equal(phase(b), want);
}

test('a migration runs through every phase and the VMI ends on the target node', async () => {
  const { b, source, m, ctrl, handler } = await setup({ podIP: '10.128.16.5' });

  await ctrl.reconcile('default/mig1');
  assert.equal(get(b, VMIM, 'mig1')!.metadata.annotations?.['kubevirt.io/latest-observed-api-version'], 'v1');
  await ctrl.reconcile('default/mig1');
  assert.equal(phase(b), 'Pending');
  assert.equal((get(b, VMIM, 'mig1')!.status as J).migrationState.sourcePod, source.metadata.name);

  await step(ctrl, b, 'Scheduling');
  const [target] = targetPods(b, m);
  assert.ok(target, 'target pod created');
  assert.match(target.metadata.name!, /^virt-launcher-vm1-[a-z0-9]{5}$/);
  assert.equal((target.spec as J).nodeName, undefined);
  assert.deepEqual((target.spec as J).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
    [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['worker-0'] }] }]);
  assert.equal(target.metadata.annotations?.['kubevirt.io/migrationJobName'], 'mig1');
  assert.equal(target.metadata.labels?.['kubevirt.io/created-by'], source.metadata.labels?.['kubevirt.io/created-by']);
  assert.deepEqual(target.metadata.ownerReferences, source.metadata.ownerReferences);
  assert.deepEqual(eventsFor(b, 'mig1').find((e) => e.reason === 'SuccessfulCreate'),
    { type: 'Normal', reason: 'SuccessfulCreate', message: `Created migration target pod ${target.metadata.name}` });

  // The scheduler and the kubelet of worker-1 do their part.
  await podRunning(b, await bindPod(b, target, 'worker-1'), '10.128.18.7');
  await step(ctrl, b, 'Scheduled');
  await step(ctrl, b, 'PreparingTarget');
  assert.deepEqual({ ...ms(b), migrationConfiguration: undefined }, {
    migrationUid: m.metadata.uid, targetNode: 'worker-1', sourceNode: 'worker-0', targetPod: target.metadata.name, sourcePod: source.metadata.name, migrationConfiguration: undefined,
  });
  assert.equal(get(b, VMI, 'vm1')!.metadata.labels?.['kubevirt.io/migrationTargetNodeName'], 'worker-1');
  assert.deepEqual(Object.values((get(b, VMI, 'vm1')!.status as J).activePods).sort(), ['worker-0', 'worker-1'], 'both pods active');

  // virt-handler on the target opens its listener after a second.
  assert.deepEqual(await handler.reconcile('default/vm1'), { requeueAfter: 1 });
  b.clock.advance(1);
  await handler.reconcile('default/vm1');
  assert.equal(ms(b).targetNodeAddress, '192.168.126.52');
  await step(ctrl, b, 'TargetReady');

  // The source starts the transfer.
  const transfer = migrationTransferSeconds(get(b, VMI, 'vm1')!);
  assert.equal(transfer, 3, '1 GiB takes 3 s');
  assert.deepEqual(await handler.reconcile('default/vm1'), { requeueAfter: transfer });
  assert.equal(ms(b).mode, 'PreCopy');
  assert.ok(ms(b).startTimestamp);
  await step(ctrl, b, 'Running');
  assert.deepEqual(await handler.reconcile('default/vm1'), { requeueAfter: transfer });

  b.clock.advance(transfer);
  await handler.reconcile('default/vm1');
  const vmi = get(b, VMI, 'vm1')!;
  const st = vmi.status as J;
  assert.equal(st.nodeName, 'worker-1');
  assert.equal(vmi.metadata.labels?.['kubevirt.io/nodeName'], 'worker-1');
  assert.equal(st.interfaces[0].ipAddress, '10.128.18.7');
  assert.deepEqual(st.interfaces[0].ipAddresses, ['10.128.18.7']);
  assert.equal(st.migrationState.completed, true);
  assert.ok(st.migrationState.endTimestamp);
  assert.equal(st.migrationState.failed, undefined);
  assert.equal(st.phase, 'Running', 'the guest kept running');
  assert.deepEqual(migratedGuests.at(-1), { vmiUid: vmi.metadata.uid, ip: '10.128.18.7', node: 'worker-1' }, 'the guest is told it moved');
  const oldPod = get(b, 'pods', source.metadata.name!)!;
  assert.equal((oldPod.status as J).phase, 'Succeeded', 'the source launcher exited');
  assert.equal((oldPod.status as J).containerStatuses[0].state.terminated.reason, 'Completed');

  await step(ctrl, b, 'Succeeded');
  assert.deepEqual(eventsFor(b, 'mig1').find((e) => e.reason === 'SuccessfulMigration'),
    { type: 'Normal', reason: 'SuccessfulMigration', message: 'Source node reported migration succeeded' });
  await ctrl.reconcile('default/mig1');
  const done = get(b, VMIM, 'mig1')!;
  assert.deepEqual(done.metadata.finalizers ?? [], []);
  assert.equal((done.status as J).migrationState.completed, true);
  assert.deepEqual((done.status as J).phaseTransitionTimestamps.map((t: J) => t.phase),
    ['Pending', 'Scheduling', 'Scheduled', 'PreparingTarget', 'TargetReady', 'Running', 'Succeeded']);
  const gateOf = (): J | undefined => ((get(b, 'pods', target.metadata.name!)!.status as J).conditions as J[]).find((c) => c.type === 'kubevirt.io/virtual-machine-unpaused');
  assert.equal(gateOf(), undefined, 'the migration controllers leave the readiness gate alone');
  // The VMI controller takes the target as the current pod now that the VMI's nodeName moved, and sets its gate.
  await vmiController(b.deps(CONTROLLER)).reconcile('default/vm1');
  assert.equal(gateOf()?.status, 'True');
  const handlerEvents = eventsFor(b, 'vm1').map((e) => `${e.reason}: ${e.message}`);
  assert.ok(handlerEvents.includes('Migrating: VirtualMachineInstance is migrating.'));
  assert.ok(handlerEvents.includes('Migrated: The VirtualMachineInstance migrated to node worker-1.'));
  assert.ok(handlerEvents.some((e) => e.startsWith('PreparingTarget: Migration Target is listening at 192.168.126.52, on ports: ')));
});

test('evacuation is cleared when the VMI leaves the node', async () => {
  const { b, m, ctrl, handler } = await setup({
    status: { evacuationNodeName: 'worker-0', conditions: [{ type: 'LiveMigratable', status: 'True' }, { type: 'EvictionRequested', status: 'True', reason: 'EvictionRequested', message: 'VMI is marked for eviction' }] },
  });
  for (let i = 0; i < 3; i++) await ctrl.reconcile('default/mig1');
  await podRunning(b, await bindPod(b, targetPods(b, m)[0], 'worker-2'), '10.128.20.3');
  for (let i = 0; i < 3; i++) await ctrl.reconcile('default/mig1');
  await handler.reconcile('default/vm1');
  b.clock.advance(1);
  await handler.reconcile('default/vm1');
  await handler.reconcile('default/vm1');
  b.clock.advance(10);
  await handler.reconcile('default/vm1');
  const st = get(b, VMI, 'vm1')!.status as J;
  assert.equal(st.nodeName, 'worker-2');
  assert.equal(st.evacuationNodeName, undefined);
  assert.equal(st.conditions.some((c: J) => c.type === 'EvictionRequested'), false);
});

test('renderTargetPod narrows with addedNodeSelector and keeps existing node affinity terms', () => {
  const vmi: KubeObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'vm1', namespace: 'default', uid: 'V' }, status: { nodeName: 'worker-0' } };
  const source: KubeObject = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'virt-launcher-vm1-aaaaa', generateName: 'virt-launcher-vm1-', namespace: 'default', labels: { 'kubevirt.io': 'virt-launcher' }, annotations: { 'kubevirt.io/domain': 'vm1' } },
    spec: {
      nodeName: 'worker-0', nodeSelector: { 'kubevirt.io/schedulable': 'true' },
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, { matchFields: [] }] } } },
    },
  };
  const m: KubeObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'mig1', uid: 'M' }, spec: { vmiName: 'vm1', addedNodeSelector: { disk: 'ssd' } } };
  const pod = renderTargetPod(source, m, vmi);
  const spec = pod.spec as J;
  assert.equal(spec.nodeName, undefined);
  assert.deepEqual(spec.nodeSelector, { disk: 'ssd', 'kubevirt.io/schedulable': 'true' });
  const notSource = { key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['worker-0'] };
  assert.deepEqual(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [
    { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, notSource] },
    { matchFields: [], matchExpressions: [notSource] },
  ]);
  assert.deepEqual(spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution,
    [{ labelSelector: { matchLabels: { 'kubevirt.io/created-by': 'V' } }, topologyKey: 'kubernetes.io/hostname' }]);
  assert.equal(pod.metadata.labels?.['kubevirt.io/migrationJobUID'], 'M');
  assert.equal(pod.metadata.name, undefined);
  assert.equal(pod.metadata.generateName, 'virt-launcher-vm1-');
  assert.equal((source.spec as J).nodeName, 'worker-0', 'the source is not modified');
});

test('cancel before handoff: the target pod is deleted and the migration fails', async () => {
  const { b, m, ctrl } = await setup();
  for (let i = 0; i < 3; i++) await ctrl.reconcile('default/mig1');
  assert.equal(phase(b), 'Scheduling');
  const [target] = targetPods(b, m);
  await b.admin.delete(VMIM, 'default', 'mig1');
  await ctrl.reconcile('default/mig1');
  assert.equal(phase(b), 'Failed');
  assert.equal(get(b, 'pods', target.metadata.name!)?.metadata.deletionTimestamp !== undefined || !get(b, 'pods', target.metadata.name!), true, 'target pod deleted');
  const conds = (get(b, VMIM, 'mig1')!.status as J).conditions;
  assert.deepEqual(conds.map((c: J) => [c.type, c.status]), [['migrationAbortRequested', 'True']]);
  assert.ok(eventsFor(b, 'mig1').some((e) => e.type === 'Warning' && e.reason === 'FailedMigration' && e.message === 'Migration failed due to being canceled'));
  await ctrl.reconcile('default/mig1');
  assert.equal(get(b, VMIM, 'mig1'), undefined, 'finalizer removed, object gone');
});

test('cancel while running: abort requested on the VMI, virt-handler aborts, the VMI stays', async () => {
  const { b, m, ctrl, handler } = await setup();
  for (let i = 0; i < 3; i++) await ctrl.reconcile('default/mig1');
  const [target] = targetPods(b, m);
  await podRunning(b, await bindPod(b, target, 'worker-1'), '10.128.18.7');
  for (let i = 0; i < 3; i++) await ctrl.reconcile('default/mig1');
  await handler.reconcile('default/vm1');
  b.clock.advance(1);
  await handler.reconcile('default/vm1');
  await ctrl.reconcile('default/mig1');
  await handler.reconcile('default/vm1');
  await ctrl.reconcile('default/mig1');
  assert.equal(phase(b), 'Running');

  await b.admin.delete(VMIM, 'default', 'mig1');
  await ctrl.reconcile('default/mig1');
  assert.equal(ms(b).abortRequested, true);
  assert.ok(eventsFor(b, 'mig1').some((e) => e.reason === 'SuccessfulAbortMigration' && e.message === 'Migration is ready to be canceled by virt-handler.'));
  assert.deepEqual(await handler.reconcile('default/vm1'), { requeueAfter: 1 });
  assert.equal(ms(b).abortStatus, 'Aborting');
  b.clock.advance(1);
  await handler.reconcile('default/vm1');
  assert.deepEqual([ms(b).abortStatus, ms(b).completed, ms(b).failed, ms(b).failureReason], ['Succeeded', true, true, 'Live migration has been aborted']);
  assert.equal((get(b, 'pods', target.metadata.name!)!.status as J).phase, 'Succeeded', 'the target launcher exited');
  await ctrl.reconcile('default/mig1');
  assert.equal(phase(b), 'Failed');
  await ctrl.reconcile('default/mig1');
  assert.equal(get(b, VMIM, 'mig1'), undefined);
  const st = get(b, VMI, 'vm1')!.status as J;
  assert.equal(st.nodeName, 'worker-0');
  assert.equal(st.phase, 'Running');
});

test('the VMI going away fails the migration, which is then deleted', async () => {
  const { b, ctrl } = await setup();
  await ctrl.reconcile('default/mig1');
  await ctrl.reconcile('default/mig1');
  const v = get(b, VMI, 'vm1')!;
  await b.admin.update(VMI, { ...structuredClone(v), metadata: { ...structuredClone(v.metadata), finalizers: [] } });
  await b.admin.delete(VMI, 'default', 'vm1');
  await ctrl.reconcile('default/mig1');
  assert.equal(phase(b), 'Failed');
  assert.ok(eventsFor(b, 'mig1').some((e) => e.message === 'Migration failed because vmi does not exist.'));
  await ctrl.reconcile('default/mig1');
  await ctrl.reconcile('default/mig1');
  assert.equal(get(b, VMIM, 'mig1'), undefined);
});

test('the target pod vanishing before the transfer starts fails the migration on the VMI too', async () => {
  const { b, m, ctrl } = await setup();
  for (let i = 0; i < 3; i++) await ctrl.reconcile('default/mig1');
  const [target] = targetPods(b, m);
  await podRunning(b, await bindPod(b, target, 'worker-1'), '10.128.18.7');
  for (let i = 0; i < 3; i++) await ctrl.reconcile('default/mig1');
  assert.equal(phase(b), 'PreparingTarget');
  await b.admin.delete('pods', 'default', target.metadata.name!, { gracePeriodSeconds: 0 });
  await ctrl.reconcile('default/mig1');
  assert.equal(phase(b), 'Failed');
  assert.ok(eventsFor(b, 'mig1').some((e) => e.message === 'Migration target pod was removed during active migration.'));
  await ctrl.reconcile('default/mig1');
  assert.deepEqual([ms(b).failed, ms(b).completed, ms(b).failureReason], [true, true, 'Target pod is down']);
});

test('a migration waits while the VMI still has two active pods', async () => {
  const { b, ctrl, vmi } = await setup();
  await launcherPod(b, vmi, 'worker-0', '10.128.16.9');
  await ctrl.reconcile('default/mig1');
  await ctrl.reconcile('default/mig1');
  assert.deepEqual(await ctrl.reconcile('default/mig1'), { requeueAfter: 1 });
  assert.equal(phase(b), 'Pending');
});

test('only the newest five finished migrations of a VMI are kept, with their old pods', async () => {
  const b = await bareCluster();
  const { vmi } = await runningVmi(b);
  const ctrl = migrationController(b.deps(CONTROLLER));
  const kv = b.as(CONTROLLER);
  for (let i = 0; i < 6; i++) {
    b.clock.advance(60);
    const old = await b.admin.create('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `virt-launcher-vm1-old${i}`, namespace: 'default' },
      spec: { containers: [{ name: 'compute', image: 'virt-launcher' }] },
    });
    const m = await b.admin.create(VMIM, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: `m${i}`, namespace: 'default' }, spec: { vmiName: vmi.metadata.name } });
    await kv.updateStatus(VMIM, { ...structuredClone(m), status: { phase: 'Succeeded', migrationState: { completed: true, sourcePod: old.metadata.name } } });
  }
  await ctrl.reconcile('default/m5');
  assert.equal(get(b, VMIM, 'm0')?.metadata.deletionTimestamp !== undefined || get(b, VMIM, 'm0') === undefined, true, 'the oldest goes');
  assert.equal(get(b, 'pods', 'virt-launcher-vm1-old0')?.metadata.deletionTimestamp !== undefined || get(b, 'pods', 'virt-launcher-vm1-old0') === undefined, true, 'with its source pod');
  for (let i = 1; i < 6; i++) assert.ok(get(b, VMIM, `m${i}`) && !get(b, VMIM, `m${i}`)!.metadata.deletionTimestamp, `m${i} kept`);
});

test('transfer time follows guest memory; a finished launcher pod looks like the kubelet wrote it', async () => {
  const { completedPodStatus, guestMemoryBytes } = await import('../../sandbox/sim/controllers/migration/handler.ts');
  const vmiWith = (memory: J): KubeObject => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v' }, spec: { domain: memory } });
  assert.equal(migrationTransferSeconds(vmiWith({ memory: { guest: '2Gi' } })), 5);
  assert.equal(migrationTransferSeconds(vmiWith({ resources: { requests: { memory: '512Mi' } } })), 2);
  assert.equal(guestMemoryBytes(vmiWith({})), 1024 ** 3, 'unknown memory counts as 1 GiB');
  const pod: KubeObject = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    status: {
      phase: 'Running', podIP: '10.128.16.5',
      conditions: [{ type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }, { type: 'PodScheduled', status: 'True' }],
      containerStatuses: [{ name: 'compute', ready: true, started: true, containerID: 'cri-o://abc', state: { running: { startedAt: '2026-03-01T09:00:00Z' } } }],
    },
  };
  const st = completedPodStatus(pod, Date.parse('2026-03-01T10:00:00Z'));
  assert.equal(st.phase, 'Succeeded');
  assert.equal(st.podIP, '10.128.16.5');
  assert.deepEqual((st.conditions as J[]).map((c) => [c.type, c.status, c.reason]), [['Ready', 'False', 'PodCompleted'], ['ContainersReady', 'False', 'PodCompleted'], ['PodScheduled', 'True', undefined]]);
  assert.deepEqual((st.containerStatuses as J[])[0].state, {
    terminated: { exitCode: 0, reason: 'Completed', startedAt: '2026-03-01T09:00:00Z', finishedAt: '2026-03-01T10:00:00Z', containerID: 'cri-o://abc' },
  });
});
