// MachineHealthCheck stories on a manual clock: a worker loses power, its Node
// goes Ready=Unknown after the node monitor grace period, and 300 s later the
// check deletes its Machine, which is drained (the unreachable node's pods are
// skipped once deleting), its Node deleted and a replacement provisioned.
// maxUnhealthy stops remediation; control-plane machines without an owner are
// never remediated.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from '../integration/harness.ts';
import { NODE_JOIN_SECONDS, NODE_READY_SECONDS } from '../../sandbox/sim/controllers/machine/actuator.ts';

const NS = 'openshift-machine-api';
const MACHINES = 'machine.openshift.io/machines';
const MHCS = 'machine.openshift.io/machinehealthchecks';

function admin(sim: Sim) {
  return sim.cluster.client('kube:admin', 'test');
}

function machineOfNode(sim: Sim, node: string): KubeObject | undefined {
  return admin(sim).list(MACHINES, NS).find((m) => (m.status as { nodeRef?: { name: string } } | undefined)?.nodeRef?.name === node);
}

function events(sim: Sim, name: string, ns = NS): { type: string; reason: string; message: string; count: number }[] {
  return admin(sim).list('events', ns)
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .sort((a, b) => Date.parse(a.firstTimestamp as string) - Date.parse(b.firstTimestamp as string))
    .map((e) => ({ type: e.type as string, reason: e.reason as string, message: e.message as string, count: e.count as number }));
}

function readyOf(sim: Sim, node: string): { status: string; lastTransitionTime: string } | undefined {
  const n = admin(sim).get('nodes', undefined, node);
  return ((n?.status as { conditions?: { type: string; status: string; lastTransitionTime: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready');
}

function mhc(name: string, role: string, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineHealthCheck',
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { 'machine.openshift.io/cluster-api-machine-role': role } },
      unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '300s' }, { type: 'Ready', status: 'False', timeout: '300s' }],
      ...spec,
    },
  });
}

function mhcStatus(sim: Sim, name: string): Record<string, unknown> {
  const st = structuredClone((admin(sim).get(MHCS, NS, name)?.status ?? {}) as Record<string, unknown>);
  st.conditions = ((st.conditions ?? []) as Record<string, unknown>[]).map(({ lastTransitionTime: _t, ...c }) => c);
  return st;
}

