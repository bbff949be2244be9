import { test } from 'node:test';
import assert from 'node:assert/strict';

import { compileJsonPath, crdColumnCell, evaluateColumn, goJson } from '../../sandbox/sim/api/jsonpath.ts';

const vmi = {
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachineInstance',
  metadata: {
    name: 'testvm',
    creationTimestamp: '2026-11-20T10:00:00Z',
    labels: { 'app.kubernetes.io/name': 'testvm', 'kubevirt.io/domain': 'testvm' },
  },
  spec: {
    domain: { devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }, { name: 'cloudinit', cdrom: {} }] } },
    running: true,
  },
  status: {
    phase: 'Running',
    nodeName: 'node01',
    interfaces: [{ ipAddress: '10.244.1.7', name: 'default' }, { ipAddress: '10.0.0.5', name: 'secondary' }],
    conditions: [
      { type: 'Ready', status: 'True', lastTransitionTime: '2026-11-20T10:01:00Z' },
      { type: 'LiveMigratable', status: 'False', reason: 'DisksNotLiveMigratable' },
      { type: 'AgentConnected', status: 'True' },
    ],
    migrationState: null,
    restarts: 3,
    ratio: 0.5,
  },
};

const run = (path: string, obj: unknown = vmi) => compileJsonPath(path)(obj);

test('fields and nested fields', () => {
  assert.deepEqual(run('.status.phase'), ['Running']);
  assert.deepEqual(run('.spec.running'), [true]);
  assert.deepEqual(run('.status.restarts'), [3]);
  assert.deepEqual(run('.metadata'), [vmi.metadata]);
  assert.deepEqual(run('{.status.nodeName}'), ['node01'], 'enclosing braces');
  assert.deepEqual(run('$.status.nodeName'), ['node01'], 'leading $');
  assert.deepEqual(run('.status.migrationState'), [null]);
});

test('missing keys resolve to nothing', () => {
  assert.deepEqual(run('.status.missing'), []);
  assert.deepEqual(run('.status.missing.deeper'), []);
  assert.deepEqual(run('.status.phase.length'), [], 'field of a string');
  assert.deepEqual(run('.status.migrationState.endTimestamp'), [], 'field of null');
  assert.deepEqual(run('.status.phase', null), []);
});

test('array index, negative index, slices, wildcard', () => {
  assert.deepEqual(run('.status.interfaces[0].ipAddress'), ['10.244.1.7']);
  assert.deepEqual(run('.status.interfaces[1].name'), ['secondary']);
  assert.deepEqual(run('.status.interfaces[-1].name'), ['secondary']);
  assert.deepEqual(run('.status.interfaces[*].ipAddress'), ['10.244.1.7', '10.0.0.5']);
  assert.deepEqual(run('.status.conditions[0:2].type'), ['Ready', 'LiveMigratable']);
  assert.deepEqual(run('.status.conditions[1:].type'), ['LiveMigratable', 'AgentConnected']);
  assert.deepEqual(run('.status.conditions[:1].type'), ['Ready']);
  assert.deepEqual(run('.status.conditions[::2].type'), ['Ready', 'AgentConnected']);
  assert.deepEqual(run('.status.conditions[0,2].type'), ['Ready', 'AgentConnected'], 'union');
  assert.deepEqual(run('.spec.domain.devices.disks[*].name'), ['root', 'cloudinit']);
  assert.deepEqual(run('.metadata.labels.*'), ['testvm', 'testvm'], 'map wildcard');
  assert.deepEqual(run('.status.interfaces[5].name'), [], 'out of bounds: nothing');
  assert.deepEqual(run('.status.interfaces[0]', { status: { interfaces: [] } }), []);
  assert.deepEqual(run('.status.interfaces[*]', { status: { interfaces: [] } }), []);
  assert.deepEqual(run('.status.phase[0]'), [], 'index into a string');
});

test('filters: ==, != and comparisons with quoted and numeric literals', () => {
  assert.deepEqual(run(".status.conditions[?(@.type=='Ready')].status"), ['True']);
  assert.deepEqual(run('.status.conditions[?(@.type=="LiveMigratable")].reason'), ['DisksNotLiveMigratable']);
  assert.deepEqual(run(".status.conditions[?(@.type == 'Ready')].status"), ['True'], 'spaces around the operator');
  assert.deepEqual(run(".status.conditions[?(@.status!='True')].type"), ['LiveMigratable']);
  assert.deepEqual(run(".status.conditions[?(@.type=='Missing')].status"), []);
  assert.deepEqual(run('.status.conditions[?(@.reason)].type'), ['LiveMigratable'], 'existence filter');
  assert.deepEqual(run(".status.conditions[?(@.reason!='x')].type"), ['LiveMigratable'], '!= skips items lacking the key');
  const nums = { items: [{ n: 1, v: 'a' }, { n: 2, v: 'b' }, { n: 3, v: 'c' }] };
  assert.deepEqual(run('.items[?(@.n==2)].v', nums), ['b']);
  assert.deepEqual(run('.items[?(@.n>1)].v', nums), ['b', 'c']);
  assert.deepEqual(run('.items[?(@.n>=2)].v', nums), ['b', 'c']);
  assert.deepEqual(run('.items[?(@.n<2)].v', nums), ['a']);
  assert.deepEqual(run('.items[?(@.n<=2)].v', nums), ['a', 'b']);
  assert.deepEqual(run('.items[?(@.n!=2)].v', nums), ['a', 'c']);
  assert.deepEqual(run(".items[?(@.n=='2')].v", nums), [], 'string literal never equals a number');
  assert.deepEqual(run(".items[?(@.v=='a=b')].n", { items: [{ v: 'a=b', n: 1 }] }), [1], 'operator characters inside quotes');
  assert.deepEqual(run('.items[?(@.ok==true)].v', { items: [{ ok: true, v: 'y' }, { ok: false, v: 'n' }] }), ['y']);
});

