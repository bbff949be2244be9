import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cloudFinalSeconds, parseUserData } from '../../sandbox/sim/guest/cloud-init.ts';
import { bootTime, setup, vmi, outcome } from './guest-fixtures.ts';

const FEDORA = 'quay.io/containerdisks/fedora:40';

function up(name: string, o: Parameters<typeof vmi>[1] = {}) {
  const env = setup();
  env.rt.boot(vmi(name, o), '10.128.2.15');
  env.clock.advance(bootTime(name, o.image));
  return { ...env, uid: `uid-${name}` };
}

describe('cloud-init in the guest', () => {
  const userData = '#cloud-config\npackages:\n  - httpd\nruncmd:\n  - systemctl enable --now httpd\n';

  it('installs packages and runs runcmd in the final stage, after boot', () => {
    const { clock, rt, uid } = up('plain', { image: FEDORA, userData });
    // Stock httpd from the Fedora repositories listens on 80, and only once cloud-final has run.
    assert.equal(rt.get(uid)!.services.find((s) => s.name === 'httpd'), undefined);
    assert.deepEqual(rt.httpGet(uid, 80, '/', 1), { ok: false, reason: 'refused', message: 'Get "http://10.128.2.15:80/": dial tcp 10.128.2.15:80: connect: connection refused' });

    clock.advance(cloudFinalSeconds(parseUserData(userData)));
    assert.deepEqual(rt.get(uid)!.services.find((s) => s.name === 'httpd'), { name: 'httpd', active: true, enabled: true, port: 80 });
    const page = rt.httpGet(uid, 80, '/', 1);
    assert.ok(page.ok && page.status === 200 && page.body?.includes('Hello from plain'));
    assert.equal(rt.exec(uid, ['cat', '/var/log/cloud-init-output.log'], 1).ok, true);
  });

  it('installs only once: a reboot keeps the packages and starts enabled httpd at boot', () => {
    const { clock, rt, uid } = up('plain', { image: FEDORA, userData });
    clock.advance(cloudFinalSeconds(parseUserData(userData)));
    rt.reboot(uid);
    clock.advance(4 + bootTime('plain', FEDORA));
    assert.equal(rt.get(uid)!.bootCount, 2);
    assert.equal(rt.httpGet(uid, 80, '/health', 1).ok, true);
  });

  it('arms the watchdog once the watchdog package is installed and enabled', () => {
    const ud = '#cloud-config\npackages: [watchdog]\nruncmd:\n  - [systemctl, enable, --now, watchdog]\n';
    const { clock, rt, uid } = up('wd', { image: FEDORA, userData: ud, watchdog: 'reset' });
    assert.deepEqual(rt.get(uid)!.watchdog, { action: 'reset', armed: false, timeoutSeconds: 60 });
    clock.advance(cloudFinalSeconds(parseUserData(ud)));
    assert.equal(rt.get(uid)!.watchdog?.armed, true);
  });

  it('applies hostname and write_files, and runs user-data scripts', () => {
    const ud = '#cloud-config\nhostname: frontend\nwrite_files:\n  - path: /var/www/html/index.html\n    content: custom page\n';
    const { rt, uid } = up('web1', { userData: ud });
    assert.equal(rt.get(uid)!.hostname, 'frontend');
    const page = rt.httpGet(uid, 8080, '/', 1);
    assert.equal(page.ok && page.body, 'custom page');

    const script = up('web2', { userData: '#!/bin/bash\necho "from $(hostname)" > /var/www/html/whoami\n' });
    script.clock.advance(5);
    const who = script.rt.httpGet(script.uid, 8080, '/whoami', 1);
    assert.equal(who.ok && who.body, 'from web2\n');
  });

  it('starts httpd on the port its configuration names', () => {
    const ud = "#cloud-config\nruncmd:\n  - sed -i 's/^Listen 8080/Listen 8081/' /etc/httpd/conf/httpd.conf\n  - systemctl restart httpd\n";
    const { clock, rt, uid } = up('web1', { userData: ud });
    clock.advance(5);
    assert.equal(rt.get(uid)!.services.find((s) => s.name === 'httpd')?.port, 8081);
    assert.equal(rt.httpGet(uid, 8081, '/health', 1).ok, true);
    assert.equal(rt.tcpConnect(uid, 8080, 1).ok, false);
  });
});

