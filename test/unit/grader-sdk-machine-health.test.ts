// A MachineHealthCheck as the Machine API reads it: the Machines it watches
// (and which of them a MachineSet would replace), its unhealthy conditions
// and their timeouts, and how many unhealthy Machines maxUnhealthy tolerates.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  isMachineSetMachine, mhcCoverage, toleratedUnhealthy, unhealthyCondition, unhealthyTimeoutSeconds,
  type Machine, type MachineHealthCheck,
} from '../../graders/sdk/index.ts';

const ROLE = 'machine.openshift.io/cluster-api-machine-role';

function machine(name: string, role: 'worker' | 'master', o: { deleting?: boolean; owner?: { kind: string; controller?: boolean } } = {}): Machine {
  const owner = o.owner ?? (role === 'worker' ? { kind: 'MachineSet', controller: true } : undefined);
  return {
    apiVersion: 'machine.openshift.io/v1beta1', kind: 'Machine',
    metadata: {
      name, namespace: 'openshift-machine-api', labels: { [ROLE]: role, 'machine.openshift.io/cluster-api-cluster': 'virtlab' },
      ...(owner ? { ownerReferences: [{ apiVersion: 'machine.openshift.io/v1beta1', kind: owner.kind, name: 'virtlab-worker', uid: 'u', ...(owner.controller !== undefined ? { controller: owner.controller } : {}) }] } : {}),
      ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    },
    spec: {},
  };
}

function mhc(spec: Partial<MachineHealthCheck['spec']>): MachineHealthCheck {
  return {
    apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineHealthCheck', metadata: { name: 'workers', namespace: 'openshift-machine-api' },
    spec: { selector: {}, unhealthyConditions: [], ...spec },
  };
}

const machines = [
  machine('virtlab-master-0', 'master'),
  machine('virtlab-worker-a', 'worker'),
  machine('virtlab-worker-b', 'worker'),
  machine('virtlab-worker-c', 'worker', { deleting: true }),
];
const names = (ms: Machine[]): string[] => ms.map((m) => m.metadata.name);

describe('MachineHealthCheck coverage', () => {
  it('counts as a MachineSet machine only one a MachineSet controls', () => {
    assert.equal(isMachineSetMachine(machine('w', 'worker')), true);
    assert.equal(isMachineSetMachine(machine('w', 'worker', { owner: { kind: 'MachineSet' } })), true);
    assert.equal(isMachineSetMachine(machine('w', 'worker', { owner: { kind: 'MachineSet', controller: false } })), false);
    assert.equal(isMachineSetMachine(machine('m', 'master')), false);
  });

  it('splits the live machines into workers, selected, selected without a MachineSet and missed workers', () => {
    const everything = mhcCoverage(mhc({ selector: {} }), machines);
    assert.deepEqual(names(everything.machines), ['virtlab-master-0', 'virtlab-worker-a', 'virtlab-worker-b']);
    assert.deepEqual(names(everything.workers), ['virtlab-worker-a', 'virtlab-worker-b']);
    assert.deepEqual(names(everything.others), ['virtlab-master-0']);
    assert.deepEqual(everything.missed, []);

    const workers = mhcCoverage(mhc({ selector: { matchLabels: { [ROLE]: 'worker' } } }), machines);
    assert.deepEqual(names(workers.selected), ['virtlab-worker-a', 'virtlab-worker-b']);
    assert.deepEqual(workers.others, []);

    const none = mhcCoverage(mhc({ selector: { matchLabels: { [ROLE]: 'infra' } } }), machines);
    assert.deepEqual(none.selected, []);
    assert.deepEqual(names(none.missed), ['virtlab-worker-a', 'virtlab-worker-b']);
  });
});

describe('MachineHealthCheck conditions and maxUnhealthy', () => {
  const check = mhc({ unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '5m' }, { type: 'Ready', status: 'False', timeout: 'soon' }] });

  it('finds the unhealthy condition for a status and reads its timeout as a duration', () => {
    assert.deepEqual(unhealthyCondition(check, 'Unknown'), { type: 'Ready', status: 'Unknown', timeout: '5m' });
    assert.equal(unhealthyCondition(check, 'True'), undefined);
    assert.equal(unhealthyCondition(check, 'Unknown', 'MemoryPressure'), undefined);
    assert.equal(unhealthyTimeoutSeconds(check, 'Unknown'), 300);
    assert.equal(unhealthyTimeoutSeconds(check, 'False'), undefined, 'not a duration');
    assert.equal(unhealthyTimeoutSeconds(mhc({}), 'Unknown'), undefined, 'no such condition');
  });

  it('tolerates all when unset, a number as it is, a percentage rounded down, anything else none', () => {
    assert.equal(toleratedUnhealthy(undefined, 3), 3);
    assert.equal(toleratedUnhealthy(1, 3), 1);
    assert.equal(toleratedUnhealthy('2', 3), 2);
    assert.equal(toleratedUnhealthy('40%', 3), 1);
    assert.equal(toleratedUnhealthy('30%', 3), 0);
    assert.equal(toleratedUnhealthy('100%', 3), 3);
    assert.equal(toleratedUnhealthy('many', 3), 0);
  });
});