describe('MachineHealthCheck remediates a powered-off worker', () => {
  let sim: Sim;
  before(async () => { sim = await startSim({ workers: 3, controlPlanes: 3 }); });
  after(async () => { await sim.close(); });

  it('deletes the Machine 300 s after Ready=Unknown; the Node is drained and deleted and a replacement joins', async (t) => {
    const fault = sim.cluster.registry.kinds.find((k) => k.group === 'sim.virtlab.dev' && k.kind === 'Fault');
    if (!fault) return t.skip('the Fault kind (sim.virtlab.dev) is not registered: no way to power a node off');

    let r = await sim.kubectl(['apply', '-f', '-'], { input: mhc('workers', 'worker', { maxUnhealthy: '40%' }) });
    assert.equal(r.stdout.trim(), 'machinehealthcheck.machine.openshift.io/workers created', r.stderr);
    await sim.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-worker-1', namespace: 'default' }, spec: { nodeName: 'worker-1', containers: [{ name: 'main', image: 'nginx' }] } }) });
    await sim.advance(5);
    r = await sim.kubectl(['get', 'mhc', '-n', NS]);
    assert.match(r.stdout, /^NAME\s+MAXUNHEALTHY\s+EXPECTEDMACHINES\s+CURRENTHEALTHY\nworkers\s+40%\s+3\s+3\n$/, r.stdout + r.stderr);
    assert.deepEqual(mhcStatus(sim, 'workers'), { expectedMachines: 3, currentHealthy: 3, remediationsAllowed: 1, conditions: [{ type: 'RemediationAllowed', status: 'True' }] });

    const victim = machineOfNode(sim, 'worker-1')!.metadata.name!;
    const target = `${NS}/workers/${victim}/worker-1`;
    r = await sim.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: `${fault.group}/${fault.version}`, kind: 'Fault', metadata: { name: 'power-off-worker-1' }, spec: { type: 'NodePowerOff', target: { kind: 'Node', name: 'worker-1' } } }) });
    assert.equal(r.code, 0, r.stderr);

    await sim.advance(60);
    const unknown = readyOf(sim, 'worker-1');
    if (unknown?.status !== 'Unknown') return t.skip(`no node lifecycle controller turned worker-1 Ready=Unknown after power-off (Ready=${unknown?.status})`);
    const unknownAt = Date.parse(unknown.lastTransitionTime);
    assert.deepEqual(mhcStatus(sim, 'workers'), { expectedMachines: 3, currentHealthy: 2, remediationsAllowed: 0, conditions: [{ type: 'RemediationAllowed', status: 'True' }] });
    assert.deepEqual(events(sim, victim).map((e) => [e.reason, e.message]), [['DetectedUnhealthy', `Machine ${target} has unhealthy node worker-1`]]);

    // Just before the timeout the machine is still there; one second after it, remediation.
    await sim.advance((unknownAt + 300_000 - sim.clock.now()) / 1000);
    assert.equal(admin(sim).get(MACHINES, NS, victim)?.metadata.deletionTimestamp, undefined);
    const before = new Set(admin(sim).list(MACHINES, NS).map((m) => m.metadata.name));
    await sim.advance(1);
    assert.ok(admin(sim).get(MACHINES, NS, victim)?.metadata.deletionTimestamp, 'the machine is being deleted');
    assert.ok(events(sim, victim).some((e) => e.reason === 'MachineDeleted' && e.message === `Machine ${target} has been remediated by requesting to delete Machine object`));
    const replacement = admin(sim).list(MACHINES, NS).find((m) => !before.has(m.metadata.name));
    assert.ok(replacement, 'the MachineSet creates a replacement at once');

    // Unreachable node: the pod (already deleting by the taint manager, or evicted with 1 s grace) is skipped after 1 s.
    await sim.advance(5);
    const drainEvents = events(sim, victim).map((e) => e.reason);
    assert.ok(drainEvents.includes('DrainProceeds'), drainEvents.join());
    assert.ok(drainEvents.includes('DrainSucceeded'), drainEvents.join());
    assert.ok(events(sim, victim).some((e) => e.reason === 'Deleted' && e.message === 'Node "worker-1" drained'));

    await sim.advance(15);
    assert.equal(admin(sim).get(MACHINES, NS, victim), undefined, 'machine gone');
    assert.equal(admin(sim).get('nodes', undefined, 'worker-1'), undefined, 'node deleted');
    // PodGC removes the orphaned pod 40 s after its Node is gone.
    await sim.advance(45);
    assert.equal(admin(sim).get('pods', 'default', 'on-worker-1'), undefined, 'pod garbage-collected');

    await sim.advance(NODE_JOIN_SECONDS + NODE_READY_SECONDS);
    const rep = admin(sim).get(MACHINES, NS, replacement.metadata.name!)!;
    const node = (rep.status as { nodeRef?: { name: string } }).nodeRef?.name;
    assert.ok(node, 'the replacement has a node');
    assert.equal(readyOf(sim, node)?.status, 'True');
    await sim.advance(1);
    assert.deepEqual(mhcStatus(sim, 'workers'), { expectedMachines: 3, currentHealthy: 3, remediationsAllowed: 1, conditions: [{ type: 'RemediationAllowed', status: 'True' }] });
    r = await sim.kubectl(['get', 'mhc', 'workers', '-n', NS, '--no-headers']);
    assert.match(r.stdout, /^workers\s+40%\s+3\s+3\n$/);
  });
});

