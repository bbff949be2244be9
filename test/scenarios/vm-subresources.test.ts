// The subresources.kubevirt.io API over HTTPS, as virtctl calls it:
// PUT /apis/subresources.kubevirt.io/v1/namespaces/{ns}/{virtualmachines|virtualmachineinstances}/{name}/{verb}.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { startSim, type Sim } from '../integration/harness.ts';
import { NS, VMIS, VMS, type VmSim, failVmi, finishVmiDeletion, onlyVmControllerFromKubeVirt, runVmi, statusOf, vmManifest } from './vm-harness.ts';

interface Reply {
  code: number;
  body: string;
}

function put(sim: Sim, path: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(`${sim.api.url}/apis/subresources.kubevirt.io/v1/namespaces/${NS}/${path}`, {
      method: 'PUT', ca: sim.api.caPem,
      headers: { Authorization: `Bearer ${sim.token}`, ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}) },
    }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function status(r: Reply): { code: number; reason: string; message: string; details?: Record<string, unknown> } {
  return JSON.parse(r.body);
}

let sim: Sim;
let vmSim: VmSim;

before(async () => {
  onlyVmControllerFromKubeVirt();
  sim = await startSim({ workers: 1, controlPlanes: 1 });
  // The VMI helpers of the VM stories, on this cluster.
  const c = sim.cluster;
  vmSim = {
    host: sim.host, cluster: c, clock: sim.clock,
    admin: c.client('kube:admin', 'kubectl'),
    handler: c.client('system:serviceaccount:openshift-cnv:kubevirt-handler', 'virt-handler'),
    advance: (s) => c.advance(s),
    close: () => {},
  };
});
after(async () => { await sim.close(); });

async function createVm(name: string, run: { runStrategy?: string; running?: boolean }): Promise<void> {
  await vmSim.admin.create(VMS, vmManifest(name, run));
  await sim.cluster.settle();
}

const vm = (name: string) => vmSim.admin.get(VMS, NS, name)!;
const vmi = (name: string) => vmSim.admin.get(VMIS, NS, name);

