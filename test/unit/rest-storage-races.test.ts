// A write whose admission awaits may lose a race with another write. An
// unconditional write (no resourceVersion) starts over on the new object, as
// the apiserver's GuaranteedUpdate does; a conditional one is a 409.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from '../../sandbox/sim/cluster.ts';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import type { AdmissionPlugin } from '../../sandbox/sim/api/admission.ts';
import { ApiError } from '../../sandbox/sim/api/errors.ts';

async function clusterWithRacingAdmission(): Promise<{ cluster: Cluster; races: { left: number } }> {
  const races = { left: 0 };
  let cluster!: Cluster;
  const plugin: AdmissionPlugin = {
    name: 'racer',
    resources: ['configmaps'],
    phase: 'mutating',
    async admit(req) {
      if (req.operation !== 'UPDATE' || races.left <= 0) return {};
      races.left--;
      // Someone else writes the same object while this request is being admitted.
      const cur = cluster.store.get('configmaps', 'default', req.name)!;
      cluster.store.update('configmaps', { ...structuredClone(cur), data: { ...(cur as { data?: Record<string, string> }).data, other: String(races.left) } }, cur.metadata.resourceVersion);
      await Promise.resolve();
      return {};
    },
  };
  cluster = await Cluster.create({ name: 'races', clock: new ManualClock(), topology: { workers: 1, controlPlanes: 1 }, admissionPlugins: [plugin] });
  await cluster.client('me', 'me').create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { a: '1' } });
  return { cluster, races };
}

test('an unconditional patch that loses a race is applied again on the newer object', async () => {
  const { cluster, races } = await clusterWithRacingAdmission();
  races.left = 2;
  const out = await cluster.client('me', 'me').patch('configmaps', 'default', 'cm', 'merge', { data: { mine: 'yes' } });
  assert.deepEqual((out as { data?: Record<string, string> }).data, { a: '1', other: '0', mine: 'yes' });
  cluster.stop();
});

test('a conditional update that loses a race is a 409 Conflict', async () => {
  const { cluster, races } = await clusterWithRacingAdmission();
  const me = cluster.client('me', 'me');
  const cur = me.get('configmaps', 'default', 'cm')!;
  races.left = 1;
  await assert.rejects(me.update('configmaps', { ...structuredClone(cur), data: { a: '2' } }), (e: unknown) => e instanceof ApiError && e.code === 409);
  cluster.stop();
});
