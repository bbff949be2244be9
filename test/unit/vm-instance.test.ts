import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { applyVmiSpecDefaults } from '../../sandbox/sim/kinds/kubevirt/index.ts';
import { newVmiForVm, templateMatchesVmi, vmiGeneration } from '../../sandbox/sim/controllers/vm/instance.ts';

function vm(over: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine',
    metadata: { name: 'web', namespace: 'ha', uid: 'vm-uid', generation: 3 },
    spec: {
      runStrategy: 'Always',
      template: {
        metadata: { labels: { app: 'web' }, annotations: { a: 'b' } },
        spec: { domain: { devices: {}, firmware: { uuid: 'fixed-uuid' }, resources: { requests: { memory: '1Gi' } } }, ...over },
      },
    },
  };
}

/** The VMI as the API server stores it after its create defaults. */
function stored(v: KubeObject): KubeObject {
  const spec = structuredClone(v.spec) as Record<string, unknown>;
  applyVmiSpecDefaults(spec, 'ha', 'web');
  return { ...v, spec };
}

describe('newVmiForVm (SetupVMIFromVM)', () => {
  it('copies name, namespace, template metadata and spec; owner, finalizer, generation annotation', () => {
    const vmi = newVmiForVm(vm(), { startPaused: false });
    assert.equal(vmi.metadata.name, 'web');
    assert.equal(vmi.metadata.namespace, 'ha');
    assert.deepEqual(vmi.metadata.labels, { app: 'web' });
    assert.deepEqual(vmi.metadata.annotations, { a: 'b', 'kubevirt.io/vm-generation': '3' });
    assert.deepEqual(vmi.metadata.ownerReferences, [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'web', uid: 'vm-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(vmi.metadata.finalizers, ['kubevirt.io/virtualMachineControllerFinalize']);
    assert.equal((vmi.spec as any).domain.firmware.uuid, 'fixed-uuid');
    assert.equal((vmi.spec as any).startStrategy, undefined);
    assert.equal(vmiGeneration(vmi), 3);
  });

  it('gives a stable firmware UUID when the template has none, and starts paused on request', () => {
    const v = vm();
    delete (v.spec as any).template.spec.domain.firmware;
    const a = newVmiForVm(v, { startPaused: true });
    const b = newVmiForVm(v, { startPaused: true });
    assert.match((a.spec as any).domain.firmware.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal((a.spec as any).domain.firmware.uuid, (b.spec as any).domain.firmware.uuid);
    assert.equal((a.spec as any).startStrategy, 'Paused');
  });

  it('does not share objects with the VM', () => {
    const v = vm();
    const vmi = newVmiForVm(v, { startPaused: false });
    (vmi.spec as any).domain.devices.x = 1;
    assert.equal((v.spec as any).template.spec.domain.devices.x, undefined);
  });
});

describe('templateMatchesVmi (RestartRequired)', () => {
  it('an unchanged template matches the defaulted VMI', () => {
    const v = vm();
    assert.equal(templateMatchesVmi(v, stored(newVmiForVm(v, { startPaused: false })), { ignoreGracePeriod: false }), true);
  });

  it('a changed template spec does not', () => {
    const vmi = stored(newVmiForVm(vm(), { startPaused: false }));
    assert.equal(templateMatchesVmi(vm({ terminationGracePeriodSeconds: 180 }), vmi, { ignoreGracePeriod: false }), false);
  });

  it('a paused start and a grace period shortened by stop are not template changes', () => {
    const v = vm();
    const vmi = stored(newVmiForVm(v, { startPaused: true }));
    (vmi.spec as any).terminationGracePeriodSeconds = 1;
    assert.equal(templateMatchesVmi(v, vmi, { ignoreGracePeriod: true }), true);
    assert.equal(templateMatchesVmi(v, vmi, { ignoreGracePeriod: false }), false);
  });

  it('vmiGeneration ignores a malformed annotation', () => {
    assert.equal(vmiGeneration({ apiVersion: 'v', kind: 'k', metadata: { annotations: { 'kubevirt.io/vm-generation': 'x' } } }), undefined);
  });
});
