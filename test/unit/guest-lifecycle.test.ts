import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SHUTDOWN_SECONDS } from '../../sandbox/sim/guest/guest.ts';
import { bootTime, setup, terminal, vmi, outcome } from './guest-fixtures.ts';

const UID = 'uid-web1';

describe('guest boot', () => {
  it('boots in 20–30 s of cluster time and starts the enabled services at bootedAt', () => {
    const { clock, rt, changes } = setup();
    const t0 = clock.now();
    const info = rt.boot(vmi('web1'), '10.128.2.15');
    const secs = bootTime('web1');
    assert.ok(secs >= 20 && secs <= 30);
    assert.equal(info.state, 'Booting');
    assert.equal(info.bootStartedAt, t0);
    assert.equal(info.bootedAt, undefined);
    assert.equal(info.agentConnected, false);
    assert.ok(info.services.every((s) => !s.active));
    assert.equal(info.ip, '10.128.2.15');
    assert.ok(changes.length >= 1, 'boot is a change');

    clock.advance(secs - 0.001);
    assert.equal(rt.get(UID)!.state, 'Booting');
    assert.equal(rt.httpGet(UID, 8080, '/health', 1).ok, false);

    const before = changes.length;
    clock.advance(0.001);
    const up = rt.get(UID)!;
    assert.equal(up.state, 'Running');
    assert.equal(up.bootedAt, t0 + secs * 1000);
    assert.equal(up.agentConnected, true);
    assert.deepEqual(up.services.map((s) => [s.name, s.active, s.port]), [
      ['qemu-guest-agent', true, undefined],
      ['sshd', true, 22],
      // No watchdog device on this VMI: the daemon cannot open /dev/watchdog and fails.
      ['watchdog', false, undefined],
      ['httpd', true, 8080],
    ]);
    assert.ok(changes.length > before, 'bootedAt is a change');
    assert.deepEqual(rt.httpGet(UID, 8080, '/health', 1), { ok: true, status: 200, body: 'ok\n' });
  });

  it('reports the OS the guest agent would and the boot count', () => {
    const { rt } = setup();
    const info = rt.boot(vmi('db1', { image: 'quay.io/virtlab/database' }), '10.128.2.16');
    assert.equal(info.image, 'quay.io/virtlab/database');
    assert.equal(info.os?.id, 'fedora');
    assert.equal(info.bootCount, 1);
  });

  it('treats boot() of a running domain as a no-op apart from a new address', () => {
    const { clock, rt } = setup();
    rt.boot(vmi('web1'), '10.128.2.15');
    clock.advance(5);
    const again = rt.boot(vmi('web1'), '10.128.4.9');
    assert.equal(again.bootCount, 1);
    assert.equal(again.state, 'Booting');
    assert.equal(again.ip, '10.128.4.9');
  });
});

