// The guest's /dev as a student meets it on the serial console: the watchdog
// nodes exist only with the VMI's device, only root may open them, and an
// open from the shell behaves like the driver (busy while the daemon holds
// it, counting until a magic close).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GuestRuntime } from '../../sandbox/sim/guest/runtime.ts';
import { bootTime, loggedIn, setup, terminal, vmi } from './guest-fixtures.ts';

const PROMPT = '[fedora@web1 ~]$ ';
const ROOT = '[root@web1 ~]# ';
const FEDORA = 'quay.io/containerdisks/fedora:40';
const UID = 'uid-web1';

describe('/dev nodes', () => {
  it('a VMI with a watchdog device shows /dev/watchdog and /dev/watchdog0 as root-only character devices', () => {
    const { term } = loggedIn('web1', { watchdog: 'reset' });
    assert.deepEqual(term.run('ls -l /dev/watchdog'), ['ls -l /dev/watchdog', 'crw-------. 1 root root 10, 130 Jan  1 00:00 /dev/watchdog', PROMPT]);
    assert.deepEqual(term.run('ls -l /dev/watchdog0'), ['ls -l /dev/watchdog0', 'crw-------. 1 root root 248, 0 Jan  1 00:00 /dev/watchdog0', PROMPT]);
    assert.deepEqual(term.run('ls /dev'), ['ls /dev', 'console  null  tty  watchdog  watchdog0', PROMPT]);
    assert.deepEqual(term.run('ls -l /dev'), [
      'ls -l /dev',
      'total 0',
      'crw--w----. 1 root tty    5,   1 Jan  1 00:00 console',
      'crw-rw-rw-. 1 root root   1,   3 Jan  1 00:00 null',
      'crw-rw-rw-. 1 root tty    5,   0 Jan  1 00:00 tty',
      'crw-------. 1 root root  10, 130 Jan  1 00:00 watchdog',
      'crw-------. 1 root root 248,   0 Jan  1 00:00 watchdog0',
      PROMPT,
    ], 'columns aligned as GNU ls aligns them');
    assert.deepEqual(term.run('ls -l /dev/null /etc/hostname'), ['ls -l /dev/null /etc/hostname', 'crw-rw-rw-. 1 root root 1, 3 Jan  1 00:00 /dev/null', '-rw-r--r--. 1 root root    5 Jan  1 00:00 /etc/hostname', PROMPT]);
    assert.deepEqual(term.run('test -c /dev/watchdog && echo char; test -f /dev/watchdog || echo not-a-file'), ['test -c /dev/watchdog && echo char; test -f /dev/watchdog || echo not-a-file', 'char', 'not-a-file', PROMPT]);
  });

  it('without the device there is no node, and the kernel loads no i6300esb driver', () => {
    const { rt, clock } = setup();
    rt.boot(vmi('web1'), '10.128.2.15');
    const console = terminal(rt, UID);
    clock.advance(bootTime('web1'));
    assert.doesNotMatch(console.pending(), /i6300esb/);
    const { term } = loggedIn('web1');
    assert.deepEqual(term.run('ls -l /dev/watchdog'), ['ls -l /dev/watchdog', "ls: cannot access '/dev/watchdog': No such file or directory", PROMPT]);
    assert.deepEqual(term.run('ls /dev'), ['ls /dev', 'console  null  tty', PROMPT]);
    assert.deepEqual(term.run('test -e /dev/watchdog0 || echo none'), ['test -e /dev/watchdog0 || echo none', 'none', PROMPT]);

    const withDevice = setup();
    withDevice.rt.boot(vmi('web1', { watchdog: 'reset' }), '10.128.2.15');
    const booting = terminal(withDevice.rt, UID);
    withDevice.clock.advance(bootTime('web1'));
    assert.match(booting.pending(), /\] i6300esb: Intel 6300ESB WatchDog Timer Driver v0\.05\n/);
  });

  it('a normal user may not open the watchdog: Permission denied, nothing armed', () => {
    const { rt, term } = loggedIn('web1', { image: FEDORA, watchdog: 'reset' });
    assert.deepEqual(term.run('cat /dev/watchdog'), ['cat /dev/watchdog', 'cat: /dev/watchdog: Permission denied', PROMPT]);
    assert.deepEqual(term.run('echo $?'), ['echo $?', '1', PROMPT]);
    assert.deepEqual(term.run('echo 1 > /dev/watchdog0'), ['echo 1 > /dev/watchdog0', '-bash: /dev/watchdog0: Permission denied', PROMPT]);
    assert.equal(rt.get(UID)!.watchdog?.armed, false);
    assert.deepEqual(term.run('cat /dev/null; echo $?'), ['cat /dev/null; echo $?', '0', PROMPT]);
  });

  it('root: busy while the daemon holds the device', () => {
    const { rt, term } = loggedIn('web1', { watchdog: 'reset' }, 'root');
    assert.deepEqual(term.run('cat /dev/watchdog'), ['cat /dev/watchdog', 'cat: /dev/watchdog: Device or resource busy', ROOT]);
    assert.deepEqual(term.run('echo 1 > /dev/watchdog'), ['echo 1 > /dev/watchdog', '-bash: /dev/watchdog: Device or resource busy', ROOT]);
    assert.deepEqual(rt.get(UID)!.watchdog, { action: 'reset', armed: true, timeoutSeconds: 60 }, 'still fed by the daemon');
  });

  it('root without a daemon: an open arms the device until a magic close; a forgotten one resets the guest', () => {
    const { rt, clock, term } = loggedIn('web1', { image: FEDORA, watchdog: 'reset' }, 'root');
    assert.equal(rt.get(UID)!.watchdog?.armed, false);
    const out = term.run('echo 1 > /dev/watchdog');
    assert.equal(out[0], 'echo 1 > /dev/watchdog');
    assert.match(out[1], /^\[ *\d+\.\d{6}\] watchdog: watchdog0: watchdog did not stop!$/);
    assert.equal(out[2], ROOT);
    let t = clock.now();
    assert.deepEqual(rt.get(UID)!.watchdog, { action: 'reset', armed: true, timeoutSeconds: 60, firesAt: t + 60_000 });
    clock.advance(30);
    assert.deepEqual(term.run('echo V > /dev/watchdog'), ['echo V > /dev/watchdog', ROOT], 'the magic close stops it quietly');
    assert.equal(rt.get(UID)!.watchdog?.armed, false);
    assert.equal(rt.get(UID)!.watchdog?.firesAt, undefined);

    const cat = term.run('cat /dev/watchdog0');
    assert.ok(cat.includes('cat: /dev/watchdog0: Invalid argument'), cat.join('\n'));
    t = clock.now();
    assert.equal(rt.get(UID)!.watchdog?.firesAt, t + 60_000, 'the open alone started the countdown');
    clock.advance(59.9);
    assert.equal(rt.get(UID)!.state, 'Running');
    clock.advance(0.1);
    assert.deepEqual([rt.get(UID)!.state, rt.get(UID)!.bootCount], ['Booting', 2]);
  });

  it('a reboot makes the nodes again; a restored guest has them', () => {
    const { rt, clock, term } = loggedIn('web1', { watchdog: 'reset' }, 'root');
    assert.deepEqual(term.run('rm /dev/watchdog0; ls /dev'), ['rm /dev/watchdog0; ls /dev', 'console  null  tty  watchdog', ROOT]);
    rt.reset!(UID);
    clock.advance(bootTime('web1'));
    const after = terminal(rt, UID);
    after.type('root\r');
    after.type('x\r');
    assert.deepEqual(after.run('ls /dev'), ['ls /dev', 'console  null  tty  watchdog  watchdog0', ROOT]);

    const restored = new GuestRuntime(clock);
    restored.restore(rt.snapshot());
    const again = terminal(restored, UID);
    again.type('root\r');
    again.type('x\r');
    assert.deepEqual(again.run('ls -l /dev/watchdog'), ['ls -l /dev/watchdog', `crw-------. 1 root root 10, 130 ${lsTime(rt.get(UID)!.bootStartedAt)} /dev/watchdog`, ROOT]);
  });
});

/** ls's `Jan  1 00:01`. */
function lsTime(ms: number): string {
  const d = new Date(ms);
  const m = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return `${m} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 16)}`;
}
