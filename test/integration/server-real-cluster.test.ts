// The kubeconfig provider (`lab serve --cluster kubeconfig:PATH`) against an
// embedded cluster standing in for a real one (it has RBAC, ServiceAccounts
// and TokenRequest): a namespace, a ServiceAccount, a Role and the KubeVirt
// bindings per workspace, and a token kubeconfig that works in the
// workspace's namespace (and the lab's, once granted) and nowhere else.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Database } from '../../server/db.ts';
import { KUBEVIRT_CLUSTER_ROLES, RealClusterProvider, STUDENT_ROLE } from '../../server/real-clusters.ts';
import { Users } from '../../server/users.ts';
import { Workspaces, type Workspace } from '../../server/workspaces.ts';
import type { LabSpec } from '../../cli/lab/schema.ts';
import { KUBECTL, startSim, type Sim } from './harness.ts';

function kubectlAs(kubeconfig: string, dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(KUBECTL, args, { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('real-cluster provider', () => {
  let sim: Sim;
  let db: Database;
  let provider: RealClusterProvider;
  let ws: Workspace;
  let studentConfig: string;

  before(async () => {
    sim = await startSim({ workers: 1, controlPlanes: 1 });
    db = await Database.open(':memory:');
    const users = new Users(db);
    const workspaces = new Workspaces(db);
    const ada = await users.create({ username: 'ada', password: 'ada-password', role: 'student' });
    provider = await RealClusterProvider.connect({ kubeconfig: sim.kubeconfig, workspaces });
    ws = await workspaces.forUser(ada, provider.kind);
  });
  after(async () => {
    await provider.close();
    await db.close();
    await sim.close();
  });

  it('makes a namespace, a ServiceAccount, the Role and the KubeVirt bindings, and a token kubeconfig', async () => {
    assert.equal(provider.exists(ws), false);
    await provider.ensure(ws);
    assert.equal(provider.exists(ws), true);
    const ns = `virtlab-${ws.id}`;
    const store = sim.cluster.store;
    assert.ok(store.get('namespaces', undefined, ns));
    assert.ok(store.get('serviceaccounts', ns, 'student'));
    assert.ok(store.get('rbac.authorization.k8s.io/roles', ns, STUDENT_ROLE));
    const bound = store.list('rbac.authorization.k8s.io/rolebindings', ns).map((b) => (b as unknown as { roleRef: { name: string } }).roleRef.name).sort();
    assert.deepEqual(bound, [...KUBEVIRT_CLUSTER_ROLES, STUDENT_ROLE].sort());
    // Idempotent: a second ensure changes nothing and keeps the token.
    const token = ws.state.token;
    await provider.ensure(ws);
    assert.equal(ws.state.token, token);

    const yaml = await provider.kubeconfigFor(ws);
    const doc = parse(yaml) as { contexts: { context: { namespace: string } }[] };
    assert.equal(doc.contexts[0].context.namespace, ns);
    studentConfig = join(sim.dir, 'student.kubeconfig');
    writeFileSync(studentConfig, yaml);
    const who = await kubectlAs(studentConfig, sim.dir, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(who.stdout, `system:serviceaccount:${ns}:student`, who.stderr);
  });

  it('lets the token work in its namespace and nowhere else', async () => {
    const ns = `virtlab-${ws.id}`;
    const mine = await kubectlAs(studentConfig, sim.dir, ['auth', 'can-i', 'create', 'virtualmachines.kubevirt.io']);
    assert.equal(mine.stdout.trim(), 'yes');
    const cm = await kubectlAs(studentConfig, sim.dir, ['create', 'configmap', 'notes', '--from-literal=a=b']);
    assert.equal(cm.code, 0, cm.stderr);
    assert.ok(sim.cluster.store.get('configmaps', ns, 'notes'));
    const other = await kubectlAs(studentConfig, sim.dir, ['get', 'pods', '-n', 'default']);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /forbidden: User "system:serviceaccount:virtlab-ws-[^"]+:student" cannot list resource "pods" in API group "" in the namespace "default"/);
    const nodes = await kubectlAs(studentConfig, sim.dir, ['auth', 'can-i', 'delete', 'nodes']);
    assert.equal(nodes.stdout.trim(), 'no');
  });

  it('opens a started lab\'s namespaces to the student, and grades with the server\'s credentials', async () => {
    await sim.kubectl(['create', 'namespace', 'fixture-web']);
    const before = await kubectlAs(studentConfig, sim.dir, ['auth', 'can-i', 'create', 'configmaps', '-n', 'fixture-web']);
    assert.equal(before.stdout.trim(), 'no');
    await provider.ensure(ws, { namespaces: ['fixture-web', 'not-created'] } as LabSpec);
    const afterGrant = await kubectlAs(studentConfig, sim.dir, ['auth', 'can-i', 'create', 'configmaps', '-n', 'fixture-web']);
    assert.equal(afterGrant.stdout.trim(), 'yes');
    const conn = await provider.connectionFor(ws);
    assert.ok(conn.capabilities.has('kubevirt'));
    const nodes = await provider.objectsOf(ws)!.list('nodes');
    assert.ok(nodes.length >= 2, 'the topology reads nodes with the server\'s rights');
  });
});
