import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SHUTDOWN_SECONDS } from '../../sandbox/sim/guest/guest.ts';
import { bootTime, loggedIn, setup, vmi, type VmiOptions, outcome } from './guest-fixtures.ts';

const UID = 'uid-web1';

function up(o: VmiOptions = {}) {
  const env = setup();
  env.rt.boot(vmi('web1', o), '10.128.2.15');
  env.clock.advance(bootTime('web1', o.image));
  return env;
}

describe('kernel hang', () => {
  it('stops everything answering: probes time out, the agent disconnects', () => {
    const { rt, changes } = up({ watchdog: 'reset' });
    const before = changes.length;
    rt.hangKernel(UID);
    assert.ok(changes.length > before);
    const info = rt.get(UID)!;
    assert.equal(info.state, 'Hung');
    assert.equal(info.agentConnected, false);
    assert.equal(outcome(rt.httpGet(UID, 8080, '/health', 1)), 'timeout');
    assert.equal(outcome(rt.tcpConnect(UID, 22, 1)), 'timeout');
    assert.equal(outcome(rt.exec(UID, ['true'], 1)), 'no-agent');
    assert.equal(rt.guestAgentPing(UID).ok, false);
  });
});

describe('armed watchdog', () => {
  it('is armed on the prepared image when the VMI has the device', () => {
    const { rt } = up({ watchdog: 'poweroff' });
    assert.deepEqual(rt.get(UID)!.watchdog, { action: 'poweroff', armed: true, timeoutSeconds: 60 });
  });

  it('reset: 60 s after the hang the same domain boots again', () => {
    const { rt, clock } = up({ watchdog: 'reset' });
    const t = clock.now();
    rt.hangKernel(UID);
    assert.equal(rt.get(UID)!.watchdog?.firesAt, t + 60_000);
    clock.advance(59.9);
    assert.equal(rt.get(UID)!.state, 'Hung');
    clock.advance(0.1);
    const info = rt.get(UID)!;
    assert.equal(info.state, 'Booting');
    assert.equal(info.bootCount, 2);
    assert.equal(info.bootStartedAt, t + 60_000);
    assert.equal(info.watchdog?.armed, false, 'a reset disarms the device until the daemon starts again');
    clock.advance(bootTime('web1'));
    assert.equal(rt.get(UID)!.state, 'Running');
    assert.equal(rt.get(UID)!.watchdog?.armed, true);
    assert.equal(rt.httpGet(UID, 8080, '/health', 1).ok, true);
  });

  it('poweroff: the domain is destroyed 60 s after the hang', () => {
    const { rt, clock } = up({ watchdog: 'poweroff' });
    rt.hangKernel(UID);
    clock.advance(59.9);
    assert.equal(rt.get(UID)!.state, 'Hung');
    clock.advance(0.1);
    assert.deepEqual([rt.get(UID)!.state, rt.get(UID)!.shutoffReason], ['Shutoff', 'Destroyed']);
  });

  it('shutdown with a hung kernel: the ACPI request goes unanswered, the guest stays hung and the device stays quiet until a reset', () => {
    const { rt, clock, changes } = up({ watchdog: 'shutdown' });
    const t = clock.now();
    rt.hangKernel(UID);
    assert.equal(rt.get(UID)!.watchdog?.firesAt, t + 60_000);
    clock.advance(60);
    const fired = rt.get(UID)!;
    assert.deepEqual([fired.state, fired.shutoffReason, fired.bootCount], ['Hung', undefined, 1], 'still hung, never powered off');
    assert.deepEqual(fired.watchdog, { action: 'shutdown', armed: false, timeoutSeconds: 60 }, 'QEMU reset the device after acting: no new countdown');
    const seen = changes.length;
    clock.advance(3600);
    assert.deepEqual([rt.get(UID)!.state, rt.get(UID)!.bootCount], ['Hung', 1]);
    assert.equal(changes.length, seen, 'nothing happened in an hour');
    // A hard reset (or a new VMI) boots the guest; its daemon arms the device again.
    rt.reset!(UID);
    clock.advance(bootTime('web1'));
    assert.deepEqual(rt.get(UID)!.watchdog, { action: 'shutdown', armed: true, timeoutSeconds: 60 });
    rt.hangKernel(UID);
    clock.advance(60);
    assert.equal(rt.get(UID)!.state, 'Hung');
    assert.equal(rt.get(UID)!.watchdog?.armed, false, 'fired once more, ignored once more');
  });

  it('shutdown after the daemon is killed: the healthy guest shuts down cleanly', () => {
    const { rt, clock } = up({ watchdog: 'shutdown' });
    const t = clock.now();
    rt.killService(UID, 'watchdog');
    assert.deepEqual(rt.get(UID)!.watchdog, { action: 'shutdown', armed: true, timeoutSeconds: 60, firesAt: t + 60_000 });
    clock.advance(60);
    assert.equal(rt.get(UID)!.state, 'Running', 'ACPI shutdown under way');
    assert.equal(rt.httpGet(UID, 8080, '/health', 1).ok, false);
    assert.equal(rt.get(UID)!.watchdog?.firesAt, undefined, 'the device does not count again while the guest shuts down');
    clock.advance(SHUTDOWN_SECONDS);
    assert.deepEqual([rt.get(UID)!.state, rt.get(UID)!.shutoffReason], ['Shutoff', 'Shutdown']);
  });

  it('a clean stop of the daemon disarms the device: nothing ever fires', () => {
    const { rt, clock } = up({ watchdog: 'poweroff' });
    rt.stopService(UID, 'watchdog');
    assert.equal(rt.get(UID)!.watchdog?.armed, false);
    rt.hangKernel(UID);
    clock.advance(600);
    assert.equal(rt.get(UID)!.state, 'Hung');
  });

  it('does not count while the domain is paused', () => {
    const { rt, clock } = up({ watchdog: 'poweroff' });
    rt.hangKernel(UID);
    clock.advance(30);
    rt.pause(UID);
    assert.equal(rt.get(UID)!.watchdog?.firesAt, undefined);
    clock.advance(300);
    assert.equal(rt.get(UID)!.state, 'Paused');
    rt.unpause(UID);
    assert.equal(rt.get(UID)!.state, 'Hung');
    clock.advance(29.9);
    assert.equal(rt.get(UID)!.state, 'Hung');
    clock.advance(0.1);
    assert.equal(rt.get(UID)!.shutoffReason, 'Destroyed');
  });

  it('fires after a kill -9 of the daemon from the console', () => {
    const { rt, clock, term } = loggedIn('web1', { watchdog: 'reset' }, 'root');
    assert.deepEqual(term.run('pkill -9 watchdog'), ['pkill -9 watchdog', '[root@web1 ~]# ']);
    const status = term.run('systemctl status watchdog');
    assert.equal(status[1], '× watchdog.service - watchdog daemon');
    assert.match(status[3], /^ {5}Active: failed \(Result: signal\) since /);
    clock.advance(60);
    assert.equal(rt.get(UID)!.state, 'Booting');
  });
});

describe('unarmed watchdog', () => {
  it('a device nothing feeds does nothing, however long the guest hangs', () => {
    const { rt, clock } = up({ image: 'quay.io/containerdisks/fedora:40', watchdog: 'poweroff' });
    assert.deepEqual(rt.get(UID)!.watchdog, { action: 'poweroff', armed: false, timeoutSeconds: 60 });
    rt.hangKernel(UID);
    clock.advance(3600);
    assert.equal(rt.get(UID)!.state, 'Hung');
  });

  it('a hang during boot, before the daemon starts, leaves it unarmed', () => {
    const { rt, clock } = setup();
    rt.boot(vmi('web1', { watchdog: 'reset' }), '10.128.2.15');
    clock.advance(5);
    rt.hangKernel(UID);
    clock.advance(600);
    assert.equal(rt.get(UID)!.state, 'Hung');
    assert.equal(rt.get(UID)!.bootCount, 1);
  });

  it('without a device there is nothing to arm, and the daemon fails to start', () => {
    const { rt, clock } = up();
    assert.equal(rt.get(UID)!.watchdog, undefined);
    rt.hangKernel(UID);
    clock.advance(600);
    assert.equal(rt.get(UID)!.state, 'Hung');
  });
});
