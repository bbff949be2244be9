import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { ApiError } from '../../sandbox/sim/api/errors.ts';
import { decideLauncherEviction, markedForEviction, vmiMigratableOnEviction } from '../../sandbox/sim/admission/kubevirt-eviction.ts';
import { kubevirtClusterConfig } from '../../sandbox/sim/kinds/kubevirt/index.ts';
import { bareCluster, get, launcherPod, runningVmi, VMI } from './kubevirt-migration-fixtures.ts';

type J = Record<string, any>;

function vmi(strategy: string | undefined, o: { migratable?: boolean; evacuation?: string; node?: string } = {}): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
    metadata: { name: 'vm1', namespace: 'default', uid: 'u1' },
    spec: strategy ? { evictionStrategy: strategy } : {},
    status: {
      nodeName: o.node ?? 'worker-0',
      ...(o.evacuation ? { evacuationNodeName: o.evacuation } : {}),
      conditions: o.migratable === undefined ? [] : [{ type: 'LiveMigratable', status: o.migratable ? 'True' : 'False' }],
    },
  };
}

const pod: KubeObject = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'virt-launcher-vm1-abcde', namespace: 'default', labels: { 'kubevirt.io': 'virt-launcher' }, annotations: { 'kubevirt.io/domain': 'vm1' } },
  spec: { nodeName: 'worker-0' },
  status: { phase: 'Running' },
};

const TRIGGERED = 'Eviction triggered evacuation of VMI "default/vm1"';

test('the launcher eviction decision list, in upstream order', () => {
  const rows: [string, KubeObject | Error, ReturnType<typeof decideLauncherEviction>][] = [
    ['lookup error', new Error('virtualmachineinstances.kubevirt.io "vm1" not found'), { verdict: 'deny', message: 'kubevirt failed getting the vmi: virtualmachineinstances.kubevirt.io "vm1" not found' }],
    ['no strategy (cluster default None)', vmi(undefined, { migratable: true }), { verdict: 'allow' }],
    ['None', vmi('None', { migratable: true }), { verdict: 'allow' }],
    ['LiveMigrate, not migratable', vmi('LiveMigrate', { migratable: false }), { verdict: 'deny', message: 'VMI vm1 is configured with an eviction strategy but is not live-migratable' }],
    ['LiveMigrate, no condition yet', vmi('LiveMigrate'), { verdict: 'deny', message: 'VMI vm1 is configured with an eviction strategy but is not live-migratable' }],
    ['LiveMigrateIfPossible, not migratable', vmi('LiveMigrateIfPossible', { migratable: false }), { verdict: 'allow' }],
    ['LiveMigrateIfPossible, migratable', vmi('LiveMigrateIfPossible', { migratable: true }), { verdict: 'mark', node: 'worker-0', message: TRIGGERED }],
    ['External, not migratable', vmi('External', { migratable: false }), { verdict: 'mark', node: 'worker-0', message: TRIGGERED }],
    ['LiveMigrate, already marked', vmi('LiveMigrate', { migratable: true, evacuation: 'worker-0' }), { verdict: 'deny', message: `Evacuation in progress: ${TRIGGERED}` }],
    ['LiveMigrate, pod is a migration target', vmi('LiveMigrate', { migratable: true, node: 'worker-1' }), { verdict: 'deny', message: 'Eviction request for target Pod' }],
    ['LiveMigrate, migratable', vmi('LiveMigrate', { migratable: true }), { verdict: 'mark', node: 'worker-0', message: TRIGGERED }],
  ];
  for (const [desc, v, want] of rows) assert.deepEqual(decideLauncherEviction(pod, v), want, desc);
});

test('the cluster eviction strategy applies to VMIs without one', () => {
  const saved = kubevirtClusterConfig.evictionStrategy;
  try {
    assert.equal(vmiMigratableOnEviction(vmi(undefined, { migratable: true })), false);
    kubevirtClusterConfig.evictionStrategy = 'LiveMigrate';
    assert.equal(vmiMigratableOnEviction(vmi(undefined, { migratable: false })), true);
    assert.equal(decideLauncherEviction(pod, vmi(undefined, { migratable: true })).verdict, 'mark');
    assert.equal(decideLauncherEviction(pod, vmi('None', { migratable: true })).verdict, 'allow');
  } finally {
    kubevirtClusterConfig.evictionStrategy = saved;
  }
});

test('marking sets evacuationNodeName and the EvictionRequested condition once', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');
  const marked = markedForEviction(vmi('LiveMigrate', { migratable: true }), 'worker-0', now, false);
  assert.equal((marked.status as J).evacuationNodeName, 'worker-0');
  assert.deepEqual((marked.status as J).conditions.find((c: J) => c.type === 'EvictionRequested'), {
    type: 'EvictionRequested', status: 'True', reason: 'EvictionRequested', message: 'VMI is marked for eviction',
    lastProbeTime: '2026-03-01T10:00:00Z', lastTransitionTime: '2026-03-01T10:00:00Z',
  });
  const again = markedForEviction(marked, 'worker-0', now + 5000, true);
  assert.equal((again.status as J).conditions.filter((c: J) => c.type === 'EvictionRequested').length, 1);
  assert.equal((again.status as J).conditions.find((c: J) => c.type === 'EvictionRequested').lastTransitionTime, '2026-03-01T10:00:00Z');
  assert.equal(again.metadata.annotations?.['kubevirt.io/eviction-source'], 'descheduler');
});

async function evictionError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail('eviction was allowed');
}

