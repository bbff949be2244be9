// A cluster snapshot taken with a VM running, serialised as the web server
// stores it and restored in a fresh host later: the objects, the tokens and
// the guest (same boot, same files, same services) are back, the VMI stays
// Running, and the nodes stay Ready although time moved on while "down".

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import { SimHost } from '../../sandbox/sim/host.ts';
import type { ClusterSnapshot } from '../../sandbox/sim/cluster-snapshot.ts';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { vmManifest } from '../scenarios/fixtures.ts';

const VMS = 'kubevirt.io/virtualmachines';
const VMIS = 'kubevirt.io/virtualmachineinstances';

function phase(o: KubeObject | undefined): string | undefined {
  return (o?.status as { phase?: string } | undefined)?.phase;
}

function readyNodes(objects: KubeObject[]): string[] {
  return objects.filter((n) => ((n.status as { conditions?: { type: string; status: string }[] }).conditions ?? [])
    .some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name!);
}

describe('cluster snapshot and restore', () => {
  it('brings back objects, tokens and a running guest without a reboot', async () => {
    const clock = new ManualClock(Date.parse('2026-02-01T09:00:00Z'));
    const host = new SimHost();
    const cluster = await host.createCluster({ name: 'before', clock, topology: { workers: 2, controlPlanes: 1 } });
    const token = host.issueToken(cluster, 'student');
    const admin = cluster.client('kube:admin', 'kubectl');
    await admin.create(VMS, vmManifest('web', 'Always', { image: 'quay.io/virtlab/webserver:latest' }));
    await cluster.advance(90);
    const vmiBefore = admin.get(VMIS, 'default', 'web');
    assert.equal(phase(vmiBefore), 'Running');
    const uid = vmiBefore!.metadata.uid!;
    const guestBefore = cluster.guests.get(uid)!;
    assert.equal(guestBefore.state, 'Running');
    // Something the student did inside the guest: a stopped service.
    cluster.guests.stopService(uid, 'httpd');
    await cluster.settle();
    const readyBefore = readyNodes(cluster.store.list('nodes'));

    const stored = JSON.stringify(cluster.snapshot());
    host.stop();

    // The process was down for ten minutes: long enough for stale heartbeats to mark nodes NotReady and VMIs Failed.
    const later = new ManualClock(clock.now() + 600_000);
    const host2 = new SimHost();
    const restored = await host2.restoreCluster({ name: 'after', clock: later }, JSON.parse(stored) as ClusterSnapshot);
    assert.equal(host2.authenticate(`Bearer ${token}`)?.user.username, 'student', 'the old token authenticates');
    await restored.advance(120);

    const vmiAfter = restored.store.get(VMIS, 'default', 'web');
    assert.equal(vmiAfter?.metadata.uid, uid, 'same VMI, not a new instance');
    assert.equal(phase(vmiAfter), 'Running');
    const guestAfter = restored.guests.get(uid)!;
    assert.equal(guestAfter.state, 'Running');
    assert.equal(guestAfter.bootCount, guestBefore.bootCount, 'no reboot');
    assert.equal(guestAfter.services.find((s) => s.name === 'httpd')?.active, false, 'the stopped service stays stopped');
    assert.deepEqual(readyNodes(restored.store.list('nodes')), readyBefore, 'healthy nodes stay Ready');
    assert.ok(restored.store.list('pods', 'default').some((p) => p.metadata.labels?.['kubevirt.io'] === 'virt-launcher'));
    host2.stop();
  });

  it('refuses a snapshot of an unknown version', async () => {
    const host = new SimHost();
    const bad = { version: 99 } as unknown as ClusterSnapshot;
    await assert.rejects(host.restoreCluster({ name: 'x', clock: new ManualClock() }, bad), /snapshot version 99 is not supported/);
  });
});