describe('VM start', () => {
  it('on a Halted VM answers 202 with an empty body and switches runStrategy to Always', async () => {
    await createVm('s1', { runStrategy: 'Halted' });
    const r = await put(sim, 'virtualmachines/s1/start', {});
    assert.equal(r.code, 202);
    assert.equal(r.body, '');
    assert.equal((vm('s1').spec as any).runStrategy, 'Always');
    await sim.cluster.settle();
    assert.ok(vmi('s1'), 'the controller started it');
    assert.equal(statusOf(vm('s1')).printableStatus, 'Starting');
  });

  it('on a VM using spec.running sets running: true', async () => {
    await createVm('s2', { running: false });
    const r = await put(sim, 'virtualmachines/s2/start');
    assert.equal(r.code, 202);
    assert.equal((vm('s2').spec as any).running, true);
    assert.equal((vm('s2').spec as any).runStrategy, undefined);
  });

  it('with dryRun changes nothing', async () => {
    await createVm('s3', { runStrategy: 'Halted' });
    const r = await put(sim, 'virtualmachines/s3/start', { dryRun: ['All'] });
    assert.equal(r.code, 202);
    assert.equal((vm('s3').spec as any).runStrategy, 'Halted');
  });

  it('on a running VM is 409 "VM is already running"; Always refuses manual starts', async () => {
    const r = await put(sim, 'virtualmachines/s1/start', {});
    assert.equal(r.code, 409);
    assert.deepEqual({ ...status(r), metadata: undefined }, {
      kind: 'Status', apiVersion: 'v1', metadata: undefined, status: 'Failure', code: 409, reason: 'Conflict',
      message: 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "s1": VM is already running',
      details: { name: 's1', group: 'kubevirt.io', kind: 'virtualmachine' },
    });
    // With a final VMI (failed, being replaced) the strategy decides.
    await createVm('s4', { runStrategy: 'Always' });
    await failVmi(vmSim, 's4');
    assert.ok(vmi('s4')?.metadata.deletionTimestamp);
    const r2 = await put(sim, 'virtualmachines/s4/start', {});
    assert.equal(status(r2).message, 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "s4": Always does not support manual start requests');
  });

  it('on a Manual VM queues a Start request in status (JSON patch against /status)', async () => {
    await createVm('m1', { runStrategy: 'Manual' });
    const queued: unknown[] = [];
    const stop = sim.cluster.store.watch(VMS, (ev) => {
      const reqs = statusOf(ev.object).stateChangeRequests;
      if (ev.object.metadata.name === 'm1' && reqs) queued.push(reqs);
    });
    const r = await put(sim, 'virtualmachines/m1/start', {});
    stop();
    assert.equal(r.code, 202);
    assert.deepEqual(queued[0], [{ action: 'Start' }], 'virt-api queued a Start request');
    await sim.cluster.settle();
    assert.ok(vmi('m1'), 'the Start request was acted on');
    assert.equal(statusOf(vm('m1')).stateChangeRequests, undefined, 'and popped once a VMI exists');
    assert.equal((vm('m1').spec as any).runStrategy, 'Manual');
  });

  it('a second start while one is queued is a 500 "stop/start already underway"', async () => {
    await createVm('m2', { runStrategy: 'Manual' });
    await put(sim, 'virtualmachines/m2/start', {});
    await sim.cluster.settle();
    await runVmi(vmSim, 'm2');
    await failVmi(vmSim, 'm2');
    // A Start queued next to a Failed VMI of a Manual VM waits (the VMI is final, so it is not popped).
    await vmSim.admin.patch(VMS, NS, 'm2', 'merge', { status: { stateChangeRequests: [{ action: 'Start' }] } }, 'status');
    await sim.cluster.settle();
    const r = await put(sim, 'virtualmachines/m2/start', {});
    assert.deepEqual([r.code, status(r).reason, status(r).message], [500, 'InternalError', 'Internal error occurred: unable to complete request: stop/start already underway']);
  });

  it('on a Manual VM with a Failed VMI queues Stop(uid)+Start and removes startFailure', async () => {
    await createVm('m3', { runStrategy: 'Manual' });
    await put(sim, 'virtualmachines/m3/start', {});
    await sim.cluster.settle();
    await runVmi(vmSim, 'm3');
    await failVmi(vmSim, 'm3');
    const old = vmi('m3')!;
    const r = await put(sim, 'virtualmachines/m3/start', {});
    assert.equal(r.code, 202);
    await sim.cluster.settle();
    assert.ok(vmi('m3')!.metadata.deletionTimestamp, 'Stop(uid) deletes the failed VMI');
    await finishVmiDeletion(vmSim, 'm3');
    assert.notEqual(vmi('m3')!.metadata.uid, old.metadata.uid, 'Start creates a new one');
  });

  it('answers 404 for a VM that does not exist', async () => {
    const r = await put(sim, 'virtualmachines/nope/start', {});
    assert.equal(r.code, 404);
    assert.equal(status(r).message, 'virtualmachine.kubevirt.io "nope" not found');
    assert.equal(status(r).reason, 'NotFound');
  });
});

describe('VM stop', () => {
  it('on a stopped Manual VM is 409 "VM is not running"', async () => {
    await createVm('t1', { runStrategy: 'Manual' });
    const r = await put(sim, 'virtualmachines/t1/stop', {});
    assert.equal(r.code, 409);
    assert.equal(status(r).message, 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "t1": VM is not running');
  });

  it('on an Always VM switches it to Halted; the VMI goes', async () => {
    await createVm('t2', { runStrategy: 'Always' });
    await runVmi(vmSim, 't2');
    const r = await put(sim, 'virtualmachines/t2/stop', {});
    assert.equal(r.code, 202);
    assert.equal((vm('t2').spec as any).runStrategy, 'Halted');
    await sim.cluster.settle();
    assert.ok(vmi('t2')?.metadata.deletionTimestamp);
    assert.equal(statusOf(vm('t2')).printableStatus, 'Stopping');
    await finishVmiDeletion(vmSim, 't2');
    assert.equal(vmi('t2'), undefined);
    assert.equal(statusOf(vm('t2')).printableStatus, 'Stopped');
  });

  it('on a running Manual VM queues Stop(uid) and shortens the grace period when asked', async () => {
    await createVm('t3', { runStrategy: 'Manual' });
    await put(sim, 'virtualmachines/t3/start', {});
    await sim.cluster.settle();
    await runVmi(vmSim, 't3');
    const r = await put(sim, 'virtualmachines/t3/stop', { gracePeriod: 5 });
    assert.equal(r.code, 202);
    const v = vmi('t3')!;
    assert.equal((v.spec as any).terminationGracePeriodSeconds, 5);
    await sim.cluster.settle();
    assert.ok(vmi('t3')!.metadata.deletionTimestamp, 'the Stop request was acted on');
    assert.equal((vm('t3').spec as any).runStrategy, 'Manual', 'Manual keeps its strategy');
  });

  it('on a Halted VM without a VMI is 409 "VM is not running"', async () => {
    await createVm('t4', { runStrategy: 'Halted' });
    const r = await put(sim, 'virtualmachines/t4/stop', {});
    assert.equal(status(r).message, 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "t4": VM is not running');
  });
});

describe('VM restart', () => {
  it('validates the grace period and the strategy', async () => {
    await createVm('r1', { runStrategy: 'Halted' });
    let r = await put(sim, 'virtualmachines/r1/restart', { gracePeriodSeconds: 5 });
    assert.deepEqual([r.code, status(r).reason, status(r).message], [400, 'BadRequest', 'For force restart, only gracePeriod=0 is supported for now']);
    r = await put(sim, 'virtualmachines/r1/restart', { gracePeriodSeconds: -1 });
    assert.deepEqual([r.code, status(r).message], [400, 'gracePeriod has to be greater or equal to 0']);
    r = await put(sim, 'virtualmachines/r1/restart', {});
    assert.deepEqual([r.code, status(r).message], [409, 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "r1": RunStategy Halted does not support manual restart requests']);
    await createVm('r2', { runStrategy: 'Manual' });
    r = await put(sim, 'virtualmachines/r2/restart', {});
    assert.deepEqual([r.code, status(r).message], [409, 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "r2": VM is not running: Halted']);
  });

  it('queues Stop(uid)+Start; the VM comes back with a new VMI; gracePeriodSeconds=0 sets the VMI grace to 1', async () => {
    await createVm('r3', { runStrategy: 'Always' });
    await runVmi(vmSim, 'r3');
    const old = vmi('r3')!;
    const r = await put(sim, 'virtualmachines/r3/restart', { gracePeriodSeconds: 0 });
    assert.equal(r.code, 202);
    assert.equal((vmi('r3')!.spec as any).terminationGracePeriodSeconds, 1);
    await sim.cluster.settle();
    assert.ok(vmi('r3')!.metadata.deletionTimestamp);
    await finishVmiDeletion(vmSim, 'r3');
    assert.notEqual(vmi('r3')!.metadata.uid, old.metadata.uid);
    assert.equal((vm('r3').spec as any).runStrategy, 'Always');
    assert.equal(statusOf(vm('r3')).stateChangeRequests, undefined);
  });
});

describe('VM migrate', () => {
  it('is 409 unless the VMI is Running, then creates a migration', async () => {
    await createVm('g1', { runStrategy: 'Always' });
    let r = await put(sim, 'virtualmachines/g1/migrate', {});
    assert.deepEqual([r.code, status(r).message], [409, 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "g1": VM is not running']);
    await runVmi(vmSim, 'g1');
    r = await put(sim, 'virtualmachines/g1/migrate', {});
    assert.equal(r.code, 202, r.body);
    const migs = vmSim.admin.list('kubevirt.io/virtualmachineinstancemigrations', NS).filter((m) => (m.spec as any).vmiName === 'g1');
    assert.equal(migs.length, 1);
    assert.match(migs[0].metadata.name!, /^kubevirt-migrate-vm-[a-z0-9]{5}$/);
  });
});

describe('VMI pause and unpause', () => {
  it('pause needs a Running VMI, sets Paused (PausedByUser), shows Paused on the VM; unpause clears it', async () => {
    await createVm('p1', { runStrategy: 'Always' });
    let r = await put(sim, 'virtualmachineinstances/p1/pause', {});
    assert.deepEqual([r.code, status(r).message], [409, 'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "p1": VM is not running']);
    await runVmi(vmSim, 'p1');
    r = await put(sim, 'virtualmachineinstances/p1/pause', {});
    assert.deepEqual([r.code, r.body], [200, '']);
    const paused = (statusOf(vmi('p1')).conditions as any[]).find((c) => c.type === 'Paused');
    assert.deepEqual([paused.status, paused.reason, paused.message], ['True', 'PausedByUser', 'VMI was paused by user']);
    await sim.cluster.settle();
    assert.equal(statusOf(vm('p1')).printableStatus, 'Paused');
    r = await put(sim, 'virtualmachineinstances/p1/pause', {});
    assert.deepEqual([r.code, status(r).message], [409, 'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "p1": VMI is already paused']);
    r = await put(sim, 'virtualmachineinstances/p1/unpause', {});
    assert.equal(r.code, 200);
    await sim.cluster.settle();
    assert.equal(statusOf(vm('p1')).printableStatus, 'Running');
    r = await put(sim, 'virtualmachineinstances/p1/unpause', {});
    assert.deepEqual([r.code, status(r).message], [409, 'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "p1": VMI is not paused']);
  });

  it('pause of a missing VMI is 404', async () => {
    const r = await put(sim, 'virtualmachineinstances/none/pause', {});
    assert.deepEqual([r.code, status(r).message], [404, 'virtualmachineinstance.kubevirt.io "none" not found']);
  });
});
