// The ha-node grader against the embedded cluster as a student leaves it
// (real kubectl, the lab's setup manifests, guests shut down as from their
// consoles): every check fails on the fresh lab; the states that only look
// right (a VM switched to Halted by virtctl stop, a guest never shut down, a
// drain that restarted web1 instead of migrating it, a node left cordoned,
// only a drain's migration, an MHC without Ready=Unknown, one that also
// selects the control plane, a maxUnhealthy that rounds down to 0, a powered
// -off node that nothing fences) fail with a message that says so; the fixed
// states and the behavioural power-off pass. Manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGraderLab, type GraderLab } from './grader-fixtures.ts';

const NS = 'ha-node';
const VMIS = 'kubevirt.io/virtualmachineinstances';
const MACHINES = 'machine.openshift.io/machines';

function mhc(spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineHealthCheck',
    metadata: { name: 'ha-node-workers', namespace: 'openshift-machine-api' },
    spec: {
      selector: { matchLabels: { 'machine.openshift.io/cluster-api-machine-role': 'worker' } },
      unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '300s' }, { type: 'Ready', status: 'False', timeout: '300s' }],
      ...spec,
    },
  };
}

describe('ha-node grader', () => {
  let lab: GraderLab;

  const vmi = (name: string) => lab.sim.cluster.store.get(VMIS, NS, name);
  const nodeOf = (name: string): string => (vmi(name)!.status as { nodeName: string }).nodeName;

  async function drain(node: string): Promise<void> {
    const run = lab.sim.kubectlStart(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data']);
    const r = await lab.sim.advanceWhile(run, 2, 60);
    assert.equal(r.code, 0, `kubectl drain ${node}\n${r.stdout}\n${r.stderr}`);
    await lab.sim.advance(2);
  }

  before(async () => { lab = await startGraderLab('ha-node', { controlPlanes: 3, settleSeconds: 60 }); });
  after(async () => { await lab.close(); });

  it('fails every check on the lab as `lab start` leaves it, without ERRORs', async () => {
    const results = await lab.grade();
    for (const c of results.values()) assert.equal(c.status, 'FAIL', `${c.id}: ${c.status} ${c.message}`);
    const msg = new Map([...results.values()].map((c) => [c.id, c.message]));
    assert.match(msg.get('run-strategies')!, /VM ha-node\/vm-rerun is Running: shut its guest down from the console \(virtctl console vm-rerun, log in, then sudo poweroff\); RerunOnFailure leaves a VM off after a clean shutdown/);
    assert.match(msg.get('run-strategies')!, /VM ha-node\/vm-manual has not run yet: Manual never starts a VM by itself; start it \(virtctl start vm-manual\)/);
    assert.equal(msg.get('machine-health-check'), 'MachineHealthCheck openshift-machine-api/ha-node-workers does not exist');
    assert.equal(msg.get('node-remediated'), `no worker has been replaced yet: power off the node that runs web1 (lab fault create NodePowerOff ${nodeOf('web1')} --name ha-node-power-off) and let MachineHealthCheck ha-node-workers fence it`);
    assert.match(msg.get('mhc-recovers-web1')!, /^no MachineHealthCheck remediates Machine virtlab-worker-\w+ of node worker-\d when its node goes Ready=Unknown: powering the node off would leave web1 stranded on it$/);
  });

  it('scores the run strategies by what the cluster did after each guest shut down, not after a stop from outside', async () => {
    // What virtctl start/stop send: a PUT to the VM's subresource.
    const subresource = async (vm: string, verb: 'start' | 'stop'): Promise<void> => {
      const r = await lab.sim.kubectl(['replace', '--raw', `/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachines/${vm}/${verb}`, '-f', '-'], { input: '{}' });
      assert.equal(r.code, 0, r.stderr);
    };
    await subresource('vm-always', 'stop');
    await lab.sim.advance(10);
    await lab.failsWith('run-strategies', 'VM ha-node/vm-always has runStrategy Halted, expected Always: virtctl stop switches Always to Halted; virtctl start vm-always switches it back');

    await subresource('vm-always', 'start');
    await subresource('vm-manual', 'start');
    await subresource('vm-rerun', 'stop');
    await lab.sim.advance(60);
    await lab.failsWith('run-strategies',
      'VM ha-node/vm-always still runs an instance whose guest never shut down (it was only stopped from outside, with virtctl stop or restart, which shows nothing about the run strategy)',
      'VM ha-node/vm-rerun is Stopped, but its guest never shut itself down (it was only stopped from outside',
      'VM ha-node/vm-manual is Running: shut its guest down from the console (virtctl console vm-manual, log in, then sudo poweroff); Manual leaves a VM off after a clean shutdown');

    await subresource('vm-rerun', 'start');
    await lab.sim.advance(60);
    // sudo poweroff in each guest: an ACPI shutdown the guest starts itself.
    for (const name of ['vm-always', 'vm-rerun', 'vm-manual']) lab.sim.cluster.guests.shutdown(vmi(name)!.metadata.uid!);
    await lab.sim.advance(60);
    assert.equal((await lab.passes('run-strategies')).message, 'vm-always came back after its guest shut down, vm-rerun and vm-manual stayed off, vm-halted stayed Halted');
  });

  it('fails a drain that restarted web1 instead of live-migrating it', async () => {
    const first = nodeOf('web1');
    await drain(first);
    await lab.kubectl(['uncordon', first]);
    assert.notEqual(nodeOf('web1'), first, 'web1 left the node');
    await lab.failsWith('drain-migrates',
      'no drain has live-migrated web1 yet (there is no VirtualMachineInstanceMigration of web1 with the annotation kubevirt.io/evacuationMigration): its running instance has no evictionStrategy, so draining its node evicts it, which stops web1 and starts it again elsewhere instead of moving it while it runs');
  });

  it('fails evictionStrategy in the template until web1 restarts', async () => {
    await lab.failsWith('eviction-strategy', "VM ha-node/web1 has no evictionStrategy in spec.template.spec, expected LiveMigrate: without one the cluster-wide default applies (KubeVirt's is None)");
    await lab.kubectl(['patch', 'vm', 'web1', '-n', NS, '--type', 'merge', '-p', '{"spec":{"template":{"spec":{"evictionStrategy":"LiveMigrate"}}}}']);
    await lab.failsWith('eviction-strategy', 'VM ha-node/web1: the VM template sets evictionStrategy LiveMigrate but the running VMI web1 was started before it was added: restart the VM (virtctl restart web1)');
    await lab.kubectl(['delete', 'vmi', 'web1', '-n', NS, '--wait=false']);
    await lab.sim.advance(70);
    await lab.passes('eviction-strategy');
  });

  it('fails a drain whose node is left cordoned, and passes once it is uncordoned', async () => {
    const node = nodeOf('web1');
    await drain(node);
    assert.notEqual(nodeOf('web1'), node);
    const r = await lab.failsWith('drain-migrates', `live-migrated web1 off ${node} when the node was drained, but ${node} is still cordoned (SchedulingDisabled): make it schedulable again with kubectl uncordon ${node}`);
    assert.match(r.message, /^kubevirt-evacuation-\w{5} /);
    await lab.kubectl(['uncordon', node]);
    assert.match((await lab.passes('drain-migrates')).message, new RegExp(`^draining ${node} live-migrated web1 from ${node} to worker-\\d \\(kubevirt-evacuation-\\w{5}\\), and every node is schedulable again$`));
  });

  it('fails when web1 was only migrated by the drain, passes after an on-demand migration', async () => {
    await lab.failsWith('web1-migrated', 'web1 has only been migrated by a drain (kubevirt-evacuation-');
    await lab.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { generateName: 'kubevirt-migrate-vm-', namespace: NS }, spec: { vmiName: 'web1' } }));
    await lab.sim.advance(1);
    await lab.failsWith('web1-migrated', 'of web1 is still', 'watch it finish with kubectl get vmim -w');
    await lab.sim.advance(30);
    assert.match((await lab.passes('web1-migrated')).message, /^VirtualMachineInstanceMigration kubevirt-migrate-vm-\w{5} moved web1 from worker-\d to worker-\d while it ran$/);
  });

  it('fails MachineHealthChecks that look right but would not fence a powered-off worker', async () => {
    await lab.apply(mhc({ unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '300s' }] }));
    await lab.failsWith('machine-health-check', 'has no unhealthy condition for Ready=Unknown: a powered-off node stops reporting, so its Ready condition turns Unknown, never False, and this check would never remediate it');
    await lab.apply(mhc({ selector: { matchLabels: { 'machine.openshift.io/cluster-api-cluster': 'virtlab' } } }));
    await lab.failsWith('machine-health-check', 'also selects virtlab-master-0, virtlab-master-1 and virtlab-master-2, which no MachineSet owns (control-plane machines): nothing would replace them, so select the workers only');
    await lab.apply(mhc({ maxUnhealthy: '30%' }));
    await lab.failsWith('machine-health-check', 'has maxUnhealthy 30%, which allows 0 unhealthy machines out of 3 (a percentage rounds down): a single failed worker would already stop every remediation');
    await lab.apply(mhc({ maxUnhealthy: '40%' }));
    await lab.passes('machine-health-check');
  });

  it('fails while a powered-off node is not fenced, then passes once the MachineHealthCheck replaced it', async () => {
    await lab.kubectl(['delete', 'mhc', 'ha-node-workers', '-n', 'openshift-machine-api']);
    const node = nodeOf('web1');
    await lab.apply({ apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name: 'ha-node-power-off' }, spec: { type: 'NodePowerOff', target: { kind: 'Node', name: node } } });
    await lab.sim.advance(120);
    await lab.failsWith('node-remediated', `node ${node} is powered off and has been Ready=Unknown for`, 'and nothing fences it');
    await lab.sim.advance(300);
    assert.equal(nodeOf('web1'), node, 'without fencing, web1 stays on the dead node');

    const before = new Set(lab.sim.cluster.store.list(MACHINES, 'openshift-machine-api').map((m) => m.metadata.name));
    await lab.apply(mhc({ maxUnhealthy: '40%' }));
    await lab.sim.advance(30);
    const replacement = lab.sim.cluster.store.list(MACHINES, 'openshift-machine-api').find((m) => !before.has(m.metadata.name))!;
    assert.ok(replacement, 'the MachineSet creates a replacement');
    await lab.failsWith('node-remediated', `the replacement Machine ${replacement.metadata.name} is`);
    await lab.sim.advance(180);
    const ok = await lab.passes('node-remediated');
    assert.match(ok.message, new RegExp(`^the MachineSet replaced a failed worker with ${replacement.metadata.name} \\(node worker-3\\), and web1 runs on worker-\\d$`));
    assert.notEqual(nodeOf('web1'), node);
    await lab.kubectl(['delete', 'fault', 'ha-node-power-off']);
  });

  it('powers off web1\'s node and measures how long web1 takes to run again elsewhere', async () => {
    const node = nodeOf('web1');
    const r = await lab.passes('mhc-recovers-web1');
    assert.match(r.message, new RegExp(`^web1 ran again on worker-\\d [\\d.]+ s after ${node} lost power: MachineHealthCheck ha-node-workers had Machine virtlab-worker-\\w+ replaced$`));
    const seconds = r.measurements?.find((m) => m.name === 'recovery')?.value ?? 0;
    assert.ok(seconds >= 350 && seconds <= 690, `50 s until Unknown, 300 s timeout, then drain, PodGC and boot: ${seconds} s`);
    assert.notEqual(nodeOf('web1'), node);
  });
});
