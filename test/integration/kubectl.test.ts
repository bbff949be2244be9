// The real kubectl 1.32 against an embedded cluster: the commands a student of
// the course types, with the output a real cluster gives.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSim, type Sim } from './harness.ts';

const manifests = new URL('./manifests/', import.meta.url).pathname;
const m = (f: string): string => join(manifests, f);

function pod(name: string, node: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, labels: { app: 'plain' } },
    spec: { nodeName: node, containers: [{ name: 'main', image: 'nginx:1.27' }], ...extra },
  });
}

describe('kubectl against the embedded cluster', () => {
  let sim: Sim;
  before(async () => { sim = await startSim(); });
  after(async () => { await sim.close(); });

  it('get nodes lists Ready nodes with roles and version', async () => {
    const r = await sim.kubectl(['get', 'nodes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    assert.match(r.stdout, /worker-0\s+Ready\s+worker\s+\S+\s+v1\.32\.4/);
    assert.match(r.stdout, /master-0\s+Ready\s+control-plane,master/);
    const wide = await sim.kubectl(['get', 'nodes', '-o', 'wide']);
    assert.match(wide.stdout, /INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE/);
  });

  it('apply creates a VirtualMachine, is unchanged the second time, and removes a dropped field', async () => {
    let r = await sim.kubectl(['apply', '-f', m('vm.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'virtualmachine.kubevirt.io/web-1 created');
    r = await sim.kubectl(['apply', '-f', m('vm.yaml')]);
    assert.equal(r.stdout.trim(), 'virtualmachine.kubevirt.io/web-1 unchanged');
    r = await sim.kubectl(['apply', '-f', m('vm-no-tier.yaml')]);
    assert.equal(r.stdout.trim(), 'virtualmachine.kubevirt.io/web-1 configured', r.stderr);
    r = await sim.kubectl(['get', 'vm', 'web-1', '-o', 'jsonpath={.metadata.labels}']);
    assert.deepEqual(JSON.parse(r.stdout), { app: 'web' });
  });

  it('get vm prints the KubeVirt printer columns', async () => {
    const r = await sim.kubectl(['get', 'vm']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+AGE\s+STATUS\s+READY\n/);
    // STATUS and READY stay blank until a VM controller reports status (issue 3).
    assert.match(r.stdout, /^web-1\s+\d+s/m);
    const all = await sim.kubectl(['get', 'all']);
    assert.match(all.stdout, /virtualmachine\.kubevirt\.io\/web-1/);
  });

  it('rejects a VM with both running and runStrategy with the webhook message', async () => {
    const r = await sim.kubectl(['apply', '-f', m('vm-bad-strategy.yaml')]);
    assert.notEqual(r.code, 0);
    // kubectl rebuilds the text from the causes of a webhook's 422, as on a real cluster.
    assert.equal(r.stderr.trim(), 'The request is invalid: spec.running: Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead');
  });

  it('rejects unknown fields under strict validation and names the field', async () => {
    const r = await sim.kubectl(['create', '-f', m('vm-unknown-field.yaml')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /strict decoding error: unknown field "spec\.bogusField"/);
  });

  it('apply --server-side creates, then removes what the manager no longer applies', async () => {
    let r = await sim.kubectl(['apply', '--server-side', '-f', m('deployment.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'deployment.apps/web serverside-applied');
    r = await sim.kubectl(['apply', '--server-side', '-f', m('deployment-v2.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    r = await sim.kubectl(['get', 'deployment', 'web', '-o', 'json', '--show-managed-fields']);
    const d = JSON.parse(r.stdout);
    assert.deepEqual(d.spec.template.spec.containers.map((c: { name: string }) => c.name), ['main']);
    assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }]);
    assert.ok(d.metadata.managedFields.some((f: { manager: string; operation: string }) => f.manager === 'kubectl' && f.operation === 'Apply'));
    // Another manager's value for an applied field is a conflict, shown with kubectl's help.
    r = await sim.kubectl(['patch', 'deployment', 'web', '--type', 'merge', '-p', '{"spec":{"replicas":5}}']);
    assert.equal(r.code, 0, r.stderr);
    r = await sim.kubectl(['apply', '--server-side', '-f', m('deployment-v2.yaml')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl-patch" using apps\/v1: \.spec\.replicas/);
    r = await sim.kubectl(['apply', '--server-side', '--force-conflicts', '-f', m('deployment-v2.yaml')]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('scale reads and writes the scale subresource', async () => {
    let r = await sim.kubectl(['scale', 'deployment', 'web', '--replicas=4']);
    assert.equal(r.stdout.trim(), 'deployment.apps/web scaled', r.stderr);
    r = await sim.kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']);
    assert.equal(r.stdout, '4');
    r = await sim.kubectl(['get', '--raw', '/apis/apps/v1/namespaces/default/deployments/web/scale']);
    assert.deepEqual(JSON.parse(r.stdout).spec, { replicas: 4 });
    r = await sim.kubectl(['scale', 'machineset', 'virtlab-worker', '-n', 'openshift-machine-api', '--replicas=3']);
    assert.equal(r.stdout.trim(), 'machineset.machine.openshift.io/virtlab-worker scaled', r.stderr);
    r = await sim.kubectl(['scale', 'configmap', 'settings', '--replicas=2']);
    assert.notEqual(r.code, 0);
  });

  it('a pod refuses to lose a container, as on a real cluster', async () => {
    let r = await sim.kubectl(['apply', '--server-side', '-f', m('pod.yaml')]);
    assert.equal(r.stdout.trim(), 'pod/applied-pod serverside-applied', r.stderr);
    r = await sim.kubectl(['apply', '--server-side', '-f', m('pod-v2.yaml')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pod updates may not change fields other than `spec\.containers\[\*\]\.image`/);
  });

  it('create -f creates once and reports AlreadyExists the second time', async () => {
    let r = await sim.kubectl(['create', '-f', m('configmap.yaml')]);
    assert.equal(r.stdout.trim(), 'configmap/settings created', r.stderr);
    r = await sim.kubectl(['create', '-f', m('configmap.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(AlreadyExists\): error when creating ".*configmap\.yaml": configmaps "settings" already exists/);
  });

  it('create namespace, configmap and deployment send protobuf and work', async () => {
    let r = await sim.kubectl(['create', 'namespace', 'demo']);
    assert.equal(r.stdout.trim(), 'namespace/demo created', r.stderr);
    r = await sim.kubectl(['-n', 'demo', 'create', 'configmap', 'cm', '--from-literal=a=b']);
    assert.equal(r.stdout.trim(), 'configmap/cm created', r.stderr);
    r = await sim.kubectl(['-n', 'demo', 'create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2']);
    assert.equal(r.stdout.trim(), 'deployment.apps/web created', r.stderr);
    r = await sim.kubectl(['get', 'namespaces']);
    assert.match(r.stdout, /demo\s+Active/);
  });

  it('replace updates, and a stale resourceVersion is a Conflict', async () => {
    const cur = JSON.parse((await sim.kubectl(['get', 'configmap', 'settings', '-o', 'json'])).stdout);
    cur.data.mode = 'standby';
    const file = join(sim.dir, 'cm.json');
    writeFileSync(file, JSON.stringify(cur));
    let r = await sim.kubectl(['replace', '-f', file]);
    assert.equal(r.stdout.trim(), 'configmap/settings replaced', r.stderr);
    r = await sim.kubectl(['replace', '-f', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(Conflict\): error when replacing ".*": Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again/);
  });

  it('edit applies what the editor changed', async () => {
    const editor = join(sim.dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/mode: standby/mode: edited/" "$1"\n');
    chmodSync(editor, 0o755);
    const r = await sim.kubectl(['edit', 'configmap', 'settings'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'configmap/settings edited');
    const mode = await sim.kubectl(['get', 'cm', 'settings', '-o', 'jsonpath={.data.mode}']);
    assert.equal(mode.stdout, 'edited');
  });

  it('patch with strategic, merge and json patches; strategic on a custom resource is refused', async () => {
    let r = await sim.kubectl(['patch', 'pod', 'applied-pod', '-p', '{"metadata":{"labels":{"patched":"smp"}}}']);
    assert.equal(r.stdout.trim(), 'pod/applied-pod patched', r.stderr);
    r = await sim.kubectl(['patch', 'vm', 'web-1', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Manual"}}']);
    assert.equal(r.stdout.trim(), 'virtualmachine.kubevirt.io/web-1 patched', r.stderr);
    r = await sim.kubectl(['patch', 'vm', 'web-1', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Manual"}}']);
    assert.equal(r.stdout.trim(), 'virtualmachine.kubevirt.io/web-1 patched (no change)', r.stderr);
    r = await sim.kubectl(['patch', 'vm', 'web-1', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/runStrategy","value":"Halted"}]']);
    assert.equal(r.stdout.trim(), 'virtualmachine.kubevirt.io/web-1 patched', r.stderr);
    r = await sim.kubectl(['patch', 'vm', 'web-1', '-p', '{"spec":{"runStrategy":"Always"}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /application\/strategic-merge-patch\+json is not supported by kubevirt\.io\/v1, Kind=VirtualMachine/);
    r = await sim.kubectl(['patch', 'vm', 'web-1', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Sometimes"}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Invalid RunStrategy \(Sometimes\)/);
  });

  it('label and annotate, including removal and the resourceVersion precondition', async () => {
    let r = await sim.kubectl(['label', 'vm', 'web-1', 'env=prod']);
    assert.equal(r.stdout.trim(), 'virtualmachine.kubevirt.io/web-1 labeled', r.stderr);
    r = await sim.kubectl(['annotate', 'vm', 'web-1', 'owner=team-a']);
    assert.equal(r.stdout.trim(), 'virtualmachine.kubevirt.io/web-1 annotated', r.stderr);
    r = await sim.kubectl(['label', 'vm', 'web-1', 'env-']);
    assert.equal(r.stdout.trim(), 'virtualmachine.kubevirt.io/web-1 unlabeled', r.stderr);
    r = await sim.kubectl(['label', 'vm', 'web-1', 'stale=yes', '--resource-version=1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Conflict/);
    r = await sim.kubectl(['get', 'vm', '-L', 'app', '--show-labels']);
    assert.match(r.stdout, /web-1\s+.*\s+web\s+app=web/);
  });

  it('wait --for=condition=Ready sees a pod become Ready as the clock advances', async () => {
    let r = await sim.kubectl(['apply', '-f', '-'], { input: pod('waiter', 'worker-1') });
    assert.equal(r.code, 0, r.stderr);
    const wait = sim.kubectlStart(['wait', '--for=condition=Ready', 'pod/waiter', '--timeout=60s']);
    r = await sim.advanceWhile(wait);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'pod/waiter condition met');
    r = await sim.kubectl(['get', 'pod', 'waiter', '-o', 'wide']);
    assert.match(r.stdout, /waiter\s+1\/1\s+Running\s+0\s+\S+\s+10\.128\.\d+\.\d+\s+worker-1/);
  });

  it('get -w streams changes as they happen', async () => {
    const watch = sim.kubectlStart(['get', 'pods', '-w']);
    await watch.waitForOutput('waiter');
    await sim.kubectl(['apply', '-f', '-'], { input: pod('watched', 'worker-2') });
    await watch.waitForOutput(/watched\s+0\/1\s+Pending/);
    await sim.advance(5);
    await watch.waitForOutput(/watched\s+1\/1\s+Running/);
    watch.kill();
    await watch.done;
  });

  it('logs prints what the container wrote', async () => {
    const r = await sim.kubectl(['logs', 'waiter']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Configuration complete; ready for start up/);
    const side = await sim.kubectl(['logs', 'applied-pod', '-c', 'main', '--tail=1']);
    assert.equal(side.code, 0, side.stderr);
    assert.equal(side.stdout.trim().split('\n').length, 1);
  });

  it('logs -f follows a container until its pod is gone', async () => {
    await sim.kubectl(['apply', '-f', '-'], { input: pod('follower', 'worker-0') });
    await sim.advance(5);
    const follow = sim.kubectlStart(['logs', '-f', 'follower']);
    await follow.waitForOutput('ready for start up');
    await sim.kubectl(['delete', 'pod', 'follower', '--wait=false']);
    const r = await sim.advanceWhile(follow);
    assert.equal(r.code, 0, r.stderr);
  });

  it('get lists CRDs and custom kinds of every API the course uses', async () => {
    let r = await sim.kubectl(['get', 'crd']);
    assert.match(r.stdout, /^virtualmachines\.kubevirt\.io\s+\d{4}-\d\d-\d\dT/m);
    assert.match(r.stdout, /^ipaddresspools\.metallb\.io/m);
    assert.doesNotMatch(r.stdout, /routes\.route\.openshift\.io/, 'Routes are served by openshift-apiserver, not a CRD');
    await sim.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'machine.openshift.io/v1beta1', kind: 'Machine', metadata: { name: 'm1', namespace: 'openshift-machine-api', labels: { 'machine.openshift.io/instance-type': 'm6i.xlarge' } }, spec: {} }) });
    r = await sim.kubectl(['get', 'machines', '-A']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAMESPACE\s+NAME\s+PHASE\s+TYPE\s+REGION\s+ZONE\s+AGE/);
    assert.match(r.stdout, /m1\s+m6i\.xlarge/);
    r = await sim.kubectl(['get', 'events', '-A', '--field-selector', 'involvedObject.name=waiter']);
    assert.match(r.stdout, /pod\/waiter\s+Started container main/);
  });

  it('describe shows a pod with its events and a node with its lease', async () => {
    let r = await sim.kubectl(['describe', 'pod', 'waiter']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Node:\s+worker-1\//);
    assert.match(r.stdout, /Status:\s+Running/);
    assert.match(r.stdout, /Normal\s+Started\s+\S+\s+kubelet\s+Started container main/);
    r = await sim.kubectl(['describe', 'node', 'worker-1']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /Failed to get lease/);
    assert.match(r.stdout, /HolderIdentity:\s+worker-1/);
    assert.match(r.stdout, /default\s+waiter/);
    r = await sim.kubectl(['describe', 'vm', 'web-1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Run Strategy:\s+Halted/);
  });

  it('explain vm.spec.runStrategy uses the published schema', async () => {
    const r = await sim.kubectl(['explain', 'vm.spec.runStrategy']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GROUP:\s+kubevirt\.io/);
    assert.match(r.stdout, /FIELD:\s+runStrategy <string>/);
    assert.match(r.stdout, /RerunOnFailure/);
  });

  it('auth can-i and whoami answer for the token user', async () => {
    let r = await sim.kubectl(['auth', 'can-i', 'create', 'pods']);
    assert.equal(r.stdout.trim(), 'yes', r.stderr);
    r = await sim.kubectl(['auth', 'whoami']);
    assert.match(r.stdout, /Username\s+kube:admin/);
    r = await sim.kubectl(['-n', 'demo', 'create', 'serviceaccount', 'viewer']);
    assert.equal(r.code, 0, r.stderr);
    const token = (await sim.kubectl(['-n', 'demo', 'create', 'token', 'viewer'])).stdout.trim();
    assert.ok(token.length > 20);
    r = await sim.kubectl(['--token', token, 'auth', 'can-i', 'create', 'pods', '-n', 'demo']);
    assert.equal(r.stdout.trim(), 'no');
    r = await sim.kubectl(['--token', token, 'get', 'pods', '-n', 'demo']);
    assert.match(r.stderr, /Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:demo:viewer" cannot list resource "pods" in API group "" in the namespace "demo"/);
  });

  it('cordon and uncordon a node', async () => {
    let r = await sim.kubectl(['cordon', 'worker-2']);
    assert.equal(r.stdout.trim(), 'node/worker-2 cordoned', r.stderr);
    r = await sim.kubectl(['get', 'node', 'worker-2']);
    assert.match(r.stdout, /worker-2\s+Ready,SchedulingDisabled/);
    r = await sim.kubectl(['cordon', 'worker-2']);
    assert.equal(r.stdout.trim(), 'node/worker-2 already cordoned');
    r = await sim.kubectl(['uncordon', 'worker-2']);
    assert.equal(r.stdout.trim(), 'node/worker-2 uncordoned');
  });

  it('drain evicts the plain pods of a node and waits for them to go', async () => {
    await sim.kubectl(['apply', '-f', '-'], { input: pod('drained-a', 'worker-1') });
    await sim.advance(5);
    let r = await sim.kubectl(['drain', 'worker-1']);
    assert.notEqual(r.code, 0, 'drain without --force refuses unmanaged pods');
    assert.match(r.stderr, /cannot delete Pods that declare no controller \(use --force to override\): default\/drained-a, default\/waiter/);
    const drain = sim.kubectlStart(['drain', 'worker-1', '--force', '--ignore-daemonsets']);
    await drain.waitForOutput(/evicting pod default\/(drained-a|waiter)/);
    r = await sim.advanceWhile(drain);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pod\/drained-a evicted/);
    assert.match(r.stdout, /node\/worker-1 drained/);
    r = await sim.kubectl(['get', 'pods', '--field-selector', 'spec.nodeName=worker-1']);
    assert.match(r.stderr, /No resources found in default namespace/);
    await sim.kubectl(['uncordon', 'worker-1']);
  });

  it('delete waits for a graceful pod deletion to finish', async () => {
    const del = sim.kubectlStart(['delete', 'pod', 'watched']);
    await del.waitForOutput('pod "watched" deleted');
    const r = await sim.advanceWhile(del);
    assert.equal(r.code, 0, r.stderr);
    const gone = await sim.kubectl(['get', 'pod', 'watched']);
    assert.match(gone.stderr, /Error from server \(NotFound\): pods "watched" not found/);
  });

  it('delete of a namespace removes what is in it', async () => {
    let r = await sim.kubectl(['delete', 'namespace', 'demo', '--wait=false']);
    assert.equal(r.stdout.trim(), 'namespace "demo" deleted', r.stderr);
    await sim.advance(2);
    r = await sim.kubectl(['get', 'namespace', 'demo']);
    assert.match(r.stderr, /namespaces "demo" not found/);
    r = await sim.kubectl(['delete', 'vm', 'web-1']);
    assert.equal(r.stdout.trim(), 'virtualmachine.kubevirt.io "web-1" deleted', r.stderr);
  });

  it('dry runs change nothing', async () => {
    let r = await sim.kubectl(['apply', '-f', m('vm.yaml'), '--dry-run=server']);
    assert.equal(r.stdout.trim(), 'virtualmachine.kubevirt.io/web-1 created (server dry run)', r.stderr);
    r = await sim.kubectl(['get', 'vm', 'web-1']);
    assert.match(r.stderr, /not found/);
    r = await sim.kubectl(['delete', 'cm', 'settings', '--dry-run=server']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await sim.kubectl(['get', 'cm', 'settings'])).code, 0);
  });

  it('reads manifests as kubectl sees them: unchanged file on disk', () => {
    assert.match(readFileSync(m('vm.yaml'), 'utf8'), /runStrategy: Halted/);
  });
});
