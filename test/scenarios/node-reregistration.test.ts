// A kubelet that comes back after a fault re-registers its deleted Node only
// while the Machine named in the Node's machine.openshift.io/machine
// annotation still exists: a terminated instance's kubelet never returns.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, type Sim } from '../integration/harness.ts';

const MACHINES = 'machine.openshift.io/machines';
let sim: Sim;

const fault = (name: string, node: string): string => JSON.stringify({
  apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name }, spec: { type: 'KubeletStop', target: { kind: 'Node', name: node } },
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await sim.kubectl(args, input === undefined ? undefined : { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

function machineOf(node: string): [string, string] {
  const ref = sim.cluster.store.get('nodes', undefined, node)?.metadata.annotations?.['machine.openshift.io/machine'];
  assert.ok(ref, `node ${node} names its Machine`);
  const [ns, name] = ref.split('/');
  assert.ok(sim.cluster.store.get(MACHINES, ns, name), `machine ${ref} exists`);
  return [ns, name];
}

before(async () => { sim = await startSim({ workers: 3 }); });
after(async () => { await sim.close(); });

describe('kubelet re-registration after a fault', () => {
  it('re-registers the deleted Node while its Machine exists', async () => {
    machineOf('worker-1');
    await ok(['apply', '-f', '-'], fault('w1-kubelet', 'worker-1'));
    await sim.advance(5);
    await ok(['delete', 'node', 'worker-1', '--wait=false']);
    await sim.advance(5);
    assert.equal(sim.cluster.store.get('nodes', undefined, 'worker-1'), undefined);
    await ok(['delete', 'fault', 'w1-kubelet']);
    await sim.advance(15);
    assert.ok(sim.cluster.store.get('nodes', undefined, 'worker-1'), 'the kubelet registered its Node again');
  });

  it('does not re-register it once the Machine is gone (instance terminated)', async () => {
    const [ns, machine] = machineOf('worker-2');
    await ok(['apply', '-f', '-'], fault('w2-kubelet', 'worker-2'));
    await sim.advance(5);
    await ok(['delete', 'node', 'worker-2', '--wait=false']);
    await ok(['delete', 'machine', '-n', ns, machine, '--wait=false']);
    for (let i = 0; i < 120 && sim.cluster.store.get(MACHINES, ns, machine); i++) await sim.advance(5);
    if (sim.cluster.store.get(MACHINES, ns, machine)) {
      // Nothing left to drain or terminate on a Node that is gone; drop the finalizer if the actuator still holds it.
      await ok(['patch', 'machine', '-n', ns, machine, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      await sim.advance(1);
    }
    assert.equal(sim.cluster.store.get(MACHINES, ns, machine), undefined, 'the Machine is gone');
    await sim.kubectl(['delete', 'fault', 'w2-kubelet']);
    await sim.advance(30);
    assert.equal(sim.cluster.store.get('nodes', undefined, 'worker-2'), undefined, 'no Node for a terminated instance');
  });
});
