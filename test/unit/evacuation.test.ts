import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import type { AdmissionPlugin } from '../../sandbox/sim/api/admission.ts';
import { evacuationController, evacuationMigration, vmisToEvacuate, type EvacuationFacts } from '../../sandbox/sim/controllers/evacuation/controller.ts';
import { bareCluster, CONTROLLER, eventsFor, runningVmi, VMIM } from './kubevirt-migration-fixtures.ts';

type J = Record<string, any>;
const NOW = Date.parse('2026-03-01T10:00:00Z');

function node(taint = false): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-0' }, spec: taint ? { taints: [{ key: 'kubevirt.io/drain', effect: 'NoSchedule' }] } : {} };
}

function vmi(name: string, o: { strategy?: string; migratable?: boolean; evacuation?: string; node?: string; phase?: string; ms?: J; deleting?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(o.deleting ? { deletionTimestamp: '2026-03-01T09:59:00Z' } : {}) },
    spec: { evictionStrategy: o.strategy ?? 'LiveMigrate' },
    status: {
      phase: o.phase ?? 'Running', nodeName: o.node ?? 'worker-0',
      ...(o.evacuation ? { evacuationNodeName: o.evacuation } : {}),
      ...(o.ms ? { migrationState: o.ms } : {}),
      conditions: [{ type: 'LiveMigratable', status: o.migratable === false ? 'False' : 'True' }],
    },
  };
}

function pod(owner: string, phase = 'Running'): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `virt-launcher-${owner}-x`, namespace: 'default', ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: owner, uid: `uid-${owner}`, controller: true }] },
    status: { phase },
  };
}

function facts(vmis: KubeObject[], o: Partial<EvacuationFacts> = {}): EvacuationFacts {
  return { node: node(), vmis, migrations: [], pods: vmis.map((v) => pod(v.metadata.name!)), now: NOW, ...o };
}

const names = (l: KubeObject[]): string[] => l.map((v) => v.metadata.name!);

test('which VMIs an evacuation migrates', () => {
  const marked = { evacuation: 'worker-0' };
  const rows: [string, EvacuationFacts, string[]][] = [
    ['marked, migratable', facts([vmi('a', marked)]), ['a']],
    ['not marked', facts([vmi('a')]), []],
    ['marked for another node (already moved)', facts([vmi('a', { evacuation: 'worker-0', node: 'worker-1' })]), []],
    ['marked but not migratable', facts([vmi('a', { ...marked, migratable: false })]), []],
    ['External strategy: marked, migrated by someone else', facts([vmi('a', { ...marked, strategy: 'External' })]), []],
    ['LiveMigrateIfPossible and migratable', facts([vmi('a', { ...marked, strategy: 'LiveMigrateIfPossible' })]), ['a']],
    ['final VMI', facts([vmi('a', { ...marked, phase: 'Failed' })]), []],
    ['deleting VMI', facts([vmi('a', { ...marked, deleting: true })]), []],
    ['already has an unfinished migration', facts([vmi('a', marked)], { migrations: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'm', namespace: 'default' }, spec: { vmiName: 'a' }, status: { phase: 'Scheduling' } }] }), []],
    ['a finished migration does not block', facts([vmi('a', marked)], { migrations: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'm', namespace: 'default' }, spec: { vmiName: 'a' }, status: { phase: 'Failed' } }] }), ['a']],
    ['migrating right now', facts([vmi('a', { ...marked, ms: { startTimestamp: '2026-03-01T09:59:50Z' } })]), []],
    ['an earlier migration ended', facts([vmi('a', { ...marked, ms: { startTimestamp: '2026-03-01T09:59:50Z', endTimestamp: '2026-03-01T09:59:55Z' } })]), ['a']],
    ['two active pods (previous source not finished)', facts([vmi('a', marked)], { pods: [pod('a'), pod('a')] }), []],
    ['previous source pod finished', facts([vmi('a', marked)], { pods: [pod('a'), pod('a', 'Succeeded')] }), ['a']],
    ['drain taint: every migratable VMI on the node', facts([vmi('a'), vmi('b', { strategy: 'None' }), vmi('c', { migratable: false })], { node: node(true) }), ['a']],
  ];
  for (const [desc, f, want] of rows) assert.deepEqual(names(vmisToEvacuate(f)), want, desc);
});

test('the evacuation migration object', () => {
  assert.deepEqual(evacuationMigration(vmi('a'), 'worker-0'), {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration',
    metadata: { generateName: 'kubevirt-evacuation-', namespace: 'default', annotations: { 'kubevirt.io/evacuationMigration': 'worker-0' } },
    spec: { vmiName: 'a', priority: 'system-critical' },
  });
  const desched = { ...vmi('a'), metadata: { ...vmi('a').metadata, annotations: { 'kubevirt.io/eviction-source': 'descheduler' } } };
  assert.equal((evacuationMigration(desched, 'worker-0').spec as J).priority, 'system-maintenance');
});

test('the controller creates one migration per marked VMI and says so on the VMI', async () => {
  const b = await bareCluster();
  await runningVmi(b, { strategy: 'LiveMigrate', status: { evacuationNodeName: 'worker-0' } });
  const c = evacuationController(b.deps(CONTROLLER));
  await c.reconcile('worker-0');
  const migs = b.admin.list(VMIM, 'default');
  assert.equal(migs.length, 1);
  const m = migs[0];
  assert.match(m.metadata.name!, /^kubevirt-evacuation-[a-z0-9]{5}$/);
  assert.equal(m.metadata.annotations?.['kubevirt.io/evacuationMigration'], 'worker-0');
  assert.deepEqual(m.spec, { vmiName: 'vm1', priority: 'system-critical' });
  assert.deepEqual(eventsFor(b, 'vm1'), [{ type: 'Normal', reason: 'SuccessfulCreate', message: `Created Migration ${m.metadata.name}` }]);
  await c.reconcile('worker-0');
  assert.equal(b.admin.list(VMIM, 'default').length, 1, 'no second migration while one is unfinished');
  await c.reconcile('worker-1');
  await c.reconcile('no-such-node');
  assert.equal(b.admin.list(VMIM, 'default').length, 1);
});

test('a refused create is a Warning FailedCreate and a retry', async () => {
  // An interceptor in place of the migration webhook, refusing every create.
  const refuse: AdmissionPlugin = {
    name: 'refuse', resources: [VMIM], phase: 'validating',
    admit: () => ({ denied: { webhook: 'migration-create-validator.kubevirt.io', code: 400, reason: '', message: 'Cannot migrate VMI in finalized state.' } }),
  };
  const b = await bareCluster([refuse]);
  await runningVmi(b, { strategy: 'LiveMigrate', status: { evacuationNodeName: 'worker-0' } });
  const c = evacuationController(b.deps(CONTROLLER));
  await assert.rejects(c.reconcile('worker-0'), /Cannot migrate VMI in finalized state/);
  assert.equal(b.admin.list(VMIM, 'default').length, 0);
  assert.deepEqual(eventsFor(b, 'vm1'), [{
    type: 'Warning', reason: 'FailedCreate',
    message: 'Error creating a Migration: admission webhook "migration-create-validator.kubevirt.io" denied the request: Cannot migrate VMI in finalized state.',
  }]);
});
