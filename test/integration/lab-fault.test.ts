// `lab fault` against an embedded cluster through its kubeconfig: create,
// list and delete faults as an instructor or a grader would, with the errors
// a user can act on.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../cli/main.ts';
import { captureIO } from '../cli-io.ts';
import { defaultFaultName, parseFaultType } from '../../cli/commands/fault.ts';
import { startSim, type Sim } from './harness.ts';

describe('lab fault', () => {
  let sim: Sim;
  before(async () => { sim = await startSim({ workers: 2, controlPlanes: 1 }); });
  after(async () => { await sim.close(); });

  async function lab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const io = captureIO();
    const code = await main(['fault', ...args, ...(args[0] === 'create' || args[0] === 'list' || args[0] === 'delete' ? ['--kubeconfig', sim.kubeconfig] : [])], io);
    return { code, out: io.stdout(), err: io.stderr() };
  }

  it('reads fault types loosely and names faults after type and target', () => {
    assert.equal(parseFaultType('node-power-off'), 'NodePowerOff');
    assert.equal(parseFaultType('guestkernelhang'), 'GuestKernelHang');
    assert.equal(defaultFaultName('KubeletStop', 'worker-1'), 'kubelet-stop-worker-1');
  });

  it('creates a node fault the cluster acts on', async () => {
    const r = await lab('create', 'KubeletStop', 'worker-1');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'fault.sim.virtlab.dev/kubelet-stop-worker-1 created\n');
    await sim.advance(1);
    const k = await sim.kubectl(['get', 'fault', 'kubelet-stop-worker-1', '-o', 'jsonpath={.spec.target.kind}/{.spec.target.name} {.status.phase}']);
    assert.equal(k.stdout, 'Node/worker-1 Active');
    await sim.advance(60);
    assert.match((await sim.kubectl(['get', 'node', 'worker-1'])).stdout, /worker-1\s+NotReady/);
  });

  it('creates a guest fault in the context namespace, with its service', async () => {
    const r = await lab('create', 'service-stop', 'web-1', '--service', 'httpd', '-n', 'ha');
    assert.equal(r.code, 0, r.err);
    const k = await sim.kubectl(['get', 'fault', 'service-stop-web-1', '-o', 'jsonpath={.spec.target.kind} {.spec.target.namespace}/{.spec.target.name} {.spec.service}']);
    assert.equal(k.stdout, 'VirtualMachineInstance ha/web-1 httpd');
  });

  it('lists faults with their target, phase and message', async () => {
    await sim.advance(1);
    const r = await lab('list');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines[0], /^NAME\s+TYPE\s+TARGET\s+PHASE\s+AGE\s+MESSAGE$/);
    assert.match(r.out, /kubelet-stop-worker-1\s+KubeletStop\s+worker-1\s+Active\s+\S+\s+The kubelet and virt-handler on worker-1 are stopped/);
    assert.match(r.out, /service-stop-web-1\s+ServiceStop\s+ha\/web-1\s+Pending\s+\S+\s+Waiting for VirtualMachineInstance ha\/web-1 to run/);
  });

  it('refuses what cannot work, saying why', async () => {
    let r = await lab('create', 'Meteor', 'worker-1');
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown fault type "Meteor": use one of NodePowerOff, KubeletStop, NetworkPartition, ServiceStop, GuestKernelHang, GuestCrash/);
    r = await lab('create', 'ServiceStop', 'web-1');
    assert.equal(r.code, 1);
    assert.match(r.err, /ServiceStop needs --service <name>/);
    r = await lab('create', 'KubeletStop', 'worker-1');
    assert.equal(r.code, 1);
    assert.match(r.err, /fault "kubelet-stop-worker-1" already exists: undo it with `lab fault delete kubelet-stop-worker-1`/);
    r = await lab('create', 'NodePowerOff', 'worker-0', '-n', 'ha');
    assert.match(r.err, /NodePowerOff targets a Node, which has no namespace: drop -n/);
    r = await lab('delete', 'nope');
    assert.match(r.err, /fault "nope" not found: see `lab fault list`/);
    const io = captureIO();
    assert.equal(await main(['fault', 'list', '--kubeconfig', '/nonexistent/kubeconfig'], io), 1);
    assert.match(io.stderr(), /cannot read kubeconfig \/nonexistent\/kubeconfig/);
  });

  it('deletes a fault: the kubelet comes back and the node is Ready', async () => {
    let r = await lab('delete', 'kubelet-stop-worker-1');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'fault.sim.virtlab.dev "kubelet-stop-worker-1" deleted\n');
    await sim.advance(2);
    assert.match((await sim.kubectl(['get', 'node', 'worker-1'])).stdout, /worker-1\s+Ready/);
    r = await lab('delete', 'service-stop-web-1');
    assert.equal(r.code, 0, r.err);
    await sim.advance(1);
    r = await lab('list');
    assert.equal(r.out, 'No faults found.\n');
  });
});
