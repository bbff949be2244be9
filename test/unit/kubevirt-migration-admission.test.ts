import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { ApiError } from '../../sandbox/sim/api/errors.ts';
import { bareCluster, CONTROLLER, runningVmi, VMIM, type Bare } from './kubevirt-migration-fixtures.ts';

type J = Record<string, any>;

function vmim(vmiName: string, name = 'mig1'): KubeObject {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name, namespace: 'default' }, spec: { vmiName } };
}

async function refused(b: Bare, m: KubeObject): Promise<ApiError> {
  try {
    await b.admin.create(VMIM, m);
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail('the migration was accepted');
}

const DENIED = 'admission webhook "migration-create-validator.kubevirt.io" denied the request: ';

test('a migration of a missing VMI is refused with 400', async () => {
  const b = await bareCluster();
  const err = await refused(b, vmim('nope'));
  assert.equal(err.code, 400);
  assert.equal(err.reason, '');
  assert.equal(err.message, `${DENIED}the VMI "default/nope" does not exist`);
});

test('vmiName missing is the kind validator\'s 422, checked first', async () => {
  const b = await bareCluster();
  const err = await refused(b, { ...vmim(''), spec: {} });
  assert.equal(err.code, 422);
  assert.equal(err.message, `${DENIED}vmiName is missing`);
});

test('a final VMI cannot be migrated', async () => {
  const b = await bareCluster();
  await runningVmi(b, { phase: 'Failed' });
  const err = await refused(b, vmim('vm1'));
  assert.equal(err.message, `${DENIED}Cannot migrate VMI in finalized state.`);
});

test('LiveMigratable=False gives its reason and message', async () => {
  const b = await bareCluster();
  await runningVmi(b, { migratable: { reason: 'InterfaceNotLiveMigratable', message: 'cannot migrate VMI which does not use masquerade or a migratable plugin to connect to the pod network' } });
  const err = await refused(b, vmim('vm1'));
  assert.equal(err.code, 400);
  assert.equal(err.message, `${DENIED}Cannot migrate VMI, Reason: InterfaceNotLiveMigratable, Message: cannot migrate VMI which does not use masquerade or a migratable plugin to connect to the pod network`);
});

test('one migration in flight per VMI; a finished one does not count', async () => {
  const b = await bareCluster();
  await runningVmi(b);
  const first = await b.admin.create(VMIM, vmim('vm1', 'mig1'));
  const err = await refused(b, vmim('vm1', 'mig2'));
  assert.equal(err.message, `${DENIED}in-flight migration detected. Active migration job (${first.metadata.uid}) is currently already in progress for VMI vm1.`);
  await b.as(CONTROLLER).updateStatus(VMIM, { ...structuredClone(first), status: { phase: 'Failed' } });
  const second = await b.admin.create(VMIM, vmim('vm1', 'mig2'));
  assert.equal(second.metadata.labels?.['kubevirt.io/vmi-name'], 'vm1');
  assert.deepEqual(second.metadata.finalizers, ['kubevirt.io/migrationJobFinalize']);
  assert.equal((second.spec as J).vmiName, 'vm1');
});