test('the first eviction marks the VMI and answers 429; later ones say evacuation is in progress', async () => {
  const b = await bareCluster();
  const { pod: p } = await runningVmi(b, { strategy: 'LiveMigrate' });
  const err = await evictionError(b.admin.evict('default', p.metadata.name!));
  assert.equal(err.code, 429);
  assert.equal(err.reason, '');
  assert.equal(err.message, `admission webhook "virt-launcher-eviction-interceptor.kubevirt.io" denied the request: ${TRIGGERED}`);
  const marked = get(b, VMI, 'vm1')!;
  assert.equal((marked.status as J).evacuationNodeName, 'worker-0');
  assert.ok(marked.metadata.managedFields?.some((f) => f.manager === 'kubevirt-apiserver'), 'written by virt-api');
  const again = await evictionError(b.admin.evict('default', p.metadata.name!));
  assert.equal(again.message, `admission webhook "virt-launcher-eviction-interceptor.kubevirt.io" denied the request: Evacuation in progress: ${TRIGGERED}`);
  assert.ok(get(b, 'pods', p.metadata.name!), 'the pod is not deleted');
});

test('a dry-run eviction is refused the same way but marks nothing', async () => {
  const b = await bareCluster();
  const { pod: p } = await runningVmi(b, { strategy: 'LiveMigrate' });
  const err = await evictionError(b.admin.evict('default', p.metadata.name!, { dryRun: ['All'] }));
  assert.equal(err.code, 429);
  assert.equal((get(b, VMI, 'vm1')!.status as J).evacuationNodeName, undefined);
});

test('not migratable under LiveMigrate: refused forever, nothing marked', async () => {
  const b = await bareCluster();
  const { pod: p } = await runningVmi(b, {
    strategy: 'LiveMigrate',
    migratable: { reason: 'InterfaceNotLiveMigratable', message: 'cannot migrate VMI which does not use masquerade or a migratable plugin to connect to the pod network' },
  });
  for (let i = 0; i < 2; i++) {
    const err = await evictionError(b.admin.evict('default', p.metadata.name!));
    assert.equal(err.message, 'admission webhook "virt-launcher-eviction-interceptor.kubevirt.io" denied the request: VMI vm1 is configured with an eviction strategy but is not live-migratable');
  }
  assert.equal((get(b, VMI, 'vm1')!.status as J).evacuationNodeName, undefined);
});

test('strategy None: the launcher pod is evicted (deleted)', async () => {
  const b = await bareCluster();
  const { pod: p } = await runningVmi(b, { strategy: 'None' });
  await b.admin.evict('default', p.metadata.name!);
  assert.ok(get(b, 'pods', p.metadata.name!)!.metadata.deletionTimestamp, 'graceful deletion started');
});

test('completed launcher pods and other pods pass the webhook', async () => {
  const b = await bareCluster();
  const { vmi: v, pod: p } = await runningVmi(b, { strategy: 'LiveMigrate' });
  await b.admin.updateStatus('pods', { ...structuredClone(p), status: { ...structuredClone(p.status as J), phase: 'Succeeded' } });
  await b.admin.evict('default', p.metadata.name!);
  assert.equal(get(b, 'pods', p.metadata.name!), undefined, 'a finished pod is deleted at once');
  // A launcher pod of the same VMI that is its migration target (VMI on another node).
  const target = await launcherPod(b, v, 'worker-1', '10.128.18.9');
  const err = await evictionError(b.admin.evict('default', target.metadata.name!));
  assert.equal(err.message, 'admission webhook "virt-launcher-eviction-interceptor.kubevirt.io" denied the request: Eviction request for target Pod');
});

test('a launcher pod whose VMI is gone cannot be evicted', async () => {
  const b = await bareCluster();
  const { vmi: v, pod: p } = await runningVmi(b, { strategy: 'LiveMigrate' });
  await b.admin.update(VMI, { ...structuredClone(get(b, VMI, 'vm1')!), metadata: { ...structuredClone(get(b, VMI, 'vm1')!.metadata), finalizers: [] } });
  await b.admin.delete(VMI, 'default', v.metadata.name!);
  const err = await evictionError(b.admin.evict('default', p.metadata.name!));
  assert.equal(err.message, 'admission webhook "virt-launcher-eviction-interceptor.kubevirt.io" denied the request: kubevirt failed getting the vmi: virtualmachineinstances.kubevirt.io "vm1" not found');
});

test('the Eviction body annotations reach admission: a descheduler eviction marks the VMI eviction-source', async () => {
  const b = await bareCluster();
  const { pod: p } = await runningVmi(b, { strategy: 'LiveMigrate' });
  const err = await evictionError(b.storage.evictPod('default', p.metadata.name!, {
    metadata: { annotations: { 'requested-by': 'sigs.k8s.io/descheduler' } },
  }, { user: 'kube:admin', fieldManager: 'descheduler' }));
  assert.equal(err.code, 429);
  const marked = get(b, VMI, 'vm1')!;
  assert.equal((marked.status as J).evacuationNodeName, 'worker-0');
  assert.equal(marked.metadata.annotations?.['kubevirt.io/eviction-source'], 'descheduler');
});

test('an eviction without the descheduler annotation does not mark the eviction source', async () => {
  const b = await bareCluster();
  const { pod: p } = await runningVmi(b, { strategy: 'LiveMigrate' });
  await evictionError(b.admin.evict('default', p.metadata.name!, {}, { annotations: { 'requested-by': 'someone-else' } }));
  const marked = get(b, VMI, 'vm1')!;
  assert.equal((marked.status as J).evacuationNodeName, 'worker-0');
  assert.equal(marked.metadata.annotations?.['kubevirt.io/eviction-source'], undefined);
});
