// needsRemediation as a table: one machine, its node, one MachineHealthCheck,
// a fixed "now"; plus the Go duration parser, maxUnhealthy arithmetic and
// the selector rule.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { rfc3339 } from '../../sandbox/sim/api/age.ts';
import type { Elapsed } from '../../sandbox/sim/clock.ts';
import {
  maxUnhealthyCount, needsRemediation, parseDuration, selectsMachine, targetString, type HealthResult,
} from '../../sandbox/sim/controllers/mhc/health.ts';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const ago = (s: number): string => rfc3339(NOW - s * 1000);
/** Clock.elapsed at NOW on an unscaled clock. */
const elapsed: Elapsed = (t) => NOW - t;

function mhc(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineHealthCheck',
    metadata: { name: 'workers', namespace: 'openshift-machine-api' },
    spec: {
      selector: {}, maxUnhealthy: '100%', nodeStartupTimeout: '10m',
      unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '300s' }, { type: 'Ready', status: 'False', timeout: '300s' }],
      ...spec,
    },
  };
}

function machine(status: Record<string, unknown>, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'machine.openshift.io/v1beta1', kind: 'Machine', metadata: { name: 'm', namespace: 'openshift-machine-api', labels }, spec: {}, status };
}

function node(ready: string, since: number, extra: { type: string; status: string; lastTransitionTime: string }[] = []): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', uid: 'u' }, status: { conditions: [{ type: 'Ready', status: ready, lastTransitionTime: ago(since) }, ...extra] } };
}

const running = { phase: 'Running', nodeRef: { kind: 'Node', name: 'worker-1' }, lastUpdated: ago(3600) };

const cases: { name: string; machine: KubeObject; node: KubeObject | undefined; mhc?: KubeObject; want: HealthResult }[] = [
  { name: 'healthy node', machine: machine(running), node: node('True', 1000), want: { unhealthy: false } },
  { name: 'phase Failed is unhealthy at once', machine: machine({ ...running, phase: 'Failed' }), node: node('True', 1000), want: { unhealthy: true, reason: 'MachineFailed', message: 'machine phase is "Failed"' } },
  { name: 'nodeRef to a missing Node', machine: machine(running), node: undefined, want: { unhealthy: true, reason: 'NodeNotFound', message: 'node "worker-1" not found' } },
  { name: 'Ready=Unknown for 60 s: recheck 1 s after the 300 s timeout', machine: machine(running), node: node('Unknown', 60), want: { unhealthy: false, recheckAfter: 241 } },
  { name: 'Ready=Unknown for exactly 300 s is not yet past the timeout', machine: machine(running), node: node('Unknown', 300), want: { unhealthy: false, recheckAfter: 1 } },
  { name: 'Ready=Unknown for 301 s', machine: machine(running), node: node('Unknown', 301), want: { unhealthy: true, reason: 'UnhealthyCondition', message: 'condition Ready in state Unknown longer than 300s' } },
  { name: 'Ready=False matches the second condition (ORed)', machine: machine(running), node: node('False', 400), want: { unhealthy: true, reason: 'UnhealthyCondition', message: 'condition Ready in state False longer than 300s' } },
  {
    name: 'the earliest of several running timeouts decides the recheck',
    machine: machine(running),
    node: node('False', 10, [{ type: 'DiskPressure', status: 'True', lastTransitionTime: ago(100) }]),
    mhc: mhc({ unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '5m' }, { type: 'DiskPressure', status: 'True', timeout: '2m' }] }),
    want: { unhealthy: false, recheckAfter: 21 },
  },
  { name: 'condition type not on the node is ignored', machine: machine(running), node: node('True', 10), mhc: mhc({ unhealthyConditions: [{ type: 'NetworkUnavailable', status: 'True', timeout: '1s' }] }), want: { unhealthy: false } },
  { name: 'no node yet, within nodeStartupTimeout', machine: machine({ phase: 'Provisioned', lastUpdated: ago(120) }), node: undefined, want: { unhealthy: false, recheckAfter: 481 } },
  { name: 'no node after nodeStartupTimeout', machine: machine({ phase: 'Provisioned', lastUpdated: ago(601) }), node: undefined, want: { unhealthy: true, reason: 'NodeStartupTimeout', message: 'machine has no node after 10m' } },
  { name: 'no node and no lastUpdated yet: look again after the whole timeout', machine: machine({}), node: undefined, want: { unhealthy: false, recheckAfter: 600 } },
  { name: 'nodeStartupTimeout "0" disables the startup check', machine: machine({ phase: 'Provisioned', lastUpdated: ago(6000) }), node: undefined, mhc: mhc({ nodeStartupTimeout: '0' }), want: { unhealthy: false } },
  { name: 'nodeStartupTimeout in hours and minutes', machine: machine({ phase: 'Provisioning', lastUpdated: ago(5000) }), node: undefined, mhc: mhc({ nodeStartupTimeout: '1h30m' }), want: { unhealthy: false, recheckAfter: 401 } },
];

describe('needsRemediation', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(needsRemediation(c.machine, c.node, c.mhc ?? mhc(), elapsed), c.want);
    });
  }

  it('does not mutate its inputs', () => {
    const m = machine(running);
    const n = node('Unknown', 60);
    const h = mhc();
    const before = JSON.stringify([m, n, h]);
    needsRemediation(m, n, h, elapsed);
    assert.equal(JSON.stringify([m, n, h]), before);
  });
});

describe('MachineHealthCheck helpers', () => {
  it('parses Go durations', () => {
    assert.equal(parseDuration('300s'), 300000);
    assert.equal(parseDuration('10m'), 600000);
    assert.equal(parseDuration('1h30m'), 5400000);
    assert.equal(parseDuration('1.5h'), 5400000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('0'), 0);
    assert.ok(Number.isNaN(parseDuration('5 minutes')));
    assert.ok(Number.isNaN(parseDuration('')));
  });

  it('turns maxUnhealthy into a machine count (percentages round down)', () => {
    assert.equal(maxUnhealthyCount('100%', 3), 3);
    assert.equal(maxUnhealthyCount('40%', 3), 1);
    assert.equal(maxUnhealthyCount('0%', 3), 0);
    assert.equal(maxUnhealthyCount(0, 3), 0);
    assert.equal(maxUnhealthyCount(2, 3), 2);
    assert.equal(maxUnhealthyCount('2', 3), 2);
    assert.equal(maxUnhealthyCount(undefined, 4), 4);
    assert.ok(Number.isNaN(maxUnhealthyCount('two', 3)));
  });

  it('selects by labels within its namespace; an empty selector selects every machine', () => {
    const m = machine(running, { 'machine.openshift.io/cluster-api-machine-role': 'worker' });
    assert.ok(selectsMachine(mhc({ selector: {} }), m));
    assert.ok(selectsMachine(mhc({ selector: { matchLabels: { 'machine.openshift.io/cluster-api-machine-role': 'worker' } } }), m));
    assert.ok(!selectsMachine(mhc({ selector: { matchLabels: { 'machine.openshift.io/cluster-api-machine-role': 'master' } } }), m));
    assert.ok(!selectsMachine(mhc(), { ...m, metadata: { ...m.metadata, namespace: 'default' } }));
  });

  it('names targets as namespace/mhc/machine/node', () => {
    assert.equal(targetString(mhc(), machine(running), 'worker-1'), 'openshift-machine-api/workers/m/worker-1');
    assert.equal(targetString(mhc(), machine({}), ''), 'openshift-machine-api/workers/m/');
  });
});
