// The ha-probes grader against the embedded cluster as a student leaves it
// (real kubectl, the lab's setup manifests, the guests driven like the
// console would): every check fails on the fresh lab; the states that only
// look right (a probe in the template of a running VM, a readiness probe on
// the wrong port or with the wrong handler, a liveness probe on the wrong
// port, httpd left stopped, a watchdog that resets, a runStrategy that does
// not restart, a watchdog daemon that is not running) fail with a message
// that says so; the fixed states and the behavioural checks pass. Manual
// clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGraderLab, type GraderLab } from './grader-fixtures.ts';

const NS = 'ha-probes';

const READINESS = { httpGet: { path: '/health', port: 8080 }, initialDelaySeconds: 10, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 };
const LIVENESS = { tcpSocket: { port: 8080 }, initialDelaySeconds: 60, periodSeconds: 10, failureThreshold: 6 };
const VMIS = 'kubevirt.io/virtualmachineinstances';

describe('ha-probes grader', () => {
  let lab: GraderLab;

  const uidOf = (name: string): string => lab.sim.cluster.store.get(VMIS, NS, name)!.metadata.uid!;

  /** A new instance from the current template, as `virtctl restart` gives; waits until it has booted. */
  async function restart(name: string, seconds = 70): Promise<void> {
    await lab.kubectl(['delete', 'vmi', name, '-n', NS, '--wait=false']);
    await lab.sim.advance(seconds);
  }

  before(async () => { lab = await startGraderLab('ha-probes', { settleSeconds: 60 }); });
  after(async () => { await lab.close(); });

  it('fails every check on the lab as `lab start` leaves it, without ERRORs', async () => {
    const results = await lab.grade();
    for (const c of results.values()) assert.equal(c.status, 'FAIL', `${c.id}: ${c.status} ${c.message}`);
    const msg = new Map([...results.values()].map((c) => [c.id, c.message]));
    assert.equal(msg.get('web-readiness-probe'), 'VM ha-probes/web1 has no readiness probe (spec.template.spec.readinessProbe), expected an HTTP GET of /health on port 8080');
    assert.equal(msg.get('db-watchdog'), 'VM ha-probes/db1 has no watchdog device (spec.template.spec.domain.devices.watchdog)');
    assert.match(msg.get('readiness-removes-endpoint')!, /^VMI ha-probes\/web1 runs no readiness probe: with httpd stopped it would stay a ready endpoint of web/);
    assert.match(msg.get('watchdog-recovers-db')!, /runs without a watchdog device/);
  });

  it('fails probes added to the template of a running VM until it restarts', async () => {
    await lab.patchVm('web1', { spec: { template: { spec: { readinessProbe: READINESS, livenessProbe: LIVENESS } } } });
    await lab.sim.advance(1);
    await lab.failsWith('web-readiness-probe', 'VM ha-probes/web1: the VM template has a readinessProbe but the running VMI web1 was started before it was added: restart the VM (virtctl restart web1)');
    await lab.failsWith('web-liveness-probe', 'VM ha-probes/web1: the VM template has a livenessProbe but the running VMI web1 was started before it was added');
    await restart('web1');
    await lab.passes('web-readiness-probe');
    await lab.passes('web-liveness-probe');
  });

  it('fails a readiness probe on stock httpd\'s port 80, or one that only opens a TCP connection', async () => {
    await lab.patchVm('web1', { spec: { template: { spec: { readinessProbe: { httpGet: { port: 80 } } } } } });
    await lab.failsWith('web-readiness-probe',
      "VM ha-probes/web1's readiness probe is GET :80/health, expected an HTTP GET of /health on port 8080: readinessProbe.httpGet.port is 80, but httpd listens on 8080 in the guest: the probe would never succeed");
    await lab.patchVm('web1', { spec: { template: { spec: { readinessProbe: { httpGet: null, tcpSocket: { port: 8080 } } } } } });
    await lab.failsWith('web-readiness-probe', 'it opens a TCP connection instead of an HTTP GET (readinessProbe.httpGet): only a request for /health shows that httpd answers');
    await lab.patchVm('web1', { spec: { template: { spec: { readinessProbe: { tcpSocket: null, ...READINESS } } } } });
    await lab.passes('web-readiness-probe');
  });

  it('fails a liveness probe on a port httpd does not listen on, or one that gives up before the guest can boot', async () => {
    await lab.patchVm('web1', { spec: { template: { spec: { livenessProbe: { tcpSocket: { port: 80 } } } } } });
    await lab.failsWith('web-liveness-probe',
      'livenessProbe.tcpSocket.port is 80, but httpd listens on 8080: the probe would fail on a healthy guest and restart web1 over and over');
    // Defaults: the first probe 10 s after start, three failures 10 s apart: killed after 30 s, before a slow boot ends.
    await lab.patchVm('web1', { spec: { template: { spec: { livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: null, periodSeconds: null, failureThreshold: null } } } } });
    await lab.failsWith('web-liveness-probe',
      'it can have web1 killed 30 s after an instance starts (initialDelaySeconds 0, plus 10 s added by KubeVirt, plus 2 more failures 10 s apart), and the guest needs 20 to 30 s to boot and start httpd: a slow boot would be killed and restarted over and over; raise initialDelaySeconds to at least 30');
    await lab.patchVm('web1', { spec: { template: { spec: { livenessProbe: LIVENESS } } } });
    await lab.passes('web-liveness-probe');
  });

  it('fails both probe checks while httpd is stopped, and says to start it', async () => {
    lab.sim.cluster.guests.stopService(uidOf('web1'), 'httpd');
    await lab.sim.advance(15);
    await lab.failsWith('web-readiness-probe', 'VMI web1 is not Ready: readiness probe GET :8080/health failed',
      'connection refused', '(is httpd running in the guest? virtctl console web1, then sudo systemctl start httpd)');
    await lab.failsWith('web-liveness-probe', 'VMI web1 fails its liveness probe TCP :8080 (dial tcp', 'connection refused): the kubelet will have the instance killed and the VM start a new one');
    lab.sim.cluster.guests.startService(uidOf('web1'), 'httpd');
    await lab.sim.advance(10);
    await lab.passes('web-readiness-probe');
  });

  it('measures how a stopped httpd takes web1 out of Service web, and how the liveness probe replaces it', async () => {
    const removed = await lab.passes('readiness-removes-endpoint');
    assert.match(removed.message, /^VMI web1 left the ready endpoints of web [\d.]+ s after httpd stopped, and was back [\d.]+ s after httpd started again$/);
    const seconds = removed.measurements?.find((m) => m.name === 'endpoint-removal')?.value ?? 0;
    assert.ok(seconds > 0 && seconds <= 15, `two failed probes 5 s apart: ${seconds} s`);

    const before = uidOf('web1');
    const replaced = await lab.passes('liveness-restarts-web');
    assert.match(replaced.message, /^web1 served again [\d.]+ s after httpd stopped: its liveness probe failed, and a new instance on worker-\d replaced the old one$/);
    assert.notEqual(uidOf('web1'), before, 'a new instance');
  });

  it('fails a watchdog in the template only, then one that resets instead of powering off', async () => {
    await lab.patchVm('db1', { spec: { template: { spec: { domain: { devices: { watchdog: { name: 'watchdog', i6300esb: { action: 'reset' } } } } } } } });
    await lab.failsWith('db-watchdog', 'VM ha-probes/db1: the VM template has a watchdog (domain.devices.watchdog) but the running VMI db1 was started before it was added: restart the VM (virtctl restart db1)');
    await restart('db1');
    assert.equal((await lab.passes('db-watchdog')).message, 'VMI db1 runs an i6300esb watchdog with action reset');
    await lab.failsWith('db-watchdog-poweroff',
      "VM ha-probes/db1's watchdog action is reset, expected poweroff: reset reboots the guest inside the same instance, so the run strategy never sees a failure");
    await lab.failsWith('watchdog-recovers-db', 'VMI ha-probes/db1 runs a watchdog with action reset, expected poweroff');
  });

  it('fails poweroff with a run strategy that never starts the VM again', async () => {
    await lab.patchVm('db1', { spec: { template: { spec: { domain: { devices: { watchdog: { i6300esb: { action: 'poweroff' } } } } } } } });
    await restart('db1');
    await lab.passes('db-watchdog-poweroff');
    await lab.patchVm('db1', { spec: { runStrategy: 'Manual' } });
    await lab.failsWith('db-watchdog-poweroff', 'VM ha-probes/db1 has runStrategy Manual: once the watchdog powers the instance off, nothing starts a new one (use Always or RerunOnFailure)');
    await lab.patchVm('db1', { spec: { runStrategy: 'Always' } });
    await lab.passes('db-watchdog-poweroff');
  });

  it('fails the hang when the watchdog daemon in the guest is stopped: nothing feeds the device', async () => {
    lab.sim.cluster.guests.stopService(uidOf('db1'), 'watchdog');
    const r = await lab.failsWith('watchdog-recovers-db', 'timed out after', 'waiting for a new db1 instance to be Running after its kernel hung',
      'VMI db1 is still the hung instance, phase Running: the i6300esb only fires when something in the guest feeds it; is the watchdog service running in db1 (virtctl console db1, then systemctl status watchdog)?');
    assert.ok(r.measurements?.length);
    // The hung instance stays until something replaces it.
    await restart('db1', 120);
  });

  it('passes the hang once the daemon feeds the device: a new db1 runs', async () => {
    const before = uidOf('db1');
    const r = await lab.passes('watchdog-recovers-db');
    assert.match(r.message, /^db1 ran again [\d.]+ s after its kernel hung: the watchdog powered it off and a new instance on worker-\d replaced it( \(the hung instance ended Failed\))?$/);
    const seconds = r.measurements?.find((m) => m.name === 'recovery')?.value ?? 0;
    assert.ok(seconds >= 60 && seconds <= 150, `60 s watchdog timeout, then a new instance boots: ${seconds} s`);
    assert.notEqual(uidOf('db1'), before);
  });
});
