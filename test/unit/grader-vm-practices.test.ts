// The vm-practices grader against the embedded cluster, driven through the
// real kubectl the way the chapter goes: on the fresh exercise every check
// fails; the mistakes on the way (a placement that pins db1 to one node or
// allows them all, resources set under a running instance, the wrong run
// strategy, a VM moved with virtctl migrate instead of a drain, a node left
// cordoned, powered off or fenced) fail with a message that says so; the
// corrected states pass, and the behavioural check power-cycles db1's node
// and measures db1's return. Manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runTool } from '../integration/shell-tools.ts';
import { startGraderLab, type GraderLab } from './grader-fixtures.ts';

const NS = 'vm-practices';
const OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service=nodeshutdown:NoExecute';

const zoneAffinity = (zones: string[]): Record<string, unknown> => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: zones }] }],
    },
  },
});
const templateSpec = (spec: Record<string, unknown>): Record<string, unknown> => ({ spec: { template: { spec } } });

describe('vm-practices grader', () => {
  let lab: GraderLab;

  const nodeOf = (vmi: string): Promise<string> => lab.kubectl(['get', 'vmi', vmi, '-n', NS, '-o', 'jsonpath={.status.nodeName}']);

  before(async () => { lab = await startGraderLab('vm-practices'); });
  after(async () => { await lab.close(); });

  it('fails every scored check on the exercise as `lab start` leaves it', async () => {
    const by = await lab.grade();
    for (const c of lab.grader.checks) assert.equal(by.get(c.id)?.status, 'FAIL', `${c.id}: ${by.get(c.id)?.status} ${by.get(c.id)?.message}`);
    assert.equal(by.get('db1-resources')!.message, 'VM vm-practices/db1: spec.template.spec.domain.resources.requests.cpu is not set, expected 1; '
      + 'spec.template.spec.domain.resources.requests.memory is 2Gi, expected 4Gi; spec.template.spec.domain.resources.limits.cpu is not set, expected 2; '
      + 'spec.template.spec.domain.resources.limits.memory is not set, expected 4Gi');
    assert.equal(by.get('db1-placement')!.message, 'VM vm-practices/db1 has no nodeSelector or required node affinity in spec.template.spec, so it may run on any worker');
    assert.match(by.get('run-strategies')!.message, /VM vm-practices\/web1 has runStrategy Halted, expected Always/);
    assert.match(by.get('eviction-strategies')!.message, /VM vm-practices\/web1 has no evictionStrategy \(the cluster default applies/);
    assert.match(by.get('drain-migrated')!.message, /^no drain has live-migrated VMI web1 yet: drain the node it runs on \(oc adm drain <node> --ignore-daemonsets --delete-emptydir-data\)/);
    assert.match(by.get('db1-survives-node-loss')!.message, /^VM vm-practices\/db1 is Stopped .*: the grader can only take away the node of a running instance$/);
  });

  it('fails a placement that pins db1 to one node, allows every worker or is only preferred; accepts two zones', async () => {
    await lab.patchVm('db1', templateSpec({ nodeSelector: { 'kubernetes.io/hostname': 'worker-1' } }));
    await lab.failsWith('db1-placement', "VM vm-practices/db1's nodeSelector kubernetes.io/hostname=worker-1 matches only worker-1: when that node is drained or lost, db1 has no other node to move or restart on");
    await lab.patchVm('db1', templateSpec({ nodeSelector: null, affinity: zoneAffinity(['virtlab-1a', 'virtlab-1b', 'virtlab-1c']) }));
    await lab.failsWith('db1-placement', "VM vm-practices/db1's node affinity topology.kubernetes.io/zone In (virtlab-1a, virtlab-1b, virtlab-1c) matches every worker (worker-0, worker-1 and worker-2)");
    await lab.patchVm('db1', templateSpec({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: null, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['virtlab-1b'] }] } }] } },
    }));
    await lab.failsWith('db1-placement', 'VM vm-practices/db1 has only a preferred node affinity, which the scheduler may ignore');
    await lab.patchVm('db1', templateSpec({ affinity: null }));
    await lab.patchVm('db1', templateSpec({ affinity: zoneAffinity(['virtlab-1b', 'virtlab-1c']) }));
    await lab.failsWith('db1-placement', 'VM vm-practices/db1 is Stopped', 'placement is decided when an instance is scheduled');
  });

  it('fails resources until they are all set, and while the VM is stopped', async () => {
    await lab.patchVm('db1', templateSpec({ domain: { resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2' } } } }));
    await lab.failsWith('db1-resources', 'VM vm-practices/db1: spec.template.spec.domain.resources.limits.memory is not set, expected 4Gi');
    await lab.patchVm('db1', templateSpec({ domain: { resources: { requests: { cpu: '1000m', memory: '4096Mi' }, limits: { cpu: '2', memory: '4Gi' } } } }));
    await lab.failsWith('db1-resources', 'VM vm-practices/db1 is Stopped', 'requests and limits only take effect in a running instance');
  });

  it('fails the wrong run strategy, and passes once both VMs run as the chapter says', async () => {
    await lab.patchVm('web1', { spec: { runStrategy: 'Always', template: { spec: { evictionStrategy: 'LiveMigrate' } } } });
    await lab.patchVm('db1', { spec: { runStrategy: 'Always' } });
    await lab.sim.advance(60);
    await lab.failsWith('run-strategies', 'VM vm-practices/db1 has runStrategy Always, expected RerunOnFailure: the database is restarted when it fails');
    await lab.patchVm('db1', { spec: { runStrategy: 'RerunOnFailure' } });
    await lab.sim.advance(5);
    await lab.passes('run-strategies');
    const resources = await lab.passes('db1-resources');
    assert.match(resources.message, /^VMI db1 runs on worker-[12] with requests cpu 1, memory 4Gi and limits cpu 2, memory 4Gi; its launcher pod asks the scheduler for cpu 1000m and memory \d+Mi/);
    const placed = await lab.passes('db1-placement');
    assert.match(placed.message, /^VMI db1 runs on worker-[12]; its node affinity topology\.kubernetes\.io\/zone In \(virtlab-1b, virtlab-1c\) allows worker-1 and worker-2 and keeps it off worker-0$/);
  });

  it('fails a template changed under the running instance until it restarts', async () => {
    await lab.patchVm('db1', templateSpec({ domain: { resources: { limits: { memory: '6Gi' } } } }));
    await lab.failsWith('db1-resources', 'spec.template.spec.domain.resources.limits.memory is 6Gi, expected 4Gi');
    await lab.patchVm('db1', templateSpec({ domain: { resources: { limits: { memory: '4Gi' } } } }));
    await lab.passes('db1-resources');
    await lab.failsWith('eviction-strategies', 'VM vm-practices/db1 has no evictionStrategy');
    await lab.patchVm('db1', templateSpec({ evictionStrategy: 'LiveMigrate' }));
    await lab.failsWith('eviction-strategies', 'VM vm-practices/db1: the VM template sets evictionStrategy LiveMigrate but the running VMI db1 was started before it was added: restart the VM (virtctl restart db1)');
    const r = await runTool(lab.sim, 'virtctl', ['restart', 'db1', '-n', NS]);
    assert.equal(r.code, 0, r.stderr);
    await lab.sim.advance(60);
    await lab.passes('eviction-strategies');
    await lab.passes('run-strategies');
  });

  it('fails a migration made by hand and a node left cordoned; passes a drain followed by uncordon', async () => {
    const migrate = await runTool(lab.sim, 'virtctl', ['migrate', 'web1', '-n', NS]);
    assert.equal(migrate.code, 0, migrate.stderr);
    await lab.sim.advance(20);
    await lab.failsWith('drain-migrated', 'VMI web1 was migrated with kubevirt-migrate-vm-', '(virtctl migrate), but no drain has evacuated it yet');

    const node = await nodeOf('web1');
    const drain = await lab.sim.advanceWhile(lab.sim.kubectlStart(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data']), 1, 200);
    assert.equal(drain.code, 0, drain.stderr);
    assert.match(drain.stdout, new RegExp(`node/${node} drained`));
    assert.notEqual(await nodeOf('web1'), node);
    await lab.failsWith('drain-migrated', `a drain of ${node} live-migrated web1 to`, `but ${node} is still cordoned (SchedulingDisabled): uncordon it (oc adm uncordon ${node})`);
    await lab.kubectl(['uncordon', node]);
    const r = await lab.passes('drain-migrated');
    assert.match(r.message, new RegExp(`^a drain of ${node} live-migrated web1 to worker-\\d \\(migration kubevirt-evacuation-\\w+\\) without restarting it, and ${node} takes new work again$`));
  });

  it('fails while db1\'s node is powered off or fenced, and passes once it is back and the taint is gone', async () => {
    const node = await nodeOf('db1');
    await lab.apply({
      apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name: `node-power-off-${node}` },
      spec: { type: 'NodePowerOff', target: { kind: 'Node', name: node } },
    });
    await lab.sim.advance(60);
    await lab.failsWith('node-recovered', `node ${node} is still powered off (fault node-power-off-${node}): undo it with lab fault delete node-power-off-${node}`, `node ${node} is NotReady`);
    await lab.kubectl(['taint', 'node', node, OUT_OF_SERVICE]);
    await lab.sim.advance(30);
    const moved = await nodeOf('db1');
    assert.notEqual(moved, node, 'fencing lets db1 restart elsewhere');
    await lab.kubectl(['delete', 'fault', `node-power-off-${node}`]);
    await lab.sim.advance(20);
    await lab.failsWith('node-recovered', `node ${node} still has the taint node.kubernetes.io/out-of-service=nodeshutdown:NoExecute: now that the node is back, remove it (kubectl taint node ${node} node.kubernetes.io/out-of-service-)`);
    await lab.kubectl(['taint', 'node', node, 'node.kubernetes.io/out-of-service-']);
    await lab.sim.advance(5);
    const r = await lab.passes('node-recovered');
    assert.equal(r.message, `every worker is Ready, no node is fenced any more, and db1 runs on ${moved}`);
  });

  it('power-cycles db1\'s node and measures db1\'s return; a VM nothing restarts fails', async () => {
    const r = await lab.passes('db1-survives-node-loss');
    assert.match(r.message, /^worker-\d was NotReady [\d.]+ s after losing power; meanwhile VMI db1 still said Running on worker-\d, not Ready; [\d.]+ s after it was powered on, a new db1 instance was Ready on worker-[12] \([\d.]+ s in all\)$/);
    assert.equal(r.measurements?.[0]?.name, 'recovery');
    await lab.passes('node-recovered');

    await lab.patchVm('db1', { spec: { runStrategy: 'Manual' } });
    await lab.failsWith('db1-survives-node-loss', 'VM vm-practices/db1 has runStrategy Manual: once its node loses power, nothing starts it again');
  });
});
