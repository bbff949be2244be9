// The ha-review grader against the embedded cluster, driven like a student
// drives it (the real kubectl, lab setup manifests): on the fresh lab every
// check fails; states that only look right (a template changed under a
// running instance, a probe on the wrong port, the cookie annotated on another
// Route, a LoadBalancer without its pool, an MHC that also selects the control
// plane) fail with a message that says exactly that; the fixed states pass;
// the behavioural checks measure the recovery. Manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGraderLab, type GraderLab } from './grader-fixtures.ts';

const NS = 'ha-review';

const READINESS = { httpGet: { path: '/health', port: 8080 }, initialDelaySeconds: 20, periodSeconds: 5, failureThreshold: 2 };
const LIVENESS = { tcpSocket: { port: 3306 }, initialDelaySeconds: 120, periodSeconds: 20 };
const WATCHDOG = { name: 'watchdog', i6300esb: { action: 'poweroff' } };

describe('ha-review grader', () => {
  let lab: GraderLab;

  before(async () => { lab = await startGraderLab('ha-review', { controlPlanes: 3 }); });
  after(async () => { await lab.close(); });

  it('fails every scored check on the lab as `lab start` leaves it, without ERRORs', async () => {
    const results = await lab.grade();
    for (const c of lab.grader.checks) {
      const r = results.get(c.id);
      assert.equal(r?.status, 'FAIL', `${c.id}: ${r?.status} ${r?.message}`);
    }
    const running = results.get('vms-running')!.message;
    for (const vm of ['web1', 'web2', 'db1']) assert.ok(running.includes(`VM ha-review/${vm} has runStrategy Halted, expected Always`), running);
    assert.match(results.get('metallb-pool')!.message, /IPAddressPool metallb-system\/ha-review-pool does not exist/);
    assert.match(results.get('machine-health-check')!.message, /MachineHealthCheck openshift-machine-api\/ha-review-workers does not exist/);
    assert.match(results.get('watchdog-recovers-db')!.message, /VM ha-review\/db1 is Stopped/);
  });

  it('runs the VMs once their run strategy is Always', async () => {
    for (const vm of ['web1', 'web2', 'db1']) await lab.patchVm(vm, { spec: { runStrategy: 'Always' } });
    await lab.sim.advance(60);
    await lab.passes('vms-running');
  });

  it('fails probes, watchdog and eviction strategy added to the template until the instances restart', async () => {
    for (const vm of ['web1', 'web2']) await lab.patchVm(vm, { spec: { template: { spec: { readinessProbe: READINESS, evictionStrategy: 'LiveMigrate' } } } });
    await lab.patchVm('db1', { spec: { template: { spec: { livenessProbe: LIVENESS, domain: { devices: { watchdog: WATCHDOG } } } } } });
    await lab.sim.advance(2);

    await lab.failsWith('web-readiness-probes',
      'VM ha-review/web1: the VM template has a readinessProbe but the running VMI web1 was started before it was added: restart the VM (virtctl restart web1)',
      'VM ha-review/web2: the VM template has a readinessProbe but the running VMI web2 was started before it was added');
    await lab.failsWith('db-liveness-probe', 'VM ha-review/db1: the VM template has a livenessProbe but the running VMI db1 was started before it was added');
    await lab.failsWith('db-watchdog', 'VM ha-review/db1: the VM template has a watchdog (domain.devices.watchdog) but the running VMI db1 was started before it was added');
    await lab.failsWith('web-eviction-strategy', 'the VM template sets evictionStrategy LiveMigrate but the running VMI web1 was started before it was added');

    // A restart: the run strategy Always replaces a deleted instance from the current template.
    await lab.kubectl(['delete', 'vmi', 'web1', 'web2', 'db1', '-n', NS, '--wait=false']);
    await lab.sim.advance(120);
    for (const id of ['web-readiness-probes', 'db-liveness-probe', 'db-watchdog', 'web-eviction-strategy']) await lab.passes(id);
  });

  it('fails a readiness probe on the wrong port and names the port httpd listens on', async () => {
    await lab.patchVm('web2', { spec: { template: { spec: { readinessProbe: { httpGet: { port: 80 } } } } } });
    await lab.failsWith('web-readiness-probes',
      "VM ha-review/web2's readiness probe is GET :80/health, expected an HTTP GET of /health on port 8080: readinessProbe.httpGet.port is 80, but httpd listens on 8080 in the guest");
    await lab.patchVm('web2', { spec: { template: { spec: { readinessProbe: { httpGet: { port: 8080 } } } } } });
    await lab.passes('web-readiness-probes');
  });

  it('fails a wrong handler or a wrong liveness port with the expected probe', async () => {
    await lab.patchVm('db1', { spec: { template: { spec: { livenessProbe: { tcpSocket: { port: 3307 } } } } } });
    await lab.failsWith('db-liveness-probe', "VM ha-review/db1's liveness probe is TCP :3307, expected a TCP connection to port 3306: livenessProbe.tcpSocket.port is 3307, but MariaDB listens on 3306");
    await lab.patchVm('db1', { spec: { template: { spec: { livenessProbe: { tcpSocket: { port: 3306 } } } } } });
    await lab.passes('db-liveness-probe');
  });

  it('fails a Service that forwards to the default targetPort', async () => {
    await lab.apply({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'frontend', namespace: NS },
      spec: { selector: { tier: 'frontend' }, ports: [{ name: 'http', port: 80 }] },
    });
    await lab.failsWith('frontend-service', 'Service ha-review/frontend forwards port 80 to 80 (a targetPort left out equals the port), but httpd listens on 8080 in the guests: set targetPort: 8080');
    await lab.kubectl(['patch', 'service', 'frontend', '-n', NS, '--type', 'json', '-p', '[{"op":"add","path":"/spec/ports/0/targetPort","value":8080}]']);
    await lab.sim.advance(2);
    await lab.passes('frontend-service');
  });

  it('fails the sticky cookie when the annotation is on another Route, and names that Route', async () => {
    const route = (name: string, host: string, annotations?: Record<string, string>): Record<string, unknown> => ({
      apiVersion: 'route.openshift.io/v1', kind: 'Route',
      metadata: { name, namespace: NS, ...(annotations ? { annotations } : {}) },
      spec: { host, to: { kind: 'Service', name: 'frontend' }, port: { targetPort: 'http' } },
    });
    await lab.apply(route('frontend', 'frontend-ha-review.apps.ocp4.example.com'));
    await lab.apply(route('frontend-sticky', 'sticky-ha-review.apps.ocp4.example.com', { 'router.openshift.io/cookie_name': 'ha-review-session' }));
    await lab.sim.advance(2);
    await lab.failsWith('route-sticky-cookie',
      'Route ha-review/frontend has no router.openshift.io/cookie_name annotation; the annotation router.openshift.io/cookie_name=ha-review-session is on Route ha-review/frontend-sticky instead');

    await lab.kubectl(['annotate', 'route', 'frontend', '-n', NS, 'router.openshift.io/cookie_name=session']);
    await lab.failsWith('route-sticky-cookie', 'Route ha-review/frontend names its cookie "session" (router.openshift.io/cookie_name), expected "ha-review-session"');
    await lab.passes('frontend-route');
  });

  it('sees the ha-review-session cookie keep a client on one web server', async () => {
    await lab.kubectl(['annotate', 'route', 'frontend', '-n', NS, '--overwrite', 'router.openshift.io/cookie_name=ha-review-session']);
    await lab.sim.advance(1);
    const r = await lab.passes('route-sticky-cookie');
    assert.match(r.message, /set the cookie ha-review-session, and 6 requests with it were all answered by web[12]/);
  });

  it('fails a Route that sends the host to another Service, or that has another name', async () => {
    await lab.kubectl(['patch', 'route', 'frontend', '-n', NS, '--type', 'merge', '-p', '{"spec":{"to":{"name":"web"}}}']);
    await lab.failsWith('frontend-route', 'Route ha-review/frontend sends traffic to Service web, expected Service frontend');
    await lab.kubectl(['delete', 'route', 'frontend', '-n', NS]);
    await lab.failsWith('frontend-route', 'Route ha-review/frontend does not exist (Route frontend-sticky exists, but the Route must be named frontend)');
  });

  it('fails frontend-lb while MetalLB has no pool, and a pool with the wrong range', async () => {
    await lab.apply({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'frontend-lb', namespace: NS },
      spec: { type: 'LoadBalancer', selector: { tier: 'frontend' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    await lab.sim.advance(2);
    await lab.failsWith('frontend-loadbalancer', 'Service ha-review/frontend-lb has no external address yet (EXTERNAL-IP <pending>)', 'MetalLB has no pool metallb-system/ha-review-pool');
    await lab.failsWith('metallb-pool', 'IPAddressPool metallb-system/ha-review-pool does not exist');

    const pool = (namespace: string, addresses: string[]): Record<string, unknown> => ({
      apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'ha-review-pool', namespace }, spec: { addresses },
    });
    await lab.apply(pool('metallb-system', ['192.168.50.20-192.168.50.30']));
    await lab.failsWith('metallb-pool', 'IPAddressPool metallb-system/ha-review-pool covers 192.168.50.20-192.168.50.30, expected exactly 192.168.50.20-192.168.50.29: it also covers 192.168.50.30');
    await lab.failsWith('metallb-l2advertisement', 'there is no L2Advertisement in metallb-system');

    // The same ten addresses written as CIDRs are the same pool.
    await lab.apply(pool('metallb-system', ['192.168.50.20/30', '192.168.50.24/30', '192.168.50.28/31']));
    await lab.apply({
      apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'ha-review-l2', namespace: 'metallb-system' },
      spec: { ipAddressPools: ['ha-review-pool'] },
    });
    await lab.sim.advance(5);
    await lab.passes('metallb-pool');
    await lab.passes('metallb-l2advertisement');
    const lb = await lab.passes('frontend-loadbalancer');
    assert.match(lb.message, /has address 192\.168\.50\.2\d from ha-review-pool/);
  });

  it('fails an MHC that also selects the control plane or misses Ready=Unknown', async () => {
    const mhc = (selector: unknown, conditions: unknown[]): Record<string, unknown> => ({
      apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineHealthCheck',
      metadata: { name: 'ha-review-workers', namespace: 'openshift-machine-api' },
      spec: { selector, unhealthyConditions: conditions },
    });
    const readyFalse = { type: 'Ready', status: 'False', timeout: '300s' };
    await lab.apply(mhc({}, [readyFalse]));
    await lab.failsWith('machine-health-check',
      'also selects 3 control-plane machines (virtlab-master-0, virtlab-master-1, virtlab-master-2)',
      'has no unhealthy condition for Ready=Unknown');
    await lab.apply(mhc({ matchLabels: { 'machine.openshift.io/cluster-api-machine-role': 'worker' } },
      [readyFalse, { type: 'Ready', status: 'Unknown', timeout: '5m' }]));
    await lab.passes('machine-health-check');
  });

  it('measures how long web1 takes to leave frontend when its httpd stops, and sees it come back', async () => {
    const r = await lab.passes('readiness-removes-endpoint');
    const removal = r.measurements?.find((m) => m.name === 'endpoint-removal');
    assert.ok(removal && removal.value > 0 && removal.value <= 5 * 2 + 2 + 30, JSON.stringify(r.measurements));
    assert.match(r.message, /VMI web1 left frontend's ready endpoints [\d.]+ s after httpd stopped, and came back/);
    const faults = await lab.sim.kubectl(['get', 'faults', '-o', 'name']);
    assert.equal(faults.stdout.trim(), '', 'the grader leaves no fault behind');
  });

  it('brings db1 back after its kernel hangs and reports the recovery time', async () => {
    const before = lab.sim.cluster.store.get('kubevirt.io/virtualmachineinstances', NS, 'db1')?.metadata.uid;
    const r = await lab.passes('watchdog-recovers-db');
    const recovery = r.measurements?.find((m) => m.name === 'recovery');
    assert.ok(recovery && recovery.value > 0 && recovery.value < 300, JSON.stringify(r.measurements));
    assert.match(r.message, /^db1 was Running again [\d.]+ s after its kernel hung: a new instance on worker-\d replaced the hung one/);
    const now = lab.sim.cluster.store.get('kubevirt.io/virtualmachineinstances', NS, 'db1');
    assert.notEqual(now?.metadata.uid, before);
  });

  it('fails the watchdog behaviour when db1 would not come back', async () => {
    await lab.patchVm('db1', { spec: { runStrategy: 'Manual' } });
    await lab.failsWith('watchdog-recovers-db', 'VM ha-review/db1 has runStrategy Manual: once the watchdog powers it off, nothing starts it again');
  });
});