describe('services and probes', () => {
  it('answers httpGet from the active web server: /health, / with the hostname, 404 otherwise', () => {
    const { rt, uid } = up('web1', { hostname: 'web-a' });
    assert.deepEqual(rt.httpGet(uid, 8080, '/health', 1), { ok: true, status: 200, body: 'ok\n' });
    const page = rt.httpGet(uid, '8080', '/', 1);
    assert.ok(page.ok && page.body?.includes('<h1>Hello from web-a</h1>'));
    assert.deepEqual(rt.httpGet(uid, 8080, '/missing', 1), { ok: false, reason: 'http-status', status: 404, message: 'HTTP probe failed with statuscode: 404' });
  });

  it('refuses once the service stops and answers again once it starts', () => {
    const { rt, uid, changes } = up('web1');
    const before = changes.length;
    rt.stopService(uid, 'httpd');
    assert.ok(changes.length > before);
    assert.deepEqual(rt.httpGet(uid, 8080, '/health', 1), { ok: false, reason: 'refused', message: 'Get "http://10.128.2.15:8080/health": dial tcp 10.128.2.15:8080: connect: connection refused' });
    assert.deepEqual(rt.tcpConnect(uid, 8080, 1), { ok: false, reason: 'refused', message: 'dial tcp 10.128.2.15:8080: connect: connection refused' });
    assert.deepEqual(rt.get(uid)!.services.find((s) => s.name === 'httpd'), { name: 'httpd', active: false, enabled: true });
    rt.startService(uid, 'httpd');
    assert.equal(rt.httpGet(uid, 8080, '/health', 1).ok, true);
  });

  it('times out while booting', () => {
    const { rt, clock } = setup();
    rt.boot(vmi('web1'), '10.128.2.15');
    clock.advance(5);
    assert.deepEqual(rt.httpGet('uid-web1', 8080, '/health', 10), { ok: false, reason: 'timeout', message: 'Get "http://10.128.2.15:8080/health": context deadline exceeded (Client.Timeout exceeded while awaiting headers)' });
    assert.deepEqual(rt.tcpConnect('uid-web1', 8080, 10), { ok: false, reason: 'timeout', message: 'dial tcp 10.128.2.15:8080: i/o timeout' });
  });

  it('serves MariaDB on 3306 to tcpSocket probes', () => {
    const { rt, uid } = up('db1', { image: 'quay.io/virtlab/database:latest' });
    assert.deepEqual(rt.tcpConnect(uid, 3306, 1), { ok: true });
    const http = rt.httpGet(uid, 3306, '/', 1);
    assert.equal(outcome(http), 'http-status');
    rt.stopService(uid, 'mariadb');
    assert.equal(rt.tcpConnect(uid, 3306, 1).ok, false);
  });

  it('fails a second web server on a port already taken', () => {
    const { clock, rt, uid } = up('plain', { image: FEDORA, userData: '#cloud-config\npackages: [httpd, nginx]\nruncmd:\n  - systemctl start httpd\n  - systemctl start nginx\n' });
    clock.advance(30);
    const services = rt.get(uid)!.services;
    assert.deepEqual(services.find((s) => s.name === 'httpd'), { name: 'httpd', active: true, enabled: false, port: 80 });
    assert.deepEqual(services.find((s) => s.name === 'nginx'), { name: 'nginx', active: false, enabled: false });
  });
});

describe('exec and guest-agent probes', () => {
  it('runs commands through the guest agent with exit codes', () => {
    const { rt, uid } = up('web1');
    assert.deepEqual(rt.exec(uid, ['systemctl', 'is-active', 'httpd'], 1), { ok: true, body: 'active\n' });
    assert.deepEqual(rt.exec(uid, ['curl', '-s', 'localhost:8080/health'], 1), { ok: true, body: 'ok\n' });
    assert.deepEqual(rt.exec(uid, ['test', '-f', '/etc/os-release'], 1), { ok: true, body: '' });
    assert.deepEqual(rt.exec(uid, ['true'], 1), { ok: true, body: '' });
    assert.deepEqual(rt.exec(uid, ['false'], 1), { ok: false, reason: 'exit-code', status: 1, message: 'command terminated with exit code 1' });
    assert.deepEqual(rt.exec(uid, ['cat', '/nope'], 1), { ok: false, reason: 'exit-code', status: 1, message: 'cat: /nope: No such file or directory' });
    assert.deepEqual(rt.exec(uid, ['sh', '-c', 'sleep 5'], 2), { ok: false, reason: 'timeout', message: 'command timed out after 2s' });
    rt.stopService(uid, 'httpd');
    assert.deepEqual(rt.exec(uid, ['systemctl', 'is-active', 'httpd'], 1), { ok: false, reason: 'exit-code', status: 3, message: 'inactive' });
    assert.deepEqual(rt.guestAgentPing(uid), { ok: true });
  });

  it('needs a connected agent', () => {
    const { rt, clock } = setup();
    rt.boot(vmi('web1'), '10.128.2.15');
    const noAgent = { ok: false, reason: 'no-agent', message: 'Guest agent is not responding: QEMU guest agent is not connected' };
    assert.deepEqual(rt.exec('uid-web1', ['true'], 1), noAgent);
    assert.deepEqual(rt.guestAgentPing('uid-web1'), noAgent);
    clock.advance(bootTime('web1'));
    assert.equal(rt.exec('uid-web1', ['true'], 1).ok, true);

    const cirros = up('c1', { image: 'quay.io/kubevirt/cirros-container-disk-demo' });
    assert.equal(cirros.rt.get(cirros.uid)!.agentConnected, false);
    assert.deepEqual(cirros.rt.exec(cirros.uid, ['true'], 1), noAgent);
    assert.deepEqual(cirros.rt.tcpConnect(cirros.uid, 22, 1), { ok: true });
  });

  it('restarts a killed guest agent (Restart=always), disconnecting it briefly', () => {
    const { rt, uid, clock } = up('web1');
    rt.killService(uid, 'qemu-guest-agent');
    assert.equal(rt.get(uid)!.agentConnected, false);
    clock.advance(1);
    assert.equal(rt.get(uid)!.agentConnected, true);
  });
});
