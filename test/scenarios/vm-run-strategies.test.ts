// Each row of the run-strategy table (reference §1.3), driven through the API
// with a manual clock: what `kubectl get vm -w` would show (printableStatus),
// which VMI exists, and what the VM status records.

import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  NS, VMIS, VMS, type VmSim, eventsFor, failVmi, finishVmiDeletion, recordPrintable, runVmi, setVmi, startVmSim, statusOf, vmManifest, vmOf, vmiOf,
} from './vm-harness.ts';

let sim: VmSim;
beforeEach(async () => { sim = await startVmSim(); });
afterEach(() => sim.close());

async function createVm(name: string, run: { runStrategy?: string; running?: boolean }): Promise<void> {
  await sim.admin.create(VMS, vmManifest(name, run));
  await sim.cluster.settle();
}

async function queueRequests(name: string, requests: Record<string, unknown>[]): Promise<void> {
  await sim.admin.patch(VMS, NS, name, 'merge', { status: { stateChangeRequests: requests } }, 'status');
  await sim.cluster.settle();
}

describe('Always', () => {
  it('creates the VMI at once: Starting, then Running once virt-handler reports it', async () => {
    const seen = recordPrintable(sim, 'web');
    await createVm('web', { runStrategy: 'Always' });
    const vmi = vmiOf(sim, 'web')!;
    assert.ok(vmi, 'the VMI exists');
    assert.equal(statusOf(vmOf(sim, 'web')).printableStatus, 'Starting');
    await runVmi(sim, 'web');
    const st = statusOf(vmOf(sim, 'web'));
    assert.deepEqual(seen, ['Starting', 'Running']);
    assert.equal(st.ready, true);
    assert.equal(st.created, true);
    assert.equal(st.runStrategy, 'Always');
    const ready = st.conditions.find((c: { type: string }) => c.type === 'Ready');
    assert.equal(ready.status, 'True');
    assert.ok(st.conditions.some((c: { type: string; status: string }) => c.type === 'LiveMigratable' && c.status === 'True'), 'VMI conditions are mirrored');
  });

  it('gives the VMI the VM name, template metadata, owner reference, finalizer, generation annotation and firmware UUID', async () => {
    await createVm('web', { runStrategy: 'Always' });
    const vm = vmOf(sim, 'web')!;
    const vmi = vmiOf(sim, 'web')!;
    assert.equal(vmi.metadata.name, 'web');
    assert.deepEqual(vmi.metadata.labels, { app: 'web', 'kubevirt.io/domain': 'web' });
    assert.equal(vmi.metadata.annotations?.['vm.kubevirt.io/flavor'], 'small');
    assert.equal(vmi.metadata.annotations?.['kubevirt.io/vm-generation'], '1');
    assert.deepEqual(vmi.metadata.ownerReferences, [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'web', uid: vm.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(vmi.metadata.finalizers, ['kubevirt.io/virtualMachineControllerFinalize', 'kubevirt.io/foregroundDeleteVirtualMachine']);
    const vmUuid = (vm.spec as any).template.spec.domain.firmware.uuid;
    assert.equal((vmi.spec as any).domain.firmware.uuid, vmUuid);
    assert.deepEqual(vm.metadata.finalizers, ['kubevirt.io/virtualMachineControllerFinalize']);
    assert.equal(vm.metadata.annotations?.['kubevirt.io/latest-observed-api-version'], 'v1');
    assert.deepEqual(eventsFor(sim, 'web').map((e) => [e.type, e.reason, e.message, e.source.component]), [
      ['Normal', 'SuccessfulCreate', 'Started the virtual machine by creating the new virtual machine instance web', 'virtualmachine-controller'],
    ]);
  });

  it('a Failed VMI is deleted and replaced: Running, Stopped, Starting, Running', async () => {
    await createVm('web', { runStrategy: 'Always' });
    await runVmi(sim, 'web');
    const seen = recordPrintable(sim, 'web');
    const first = vmiOf(sim, 'web')!;
    await failVmi(sim, 'web');
    assert.ok(vmiOf(sim, 'web')!.metadata.deletionTimestamp, 'the failed VMI is being deleted');
    assert.deepEqual(vmiOf(sim, 'web')!.metadata.finalizers, ['kubevirt.io/foregroundDeleteVirtualMachine'], 'the VM controller let go of it');
    await finishVmiDeletion(sim, 'web');
    const second = vmiOf(sim, 'web')!;
    assert.notEqual(second.metadata.uid, first.metadata.uid);
    await runVmi(sim, 'web');
    assert.deepEqual(seen, ['Running', 'Stopped', 'Starting', 'Running']);
    assert.equal(statusOf(vmOf(sim, 'web')).startFailure, undefined, 'a VMI that had run is no start failure');
    assert.ok(eventsFor(sim, 'web').some((e) => e.reason === 'SuccessfulDelete' && e.message === `Stopped the virtual machine by deleting the virtual machine instance ${first.metadata.uid}`));
  });

  it('a Succeeded VMI (guest shutdown) is replaced too', async () => {
    await createVm('web', { runStrategy: 'Always' });
    await runVmi(sim, 'web');
    const first = vmiOf(sim, 'web')!.metadata.uid;
    await failVmi(sim, 'web', 'Succeeded');
    await finishVmiDeletion(sim, 'web');
    assert.notEqual(vmiOf(sim, 'web')!.metadata.uid, first);
  });

  it('a VMI that fails before Running counts as a start failure: CrashLoopBackOff until the backoff has passed', async () => {
    const seen = recordPrintable(sim, 'web');
    await createVm('web', { runStrategy: 'Always' });
    await setVmi(sim, 'web', { phase: 'Scheduling' });
    await failVmi(sim, 'web');
    await finishVmiDeletion(sim, 'web');
    const st = statusOf(vmOf(sim, 'web'));
    assert.equal(vmiOf(sim, 'web'), undefined, 'no new VMI during the backoff');
    assert.equal(st.printableStatus, 'CrashLoopBackOff');
    assert.equal(st.startFailure.consecutiveFailCount, 1);
    const retry = Date.parse(st.startFailure.retryAfterTimestamp);
    const wait = (retry - sim.clock.now()) / 1000;
    assert.ok(wait >= 10 && wait <= 15, `first backoff is 10..15 s, got ${wait}`);
    await sim.advance(wait - 1);
    assert.equal(vmiOf(sim, 'web'), undefined);
    await sim.advance(1);
    assert.ok(vmiOf(sim, 'web'), 'a new VMI after the backoff');
    assert.deepEqual(seen, ['Starting', 'CrashLoopBackOff', 'Starting']);

    // A second early failure waits 40..60 s; reaching Running clears the count.
    await failVmi(sim, 'web');
    await finishVmiDeletion(sim, 'web');
    const st2 = statusOf(vmOf(sim, 'web'));
    assert.equal(st2.startFailure.consecutiveFailCount, 2);
    const wait2 = (Date.parse(st2.startFailure.retryAfterTimestamp) - sim.clock.now()) / 1000;
    assert.ok(wait2 >= 40 && wait2 <= 60, `second backoff is 40..60 s, got ${wait2}`);
    await sim.advance(wait2);
    await runVmi(sim, 'web');
    assert.equal(statusOf(vmOf(sim, 'web')).startFailure, undefined);
    assert.equal(statusOf(vmOf(sim, 'web')).printableStatus, 'Running');
  });

  it('a Stop request for the current VMI restarts it (virtctl restart)', async () => {
    await createVm('web', { runStrategy: 'Always' });
    await runVmi(sim, 'web');
    const seen = recordPrintable(sim, 'web');
    const uid = vmiOf(sim, 'web')!.metadata.uid;
    await queueRequests('web', [{ action: 'Stop', uid }, { action: 'Start' }]);
    assert.ok(vmiOf(sim, 'web')!.metadata.deletionTimestamp);
    await finishVmiDeletion(sim, 'web');
    const next = vmiOf(sim, 'web')!;
    assert.notEqual(next.metadata.uid, uid);
    assert.equal(statusOf(vmOf(sim, 'web')).stateChangeRequests, undefined, 'both requests are done');
    assert.deepEqual(seen, ['Running', 'Stopping', 'Stopped', 'Starting']);
  });
});

describe('RerunOnFailure', () => {
  it('starts the first time, and restarts a Failed VMI through a Start request', async () => {
    const seen = recordPrintable(sim, 'db');
    await createVm('db', { runStrategy: 'RerunOnFailure' });
    assert.ok(vmiOf(sim, 'db'), 'first start');
    await runVmi(sim, 'db');
    const first = vmiOf(sim, 'db')!.metadata.uid;
    await failVmi(sim, 'db');
    assert.deepEqual(statusOf(vmOf(sim, 'db')).stateChangeRequests, [{ action: 'Start' }], 'a Start request is queued');
    await finishVmiDeletion(sim, 'db');
    assert.notEqual(vmiOf(sim, 'db')!.metadata.uid, first);
    assert.equal(statusOf(vmOf(sim, 'db')).stateChangeRequests, undefined, 'the Start request is done');
    await runVmi(sim, 'db');
    assert.deepEqual(seen, ['Starting', 'Running', 'Stopped', 'Starting', 'Running']);
  });

  it('a Succeeded VMI (clean shutdown) is deleted and not recreated', async () => {
    await createVm('db', { runStrategy: 'RerunOnFailure' });
    await runVmi(sim, 'db');
    const seen = recordPrintable(sim, 'db');
    await failVmi(sim, 'db', 'Succeeded');
    await finishVmiDeletion(sim, 'db');
    await sim.advance(600);
    assert.equal(vmiOf(sim, 'db'), undefined);
    const st = statusOf(vmOf(sim, 'db'));
    assert.equal(st.printableStatus, 'Stopped');
    assert.equal(st.created, undefined);
    assert.deepEqual(seen, ['Running', 'Stopped']);
    const ready = st.conditions.find((c: { type: string }) => c.type === 'Ready');
    assert.deepEqual([ready.status, ready.reason, ready.message], ['False', 'VMINotExists', 'VMI does not exist']);
  });

  it('a Stop request deletes the VMI and it stays stopped; a Start request starts it again', async () => {
    await createVm('db', { runStrategy: 'RerunOnFailure' });
    await runVmi(sim, 'db');
    await queueRequests('db', [{ action: 'Stop', uid: vmiOf(sim, 'db')!.metadata.uid }]);
    await finishVmiDeletion(sim, 'db');
    assert.equal(vmiOf(sim, 'db'), undefined);
    assert.equal(statusOf(vmOf(sim, 'db')).printableStatus, 'Stopped');
    await queueRequests('db', [{ action: 'Start' }]);
    assert.ok(vmiOf(sim, 'db'));
    assert.equal(statusOf(vmOf(sim, 'db')).printableStatus, 'Starting');
  });
});

describe('Manual', () => {
  it('creates nothing by itself; a Start request creates the VMI, a Stop request deletes it', async () => {
    const seen = recordPrintable(sim, 'man');
    await createVm('man', { runStrategy: 'Manual' });
    assert.equal(vmiOf(sim, 'man'), undefined);
    assert.equal(statusOf(vmOf(sim, 'man')).printableStatus, 'Stopped');
    assert.equal(statusOf(vmOf(sim, 'man')).runStrategy, undefined, 'not recorded before a first instance');
    await queueRequests('man', [{ action: 'Start' }]);
    await runVmi(sim, 'man');
    assert.equal(statusOf(vmOf(sim, 'man')).runStrategy, 'Manual');
    await queueRequests('man', [{ action: 'Stop', uid: vmiOf(sim, 'man')!.metadata.uid }]);
    await finishVmiDeletion(sim, 'man');
    assert.equal(vmiOf(sim, 'man'), undefined);
    assert.deepEqual(seen, ['Stopped', 'Starting', 'Running', 'Stopping', 'Stopped']);
  });

  it('a Failed VMI stays Failed and the VM shows Stopped', async () => {
    await createVm('man', { runStrategy: 'Manual' });
    await queueRequests('man', [{ action: 'Start' }]);
    await runVmi(sim, 'man');
    await failVmi(sim, 'man');
    await sim.advance(600);
    const vmi = vmiOf(sim, 'man')!;
    assert.equal(statusOf(vmi).phase, 'Failed');
    assert.equal(vmi.metadata.deletionTimestamp, undefined);
    assert.deepEqual(vmi.metadata.finalizers, ['kubevirt.io/foregroundDeleteVirtualMachine'], 'the VM recorded it and let go');
    const st = statusOf(vmOf(sim, 'man'));
    assert.equal(st.printableStatus, 'Stopped');
    assert.equal(st.startFailure, undefined, 'Manual does not track start failures');
    // virtctl start on a final VMI queues Stop(uid)+Start: the old one goes, a new one comes.
    await queueRequests('man', [{ action: 'Stop', uid: vmi.metadata.uid }, { action: 'Start' }]);
    await finishVmiDeletion(sim, 'man');
    assert.notEqual(vmiOf(sim, 'man')!.metadata.uid, vmi.metadata.uid);
    assert.equal(statusOf(vmOf(sim, 'man')).printableStatus, 'Starting');
  });
});

describe('Halted', () => {
  it('never creates a VMI', async () => {
    await createVm('off', { runStrategy: 'Halted' });
    await sim.advance(60);
    assert.equal(vmiOf(sim, 'off'), undefined);
    const st = statusOf(vmOf(sim, 'off'));
    assert.equal(st.printableStatus, 'Stopped');
    assert.equal(st.created, undefined);
    assert.equal(st.ready, undefined);
  });

  it('switching a running VM to Halted deletes the VMI: Running, Stopping, Stopped', async () => {
    await createVm('off', { running: true });
    await runVmi(sim, 'off');
    const seen = recordPrintable(sim, 'off');
    await sim.admin.patch(VMS, NS, 'off', 'merge', { spec: { running: false } });
    await sim.cluster.settle();
    assert.equal(statusOf(vmOf(sim, 'off')).printableStatus, 'Stopping');
    await finishVmiDeletion(sim, 'off');
    assert.equal(vmiOf(sim, 'off'), undefined);
    assert.deepEqual(seen, ['Running', 'Stopping', 'Stopped']);
    assert.equal(statusOf(vmOf(sim, 'off')).runStrategy, 'Halted');
  });

  it('a paused Start request switches the VM to Always and the VMI starts paused', async () => {
    await createVm('off', { runStrategy: 'Halted' });
    await queueRequests('off', [{ action: 'Start', data: { paused: 'true' } }]);
    const vm = vmOf(sim, 'off')!;
    assert.equal((vm.spec as any).runStrategy, 'Always');
    const vmi = vmiOf(sim, 'off')!;
    assert.equal((vmi.spec as any).startStrategy, 'Paused');
    assert.equal(statusOf(vm).stateChangeRequests, undefined, 'the Start request is done');
  });
});

describe('Once', () => {
  it('runs once: a Failed VMI stays, the VM shows Stopped', async () => {
    const seen = recordPrintable(sim, 'job');
    await createVm('job', { runStrategy: 'Once' });
    await runVmi(sim, 'job');
    await failVmi(sim, 'job');
    await sim.advance(600);
    assert.equal(statusOf(vmiOf(sim, 'job')).phase, 'Failed');
    assert.equal(vmiOf(sim, 'job')!.metadata.deletionTimestamp, undefined);
    assert.deepEqual(seen, ['Starting', 'Running', 'Stopped']);
  });

  it('a Succeeded VMI stays too', async () => {
    await createVm('job', { runStrategy: 'Once' });
    await runVmi(sim, 'job');
    await failVmi(sim, 'job', 'Succeeded');
    await sim.advance(60);
    assert.equal(statusOf(vmiOf(sim, 'job')).phase, 'Succeeded');
    assert.equal(statusOf(vmOf(sim, 'job')).printableStatus, 'Stopped');
  });
});

describe('status beyond the strategy', () => {
  it('RestartRequired when the template changes under a running VMI; generations follow', async () => {
    await createVm('web', { runStrategy: 'Always' });
    await runVmi(sim, 'web');
    let st = statusOf(vmOf(sim, 'web'));
    assert.deepEqual([st.observedGeneration, st.desiredGeneration], [1, 1]);
    await sim.admin.patch(VMS, NS, 'web', 'merge', { spec: { template: { spec: { domain: { resources: { requests: { memory: '2Gi' } } } } } } });
    await sim.cluster.settle();
    st = statusOf(vmOf(sim, 'web'));
    const rr = st.conditions.find((c: { type: string }) => c.type === 'RestartRequired');
    assert.deepEqual([rr?.status, rr?.message], ['True', 'a non-live-updatable field was changed in the template spec']);
    assert.deepEqual([st.observedGeneration, st.desiredGeneration], [1, 2]);
    assert.equal(st.printableStatus, 'Running');
  });

  it('a run strategy change alone is no restart: the VMI is marked as running the new generation', async () => {
    await createVm('web', { runStrategy: 'Always' });
    await runVmi(sim, 'web');
    await sim.admin.patch(VMS, NS, 'web', 'merge', { spec: { runStrategy: 'RerunOnFailure' } });
    await sim.cluster.settle();
    const st = statusOf(vmOf(sim, 'web'));
    assert.equal(st.conditions.find((c: { type: string }) => c.type === 'RestartRequired'), undefined);
    assert.deepEqual([st.observedGeneration, st.desiredGeneration], [2, 2]);
    assert.equal(vmiOf(sim, 'web')!.metadata.annotations?.['kubevirt.io/vm-generation'], '2');
    assert.equal(st.runStrategy, 'RerunOnFailure');
  });

  it('a paused VMI shows Paused', async () => {
    await createVm('web', { runStrategy: 'Always' });
    await runVmi(sim, 'web');
    const conds = [...statusOf(vmiOf(sim, 'web')).conditions, { type: 'Paused', status: 'True', reason: 'PausedByUser', message: 'VMI was paused by user', lastProbeTime: null, lastTransitionTime: null }];
    await setVmi(sim, 'web', { conditions: conds });
    const st = statusOf(vmOf(sim, 'web'));
    assert.equal(st.printableStatus, 'Paused');
    assert.ok(st.conditions.some((c: { type: string; reason: string }) => c.type === 'Paused' && c.reason === 'PausedByUser'));
  });

  it('ErrorUnschedulable while the launcher pod cannot be scheduled', async () => {
    await createVm('web', { runStrategy: 'Always' });
    await setVmi(sim, 'web', { phase: 'Scheduling', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available', lastProbeTime: null, lastTransitionTime: null }] });
    assert.equal(statusOf(vmOf(sim, 'web')).printableStatus, 'ErrorUnschedulable');
  });

  it('deleting the VM stops its VMI, shows Terminating, and the VM goes once the VMI is gone', async () => {
    await createVm('web', { runStrategy: 'Always' });
    await runVmi(sim, 'web');
    const seen = recordPrintable(sim, 'web');
    await sim.admin.delete(VMS, NS, 'web');
    await sim.cluster.settle();
    assert.ok(vmOf(sim, 'web')?.metadata.deletionTimestamp);
    assert.ok(vmiOf(sim, 'web')?.metadata.deletionTimestamp);
    await failVmi(sim, 'web', 'Succeeded');
    await finishVmiDeletion(sim, 'web');
    assert.equal(vmiOf(sim, 'web'), undefined);
    assert.equal(vmOf(sim, 'web'), undefined);
    assert.deepEqual(seen, ['Running', 'Terminating']);
  });

  it('adopts an orphan VMI of the same name instead of creating one', async () => {
    const template = (vmManifest('orph', { runStrategy: 'Always' }).spec as any).template;
    await sim.admin.create(VMIS, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'orph', namespace: NS }, spec: template.spec });
    const orphan = vmiOf(sim, 'orph')!;
    await createVm('orph', { runStrategy: 'Always' });
    const vmi = vmiOf(sim, 'orph')!;
    assert.equal(vmi.metadata.uid, orphan.metadata.uid);
    assert.deepEqual(vmi.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.controller]), [['VirtualMachine', 'orph', true]]);
    assert.equal(statusOf(vmOf(sim, 'orph')).created, true);
  });

  it('a VMI of the same name owned by someone else: Failure condition and a FailedCreate event', async () => {
    const template = (vmManifest('clash', { runStrategy: 'Always' }).spec as any).template;
    await sim.admin.create(VMIS, {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
      metadata: { name: 'clash', namespace: NS, ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }] },
      spec: template.spec,
    });
    await createVm('clash', { runStrategy: 'Always' });
    const st = statusOf(vmOf(sim, 'clash'));
    const failure = st.conditions.find((c: { type: string }) => c.type === 'Failure');
    assert.deepEqual([failure.status, failure.reason, failure.message],
      ['True', 'FailedCreate', 'Failure while starting VMI: virtualmachineinstances.kubevirt.io "clash" already exists']);
    assert.equal(st.created, undefined, 'the other VMI is not this VM\'s');
    assert.ok(eventsFor(sim, 'clash').some((e) => e.type === 'Warning' && e.reason === 'FailedCreate'
      && e.message === 'Error creating virtual machine instance: virtualmachineinstances.kubevirt.io "clash" already exists'));
  });

  it('writes status only when it changed', async () => {
    await createVm('web', { runStrategy: 'Always' });
    await runVmi(sim, 'web');
    const rv = vmOf(sim, 'web')!.metadata.resourceVersion;
    sim.cluster.runner.enqueue('virtualmachine-controller', `${NS}/web`);
    await sim.cluster.settle();
    await sim.advance(30);
    assert.equal(vmOf(sim, 'web')!.metadata.resourceVersion, rv);
    assert.equal(sim.admin.list(VMIS, NS).length, 1);
  });
});
