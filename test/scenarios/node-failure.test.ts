// A worker loses power, as a student watches it with kubectl (reference §6,
// §10.1): ~50 s later the node is NotReady with the unreachable taints and its
// pods are not Ready; 300 s after that the taint manager deletes them and they
// stay Terminating, since no kubelet finishes them; deleting the Node lets
// PodGC remove them 40 s later; powering the machine on again (deleting the
// fault) brings the node back Ready.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type Sim } from '../integration/harness.ts';

function pod(name: string, node: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, labels: { app: 'web' } },
    spec: { nodeSelector: { 'kubernetes.io/hostname': node }, containers: [{ name: 'web', image: 'nginx:1.27' }] },
  });
}

const fault = (name: string, type: string, node: string): string => JSON.stringify({
  apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name }, spec: { type, target: { kind: 'Node', name: node } },
});

describe('a worker that loses power', () => {
  let sim: Sim;
  before(async () => {
    sim = await startSim({ workers: 3, controlPlanes: 1 });
    for (const n of ['web-a', 'web-b']) {
      const r = await sim.kubectl(['apply', '-f', '-'], { input: pod(n, 'worker-1') });
      assert.equal(r.code, 0, r.stderr);
    }
    await sim.advance(5);
  });
  after(async () => { await sim.close(); });

  const readyOf = async (p: string): Promise<string> =>
    (await sim.kubectl(['get', 'pod', p, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).stdout;

  it('runs the pods on the chosen worker first', async () => {
    const r = await sim.kubectl(['get', 'pods', '-o', 'wide']);
    assert.match(r.stdout, /web-a\s+1\/1\s+Running\s+0\s+\S+\s+10\.128\.\d+\.\d+\s+worker-1/);
    assert.match(r.stdout, /web-b\s+1\/1\s+Running\s+0\s+\S+\s+10\.128\.\d+\.\d+\s+worker-1/);
  });

  it('keeps the node Ready while its kubelet renews the lease', async () => {
    await sim.advance(120);
    const r = await sim.kubectl(['get', 'nodes']);
    assert.match(r.stdout, /worker-1\s+Ready\s/);
    const lease = await sim.kubectl(['get', 'lease', '-n', 'kube-node-lease', 'worker-1', '-o', 'jsonpath={.spec.renewTime}']);
    assert.ok(sim.clock.now() - Date.parse(lease.stdout) <= 10_000, lease.stdout);
  });

  it('shows the node NotReady with the unreachable taints about 50 s after power-off', async () => {
    let r = await sim.kubectl(['apply', '-f', '-'], { input: fault('worker-1-power', 'NodePowerOff', 'worker-1') });
    assert.equal(r.stdout.trim(), 'fault.sim.virtlab.dev/worker-1-power created', r.stderr);
    await sim.advance(2);
    r = await sim.kubectl(['get', 'faults']);
    assert.match(r.stdout, /^NAME\s+TYPE\s+TARGET\s+PHASE\s+AGE/);
    assert.match(r.stdout, /worker-1-power\s+NodePowerOff\s+worker-1\s+Active\s+\d+s/);

    await sim.advance(35);
    r = await sim.kubectl(['get', 'node', 'worker-1']);
    assert.match(r.stdout, /worker-1\s+Ready\s/, 'not yet: the grace period is 50 s');

    await sim.advance(15);
    r = await sim.kubectl(['get', 'nodes']);
    assert.match(r.stdout, /worker-1\s+NotReady\s+worker/);
    assert.match(r.stdout, /worker-0\s+Ready\s+worker/);
    r = await sim.kubectl(['describe', 'node', 'worker-1']);
    assert.match(r.stdout, /Taints:\s+node\.kubernetes\.io\/unreachable:NoExecute\n\s+node\.kubernetes\.io\/unreachable:NoSchedule/);
    assert.match(r.stdout, /Ready\s+Unknown\s.*NodeStatusUnknown\s+Kubelet stopped posting node status\./);
    assert.match(r.stdout, /MemoryPressure\s+Unknown\s.*NodeStatusUnknown\s+Kubelet stopped posting node status\./);
    r = await sim.kubectl(['get', 'node', 'worker-1', '-o', 'jsonpath={range .spec.taints[*]}{.key}:{.effect}:{.timeAdded}{"\\n"}{end}']);
    assert.match(r.stdout, /node\.kubernetes\.io\/unreachable:NoSchedule:\d{4}-/);
    assert.match(r.stdout, /node\.kubernetes\.io\/unreachable:NoExecute:\d{4}-/);
    assert.equal(await readyOf('web-a'), 'False');
    assert.equal(await readyOf('web-b'), 'False');
    r = await sim.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=worker-1']);
    assert.match(r.stdout, /NodeNotReady\s+node\/worker-1\s+Node worker-1 status is now: NodeNotReady/);
  });

  it('deletes the pods after the 300 s toleration; they stay Terminating', async () => {
    await sim.advance(290);
    let r = await sim.kubectl(['get', 'pods']);
    assert.match(r.stdout, /web-a\s+1\/1\s+Running/, 'still tolerated');
    await sim.advance(15);
    r = await sim.kubectl(['get', 'pods']);
    assert.match(r.stdout, /web-a\s+1\/1\s+Terminating/);
    assert.match(r.stdout, /web-b\s+1\/1\s+Terminating/);
    r = await sim.kubectl(['get', 'pod', 'web-a', '-o', 'jsonpath={.status.conditions[?(@.type=="DisruptionTarget")].reason}: {.status.conditions[?(@.type=="DisruptionTarget")].message}']);
    assert.equal(r.stdout, 'DeletionByTaintManager: Taint manager: deleting due to NoExecute taint');
    r = await sim.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=web-a']);
    assert.match(r.stdout, /TaintManagerEviction\s+pod\/web-a\s+Marking for deletion Pod default\/web-a/);
    await sim.advance(600);
    r = await sim.kubectl(['get', 'pods']);
    assert.match(r.stdout, /web-a\s+1\/1\s+Terminating/);
  });

  it('lets PodGC remove the pods 40 s after the Node is deleted', async () => {
    let r = await sim.kubectl(['delete', 'node', 'worker-1']);
    assert.equal(r.stdout.trim(), 'node "worker-1" deleted', r.stderr);
    await sim.advance(30);
    r = await sim.kubectl(['get', 'pods']);
    assert.match(r.stdout, /web-a\s+1\/1\s+Terminating/);
    await sim.advance(15);
    r = await sim.kubectl(['get', 'pods']);
    assert.match(r.stderr, /No resources found in default namespace/);
  });

  it('brings the node back Ready when the power comes back', async () => {
    let r = await sim.kubectl(['delete', 'fault', 'worker-1-power']);
    assert.equal(r.stdout.trim(), 'fault.sim.virtlab.dev "worker-1-power" deleted', r.stderr);
    await sim.advance(5);
    r = await sim.kubectl(['get', 'nodes']);
    assert.match(r.stdout, /worker-1\s+Ready\s+worker/);
    r = await sim.kubectl(['get', 'node', 'worker-1', '-o', 'jsonpath={.spec.taints}']);
    assert.equal(r.stdout, '');
    r = await sim.kubectl(['get', 'faults']);
    assert.match(r.stderr, /No resources found/);
    r = await sim.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=worker-1', '--sort-by=.lastTimestamp']);
    assert.match(r.stdout, /Rebooted\s+node\/worker-1\s+Node worker-1 has been rebooted, boot id: worker-1-boot-2/);
    // virt-handler is back too: fresh heartbeat, schedulable for VMIs.
    r = await sim.kubectl(['get', 'node', 'worker-1', '-o', 'jsonpath={.metadata.labels.kubevirt\\.io/schedulable} {.metadata.annotations.kubevirt\\.io/heartbeat}']);
    const [schedulable, beat] = r.stdout.split(' ');
    assert.equal(schedulable, 'true');
    assert.ok(sim.clock.now() - Date.parse(beat) < 60_000, beat);
  });
});

describe('a worker cut off from the network, fenced with the out-of-service taint', () => {
  let sim: Sim;
  before(async () => {
    sim = await startSim({ workers: 3, controlPlanes: 1 });
    const r = await sim.kubectl(['apply', '-f', '-'], { input: pod('db-a', 'worker-2') });
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(5);
  });
  after(async () => { await sim.close(); });

  it('leaves the pod Terminating after the toleration, like a dead node', async () => {
    const r = await sim.kubectl(['apply', '-f', '-'], { input: fault('worker-2-net', 'NetworkPartition', 'worker-2') });
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(60);
    assert.match((await sim.kubectl(['get', 'node', 'worker-2'])).stdout, /worker-2\s+NotReady/);
    await sim.advance(300);
    assert.match((await sim.kubectl(['get', 'pod', 'db-a'])).stdout, /db-a\s+1\/1\s+Terminating/);
  });

  it('force-deletes terminating pods once the node is tainted out-of-service', async () => {
    let r = await sim.kubectl(['taint', 'node', 'worker-2', 'node.kubernetes.io/out-of-service=nodeshutdown:NoExecute']);
    assert.equal(r.stdout.trim(), 'node/worker-2 tainted', r.stderr);
    await sim.advance(1);
    r = await sim.kubectl(['get', 'pod', 'db-a']);
    assert.match(r.stderr, /pods "db-a" not found/);
  });

  it('comes back Ready when the network returns and the taint is removed', async () => {
    assert.equal((await sim.kubectl(['delete', 'fault', 'worker-2-net'])).code, 0);
    await sim.advance(2);
    await sim.kubectl(['taint', 'node', 'worker-2', 'node.kubernetes.io/out-of-service=nodeshutdown:NoExecute-']);
    await sim.advance(2);
    assert.match((await sim.kubectl(['get', 'node', 'worker-2'])).stdout, /worker-2\s+Ready\s/);
    const r = await sim.kubectl(['describe', 'node', 'worker-2']);
    assert.match(r.stdout, /Taints:\s+<none>/);
  });
});

describe('a stopped kubelet', () => {
  let sim: Sim;
  before(async () => {
    sim = await startSim({ workers: 2, controlPlanes: 1 });
    await sim.kubectl(['apply', '-f', '-'], { input: pod('app', 'worker-0') });
    await sim.advance(5);
  });
  after(async () => { await sim.close(); });

  it('makes the node NotReady; starting it again keeps the containers running', async () => {
    await sim.kubectl(['apply', '-f', '-'], { input: fault('kubelet', 'KubeletStop', 'worker-0') });
    await sim.advance(60);
    assert.match((await sim.kubectl(['get', 'node', 'worker-0'])).stdout, /worker-0\s+NotReady/);
    await sim.kubectl(['delete', 'fault', 'kubelet']);
    await sim.advance(2);
    assert.match((await sim.kubectl(['get', 'node', 'worker-0'])).stdout, /worker-0\s+Ready\s/);
    const r = await sim.kubectl(['get', 'pod', 'app']);
    assert.match(r.stdout, /app\s+1\/1\s+Running\s+0\s/);
    const ready = await sim.kubectl(['get', 'pod', 'app', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    assert.equal(ready.stdout, 'True');
    const ev = await sim.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=worker-0', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(ev.stdout, /Starting: Starting kubelet\./);
    assert.match(ev.stdout, /NodeReady: Node worker-0 status is now: NodeReady/);
    assert.doesNotMatch(ev.stdout, /Rebooted/);
  });
});

describe('a power cycle', () => {
  let sim: Sim;
  before(async () => {
    sim = await startSim({ workers: 2, controlPlanes: 1 });
    await sim.kubectl(['apply', '-f', '-'], { input: pod('app', 'worker-1') });
    await sim.advance(5);
  });
  after(async () => { await sim.close(); });

  it('restarts the containers that ran before (restartPolicy Always)', async () => {
    await sim.kubectl(['apply', '-f', '-'], { input: fault('power', 'NodePowerOff', 'worker-1') });
    await sim.advance(20);
    await sim.kubectl(['delete', 'fault', 'power']);
    await sim.advance(2);
    const r = await sim.kubectl(['get', 'pod', 'app', '-o', 'jsonpath={.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].lastState.terminated.reason} {.status.containerStatuses[0].lastState.terminated.exitCode}']);
    assert.equal(r.stdout, '1 Unknown 255');
    assert.match((await sim.kubectl(['get', 'pod', 'app'])).stdout, /app\s+1\/1\s+Running\s+1 \(\S+ ago\)/);
    const boot = await sim.kubectl(['get', 'node', 'worker-1', '-o', 'jsonpath={.status.nodeInfo.bootID}']);
    assert.equal(boot.stdout, 'worker-1-boot-2');
  });
});
