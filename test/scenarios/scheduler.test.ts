// The default scheduler as a student sees it through kubectl: pods spread over
// the least-allocated workers, masters are avoided for their taint, a cordoned
// node takes nothing new, and a pod nothing fits stays Pending with the real
// scheduler's message until room is made.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type Sim } from '../integration/harness.ts';

function pod(name: string, extra: { memory?: string; cpu?: string; spec?: Record<string, unknown> } = {}): string {
  const requests: Record<string, string> = {};
  if (extra.memory) requests.memory = extra.memory;
  if (extra.cpu) requests.cpu = extra.cpu;
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, labels: { app: 'sched' } },
    spec: { containers: [{ name: 'main', image: 'nginx:1.27', resources: { requests } }], ...extra.spec },
  });
}

const nodeOf = async (sim: Sim, name: string): Promise<string> =>
  (await sim.kubectl(['get', 'pod', name, '-o', 'jsonpath={.spec.nodeName}'])).stdout;

describe('the default scheduler', () => {
  let sim: Sim;
  before(async () => { sim = await startSim({ workers: 3, controlPlanes: 3 }); });
  after(async () => { await sim.close(); });

  it('spreads pods over the least-allocated workers and records Scheduled', async () => {
    for (const n of ['s-1', 's-2', 's-3']) {
      const r = await sim.kubectl(['apply', '-f', '-'], { input: pod(n, { memory: '8Gi', cpu: '1' }) });
      assert.equal(r.code, 0, r.stderr);
      await sim.advance(1);
    }
    await sim.advance(3);
    const placed = [await nodeOf(sim, 's-1'), await nodeOf(sim, 's-2'), await nodeOf(sim, 's-3')];
    assert.deepEqual(placed, ['worker-0', 'worker-1', 'worker-2']);
    const r = await sim.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=s-2,reason=Scheduled']);
    assert.match(r.stdout, /Scheduled\s+pod\/s-2\s+Successfully assigned default\/s-2 to worker-1/);
    const describe = await sim.kubectl(['describe', 'pod', 's-2']);
    assert.match(describe.stdout, /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/s-2 to worker-1/);
    assert.match((await sim.kubectl(['get', 'pods'])).stdout, /s-3\s+1\/1\s+Running/);
  });

  it('honours nodeSelector and required node affinity', async () => {
    await sim.kubectl(['apply', '-f', '-'], { input: pod('zone-c', { spec: { nodeSelector: { 'topology.kubernetes.io/zone': 'virtlab-1c', 'node-role.kubernetes.io/worker': '' } } }) });
    await sim.kubectl(['apply', '-f', '-'], {
      input: pod('not-0-1', {
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [
                  { key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['worker-0', 'worker-1'] },
                  { key: 'node-role.kubernetes.io/worker', operator: 'Exists' },
                ] }],
              },
            },
          },
        },
      }),
    });
    await sim.advance(1);
    assert.equal(await nodeOf(sim, 'zone-c'), 'worker-2');
    assert.equal(await nodeOf(sim, 'not-0-1'), 'worker-2');
  });

  it('leaves a pod nothing fits Pending with the scheduler message', async () => {
    let r = await sim.kubectl(['apply', '-f', '-'], { input: pod('huge', { memory: '60Gi' }) });
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(2);
    r = await sim.kubectl(['get', 'pod', 'huge']);
    assert.match(r.stdout, /huge\s+0\/1\s+Pending\s+0/);
    const message = '0/6 nodes are available: 3 Insufficient memory, 3 node(s) had untolerated taint {node-role.kubernetes.io/master: }. '
      + 'preemption: 0/6 nodes are available: 3 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.';
    r = await sim.kubectl(['get', 'pod', 'huge', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].status}/{.status.conditions[?(@.type=="PodScheduled")].reason}/{.status.conditions[?(@.type=="PodScheduled")].message}']);
    assert.equal(r.stdout, `False/Unschedulable/${message}`);
    r = await sim.kubectl(['describe', 'pod', 'huge']);
    assert.match(r.stdout, /Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/6 nodes are available: 3 Insufficient memory/);
  });

  it('skips a cordoned node and says so', async () => {
    await sim.kubectl(['cordon', 'worker-0']);
    await sim.kubectl(['cordon', 'worker-1']);
    await sim.kubectl(['apply', '-f', '-'], { input: pod('after-cordon', { memory: '1Gi' }) });
    await sim.advance(1);
    assert.equal(await nodeOf(sim, 'after-cordon'), 'worker-2');
    let r = await sim.kubectl(['describe', 'node', 'worker-0']);
    assert.match(r.stdout, /Taints:\s+node\.kubernetes\.io\/unschedulable:NoSchedule/);
    await sim.kubectl(['cordon', 'worker-2']);
    await sim.kubectl(['apply', '-f', '-'], { input: pod('nowhere', { memory: '1Gi' }) });
    await sim.advance(1);
    r = await sim.kubectl(['get', 'pod', 'nowhere', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}']);
    assert.equal(r.stdout, '0/6 nodes are available: 3 node(s) had untolerated taint {node-role.kubernetes.io/master: }, 3 node(s) were unschedulable. '
      + 'preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.');
    for (const n of ['worker-0', 'worker-1', 'worker-2']) await sim.kubectl(['uncordon', n]);
    await sim.advance(1);
    assert.equal(await nodeOf(sim, 'nowhere'), 'worker-0');
    r = await sim.kubectl(['describe', 'node', 'worker-0']);
    assert.match(r.stdout, /Taints:\s+<none>/);
  });

  it('places the pending pod once room is made', async () => {
    assert.equal(await nodeOf(sim, 'huge'), '');
    let r = await sim.kubectl(['delete', 'pod', 's-1', 's-2', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(3);
    const node = await nodeOf(sim, 'huge');
    assert.match(node, /^worker-[01]$/);
    r = await sim.kubectl(['get', 'pod', 'huge']);
    assert.match(r.stdout, /huge\s+1\/1\s+Running/);
  });
});
