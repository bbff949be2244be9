// Behavioural checks on the embedded cluster: withFault injects a Fault, waits
// until it is in effect, runs the body and always deletes the fault; waitFor
// polls on cluster time (a ManualClock advanced by each sleep) and measures
// how long recovery took, or says what it saw last.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { startSim, type Sim } from '../integration/harness.ts';
import { vmManifest } from '../scenarios/fixtures.ts';
import {
  describeVmRunning, getVm, getVmi, isVmRunning, listFaults, measured, waitFor, withFault, type ClusterConnection,
} from '../../graders/sdk/index.ts';
import { EMBEDDED, simConnection } from './grader-sdk-connection.ts';

const NS = 'default';

describe('grader SDK faults and waiting', () => {
  let sim: Sim;
  let conn: ClusterConnection;

  const graderFaults = async (): Promise<string[]> => {
    await sim.cluster.settle();
    return (await listFaults(conn, { labelSelector: { 'virtlab.dev/created-by': 'grader' } })).map((f) => f.metadata.name);
  };

  before(async () => {
    sim = await startSim({ workers: 2 });
    conn = simConnection(sim);
    const vm = vmManifest('web', 'Always', { image: 'quay.io/virtlab/webserver:latest', extra: { readinessProbe: { httpGet: { port: 8080, path: '/health' }, periodSeconds: 5 } } });
    await conn.kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: NS, plural: 'virtualmachines', body: vm });
    await sim.advance(70);
    assert.ok(isVmRunning(await getVm(conn, NS, 'web'), await getVmi(conn, NS, 'web'), { ready: true }), 'the VM runs and is Ready before the faults');
  });
  after(async () => { await sim.close(); });

  it('measures on cluster time how long a VM takes to run again after its guest crashes, then deletes the fault', async () => {
    const crashed = (await getVmi(conn, NS, 'web'))!.metadata.uid;
    let waitedFrom = 0;
    const result = await withFault(conn, { type: 'GuestCrash', target: { name: 'web', namespace: NS } }, async (fault) => {
      assert.equal(fault.fault.status?.phase, 'Active');
      assert.match(fault.name, /^grader-guestcrash-[a-z0-9]{5}$/);
      assert.equal(fault.activatedAt, Date.parse(fault.fault.status!.activatedAt!));
      assert.deepEqual(await graderFaults(), [fault.name]);
      waitedFrom = sim.clock.now();
      return waitFor(conn, async () => {
        const vmi = await getVmi(conn, NS, 'web');
        return vmi && vmi.metadata.uid !== crashed && isVmRunning(await getVm(conn, NS, 'web'), vmi, { ready: true }) ? vmi : undefined;
      }, {
        timeoutSeconds: 300, pollSeconds: 5, what: 'VM web to run again',
        describe: async () => describeVmRunning((await getVm(conn, NS, 'web'))!, await getVmi(conn, NS, 'web')),
      });
    });
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.notEqual(result.value.metadata.uid, crashed, 'a new VMI');
    assert.equal(result.seconds, (sim.clock.now() - waitedFrom) / 1000, 'measured on the cluster clock');
    assert.equal(result.seconds % 5, 0, 'observed at a poll');
    assert.ok(result.seconds >= 20 && result.seconds <= 120, `boot and readiness take a while: ${result.seconds} s`);
    assert.deepEqual(measured('recovery', result.seconds), { name: 'recovery', value: result.seconds, unit: 'seconds' });
    assert.deepEqual(await graderFaults(), []);
  });

  it('deletes the fault when the body throws, and the error is the body\'s', async () => {
    let name = '';
    await assert.rejects(withFault(conn, { type: 'ServiceStop', target: { name: 'web', namespace: NS }, service: 'httpd' }, async (f) => {
      name = f.name;
      await sim.advance(20);
      assert.equal((await getVmi(conn, NS, 'web'))?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False', 'httpd stopped');
      throw new Error('boom');
    }), { message: 'boom' });
    assert.match(name, /^grader-servicestop-/);
    assert.deepEqual(await graderFaults(), []);
    await sim.advance(15);
    assert.ok(isVmRunning(await getVm(conn, NS, 'web'), await getVmi(conn, NS, 'web'), { ready: true }), 'deleting the fault started httpd again');
  });

  it('clear() undoes the fault early; withFault has nothing left to delete', async () => {
    const seen = await withFault(conn, { type: 'ServiceStop', target: { name: 'web', namespace: NS }, service: 'httpd' }, async (f) => {
      await f.clear();
      return graderFaults();
    });
    assert.deepEqual(seen, []);
  });

  it('a fault that never takes effect is an error that says what it waited for; it is deleted too', async () => {
    await assert.rejects(
      withFault(conn, { type: 'GuestKernelHang', target: { name: 'ghost', namespace: NS } }, async () => 'never runs', { activeTimeoutSeconds: 10 }),
      (e: Error) => {
        assert.match(e.message, /^timed out after 10 s of cluster time waiting for fault grader-guestkernelhang-[a-z0-9]{5} \(GuestKernelHang on VirtualMachineInstance default\/ghost\) to take effect: it is Pending: Waiting for VirtualMachineInstance default\/ghost to run$/);
        return true;
      });
    assert.deepEqual(await graderFaults(), []);
  });

  it('an invalid fault is refused with the API server\'s words, and nothing is left behind', async () => {
    await assert.rejects(withFault(conn, { type: 'ServiceStop', target: { name: 'web', namespace: NS } }, async () => 1),
      /^Error: cannot create a ServiceStop fault on VirtualMachineInstance default\/web: .*spec\.service: Required value: the guest service to stop, e\.g\. httpd/);
    assert.deepEqual(await graderFaults(), []);
  });

  it('needs the faults capability', async () => {
    const real = { ...conn, capabilities: new Set(EMBEDDED.filter((c) => c !== 'faults' && c !== 'embedded')) };
    let ran = false;
    await assert.rejects(withFault(real, { type: 'NodePowerOff', target: { name: 'worker-0' } }, async () => { ran = true; }),
      { message: 'injecting NodePowerOff into Node worker-0 needs the "faults" capability (the embedded cluster\'s sim.virtlab.dev Faults); declare requires: [\'faults\'] on the check so that it is skipped elsewhere' });
    assert.equal(ran, false);
    assert.deepEqual(await graderFaults(), []);
  });

  it('waitFor times out on cluster time with the state it saw last', async () => {
    const start = sim.clock.now();
    let looks = 0;
    const r = await waitFor(conn, () => { looks++; return false; }, { timeoutSeconds: 30, pollSeconds: 10, what: 'the impossible', describe: () => 'still impossible' });
    assert.deepEqual(r, { ok: false, seconds: 30, message: 'timed out after 30 s of cluster time waiting for the impossible: still impossible', lastState: 'still impossible' });
    assert.equal(sim.clock.now() - start, 30_000);
    assert.equal(looks, 4, 'at 0, 10, 20 and 30 s');
  });

  it('waitFor returns at once when the condition already holds, stops when cancelled, and lets errors through', async () => {
    const start = sim.clock.now();
    assert.deepEqual(await waitFor(conn, async () => 'here', { timeoutSeconds: 60 }), { ok: true, value: 'here', seconds: 0 });
    assert.equal(sim.clock.now(), start);
    const ac = new AbortController();
    ac.abort();
    const cancelled = await waitFor(conn, () => false, { timeoutSeconds: 60, what: 'VM web', signal: ac.signal });
    assert.deepEqual(cancelled, { ok: false, seconds: 0, message: 'stopped waiting for VM web after 0 s: the grade was cancelled' });
    await assert.rejects(waitFor(conn, () => { throw new Error('cannot read'); }, { timeoutSeconds: 60 }), { message: 'cannot read' });
    await assert.rejects(waitFor(conn, () => false, { timeoutSeconds: 60, pollSeconds: 0 }), /pollSeconds must be > 0/);
    const frozen = { ...conn, time: { now: () => 0, sleep: async () => {} } };
    await assert.rejects(waitFor(frozen, () => false, { timeoutSeconds: 5 }), /the cluster clock did not move/);
  });
});