describe('MachineHealthCheck limits', () => {
  let sim: Sim;
  before(async () => { sim = await startSim({ workers: 3, controlPlanes: 3 }); });
  after(async () => { await sim.close(); });

  it('maxUnhealthy 0 blocks remediation with RemediationRestricted until raised', async () => {
    await sim.kubectl(['apply', '-f', '-'], { input: mhc('strict', 'worker', { maxUnhealthy: 0 }) });
    await sim.advance(1);
    const victim = machineOfNode(sim, 'worker-2')!.metadata.name!;
    // The Node object disappears: the machine is unhealthy at once.
    let r = await sim.kubectl(['delete', 'node', 'worker-2']);
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(1);
    assert.equal(admin(sim).get(MACHINES, NS, victim)?.metadata.deletionTimestamp, undefined, 'not remediated');
    assert.deepEqual(mhcStatus(sim, 'strict'), {
      expectedMachines: 3, currentHealthy: 2, remediationsAllowed: 0,
      conditions: [{ type: 'RemediationAllowed', status: 'False', severity: 'Warning', reason: 'TooManyUnhealthy', message: 'Remediation is not allowed, the number of not started or unhealthy machines exceeds maxUnhealthy (total: 3, unhealthy: 1, maxUnhealthy: 0)' }],
    });
    const restricted = events(sim, 'strict').find((e) => e.reason === 'RemediationRestricted');
    assert.deepEqual(restricted && { type: restricted.type, message: restricted.message }, { type: 'Warning', message: 'Remediation restricted due to exceeded number of unhealthy machines (total: 3, unhealthy: 1, maxUnhealthy: 0)' });
    r = await sim.kubectl(['get', 'mhc', 'strict', '-n', NS, '--no-headers']);
    assert.match(r.stdout, /^strict\s+0\s+3\s+2\n$/);

    await sim.kubectl(['patch', 'mhc', 'strict', '-n', NS, '--type=merge', '-p', '{"spec":{"maxUnhealthy":1}}']);
    await sim.advance(1);
    assert.ok(admin(sim).get(MACHINES, NS, victim)?.metadata.deletionTimestamp ?? !admin(sim).get(MACHINES, NS, victim), 'remediated once allowed');
    assert.ok(events(sim, victim).some((e) => e.reason === 'MachineDeleted' && e.message === `Machine ${NS}/strict/${victim}/worker-2 has been remediated by requesting to delete Machine object`));
  });

  it('never remediates control-plane machines without a controller owner', async () => {
    await sim.kubectl(['apply', '-f', '-'], { input: mhc('masters', 'master') });
    await sim.advance(1);
    assert.deepEqual(mhcStatus(sim, 'masters').currentHealthy, 3);
    await sim.kubectl(['delete', 'node', 'master-2']);
    await sim.advance(1);
    assert.equal(admin(sim).get(MACHINES, NS, 'virtlab-master-2')?.metadata.deletionTimestamp, undefined);
    assert.deepEqual(events(sim, 'virtlab-master-2').filter((e) => e.reason === 'SkippedNoController').map((e) => e.message),
      [`Machine ${NS}/masters/virtlab-master-2/master-2 has no controller owner, skipping remediation`]);
    assert.equal(mhcStatus(sim, 'masters').currentHealthy, 2);
  });

  it('a machine that never gets a Node is remediated after nodeStartupTimeout', async () => {
    await sim.kubectl(['apply', '-f', '-'], { input: mhc('startup', 'worker', { nodeStartupTimeout: '90s' }) });
    await sim.kubectl(['patch', 'machineset', 'virtlab-worker', '-n', NS, '--type=merge', '-p', '{"spec":{"replicas":4}}']);
    await sim.advance(1);
    const pending = admin(sim).list(MACHINES, NS).find((m) => !(m.status as { nodeRef?: unknown }).nodeRef && !m.metadata.deletionTimestamp)!;
    assert.ok(pending);
    assert.ok(events(sim, pending.metadata.name!).some((e) => e.reason === 'DetectedUnhealthy' && e.message === `Machine ${NS}/startup/${pending.metadata.name}/ has unhealthy node `));
    // The node would join after 120 s; the check gives up 90 s after the machine's status last changed (Provisioned at 10 s).
    await sim.advance(101);
    assert.ok(admin(sim).get(MACHINES, NS, pending.metadata.name!)?.metadata.deletionTimestamp, 'remediated before its node joined');
    assert.ok(events(sim, pending.metadata.name!).some((e) => e.reason === 'MachineDeleted'));
  });

  it('leaves no controller errors behind', () => {
    const ours = sim.cluster.runner.errors.filter((e) => /machine/.test(e.controller));
    assert.deepEqual(ours.map((e) => `${e.controller} ${e.key}: ${String(e.error)}`), []);
  });
});