describe('guest power transitions', () => {
  function running() {
    const env = setup();
    env.rt.boot(vmi('web1'), '10.128.2.15');
    env.clock.advance(bootTime('web1'));
    return env;
  }

  it('shuts down cleanly on ACPI: services stop at once, the domain is off a few seconds later', () => {
    const { clock, rt } = running();
    rt.shutdown(UID);
    const stopping = rt.get(UID)!;
    assert.equal(stopping.state, 'Running');
    assert.equal(stopping.agentConnected, false);
    assert.ok(stopping.services.every((s) => !s.active));
    assert.equal(rt.httpGet(UID, 8080, '/', 1).ok, false);
    clock.advance(SHUTDOWN_SECONDS - 0.5);
    assert.equal(rt.get(UID)!.state, 'Running');
    clock.advance(0.5);
    assert.equal(rt.get(UID)!.state, 'Shutoff');
    assert.equal(rt.get(UID)!.shutoffReason, 'Shutdown');
  });

  it('reboots in the same domain: shutdown, then a new boot', () => {
    const { clock, rt } = running();
    const first = rt.get(UID)!;
    rt.reboot(UID);
    clock.advance(SHUTDOWN_SECONDS);
    const rebooting = rt.get(UID)!;
    assert.equal(rebooting.state, 'Booting');
    assert.equal(rebooting.bootCount, 2);
    assert.ok(rebooting.bootStartedAt > first.bootStartedAt);
    clock.advance(bootTime('web1'));
    assert.equal(rt.get(UID)!.state, 'Running');
  });

  it('ignores ACPI while hung and honours it once a booting guest is up', () => {
    const { clock, rt } = setup();
    rt.boot(vmi('web1'), '10.128.2.15');
    rt.shutdown(UID);
    clock.advance(bootTime('web1'));
    assert.equal(rt.get(UID)!.state, 'Running', 'up, and now shutting down');
    clock.advance(SHUTDOWN_SECONDS);
    assert.equal(rt.get(UID)!.shutoffReason, 'Shutdown');

    const other = setup();
    other.rt.boot(vmi('web1'), '10.128.2.15');
    other.clock.advance(bootTime('web1'));
    other.rt.hangKernel(UID);
    other.rt.shutdown(UID);
    other.clock.advance(SHUTDOWN_SECONDS + 1);
    assert.equal(other.rt.get(UID)!.state, 'Hung');
  });

  it('destroys, crashes and resets', () => {
    const a = running();
    a.rt.destroy(UID);
    assert.deepEqual([a.rt.get(UID)!.state, a.rt.get(UID)!.shutoffReason], ['Shutoff', 'Destroyed']);
    assert.ok(a.rt.get(UID)!.services.every((s) => !s.active));

    const b = running();
    b.rt.crash(UID);
    assert.deepEqual([b.rt.get(UID)!.state, b.rt.get(UID)!.shutoffReason], ['Shutoff', 'Crashed']);

    const c = running();
    c.rt.reset(UID);
    assert.equal(c.rt.get(UID)!.state, 'Booting');
    assert.equal(c.rt.get(UID)!.bootCount, 2);
  });

  it('pauses: nothing answers, and boot time does not pass while paused', () => {
    const { clock, rt } = setup();
    rt.boot(vmi('web1'), '10.128.2.15');
    clock.advance(10);
    rt.pause(UID);
    assert.equal(rt.get(UID)!.state, 'Paused');
    clock.advance(100);
    assert.equal(rt.get(UID)!.state, 'Paused');
    rt.unpause(UID);
    assert.equal(rt.get(UID)!.state, 'Booting');
    clock.advance(bootTime('web1') - 10);
    assert.equal(rt.get(UID)!.state, 'Running');

    rt.pause(UID);
    assert.equal(outcome(rt.httpGet(UID, 8080, '/health', 1)), 'timeout');
    assert.equal(rt.tcpConnect(UID, 22, 1).ok, false);
    assert.equal(rt.guestAgentPing(UID).ok, false);
    rt.unpause(UID);
    assert.equal(rt.httpGet(UID, 8080, '/health', 1).ok, true);
  });

  it('powers off and reboots from the console', () => {
    const { clock, rt } = running();
    const term = terminal(rt, UID);
    term.type('root\r');
    term.type('pw\r');
    const lines = term.run('poweroff');
    assert.equal(lines[0], 'poweroff');
    assert.ok(lines.includes('[  OK  ] Stopped httpd.service - The Apache HTTP Server.'));
    clock.advance(SHUTDOWN_SECONDS);
    assert.ok(term.pending().includes('reboot: Power down'));
    assert.equal(rt.get(UID)!.shutoffReason, 'Shutdown');

    const r = running();
    const t2 = terminal(r.rt, UID);
    t2.type('root\r');
    t2.type('pw\r');
    t2.run('reboot');
    r.clock.advance(SHUTDOWN_SECONDS);
    assert.ok(t2.pending().includes('reboot: Restarting system'));
    assert.equal(r.rt.get(UID)!.state, 'Booting');
    assert.equal(r.rt.get(UID)!.bootCount, 2);
  });

  it('forgets a guest and answers nothing for unknown ones', () => {
    const { rt } = running();
    let closed = false;
    rt.openConsole(UID).onClose?.(() => {
      closed = true;
    });
    rt.forget(UID);
    assert.equal(rt.get(UID), undefined);
    assert.ok(closed);
    assert.equal(rt.httpGet(UID, 8080, '/', 1).ok, false);
    const silent = rt.openConsole('nope');
    silent.write('root\r');
  });
});

it('migrated(): the guest takes the target address and node without rebooting', async () => {
  const { GuestRuntime } = await import('../../sandbox/sim/guest/runtime.ts');
  const { ManualClock } = await import('../../sandbox/sim/clock.ts');
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const rt = new GuestRuntime(clock);
  const vmi = {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
    metadata: { name: 'mig', namespace: 'default', uid: 'uid-mig' },
    spec: { domain: { devices: {} }, volumes: [{ name: 'rootdisk', containerDisk: { image: 'quay.io/containerdisks/fedora:41' } }] },
  };
  rt.boot(vmi, '10.128.0.5');
  clock.advance(60);
  const before = rt.get('uid-mig')!;
  let changes = 0;
  rt.onChange((uid) => { if (uid === 'uid-mig') changes++; });
  rt.migrated('uid-mig', '10.129.0.7', 'worker-1');
  const after = rt.get('uid-mig')!;
  assert.equal(after.ip, '10.129.0.7');
  assert.equal(after.node, 'worker-1');
  assert.equal(after.bootCount, before.bootCount);
  assert.equal(after.bootStartedAt, before.bootStartedAt);
  assert.equal(after.state, before.state);
  assert.ok(changes >= 1, 'listeners hear about it');
  rt.migrated('nope', '1.2.3.4');
});
