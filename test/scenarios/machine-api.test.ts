// Machine API stories on a manual clock, told through kubectl: the machines
// behind the default topology, scaling the worker MachineSet up (a machine is
// provisioned and its Node joins and turns Ready) and down, and deleting a
// worker Machine (drained past a PodDisruptionBudget, Node deleted, replaced).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from '../integration/harness.ts';
import { INSTANCE_CREATE_SECONDS, NODE_JOIN_SECONDS, NODE_READY_SECONDS } from '../../sandbox/sim/controllers/machine/actuator.ts';
import { DRAIN_TIMEOUT_SECONDS } from '../../sandbox/sim/controllers/machine/drain.ts';

const NS = 'openshift-machine-api';
const MACHINES = 'machine.openshift.io/machines';

function admin(sim: Sim) {
  return sim.cluster.client('kube:admin', 'test');
}

function machines(sim: Sim): KubeObject[] {
  return admin(sim).list(MACHINES, NS);
}

function machineOfNode(sim: Sim, node: string): KubeObject | undefined {
  return machines(sim).find((m) => (m.status as { nodeRef?: { name: string } } | undefined)?.nodeRef?.name === node);
}

function phase(m: KubeObject | undefined): string | undefined {
  return (m?.status as { phase?: string } | undefined)?.phase;
}

/** Events about an object, oldest first. */
function events(sim: Sim, name: string): { type: string; reason: string; message: string }[] {
  return admin(sim).list('events', NS)
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .sort((a, b) => Date.parse(a.firstTimestamp as string) - Date.parse(b.firstTimestamp as string))
    .map((e) => ({ type: e.type as string, reason: e.reason as string, message: e.message as string }));
}

function podOn(name: string, node: string, labels: Record<string, string> = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { nodeName: node, containers: [{ name: 'main', image: 'nginx' }] } });
}

