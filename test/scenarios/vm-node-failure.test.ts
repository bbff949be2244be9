// Reference §6 end to end with kubectl: the node of a running VM loses power.
// The node goes NotReady and the VM Ready False while it still shows Running;
// virt-handler's heartbeat goes stale after 5 minutes (schedulable=false) but
// the VMI is not failed because its launcher pod, deleted by the taint
// manager, stays Terminating. Fencing the node (deleting the Node object) lets
// PodGC remove the pod 40 s later; the VMI fails and the VM (runStrategy
// Always) starts a new one on another node.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from '../integration/harness.ts';
import { vmManifest } from './fixtures.ts';

const VMIS = 'kubevirt.io/virtualmachineinstances';

const vm = JSON.stringify(vmManifest('web', 'Always', { image: 'quay.io/virtlab/webserver:latest' }));

describe('the node of a running VM loses power', () => {
  let sim: Sim;
  let node = '';
  let firstUid = '';
  let podName = '';
  before(async () => { sim = await startSim({ workers: 3, controlPlanes: 1 }); });
  after(async () => { await sim.close(); });

  const vmiOf = (): KubeObject | undefined => sim.cluster.client('kube:admin', 'test').get(VMIS, 'default', 'web');
  const phase = (): string | undefined => (vmiOf()?.status as { phase?: string } | undefined)?.phase;

  it('runs the VM', async () => {
    const r = await sim.kubectl(['apply', '-f', '-'], { input: vm });
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(60);
    assert.equal(phase(), 'Running');
    node = (vmiOf()!.status as { nodeName: string }).nodeName;
    firstUid = vmiOf()!.metadata.uid!;
    podName = (await sim.kubectl(['get', 'pods', '-l', 'kubevirt.io=virt-launcher', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
    assert.match((await sim.kubectl(['get', 'vm', 'web'])).stdout, /web\s+\S+\s+Running\s+True/);
  });

  it('shows the node NotReady and the VM Running but not Ready', async () => {
    const fault = JSON.stringify({ apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name: 'power' }, spec: { type: 'NodePowerOff', target: { name: node } } });
    assert.equal((await sim.kubectl(['apply', '-f', '-'], { input: fault })).code, 0);
    await sim.advance(60);
    assert.match((await sim.kubectl(['get', 'node', node])).stdout, new RegExp(`${node}\\s+NotReady`));
    assert.match((await sim.kubectl(['get', 'vm', 'web'])).stdout, /web\s+\S+\s+Running\s+False/);
    assert.equal(phase(), 'Running');
  });

  it('marks the node unschedulable for KubeVirt once the heartbeat is 5 minutes old; the VMI stays Running', async () => {
    await sim.advance(300);
    let r = await sim.kubectl(['get', 'node', node, '-o', 'jsonpath={.metadata.labels.kubevirt\\.io/schedulable}']);
    assert.equal(r.stdout, 'false');
    r = await sim.kubectl(['get', 'events', '--field-selector', `involvedObject.name=${node},reason=NodeUnresponsive`, '-o', 'jsonpath={.items[*].message}']);
    assert.equal(r.stdout, 'virt-handler is not responsive, marking node as unresponsive');
    r = await sim.kubectl(['get', 'pod', podName]);
    assert.match(r.stdout, /Terminating/);
    assert.equal(phase(), 'Running', 'the launcher pod still looks alive');
    await sim.advance(300);
    assert.equal(phase(), 'Running', 'stuck: nothing confirms the pod is gone');
    assert.equal(vmiOf()!.metadata.uid, firstUid);
  });

  it('restarts the VM elsewhere once the node is fenced by deleting it', async () => {
    assert.equal((await sim.kubectl(['delete', 'node', node])).code, 0);
    await sim.advance(45);
    assert.match((await sim.kubectl(['get', 'pod', podName])).stderr, /not found/);
    await sim.advance(60);
    const vmi = vmiOf()!;
    assert.notEqual(vmi.metadata.uid, firstUid, 'a new VMI');
    assert.equal(phase(), 'Running');
    assert.notEqual((vmi.status as { nodeName: string }).nodeName, node);
  });
});
