// The lookups checks start from, against the embedded cluster: the VM a lab
// created and the instance it runs (or the failure a student reads), a VMI
// as a ready backend of a Service, and the wait for a VM to replace its
// instance, measured on cluster time. Manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startSim, type Sim } from '../integration/harness.ts';
import { vmManifest } from '../scenarios/fixtures.ts';
import {
  expectReadyBackends, findRunningVm, findVm, getVm, getVmi, hasCondition, isOutcome, isReadyEndpoint, readyEndpointsByBackend,
  secondsSince, vmNotRunning, waitForNewInstance, type ClusterConnection,
} from '../../graders/sdk/index.ts';
import { simConnection } from './grader-sdk-connection.ts';

const NS = 'default';
const VMIS = 'kubevirt.io/virtualmachineinstances';
const readiness = { httpGet: { port: 8080, path: '/health' }, periodSeconds: 5, failureThreshold: 2 };

describe('grader SDK VM lookups', () => {
  let sim: Sim;
  let conn: ClusterConnection;

  const uidOf = (name: string): string => sim.cluster.store.get(VMIS, NS, name)!.metadata.uid!;

  before(async () => {
    sim = await startSim({ workers: 2 });
    conn = simConnection(sim);
    const custom = conn.kubeConfig.makeApiClient(CustomObjectsApi);
    for (const vm of [
      vmManifest('web', 'Always', { image: 'quay.io/virtlab/webserver:latest', extra: { readinessProbe: readiness } }),
      vmManifest('off', 'Halted'),
    ]) {
      await custom.createNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: NS, plural: 'virtualmachines', body: vm });
    }
    await conn.kubeConfig.makeApiClient(CoreV1Api).createNamespacedService({
      namespace: NS, body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    });
    await sim.advance(70);
  });
  after(async () => { await sim.close(); });

  it('finds a VM, or fails naming it and the `lab start` that creates it', async () => {
    const vm = await findVm(conn, NS, 'web', { lab: 'ha-review' });
    assert.ok(!isOutcome(vm) && vm.metadata.name === 'web');
    assert.deepEqual(await findVm(conn, NS, 'nope', { lab: 'ha-review' }), { pass: false, message: 'VM default/nope does not exist (lab start ha-review creates it)' });
    assert.deepEqual(await findVm(conn, NS, 'nope'), { pass: false, message: 'VM default/nope does not exist' });
  });

  it('finds a VM with its running instance, or says what is not running and why it matters', async () => {
    const running = await findRunningVm(conn, NS, 'web', { lab: 'ha-review' });
    assert.ok(!isOutcome(running), JSON.stringify(running));
    assert.equal(running.vmi.status?.phase, 'Running');
    assert.equal(running.vm.metadata.name, 'web');

    assert.deepEqual(await findRunningVm(conn, NS, 'off', { why: 'the grader can only hang the kernel of a running instance' }), {
      pass: false,
      message: 'VM default/off is Stopped (runStrategy Halted): start it (virtctl start off) or set spec.runStrategy: Always: the grader can only hang the kernel of a running instance',
    });
    assert.deepEqual(await findRunningVm(conn, NS, 'nope', { lab: 'vm-practices', why: 'unused' }), { pass: false, message: 'VM default/nope does not exist (lab start vm-practices creates it)' });
  });

  it('knows which VMIs are ready backends of a Service', async () => {
    assert.equal(await isReadyEndpoint(conn, NS, 'web', 'web'), true);
    assert.equal(await isReadyEndpoint(conn, NS, 'web', 'off'), false);
    assert.deepEqual([...(await readyEndpointsByBackend(conn, NS, 'web')).keys()], ['web']);
    assert.deepEqual(await expectReadyBackends(conn, NS, 'web', ['web']), { pass: true, message: 'Service default/web has ready endpoint web' });
  });

  it('with httpd stopped: Running but not Ready, no ready backend, and the failures say why', async () => {
    sim.cluster.guests.stopService(uidOf('web'), 'httpd');
    await sim.advance(15);
    const vm = (await getVm(conn, NS, 'web'))!;
    const vmi = await getVmi(conn, NS, 'web');
    assert.equal(await vmNotRunning(conn, vm, vmi), undefined, 'Running is enough without ready: true');
    const notReady = await vmNotRunning(conn, vm, vmi, { ready: true, why: 'the grader powers off the node of a running, ready web' });
    assert.equal(notReady?.pass, false);
    assert.match(notReady!.message!, /^VM default\/web is Running on worker-\d but not Ready: readiness probe GET :8080\/health failed( \d+ times)?: .*: the grader powers off the node of a running, ready web$/);
    assert.ok(!isOutcome(await findRunningVm(conn, NS, 'web')));
    assert.equal((await findRunningVm(conn, NS, 'web', { ready: true }) as { pass: boolean }).pass, false);

    assert.equal(await isReadyEndpoint(conn, NS, 'web', 'web'), false);
    const backends = await expectReadyBackends(conn, NS, 'web', ['web']);
    assert.equal(backends.pass, false);
    assert.match(backends.message!, /^Service default\/web has 0 ready endpoints, expected 1: VMI web is not Ready \(readiness probe GET :8080\/health failed/);

    sim.cluster.guests.startService(uidOf('web'), 'httpd');
    await sim.advance(15);
    assert.equal(await isReadyEndpoint(conn, NS, 'web', 'web'), true);
  });

  it('times out while the old instance stays, or there is none, saying what it saw last', async () => {
    const old = uidOf('web');
    const stays = await waitForNewInstance(conn, NS, 'web', old, {
      timeoutSeconds: 10, pollSeconds: 5, what: 'a new web instance',
      whileOld: (vmi) => `VMI web is still the old instance (phase ${vmi.status?.phase})`,
    });
    assert.deepEqual(stays, {
      ok: false, seconds: 10, lastState: 'VMI web is still the old instance (phase Running)',
      message: 'timed out after 10 s of cluster time waiting for a new web instance: VMI web is still the old instance (phase Running)',
    });
    const none = await waitForNewInstance(conn, NS, 'off', undefined, { timeoutSeconds: 5, what: 'off to start', whileOld: () => 'unused' });
    assert.equal(none.ok ? '' : none.message, 'timed out after 5 s of cluster time waiting for off to start: there is no VMI off');
  });

  it('returns the new instance once it is what the check waits for, and measures cluster time', async () => {
    const old = uidOf('web');
    const t0 = conn.time.now();
    const r = await sim.kubectl(['delete', 'vmi', 'web', '-n', NS, '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    let sawOld = false;
    const back = await waitForNewInstance(conn, NS, 'web', old, {
      timeoutSeconds: 120, pollSeconds: 2, what: 'web to run again, Ready',
      whileOld: () => { sawOld = true; return 'still the old one'; },
      untilNew: (vmi) => (hasCondition(vmi, 'Ready') ? undefined : `a new VMI web is ${vmi.status?.phase || 'Pending'}, not Ready yet`),
    });
    assert.ok(back.ok, back.ok ? '' : back.message);
    assert.notEqual(back.value.metadata.uid, old);
    assert.equal(hasCondition(back.value, 'Ready'), true);
    assert.ok(back.seconds > 0 && back.seconds <= 120, String(back.seconds));
    assert.equal(sawOld, true, 'the deleted instance was seen on the way out');
    assert.ok(secondsSince(conn, t0) >= back.seconds);

    const t1 = conn.time.now();
    await sim.advance(12.34);
    assert.equal(secondsSince(conn, t1), 12.3);
  });
});
