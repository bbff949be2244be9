// The net-services grader against the embedded cluster, driven the way the
// chapter goes (the real kubectl, the lab shell's virtctl and oc): on the
// fresh exercise every check fails; the mistakes a student makes on the way
// (no targetPort, a selector that matches nothing, a "headless" Service that
// got a cluster IP, a hand-written single-VM Service that selects both VMs, a
// Route to the wrong Service) fail with a message that says so; the corrected
// states pass, the Route through the external proxy. Manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runTool } from '../integration/shell-tools.ts';
import { startGraderLab, type GraderLab } from './grader-fixtures.ts';

const NS = 'net-services';

const service = (name: string, spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec,
});

describe('net-services grader', () => {
  let lab: GraderLab;

  async function tool(name: 'virtctl' | 'oc', args: string[]): Promise<string> {
    const r = await runTool(lab.sim, name, [...args, '-n', NS]);
    assert.equal(r.code, 0, `${name} ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }

  before(async () => { lab = await startGraderLab('net-services', { settleSeconds: 60 }); });
  after(async () => { await lab.close(); });

  it('fails every scored check on the exercise as `lab start` leaves it', async () => {
    const by = await lab.grade();
    for (const c of lab.grader.checks) assert.equal(by.get(c.id)?.status, 'FAIL', `${c.id}: ${by.get(c.id)?.status} ${by.get(c.id)?.message}`);
    assert.equal(by.get('backend-service')!.message, 'Service net-services/backend does not exist');
    assert.equal(by.get('exposed-service')!.message,
      'Service net-services/backend1 does not exist (virtctl expose vm backend1 --name backend1 --port 80 --target-port 8080 creates it)');
    assert.equal(by.get('route-backend')!.message, 'Route net-services/backend does not exist (oc expose service backend creates it)');
  });

  it('fails a ClusterIP Service without targetPort or with a selector no VM carries, and passes the chapter\'s', async () => {
    await lab.apply(service('backend', { type: 'ClusterIP', selector: { tier: 'backend' }, ports: [{ name: 'http', port: 80 }] }));
    await lab.failsWith('backend-service', 'Service net-services/backend forwards port 80 to 80 (a targetPort left out equals the port), but httpd listens on 8080 in the guests');
    await lab.apply(service('backend', { type: 'ClusterIP', selector: { app: 'backend' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }));
    await lab.failsWith('backend-service', 'Service net-services/backend selects app=backend, expected tier=backend');
    await lab.apply(service('backend', { type: 'ClusterIP', selector: { tier: 'backend' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }));
    await lab.sim.advance(2);
    const r = await lab.passes('backend-service');
    assert.match(r.message, /^Service net-services\/backend has cluster IP 172\.30\.\d+\.\d+ and balances port 80 over backend1 and backend2$/);
  });

  it('explains a missing backend: a stopped web server is not an endpoint', async () => {
    await lab.kubectl(['patch', 'vm', 'backend2', '-n', NS, '--type', 'merge', '-p', '{"spec":{"runStrategy":"Halted"}}']);
    await lab.sim.advance(40);
    await lab.failsWith('backend-service', 'Service net-services/backend has 1 ready endpoint, expected 2', 'VM net-services/backend2 is Stopped');
    await lab.kubectl(['patch', 'vm', 'backend2', '-n', NS, '--type', 'merge', '-p', '{"spec":{"runStrategy":"Always"}}']);
    await lab.sim.advance(60);
    await lab.passes('backend-service');
  });

  it('fails a Service that got a cluster IP, since it cannot become headless; passes the re-created one with the guests\' port', async () => {
    await lab.apply(service('backend-pods', { selector: { tier: 'backend' }, ports: [{ port: 8080, targetPort: 8080 }] }));
    await lab.failsWith('headless-service', 'Service net-services/backend-pods has cluster IP 172.30.', 'so it is not headless: a Service\'s cluster IP cannot be changed after it is created');
    await lab.kubectl(['delete', 'service', 'backend-pods', '-n', NS]);
    await lab.apply(service('backend-pods', { clusterIP: 'None', selector: { tier: 'backend' }, ports: [{ port: 80, targetPort: 8080 }] }));
    await lab.failsWith('headless-service', 'Service net-services/backend-pods has no port 8080 (it has 80→8080): clients of a headless Service connect straight to the VMs');
    await lab.kubectl(['delete', 'service', 'backend-pods', '-n', NS]);
    await lab.apply(service('backend-pods', { clusterIP: 'None', selector: { tier: 'backend' }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] }));
    await lab.sim.advance(2);
    const r = await lab.passes('headless-service');
    assert.match(r.message, /is headless: its name resolves to the VMs' own addresses 10\.12\d\.\d+\.\d+ and 10\.12\d\.\d+\.\d+$/);
  });

  it('fails a hand-written single-VM Service that selects both VMs; passes the one virtctl expose builds', async () => {
    await lab.apply(service('backend1', { selector: { tier: 'backend' }, ports: [{ port: 80, targetPort: 8080 }] }));
    await lab.failsWith('exposed-service',
      'Service net-services/backend1 selects tier=backend, which backend2 carries too, so it balances over both VMs; virtctl expose vm backend1 --name backend1 --port 80 --target-port 8080 copies every label of backend1\'s template, including kubevirt.io/domain=backend1');
    await lab.kubectl(['delete', 'service', 'backend1', '-n', NS]);
    assert.match(await tool('virtctl', ['expose', 'vm', 'backend1', '--name', 'backend1', '--port', '80', '--target-port', '8080']), /Service backend1 successfully exposed for vm backend1/);
    await lab.sim.advance(2);
    const r = await lab.passes('exposed-service');
    assert.match(r.message, /^Service backend1 selects kubevirt\.io\/domain=backend1,tier=backend and reaches backend1 only, at 172\.30\./);
  });

  it('fails a NodePort Service of the wrong type, and passes virtctl expose --type NodePort', async () => {
    await tool('virtctl', ['expose', 'vm', 'backend2', '--name', 'backend2-nodeport', '--port', '80', '--target-port', '8080']);
    await lab.failsWith('nodeport-service', 'Service net-services/backend2-nodeport has type ClusterIP, expected NodePort');
    await lab.kubectl(['delete', 'service', 'backend2-nodeport', '-n', NS]);
    await tool('virtctl', ['expose', 'vm', 'backend2', '--name', 'backend2-nodeport', '--type', 'NodePort', '--port', '80', '--target-port', '8080']);
    await lab.sim.advance(2);
    const r = await lab.passes('nodeport-service');
    assert.match(r.message, /^Service backend2-nodeport opens port 3\d{4} on every node's address and sends it to backend2:8080$/);
  });

  it('fails a Route named backend that leads to another Service, and passes oc expose service backend, answered from outside', async () => {
    await tool('oc', ['expose', 'service', 'backend1', '--name', 'backend']);
    await lab.sim.advance(1);
    await lab.failsWith('route-backend', 'Route net-services/backend sends traffic to Service backend1, expected Service backend');
    await lab.kubectl(['delete', 'route', 'backend', '-n', NS]);
    await tool('oc', ['expose', 'service', 'backend']);
    await lab.sim.advance(1);
    const r = await lab.passes('route-backend');
    assert.match(r.message, /^GET http:\/\/backend-net-services\.apps\.ocp4\.example\.com\/ from outside the cluster was answered by backend[12]$/);
  });
});
