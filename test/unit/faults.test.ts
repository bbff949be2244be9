// The Fault kind (identity, defaults, validation messages, printer columns)
// and the fault queries the node agents read.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { formatFieldError } from '../../sandbox/sim/api/errors.ts';
import { customKinds } from '../../sandbox/sim/kinds/custom-index.ts';
import { KindRegistry } from '../../sandbox/sim/kinds/registry.ts';
import type { StrategyContext } from '../../sandbox/sim/kinds/types.ts';
import { FAULTS, faultKind } from '../../sandbox/sim/kinds/sim/fault.ts';
import {
  activeFaults, kubeletRunning, nodeAgentsReportIn, nodeAgentsRunning, nodePoweredOff, nodeReachable,
} from '../../sandbox/sim/faults/queries.ts';

const ctx: StrategyContext = { now: Date.parse('2026-01-01T00:00:00Z'), user: 'kube:admin', subresource: '' };

function fault(spec: Record<string, unknown>, name = 'f', deleting = false): KubeObject {
  return {
    apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault',
    metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec,
  };
}

function errors(f: KubeObject): string[] {
  faultKind.defaults!(f);
  return faultKind.validate!(f, ctx).map(formatFieldError);
}

describe('Fault kind', () => {
  it('is a cluster-scoped custom kind with a status subresource', () => {
    const reg = new KindRegistry(customKinds);
    assert.equal(reg.resource('sim.virtlab.dev', 'v1alpha1', 'faults'), faultKind);
    assert.equal(FAULTS, 'sim.virtlab.dev/faults');
    assert.equal(faultKind.namespaced, false);
    assert.equal(faultKind.custom, true);
    assert.deepEqual(faultKind.shortNames, ['fault']);
    assert.deepEqual(faultKind.subresources, { status: true });
    assert.deepEqual(faultKind.printerColumns.map((c) => `${c.name}=${c.jsonPath}`),
      ['Type=.spec.type', 'Target=.spec.target.name', 'Phase=.status.phase', 'Age=.metadata.creationTimestamp']);
  });

  it('defaults the target kind from the type', () => {
    const f = fault({ type: 'GuestCrash', target: { name: 'web-1', namespace: 'ha' } });
    faultKind.defaults!(f);
    assert.deepEqual((f.spec as { target: unknown }).target, { name: 'web-1', namespace: 'ha', kind: 'VirtualMachineInstance' });
  });

  const rows: [string, Record<string, unknown>, string[]][] = [
    ['node power-off', { type: 'NodePowerOff', target: { name: 'worker-1' } }, []],
    ['service stop', { type: 'ServiceStop', target: { name: 'web-1', namespace: 'ha' }, service: 'httpd' }, []],
    ['no type', { target: { name: 'x' } }, ['spec.type: Required value: one of NodePowerOff, KubeletStop, NetworkPartition, ServiceStop, GuestKernelHang, GuestCrash']],
    ['unknown type', { type: 'Meteor', target: { name: 'x' } },
      ['spec.type: Unsupported value: "Meteor": supported values: "NodePowerOff", "KubeletStop", "NetworkPartition", "ServiceStop", "GuestKernelHang", "GuestCrash"']],
    ['no target', { type: 'KubeletStop' }, ['spec.target: Required value: the Node or VirtualMachineInstance the fault acts on']],
    ['node fault on a VMI', { type: 'NetworkPartition', target: { kind: 'VirtualMachineInstance', name: 'web-1', namespace: 'ha' } },
      ['spec.target.kind: Unsupported value: "VirtualMachineInstance": supported values: "Node"', 'spec.target.namespace: Forbidden: a Node is cluster-scoped: leave the namespace empty']],
    ['guest fault without namespace', { type: 'GuestKernelHang', target: { name: 'web-1' } }, ['spec.target.namespace: Required value: the namespace of the VirtualMachineInstance']],
    ['service stop without service', { type: 'ServiceStop', target: { name: 'web-1', namespace: 'ha' } }, ['spec.service: Required value: the guest service to stop, e.g. httpd']],
    ['service on another type', { type: 'GuestCrash', target: { name: 'web-1', namespace: 'ha' }, service: 'httpd' }, ['spec.service: Forbidden: only ServiceStop faults name a service']],
    ['no target name', { type: 'NodePowerOff', target: { kind: 'Node' } }, ['spec.target.name: Required value: the name of the target']],
  ];
  for (const [title, spec, want] of rows) {
    it(`validates: ${title}`, () => assert.deepEqual(errors(fault(spec)), want));
  }

  it('is immutable', () => {
    const old = fault({ type: 'NodePowerOff', target: { kind: 'Node', name: 'worker-1' } });
    const changed = fault({ type: 'NodePowerOff', target: { kind: 'Node', name: 'worker-2' } });
    assert.deepEqual(faultKind.validateUpdate!(changed, old, ctx).map(formatFieldError), ['spec: Forbidden: a fault cannot be changed: delete it and create a new one']);
    assert.deepEqual(faultKind.validateUpdate!(structuredClone(old), old, ctx), []);
  });
});

describe('fault queries', () => {
  const reader = (faults: KubeObject[]) => ({ list: (r: string) => (r === FAULTS ? faults : []) });
  const node = (type: string, name = 'worker-1') => fault({ type, target: { kind: 'Node', name } }, `${type}-${name}`);
  const rows: [string, KubeObject[], { off: boolean; kubelet: boolean; agents: boolean; reachable: boolean; report: boolean }][] = [
    ['no fault', [], { off: false, kubelet: true, agents: true, reachable: true, report: true }],
    ['power off', [node('NodePowerOff')], { off: true, kubelet: false, agents: false, reachable: false, report: false }],
    ['kubelet stop', [node('KubeletStop')], { off: false, kubelet: false, agents: false, reachable: true, report: false }],
    ['network partition', [node('NetworkPartition')], { off: false, kubelet: true, agents: true, reachable: false, report: false }],
    ['another node', [node('NodePowerOff', 'worker-2')], { off: false, kubelet: true, agents: true, reachable: true, report: true }],
    ['a guest fault', [fault({ type: 'GuestCrash', target: { kind: 'VirtualMachineInstance', name: 'worker-1', namespace: 'x' } })], { off: false, kubelet: true, agents: true, reachable: true, report: true }],
    ['a fault being deleted no longer counts', [fault({ type: 'NodePowerOff', target: { kind: 'Node', name: 'worker-1' } }, 'f', true)], { off: false, kubelet: true, agents: true, reachable: true, report: true }],
  ];
  for (const [title, faults, want] of rows) {
    it(title, () => {
      const r = reader(faults);
      assert.deepEqual({
        off: nodePoweredOff(r, 'worker-1'), kubelet: kubeletRunning(r, 'worker-1'), agents: nodeAgentsRunning(r, 'worker-1'),
        reachable: nodeReachable(r, 'worker-1'), report: nodeAgentsReportIn(r, 'worker-1'),
      }, want);
    });
  }

  it('lists only faults in effect', () => {
    assert.equal(activeFaults(reader([node('KubeletStop'), fault({ type: 'NodePowerOff', target: { kind: 'Node', name: 'a' } }, 'g', true)])).length, 1);
  });
});