test('escaped dots, bracket keys, recursive descent', () => {
  assert.deepEqual(run('.metadata.labels.app\\.kubernetes\\.io/name'), ['testvm']);
  assert.deepEqual(run(".metadata.labels['kubevirt.io/domain']"), ['testvm']);
  assert.deepEqual(run('.metadata.labels["kubevirt.io/domain"]'), ['testvm']);
  assert.deepEqual(run('..ipAddress'), ['10.244.1.7', '10.0.0.5']);
  assert.deepEqual(run('.spec..bus'), ['virtio']);
  assert.deepEqual(run('.spec...bus'), ['virtio'], 'client-go reads "..." as ".." then ".bus"');
});

test('invalid paths throw at compile time', () => {
  for (const bad of ['', '.a[', '.a[x]', '.a[?(@.b==1)', '.a[?(@.b=~1)]', '.a[?(@.b==)]', 'status.phase', '.a[::0]', '.a....b', '.a..']) {
    assert.throws(() => compileJsonPath(bad), Error, bad);
  }
});

test('evaluateColumn: first match, null when nothing, structures as compact JSON', () => {
  assert.equal(evaluateColumn('.status.phase', vmi), 'Running');
  assert.equal(evaluateColumn(".status.conditions[?(@.type=='Ready')].status", vmi), 'True');
  assert.equal(evaluateColumn('.status.interfaces[*].ipAddress', vmi), '10.244.1.7');
  assert.equal(evaluateColumn('.status.restarts', vmi), 3);
  assert.equal(evaluateColumn('.spec.running', vmi), true);
  assert.equal(evaluateColumn('.status.missing', vmi), null);
  assert.equal(evaluateColumn('.status.migrationState', vmi), null);
  assert.equal(evaluateColumn('.spec.domain.devices.disks[0]', vmi), '{"disk":{"bus":"virtio"},"name":"root"}');
  assert.equal(evaluateColumn('.status.interfaces[*].name', { status: { interfaces: [] } }), null);
  assert.equal(evaluateColumn('.x', { x: ['a', 1] }), '["a",1]');
});

test('goJson sorts keys and escapes like encoding/json', () => {
  assert.equal(goJson({ b: 1, a: [true, null, 'x<y&z>'] }), '{"a":[true,null,"x\\u003cy\\u0026z\\u003e"],"b":1}');
});

test('crdColumnCell converts per column type', () => {
  const now = Date.UTC(2026, 10, 23, 10, 0, 0);
  const cell = (type: string, jsonPath: string, obj: unknown = vmi) => crdColumnCell({ type, jsonPath }, obj, now);
  assert.equal(cell('string', '.status.phase'), 'Running');
  assert.equal(cell('string', '.status.restarts'), '3');
  assert.equal(cell('string', '.status.ratio'), '0.5');
  assert.equal(cell('string', '.x', { x: 1234567.5 }), '1.2345675e+06', "Go's %v for a float");
  assert.equal(cell('string', '.spec.running'), 'true');
  assert.equal(cell('string', '.metadata.labels'), '{"app.kubernetes.io/name":"testvm","kubevirt.io/domain":"testvm"}');
  assert.equal(cell('string', '.status.missing'), null);
  assert.equal(cell('integer', '.status.restarts'), 3);
  assert.equal(cell('integer', '.status.ratio'), 0);
  assert.equal(cell('integer', '.status.phase'), null);
  assert.equal(cell('number', '.status.ratio'), 0.5);
  assert.equal(cell('boolean', '.spec.running'), true);
  assert.equal(cell('boolean', '.status.phase'), null);
  assert.equal(cell('date', '.metadata.creationTimestamp'), '3d');
  assert.equal(cell('date', ".status.conditions[?(@.type=='Ready')].lastTransitionTime"), '2d23h');
  assert.equal(cell('date', '.status.phase'), '<invalid>');
  assert.equal(cell('date', '.x', { x: '' }), '<unknown>');
  assert.equal(cell('date', '.status.restarts'), null);
});

test('quoted literals and keys support backslash escapes', () => {
  assert.deepEqual(run(".items[?(@.v=='it\\'s')].n", { items: [{ v: "it's", n: 1 }] }), [1]);
  assert.deepEqual(run(".m['a\\'b']", { m: { "a'b": 2 } }), [2]);
});

test('reads label keys with escaped dots, as the Machine API printer columns do', () => {
  const obj = { metadata: { labels: { 'machine.openshift.io/instance-type': 'm6i.xlarge' } } };
  assert.equal(evaluateColumn(".metadata.labels['machine\\.openshift\\.io/instance-type']", obj), 'm6i.xlarge');
});
