// The net-services grader against the embedded cluster, driven the way the
// chapter goes (the real kubectl, the lab shell's virtctl and oc): on the
// fresh exercise every check fails; the mistakes a student makes on the way
// (no targetPort, a selector that matches nothing, a "headless" Service that
// got a cluster IP, a hand-written single-VM Service that selects both VMs, a
// Route to the wrong Service) fail with a message that says so; the corrected
// states pass, the Route through the external proxy. Manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startSim, type Sim } from '../integration/harness.ts';
import { runTool } from '../integration/shell-tools.ts';
import { startExternalProxy } from '../../sandbox/sim/dataplane/external-proxy.ts';
import { connectInProcess } from '../../graders/sdk/connection.ts';
import { runGrader } from '../../graders/sdk/runner.ts';
import type { CheckResult, ClusterConnection } from '../../graders/sdk/index.ts';
import grader from '../../graders/net-services.ts';

const NS = 'net-services';
const SETUP = fileURLToPath(new URL('../../labs/net-services/setup/vms.yaml', import.meta.url));

describe('net-services grader', () => {
  let sim: Sim;
  let conn: ClusterConnection;
  let external: { url: string; close(): Promise<void> | void };

  async function kubectl(args: string[], input?: string): Promise<string> {
    const r = await sim.kubectl(args, input === undefined ? undefined : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }

  async function tool(name: 'virtctl' | 'oc', args: string[]): Promise<string> {
    const r = await runTool(sim, name, [...args, '-n', NS]);
    assert.equal(r.code, 0, `${name} ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }

  const apply = (obj: unknown): Promise<string> => kubectl(['apply', '-f', '-'], JSON.stringify(obj));

  const service = (name: string, spec: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec,
  });

  async function one(id: string): Promise<CheckResult> {
    const report = await runGrader(grader, conn, { namespace: NS, only: [id] });
    const r = report.checks.find((c) => c.id === id);
    assert.ok(r, `no result for ${id}`);
    return r;
  }

  async function failsWith(id: string, ...parts: string[]): Promise<void> {
    const r = await one(id);
    assert.equal(r.status, 'FAIL', `${id}: ${r.status} ${r.message}`);
    for (const p of parts) assert.ok(r.message.includes(p), `${id} message lacks "${p}":\n${r.message}`);
  }

  async function passes(id: string): Promise<CheckResult> {
    const r = await one(id);
    assert.equal(r.status, 'PASS', `${id}: ${r.status} ${r.message}`);
    return r;
  }

  before(async () => {
    sim = await startSim({ workers: 3 });
    await kubectl(['create', 'namespace', NS]);
    await kubectl(['apply', '-f', SETUP]);
    await sim.advance(60);
    external = await startExternalProxy(sim.cluster, { port: 0, host: '127.0.0.1' });
    conn = await connectInProcess({ cluster: sim.cluster, server: sim.api.url, token: sim.token, caPem: sim.api.caPem, externalProxy: external.url });
  });
  after(async () => {
    await external.close();
    await sim.close();
  });

  it('fails every scored check on the exercise as `lab start` leaves it', async () => {
    const report = await runGrader(grader, conn, { namespace: NS });
    const by = new Map(report.checks.map((c) => [c.id, c]));
    for (const c of grader.checks) assert.equal(by.get(c.id)?.status, 'FAIL', `${c.id}: ${by.get(c.id)?.status} ${by.get(c.id)?.message}`);
    assert.equal(by.get('backend-service')!.message, 'Service net-services/backend does not exist');
    assert.equal(by.get('exposed-service')!.message,
      'Service net-services/backend1 does not exist (virtctl expose vm backend1 --name backend1 --port 80 --target-port 8080 creates it)');
    assert.equal(by.get('route-backend')!.message, 'Route net-services/backend does not exist (oc expose service backend creates it)');
  });

  it('fails a ClusterIP Service without targetPort or with a selector no VM carries, and passes the chapter\'s', async () => {
    await apply(service('backend', { type: 'ClusterIP', selector: { tier: 'backend' }, ports: [{ name: 'http', port: 80 }] }));
    await failsWith('backend-service', 'Service net-services/backend forwards port 80 to 80 (a targetPort left out equals the port), but httpd listens on 8080 in the guests');
    await apply(service('backend', { type: 'ClusterIP', selector: { app: 'backend' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }));
    await failsWith('backend-service', 'Service net-services/backend selects app=backend, expected tier=backend');
    await kubectl(['apply', '-f', '-'], JSON.stringify(service('backend', { type: 'ClusterIP', selector: { tier: 'backend' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] })));
    await sim.advance(2);
    const r = await passes('backend-service');
    assert.match(r.message, /^Service net-services\/backend has cluster IP 172\.30\.\d+\.\d+ and balances port 80 over backend1 and backend2$/);
  });

  it('explains a missing backend: a stopped web server is not an endpoint', async () => {
    await kubectl(['patch', 'vm', 'backend2', '-n', NS, '--type', 'merge', '-p', '{"spec":{"runStrategy":"Halted"}}']);
    await sim.advance(40);
    await failsWith('backend-service', 'Service net-services/backend has 1 ready endpoint, expected 2', 'VM net-services/backend2 is Stopped');
    await kubectl(['patch', 'vm', 'backend2', '-n', NS, '--type', 'merge', '-p', '{"spec":{"runStrategy":"Always"}}']);
    await sim.advance(60);
    await passes('backend-service');
  });

  it('fails a Service that got a cluster IP, since it cannot become headless; passes the re-created one with the guests\' port', async () => {
    await apply(service('backend-pods', { selector: { tier: 'backend' }, ports: [{ port: 8080, targetPort: 8080 }] }));
    await failsWith('headless-service', 'Service net-services/backend-pods has cluster IP 172.30.', 'so it is not headless: a Service\'s cluster IP cannot be changed after it is created');
    await kubectl(['delete', 'service', 'backend-pods', '-n', NS]);
    await apply(service('backend-pods', { clusterIP: 'None', selector: { tier: 'backend' }, ports: [{ port: 80, targetPort: 8080 }] }));
    await failsWith('headless-service', 'Service net-services/backend-pods has no port 8080 (it has 80→8080): clients of a headless Service connect straight to the VMs');
    await kubectl(['delete', 'service', 'backend-pods', '-n', NS]);
    await apply(service('backend-pods', { clusterIP: 'None', selector: { tier: 'backend' }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] }));
    await sim.advance(2);
    const r = await passes('headless-service');
    assert.match(r.message, /is headless: its name resolves to the VMs' own addresses 10\.12\d\.\d+\.\d+ and 10\.12\d\.\d+\.\d+$/);
  });

  it('fails a hand-written single-VM Service that selects both VMs; passes the one virtctl expose builds', async () => {
    await apply(service('backend1', { selector: { tier: 'backend' }, ports: [{ port: 80, targetPort: 8080 }] }));
    await failsWith('exposed-service',
      'Service net-services/backend1 selects tier=backend, which backend2 carries too, so it balances over both VMs; virtctl expose vm backend1 --name backend1 --port 80 --target-port 8080 copies every label of backend1\'s template, including kubevirt.io/domain=backend1');
    await kubectl(['delete', 'service', 'backend1', '-n', NS]);
    assert.match(await tool('virtctl', ['expose', 'vm', 'backend1', '--name', 'backend1', '--port', '80', '--target-port', '8080']), /Service backend1 successfully exposed for vm backend1/);
    await sim.advance(2);
    const r = await passes('exposed-service');
    assert.match(r.message, /^Service backend1 selects kubevirt\.io\/domain=backend1,tier=backend and reaches backend1 only, at 172\.30\./);
  });

  it('fails a NodePort Service of the wrong type, and passes virtctl expose --type NodePort', async () => {
    await tool('virtctl', ['expose', 'vm', 'backend2', '--name', 'backend2-nodeport', '--port', '80', '--target-port', '8080']);
    await failsWith('nodeport-service', 'Service net-services/backend2-nodeport has type ClusterIP, expected NodePort');
    await kubectl(['delete', 'service', 'backend2-nodeport', '-n', NS]);
    await tool('virtctl', ['expose', 'vm', 'backend2', '--name', 'backend2-nodeport', '--type', 'NodePort', '--port', '80', '--target-port', '8080']);
    await sim.advance(2);
    const r = await passes('nodeport-service');
    assert.match(r.message, /^Service backend2-nodeport opens port 3\d{4} on every node's address and sends it to backend2:8080$/);
  });

  it('fails a Route named backend that leads to another Service, and passes oc expose service backend, answered from outside', async () => {
    await tool('oc', ['expose', 'service', 'backend1', '--name', 'backend']);
    await sim.advance(1);
    await failsWith('route-backend', 'Route net-services/backend sends traffic to Service backend1, expected Service backend');
    await kubectl(['delete', 'route', 'backend', '-n', NS]);
    await tool('oc', ['expose', 'service', 'backend']);
    await sim.advance(1);
    const r = await passes('route-backend');
    assert.match(r.message, /^GET http:\/\/backend-net-services\.apps\.ocp4\.example\.com\/ from outside the cluster was answered by backend[12]$/);
  });
});
