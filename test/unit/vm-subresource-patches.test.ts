import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import type { HandlerContext } from '../../sandbox/sim/api/http/special.ts';
import { kubevirtSubresourceHandler, runningPatch, stateChangePatch } from '../../sandbox/sim/api/http/kubevirt-subresources.ts';

const vm = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v', namespace: 'ns' }, spec, ...(status ? { status } : {}),
});

describe('stateChangeRequests patch (virt-api getChangeRequestJson)', () => {
  it('adds the whole status when the VM has none', () => {
    assert.deepEqual(stateChangePatch(vm({}), [{ action: 'Start' }]), [{ op: 'add', path: '/status', value: { stateChangeRequests: [{ action: 'Start' }] } }]);
  });

  it('tests the current list and adds to an empty one', () => {
    assert.deepEqual(stateChangePatch(vm({}, { printableStatus: 'Stopped' }), [{ action: 'Stop', uid: 'u' }, { action: 'Start' }]), [
      { op: 'test', path: '/status/stateChangeRequests', value: null },
      { op: 'add', path: '/status/stateChangeRequests', value: [{ action: 'Stop', uid: 'u' }, { action: 'Start' }] },
    ]);
  });

  it('replaces a queued list with a single Stop', () => {
    const cur = [{ action: 'Start' }];
    assert.deepEqual(stateChangePatch(vm({}, { stateChangeRequests: cur }), [{ action: 'Stop', uid: 'u' }]), [
      { op: 'test', path: '/status/stateChangeRequests', value: cur },
      { op: 'replace', path: '/status/stateChangeRequests', value: [{ action: 'Stop', uid: 'u' }] },
    ]);
  });

  it('refuses anything else while requests are queued', () => {
    assert.throws(() => stateChangePatch(vm({}, { stateChangeRequests: [{ action: 'Start' }] }), [{ action: 'Start' }]),
      (e: Error) => e.message === 'Internal error occurred: unable to complete request: stop/start already underway');
  });

  it('removes startFailure in the same patch', () => {
    const ops = stateChangePatch(vm({}, { startFailure: { consecutiveFailCount: 2 } }), [{ action: 'Start' }]);
    assert.deepEqual(ops[ops.length - 1], { op: 'remove', path: '/status/startFailure' });
  });
});

describe('running patch (virt-api getRunningPatch)', () => {
  it('uses runStrategy when the VM has one', () => {
    assert.deepEqual(runningPatch(vm({ runStrategy: 'Halted' }), true), [
      { op: 'test', path: '/spec/runStrategy', value: 'Halted' }, { op: 'replace', path: '/spec/runStrategy', value: 'Always' },
    ]);
    assert.deepEqual(runningPatch(vm({ runStrategy: 'Once' }), false)[1], { op: 'replace', path: '/spec/runStrategy', value: 'Halted' });
  });

  it('uses spec.running otherwise', () => {
    assert.deepEqual(runningPatch(vm({ running: false }), true), [
      { op: 'test', path: '/spec/running', value: false }, { op: 'replace', path: '/spec/running', value: true },
    ]);
  });
});

describe('routing', () => {
  const ctx = (resource: string, subresource: string, verb = 'update', group = 'subresources.kubevirt.io') =>
    ({ info: { group, version: 'v1', namespace: 'ns', resource, name: 'v', subresource, subpath: [], verb } }) as unknown as HandlerContext;

  it('serves the lifecycle verbs and leaves the rest (console, other groups) to others', () => {
    for (const s of ['start', 'stop', 'restart', 'migrate']) assert.equal(typeof kubevirtSubresourceHandler(ctx('virtualmachines', s)), 'function', s);
    for (const s of ['pause', 'unpause']) assert.equal(typeof kubevirtSubresourceHandler(ctx('virtualmachineinstances', s)), 'function', s);
    assert.equal(kubevirtSubresourceHandler(ctx('virtualmachineinstances', 'console', 'get')), undefined);
    assert.equal(kubevirtSubresourceHandler(ctx('virtualmachines', 'start', 'get')), undefined);
    assert.equal(kubevirtSubresourceHandler(ctx('pods', 'eviction', 'create', '')), undefined);
  });
});
