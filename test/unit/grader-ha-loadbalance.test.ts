// The ha-loadbalance grader against the embedded cluster, driven through the
// real kubectl the way the chapter's steps go: on the fresh exercise every
// check fails; the mistakes a student makes on the way (the label on the VM
// instead of its template, a label added under a running instance, a Service
// without targetPort, a Route without the cookie name, a LoadBalancer before
// its pool exists) fail with a message that says so; the corrected states
// pass. The traffic checks run when this checkout has the data plane's
// external proxy. Manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startSim, type Sim } from '../integration/harness.ts';
import type { Cluster } from '../../sandbox/sim/cluster.ts';
import { connectInProcess } from '../../graders/sdk/connection.ts';
import { runGrader } from '../../graders/sdk/runner.ts';
import type { CheckResult, ClusterConnection } from '../../graders/sdk/index.ts';
import grader from '../../graders/ha-loadbalance.ts';

const NS = 'ha-loadbalance';
const SETUP = fileURLToPath(new URL('../../labs/ha-loadbalance/setup/vms.yaml', import.meta.url));

type ExternalProxy = { url: string; close(): Promise<void> | void };

/** The data plane's external proxy when this checkout has it (sandbox/sim/dataplane is built by another issue). */
async function startExternalProxy(cluster: Cluster): Promise<ExternalProxy | undefined> {
  const module: string = '../../sandbox/sim/dataplane/external-proxy.ts';
  try {
    const m = await import(module) as { startExternalProxy?: (c: Cluster, o: { port?: number; host?: string }) => Promise<ExternalProxy> };
    return m.startExternalProxy ? await m.startExternalProxy(cluster, { port: 0, host: '127.0.0.1' }) : undefined;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

describe('ha-loadbalance grader', () => {
  let sim: Sim;
  let conn: ClusterConnection;
  let external: ExternalProxy | undefined;

  async function kubectl(args: string[], input?: string): Promise<string> {
    const r = await sim.kubectl(args, input === undefined ? undefined : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }

  const patchVm = (name: string, patch: unknown): Promise<string> =>
    kubectl(['patch', 'vm', name, '-n', NS, '--type', 'merge', '-p', JSON.stringify(patch)]);
  const apply = (obj: unknown): Promise<string> => kubectl(['apply', '-f', '-'], JSON.stringify(obj));

  async function grade(ids: string[]): Promise<Map<string, CheckResult>> {
    const report = await runGrader(grader, conn, { namespace: NS, only: ids, behavioural: true });
    return new Map(report.checks.map((c) => [c.id, c]));
  }

  async function one(id: string): Promise<CheckResult> {
    const r = (await grade([id])).get(id);
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

  const service = (name: string, type: string, port: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS },
    spec: { type, selector: { app: 'helloworld' }, ports: [{ name: 'http', port: 80, ...port }] },
  });

  before(async () => {
    sim = await startSim({ workers: 3 });
    await kubectl(['create', 'namespace', NS]);
    await kubectl(['apply', '-f', SETUP]);
    await sim.advance(2);
    external = await startExternalProxy(sim.cluster);
    // Without the data plane, requests go to a loopback port nothing listens on: nothing leaves 127.0.0.1.
    conn = await connectInProcess({
      cluster: sim.cluster, server: sim.api.url, token: sim.token, caPem: sim.api.caPem, externalProxy: external?.url ?? 'http://127.0.0.1:9',
    });
  });
  after(async () => {
    await external?.close();
    await sim.close();
  });

  it('fails every scored check on the exercise as `lab start` leaves it', async () => {
    const results = await grade(grader.checks.map((c) => c.id));
    for (const c of grader.checks) {
      const r = results.get(c.id);
      assert.equal(r?.status, 'FAIL', `${c.id}: ${r?.status} ${r?.message}`);
    }
    assert.match(results.get('vms-labelled')!.message, /VM ha-loadbalance\/web1 has no label app=helloworld in spec\.template\.metadata\.labels/);
    assert.match(results.get('route-balances')!.message, /Route ha-loadbalance\/helloworld does not exist, so hello-ha-loadbalance\.apps\.ocp4\.example\.com leads nowhere/);
    assert.match(results.get('sticky-failover')!.message, /both VMs must be ready before one is taken out: Service ha-loadbalance\/helloworld does not exist/);
    assert.match(results.get('lb-service')!.message, /Service ha-loadbalance\/helloworld-lb does not exist/);
  });

  it('fails a label put on the VM instead of its template', async () => {
    await kubectl(['label', 'vm', 'web1', '-n', NS, 'app=helloworld']);
    await failsWith('vms-labelled', 'VM ha-loadbalance/web1 has app=helloworld in metadata.labels, which is never copied to its instances: put it under spec.template.metadata.labels');
  });

  it('fails a label added to the template of a running VM until it restarts', async () => {
    await patchVm('web1', { spec: { runStrategy: 'Always', template: { metadata: { labels: { app: 'helloworld' } } } } });
    await patchVm('web2', { spec: { runStrategy: 'Always' } });
    await sim.advance(60);
    await patchVm('web2', { spec: { template: { metadata: { labels: { app: 'helloworld' } } } } });
    await failsWith('vms-labelled',
      'VMI ha-loadbalance/web2 was started before its template had app=helloworld, so its virt-launcher pod lacks the label: restart the VM (virtctl restart web2)');
    await kubectl(['delete', 'vmi', 'web2', '-n', NS, '--wait=false']);
    await sim.advance(60);
    await passes('vms-labelled');
  });

  it('fails a Service without targetPort, and passes once both VMs are its ready endpoints', async () => {
    await apply(service('helloworld', 'ClusterIP', {}));
    await failsWith('service-endpoints', 'Service ha-loadbalance/helloworld forwards port 80 to 80 (a targetPort left out equals the port), but httpd listens on 8080 in the guests');
    await apply(service('helloworld', 'ClusterIP', { targetPort: 8080 }));
    await sim.advance(2);
    await passes('service-endpoints');
  });

  it('fails a Route without the cookie name, and passes once it is annotated', async () => {
    await apply({
      apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'helloworld', namespace: NS },
      spec: { host: 'hello-ha-loadbalance.apps.ocp4.example.com', to: { kind: 'Service', name: 'helloworld' }, port: { targetPort: 'http' } },
    });
    await failsWith('route-cookie', 'Route ha-loadbalance/helloworld has no router.openshift.io/cookie_name annotation');
    await kubectl(['annotate', 'route', 'helloworld', '-n', NS, 'router.openshift.io/cookie_name=helloworld']);
    await failsWith('route-cookie', 'Route ha-loadbalance/helloworld names its cookie "helloworld", expected "hello"');
    await kubectl(['annotate', 'route', 'helloworld', '-n', NS, '--overwrite', 'router.openshift.io/cookie_name=hello']);
    await sim.advance(1);
    await passes('route-cookie');
  });

  it('sees both VMs, a sticky client, and the client moved when its VM stops being ready', async (t) => {
    if (!external) {
      t.skip('the data plane (sandbox/sim/dataplane/external-proxy.ts) is not in this checkout yet');
      return;
    }
    await passes('route-balances');
    await passes('route-sticky');
    const failover = await passes('sticky-failover');
    assert.match(failover.message, /its sticky client was moved to web[12] with a new hello cookie/);
  });

  it('fails the LoadBalancer Service while MetalLB has no pool, and passes with the pool and its advertisement', async () => {
    await apply(service('helloworld-lb', 'LoadBalancer', { targetPort: 8080 }));
    await sim.advance(2);
    await failsWith('lb-service', 'Service ha-loadbalance/helloworld-lb has no external address yet (EXTERNAL-IP <pending>)');
    await failsWith('metallb-pool', 'IPAddressPool metallb-system/hello-pool does not exist');

    const pool = (addresses: string[]): Record<string, unknown> => ({
      apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'hello-pool', namespace: 'metallb-system' }, spec: { addresses },
    });
    await apply(pool(['192.168.50.10-192.168.50.20']));
    await failsWith('metallb-pool', 'IPAddressPool metallb-system/hello-pool has addresses 192.168.50.10-192.168.50.20, expected 192.168.50.10-192.168.50.19');
    await apply(pool(['192.168.50.10-192.168.50.19']));
    await failsWith('metallb-pool', 'there is no L2Advertisement in metallb-system: addresses from hello-pool would be assigned but never announced');
    await apply({
      apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'hello-l2', namespace: 'metallb-system' },
      spec: { ipAddressPools: ['hello-pool'] },
    });
    await sim.advance(5);
    await passes('metallb-pool');
    const lb = await passes('lb-service');
    assert.match(lb.message, /Service helloworld-lb has address 192\.168\.50\.1\d from hello-pool/);
  });
});
