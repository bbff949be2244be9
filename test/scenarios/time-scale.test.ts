// `lab sim --time-scale X`: every simulated delay is X times shorter while the
// timestamps written into objects stay real. A cluster on a RealClock at scale
// 2000 loses power on a worker: the node lifecycle controller's 50 s grace
// period is 25 real ms, so the node is NotReady within a couple of real
// seconds, and the Ready condition's lastTransitionTime is the real time of
// the change. This test waits on a real clock by design (polling the store
// every 20 ms, at most 10 s).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock } from '../../sandbox/sim/clock.ts';
import { Cluster } from '../../sandbox/sim/cluster.ts';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { FAULTS } from '../../sandbox/sim/kinds/sim/fault.ts';

const SCALE = 2000;
const POLL_MS = 20;
const CAP_MS = 10_000;

type Condition = { type: string; status: string; lastTransitionTime?: string };

function readyOf(node: KubeObject | undefined): Condition | undefined {
  const conds = (node?.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  return conds.find((c) => c.type === 'Ready');
}

/** Polls until `check` returns a value, or fails after CAP_MS of real time. */
async function poll<T>(what: string, check: () => T | undefined): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() - start > CAP_MS) assert.fail(`${what}: not within ${CAP_MS} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

describe(`a cluster on a real clock at time scale ${SCALE}`, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.create({ name: 'time-scale', clock: new RealClock(SCALE), topology: { workers: 3, controlPlanes: 1 } });
    await cluster.settle();
  });
  after(() => { cluster.stop(); });

  const node = (name: string): KubeObject | undefined => cluster.client('kube:admin', 'test').get('nodes', undefined, name);

  it('makes a powered-off worker NotReady after ≈50 simulated seconds, in real milliseconds', async () => {
    assert.equal(readyOf(node('worker-1'))?.status, 'True', 'Ready before the fault');
    await cluster.client('kube:admin', 'test').create(FAULTS, {
      apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name: 'worker-1-power' },
      spec: { type: 'NodePowerOff', target: { kind: 'Node', name: 'worker-1' } },
    });
    const faultAt = Date.now();
    const ready = await poll('worker-1 NotReady', () => {
      const c = readyOf(node('worker-1'));
      return c && c.status !== 'True' ? c : undefined;
    });
    const took = Date.now() - faultAt;
    assert.equal(ready.status, 'Unknown');
    // 50 simulated seconds are 25 real ms (50 000 ms unscaled); ten seconds leaves room for a loaded machine.
    assert.ok(took < 10_000, `NotReady after ${took} real ms`);

    // Timestamps stay real: the transition happened just now, not 50 s (or 100 000 s) away.
    const ltt = Date.parse(ready.lastTransitionTime ?? '');
    assert.ok(!Number.isNaN(ltt), `lastTransitionTime ${ready.lastTransitionTime}`);
    assert.ok(Math.abs(Date.now() - ltt) < 15_000, `lastTransitionTime ${ready.lastTransitionTime} vs now ${new Date().toISOString()}`);
    assert.ok(ltt >= Math.floor(faultAt / 1000) * 1000 - 1000, 'not before the fault');
  });
});