describe('Machine API', () => {
  let sim: Sim;
  before(async () => { sim = await startSim({ workers: 3, controlPlanes: 3 }); });
  after(async () => { await sim.close(); });

  it('shows a Machine behind every Node and the worker MachineSet', async () => {
    let r = await sim.kubectl(['get', 'machines', '-A']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^NAMESPACE\s+NAME\s+PHASE\s+TYPE\s+REGION\s+ZONE\s+AGE$/);
    assert.equal(lines.length, 7);
    assert.match(r.stdout, /^openshift-machine-api\s+virtlab-master-0\s+Running\s+m6i\.2xlarge\s+virtlab-1\s+virtlab-1a\s+\d+s$/m);
    assert.equal(lines.filter((l) => /virtlab-worker-[a-z0-9]{5}\s+Running\s+m6i\.4xlarge\s+virtlab-1\s+virtlab-1[abc]\s/.test(l)).length, 3);

    r = await sim.kubectl(['get', 'machines', '-n', NS, '-o', 'wide']);
    assert.match(r.stdout, /^NAME\s+PHASE\s+TYPE\s+REGION\s+ZONE\s+AGE\s+NODE\s+PROVIDERID\s+STATE$/m);
    assert.match(r.stdout, /^virtlab-worker-\S+\s+Running\s+\S+\s+\S+\s+virtlab-1b\s+\S+\s+worker-1\s+virtlab:\/\/worker-1\s+running$/m);

    r = await sim.kubectl(['get', 'machineset', '-n', NS]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AVAILABLE\s+AGE\nvirtlab-worker\s+3\s+3\s+3\s+3\s+\d+s\n$/);

    // Worker machines are the MachineSet's (adopted at start); control-plane machines have no owner.
    const owners = machines(sim).map((m) => [m.metadata.name, m.metadata.ownerReferences?.find((o) => o.controller)?.name ?? '']);
    assert.deepEqual(owners.filter(([, o]) => o === 'virtlab-worker').length, 3);
    assert.deepEqual(owners.filter(([n]) => String(n).startsWith('virtlab-master')).map(([, o]) => o), ['', '', '']);

    r = await sim.kubectl(['get', 'node', 'worker-1', '-o', 'jsonpath={.metadata.annotations.machine\\.openshift\\.io/machine}']);
    assert.equal(r.stdout, `${NS}/${machineOfNode(sim, 'worker-1')!.metadata.name}`);
  });

  it('scales up: a new Machine is provisioned and its Node joins and becomes Ready', async () => {
    await sim.advance(60);
    // `kubectl scale` needs the machinesets/scale endpoint, which the API server advertises but does not serve yet.
    let r = await sim.kubectl(['patch', 'machineset', 'virtlab-worker', '-n', NS, '--type=merge', '-p', '{"spec":{"replicas":4}}']);
    assert.equal(r.stdout.trim(), 'machineset.machine.openshift.io/virtlab-worker patched', r.stderr);
    await sim.advance(0);
    const fresh = machines(sim).find((m) => !(m.status as { nodeRef?: unknown } | undefined)?.nodeRef)!;
    assert.ok(fresh, 'a new machine');
    const name = fresh.metadata.name!;
    assert.match(name, /^virtlab-worker-[a-z0-9]{5}$/);
    assert.equal(phase(fresh), 'Provisioning');
    assert.deepEqual(fresh.metadata.finalizers, ['machine.machine.openshift.io']);
    assert.equal(fresh.metadata.ownerReferences?.[0].name, 'virtlab-worker');

    await sim.advance(INSTANCE_CREATE_SECONDS);
    r = await sim.kubectl(['get', 'machine', name, '-n', NS, '-o', 'wide', '--no-headers']);
    assert.match(r.stdout, new RegExp(`^${name}\\s+Provisioned\\s+m6i\\.4xlarge\\s+virtlab-1\\s+virtlab-1a\\s+\\S+\\s+virtlab://worker-3\\s+running`), r.stdout);
    assert.equal((await sim.kubectl(['get', 'node', 'worker-3'])).code, 1, 'no node yet');

    await sim.advance(NODE_JOIN_SECONDS - INSTANCE_CREATE_SECONDS);
    r = await sim.kubectl(['get', 'node', 'worker-3', '--no-headers']);
    assert.match(r.stdout, /^worker-3\s+NotReady\s+worker\s+/, r.stderr);
    assert.equal(phase(admin(sim).get(MACHINES, NS, name)), 'Running');
    r = await sim.kubectl(['get', 'node', 'worker-3', '-o', 'jsonpath={.metadata.labels.topology\\.kubernetes\\.io/zone} {.spec.podCIDR} {.status.addresses[0].address} {.status.capacity.cpu} {.metadata.labels.kubevirt\\.io/schedulable}']);
    assert.equal(r.stdout, 'virtlab-1a 10.128.22.0/23 192.168.126.54 16 true');
    assert.ok(admin(sim).get('coordination.k8s.io/leases', 'kube-node-lease', 'worker-3'), 'the node has a lease');

    await sim.advance(NODE_READY_SECONDS);
    r = await sim.kubectl(['get', 'node', 'worker-3', '--no-headers']);
    assert.match(r.stdout, /^worker-3\s+Ready\s+worker\s+/);
    r = await sim.kubectl(['get', 'machineset', 'virtlab-worker', '-n', NS, '--no-headers']);
    assert.match(r.stdout, /^virtlab-worker\s+4\s+4\s+4\s+4\s+/);
    assert.deepEqual(events(sim, name).map((e) => e.reason), ['Create', 'Update']);
  });

  it('scales down by deletePolicy Newest: the newest machine is drained and its Node removed', async () => {
    const newest = machineOfNode(sim, 'worker-3')!.metadata.name!;
    let r = await sim.kubectl(['patch', 'machineset', 'virtlab-worker', '-n', NS, '--type=merge', '-p', '{"spec":{"deletePolicy":"Newest","replicas":3}}']);
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(1);
    assert.equal(phase(admin(sim).get(MACHINES, NS, newest)), 'Deleting');
    await sim.advance(30);
    assert.equal(admin(sim).get(MACHINES, NS, newest), undefined, 'machine gone');
    assert.equal(admin(sim).get('nodes', undefined, 'worker-3'), undefined, 'node gone');
    r = await sim.kubectl(['get', 'machineset', 'virtlab-worker', '-n', NS, '--no-headers']);
    assert.match(r.stdout, /^virtlab-worker\s+3\s+3\s+3\s+3\s+/);
  });

  it('deleting a worker Machine drains its Node past a PodDisruptionBudget, deletes the Node and replaces the Machine', async () => {
    await sim.kubectl(['apply', '-f', '-'], { input: podOn('guarded', 'worker-1', { app: 'guarded' }) });
    await sim.kubectl(['apply', '-f', '-'], { input: podOn('plain', 'worker-1') });
    await sim.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guard', namespace: 'default' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } }) });
    await sim.advance(5);
    const victim = machineOfNode(sim, 'worker-1')!.metadata.name!;
    const before = new Set(machines(sim).map((m) => m.metadata.name));

    let r = await sim.kubectl(['delete', 'machine', victim, '-n', NS, '--wait=false']);
    assert.equal(r.stdout.trim(), `machine.machine.openshift.io "${victim}" deleted`, r.stderr);
    await sim.advance(0);
    assert.equal(phase(admin(sim).get(MACHINES, NS, victim)), 'Deleting');
    const replacement = machines(sim).find((m) => !before.has(m.metadata.name));
    assert.ok(replacement, 'the MachineSet creates a replacement at once');
    assert.equal(phase(replacement), 'Provisioning');
    r = await sim.kubectl(['get', 'node', 'worker-1', '--no-headers']);
    assert.match(r.stdout, /Ready,SchedulingDisabled/, 'cordoned');

    await sim.advance(2);
    assert.equal(admin(sim).get('pods', 'default', 'plain'), undefined, 'the plain pod is evicted');
    assert.ok(admin(sim).get('pods', 'default', 'guarded'), 'the budget keeps the guarded pod');
    await sim.advance(DRAIN_TIMEOUT_SECONDS);
    assert.deepEqual(events(sim, victim).filter((e) => e.reason.startsWith('Drain')).map((e) => `${e.reason}: ${e.message}`), [
      'DrainProceeds: Node drain proceeds',
      'DrainRequeued: Node drain requeued: error when evicting pods/"guarded" -n "default": global timeout reached: 20s',
    ]);
    assert.ok(admin(sim).get(MACHINES, NS, victim), 'the machine waits for the drain');

    await sim.kubectl(['delete', 'pdb', 'guard']);
    await sim.advance(10);
    assert.equal(admin(sim).get('pods', 'default', 'guarded'), undefined);
    const reasons = events(sim, victim).map((e) => `${e.reason}: ${e.message}`);
    assert.ok(reasons.includes('Deleted: Node "worker-1" drained'), reasons.join('\n'));
    assert.ok(reasons.includes('DrainSucceeded: Node drain succeeded'));
    const drained = ((admin(sim).get(MACHINES, NS, victim)?.status as { conditions?: { type: string; status: string; message?: string }[] }).conditions ?? []).find((c) => c.type === 'Drained');
    assert.deepEqual({ status: drained?.status, message: drained?.message }, { status: 'True', message: 'Drain finished successfully' });

    await sim.advance(15);
    assert.equal(admin(sim).get(MACHINES, NS, victim), undefined, 'the finalizer is removed');
    assert.equal(admin(sim).get('nodes', undefined, 'worker-1'), undefined, 'the Node is deleted');

    await sim.advance(NODE_JOIN_SECONDS + NODE_READY_SECONDS);
    const rep = admin(sim).get(MACHINES, NS, replacement.metadata.name!)!;
    assert.equal(phase(rep), 'Running');
    assert.equal(rep.metadata.labels?.['machine.openshift.io/zone'], 'virtlab-1b', 'the replacement fills the emptied zone');
    const node = (rep.status as { nodeRef: { name: string } }).nodeRef.name;
    r = await sim.kubectl(['get', 'node', node, '--no-headers']);
    assert.match(r.stdout, new RegExp(`^${node}\\s+Ready\\s+worker`));
    r = await sim.kubectl(['get', 'machineset', 'virtlab-worker', '-n', NS, '--no-headers']);
    assert.match(r.stdout, /^virtlab-worker\s+3\s+3\s+3\s+3\s+/);
  });

  it('exclude-node-draining skips the drain: no cordon, no eviction, the Node is deleted', async () => {
    await sim.kubectl(['apply', '-f', '-'], { input: podOn('stays', 'worker-2') });
    await sim.advance(3);
    const m = machineOfNode(sim, 'worker-2')!.metadata.name!;
    let r = await sim.kubectl(['annotate', 'machine', m, '-n', NS, 'machine.openshift.io/exclude-node-draining=']);
    assert.equal(r.code, 0, r.stderr);
    r = await sim.kubectl(['delete', 'machine', m, '-n', NS, '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(0);
    assert.deepEqual(events(sim, m).filter((e) => e.reason.startsWith('Drain')).map((e) => `${e.reason}: ${e.message}`), ['DrainSkipped: Node drain skipped']);
    assert.equal((admin(sim).get('nodes', undefined, 'worker-2')?.spec as { unschedulable?: boolean }).unschedulable, undefined, 'not cordoned');
    const stays = admin(sim).get('pods', 'default', 'stays');
    assert.ok(stays && !stays.metadata.deletionTimestamp, 'not evicted');
    await sim.advance(15);
    assert.equal(admin(sim).get(MACHINES, NS, m), undefined);
    assert.equal(admin(sim).get('nodes', undefined, 'worker-2'), undefined);
  });

  it('a Machine without the cluster label or a provider spec is only reported (FailedValidate)', async () => {
    await sim.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'machine.openshift.io/v1beta1', kind: 'Machine', metadata: { name: 'loose', namespace: NS }, spec: {} }) });
    await sim.advance(1);
    const m = admin(sim).get(MACHINES, NS, 'loose')!;
    assert.equal(phase(m), undefined);
    assert.equal(m.metadata.finalizers, undefined);
    assert.equal(events(sim, 'loose')[0]?.reason, 'FailedValidate');
    const r = await sim.kubectl(['delete', 'machine', 'loose', '-n', NS]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('leaves no controller errors behind', () => {
    const ours = sim.cluster.runner.errors.filter((e) => /machine/.test(e.controller));
    assert.deepEqual(ours.map((e) => `${e.controller} ${e.key}: ${String(e.error)}`), []);
  });
});
