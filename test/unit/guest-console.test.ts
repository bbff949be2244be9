import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GuestNetwork } from '../../sandbox/sim/guest/types.ts';
import { bootTime, loggedIn, setup, terminal, vmi, outcome } from './guest-fixtures.ts';

const PROMPT = '[fedora@web1 ~]$ ';
const ROOT = '[root@web1 ~]# ';

describe('serial console: boot and login', () => {
  it('shows boot messages, the banner and the login prompt, then logs any user in', () => {
    const { rt, clock } = setup();
    rt.boot(vmi('web1'), '10.128.2.15');
    const term = terminal(rt, 'uid-web1');
    clock.advance(2);
    assert.match(term.pending(), /^\[ {4}0\.000000\] Linux version 6\.11\.4-301\.fc41\.x86_64 /);
    clock.advance(bootTime('web1') - 2);
    const boot = term.pending().split('\n');
    assert.ok(boot.includes('Welcome to Fedora Linux 41 (Cloud Edition)!'));
    assert.ok(boot.includes('[  OK  ] Started httpd.service - The Apache HTTP Server.'));
    assert.deepEqual(boot.slice(-5), ['', 'Fedora Linux 41 (Cloud Edition)', 'Kernel 6.11.4-301.fc41.x86_64 on an x86_64 (ttyS0)', '', 'web1 login: ']);

    assert.equal(term.type('\r'), '\nweb1 login: ');
    assert.equal(term.type('fedora\r'), 'fedora\nPassword: ');
    assert.equal(term.type('secret\r'), `\n${PROMPT}`, 'the password is not echoed');
  });

  it('logs out on exit and greets the next login with the last one', () => {
    const { term } = loggedIn('web1');
    assert.deepEqual(term.run('exit'), ['exit', 'logout', '', 'Fedora Linux 41 (Cloud Edition)', 'Kernel 6.11.4-301.fc41.x86_64 on an x86_64 (ttyS0)', '', 'web1 login: ']);
    term.type('fedora\r');
    assert.deepEqual(term.type('x\r').split('\n'), ['', 'Last login: Thu Jan  1 00:00:30 2026 on ttyS0', PROMPT]);
  });

  it('gives root a # prompt and sudo -i a root shell that exits back', () => {
    const { term } = loggedIn('web1', {}, 'root');
    assert.deepEqual(term.run('whoami'), ['whoami', 'root', ROOT]);
    const user = loggedIn('web1');
    assert.deepEqual(user.term.run('sudo -i'), ['sudo -i', ROOT]);
    assert.deepEqual(user.term.run('whoami'), ['whoami', 'root', ROOT]);
    assert.deepEqual(user.term.run('exit'), ['exit', 'logout', PROMPT]);
  });

  it('a new connection closes the previous one; the login survives a disconnect', () => {
    const { rt, term, uid } = loggedIn('web1');
    let closed = 0;
    term.session.onClose?.(() => closed++);
    const second = terminal(rt, uid);
    assert.equal(closed, 1);
    assert.deepEqual(second.run('whoami'), ['whoami', 'fedora', PROMPT]);
  });
});

describe('serial console: commands', () => {
  it('answers the everyday commands', () => {
    const { term } = loggedIn('web1', { binding: 'masquerade' });
    assert.deepEqual(term.run('hostname'), ['hostname', 'web1', PROMPT]);
    assert.deepEqual(term.run('whoami'), ['whoami', 'fedora', PROMPT]);
    assert.deepEqual(term.run('cat /etc/hostname'), ['cat /etc/hostname', 'web1', PROMPT]);
    assert.deepEqual(term.run('cat /etc/os-release').slice(0, 3), ['cat /etc/os-release', 'NAME="Fedora Linux"', 'VERSION="41 (Cloud Edition)"']);
    assert.deepEqual(term.run('echo hello   world'), ['echo hello   world', 'hello world', PROMPT]);
    assert.deepEqual(term.run('uptime'), ['uptime', ' 00:00:30 up 0 min,  1 user,  load average: 0.00, 0.00, 0.00', PROMPT]);
    assert.deepEqual(term.run('frobnicate --now'), ['frobnicate --now', '-bash: frobnicate: command not found', PROMPT]);
    assert.deepEqual(term.run('echo $?'), ['echo $?', '127', PROMPT]);
    assert.deepEqual(term.run('bash -c "exit 3"; echo $?'), ['bash -c "exit 3"; echo $?', '3', PROMPT]);
    assert.deepEqual(term.run('echo "from $(hostname)" | tee /tmp/x && cat /tmp/x'), ['echo "from $(hostname)" | tee /tmp/x && cat /tmp/x', 'from web1', 'from web1', PROMPT]);
    assert.deepEqual(term.run('clear'), ['clear', `\x1b[H\x1b[2J\x1b[3J${PROMPT}`]);
  });

  it('shows lo and eth0 with the guest address (10.0.2.2 behind masquerade, the pod IP with bridge)', () => {
    const { term } = loggedIn('web1', { binding: 'masquerade' });
    const lines = term.run('ip a');
    assert.equal(lines[1], '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000');
    assert.equal(lines[3], '    inet 127.0.0.1/8 scope host lo');
    assert.equal(lines[7], '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc fq_codel state UP group default qlen 1000');
    assert.match(lines[8], /^ {4}link\/ether 52:54:00(:[0-9a-f]{2}){3} brd ff:ff:ff:ff:ff:ff$/);
    assert.equal(lines[10], '    inet 10.0.2.2/24 brd 10.0.2.255 scope global dynamic noprefixroute eth0');
    const bridged = loggedIn('web1', { binding: 'bridge' });
    assert.equal(bridged.term.run('ip a')[10], '    inet 10.128.2.15/23 brd 10.128.3.255 scope global dynamic noprefixroute eth0');
    assert.deepEqual(bridged.term.run('hostname -I'), ['hostname -I', '10.128.2.15 ', PROMPT]);
  });

  it('runs systemctl with polkit for a normal user and without it under sudo', () => {
    const { rt, term, uid } = loggedIn('web1');
    assert.deepEqual(term.run('systemctl is-active httpd'), ['systemctl is-active httpd', 'active', PROMPT]);
    assert.deepEqual(term.run('systemctl stop httpd'), [
      'systemctl stop httpd',
      '==== AUTHENTICATING FOR org.freedesktop.systemd1.manage-units ====',
      "Authentication is required to stop 'httpd.service'.",
      'Authenticating as: fedora',
      'Password: ',
    ]);
    assert.equal(rt.httpGet(uid, 8080, '/health', 1).ok, true, 'nothing happens before the password');
    assert.equal(term.type('secret\r'), `\n==== AUTHENTICATION COMPLETE ====\n${PROMPT}`);
    assert.equal(rt.httpGet(uid, 8080, '/health', 1).ok, false);
    assert.deepEqual(term.run('systemctl is-active httpd'), ['systemctl is-active httpd', 'inactive', PROMPT]);
    assert.deepEqual(term.run('echo $?'), ['echo $?', '3', PROMPT]);
    assert.deepEqual(term.run('sudo systemctl start httpd'), ['sudo systemctl start httpd', PROMPT]);
    assert.equal(rt.httpGet(uid, 8080, '/health', 1).ok, true);
    assert.deepEqual(term.run('sudo systemctl start nope'), ['sudo systemctl start nope', 'Failed to start nope.service: Unit nope.service not found.', PROMPT]);
  });

  it('prints systemctl status shaped like systemd', () => {
    const { term } = loggedIn('web1');
    const s = term.run('systemctl status httpd');
    assert.equal(s[1], '● httpd.service - The Apache HTTP Server');
    assert.equal(s[2], '     Loaded: loaded (/usr/lib/systemd/system/httpd.service; enabled; preset: disabled)');
    assert.equal(s[3], '     Active: active (running) since Thu 2026-01-01 00:00:30 UTC; 0ms ago');
    assert.ok(s.includes('Jan 01 00:00:30 web1 systemd[1]: Started httpd.service - The Apache HTTP Server.'));
    assert.equal(s.at(-1), PROMPT);
    assert.deepEqual(term.run('systemctl status nope'), ['systemctl status nope', 'Unit nope.service could not be found.', PROMPT]);
  });

  it('curls its own services and reports connection failures like curl 8', () => {
    const { term } = loggedIn('web1');
    assert.deepEqual(term.run('curl -s localhost:8080/health'), ['curl -s localhost:8080/health', 'ok', PROMPT]);
    assert.deepEqual(term.run('curl -I http://web1:8080/health'), [
      'curl -I http://web1:8080/health',
      'HTTP/1.1 200 OK',
      'Date: Thu, 01 Jan 2026 00:00:30 GMT',
      'Server: Apache/2.4.62 (Fedora Linux)',
      'Content-Length: 3',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      PROMPT,
    ]);
    assert.deepEqual(term.run('curl -s -o /dev/null -w "%{http_code}\\n" localhost:8080/nope'), ['curl -s -o /dev/null -w "%{http_code}\\n" localhost:8080/nope', '404', PROMPT]);
    assert.deepEqual(term.run('curl localhost'), ['curl localhost', "curl: (7) Failed to connect to localhost port 80 after 0 ms: Couldn't connect to server", PROMPT]);
    assert.deepEqual(term.run('curl -s localhost'), ['curl -s localhost', PROMPT]);
    assert.deepEqual(term.run('curl http://172.30.94.3/'), ['curl http://172.30.94.3/', "curl: (7) Failed to connect to 172.30.94.3 port 80 after 0 ms: Couldn't connect to server", PROMPT]);
    assert.deepEqual(term.run('getent hosts backend.prod2.svc.cluster.local'), ['getent hosts backend.prod2.svc.cluster.local', PROMPT]);
    assert.deepEqual(term.run('echo $?'), ['echo $?', '2', PROMPT]);
    assert.deepEqual(term.run('getent hosts localhost'), ['getent hosts localhost', '::1             localhost localhost.localdomain localhost6 localhost6.localdomain6', PROMPT]);
  });

  it('reaches the cluster through the network hook', () => {
    const network: GuestNetwork = {
      resolve: (_from, name) => (name === 'backend' || name === 'backend.prod2.svc.cluster.local' ? { name: 'backend.prod2.svc.cluster.local', addresses: ['172.30.94.3'] } : undefined),
      http: (from, req) => {
        if (req.host === '172.30.94.3' || req.host === 'backend') return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: `hello ${from.vmiName} from backend\n` };
        if (req.host === '10.131.0.9') return { error: 'timeout' };
        return { error: 'unresolved' };
      },
    };
    const { term, clock } = loggedIn('web1', {}, 'fedora', network);
    assert.deepEqual(term.run('getent hosts backend'), ['getent hosts backend', '172.30.94.3     backend.prod2.svc.cluster.local', PROMPT]);
    assert.deepEqual(term.run('curl -s backend'), ['curl -s backend', 'hello web1 from backend', PROMPT]);
    assert.deepEqual(term.run('curl http://nowhere.example/'), ['curl http://nowhere.example/', 'curl: (6) Could not resolve host: nowhere.example', PROMPT]);
    assert.deepEqual(term.run('curl -m 5 10.131.0.9:8080'), ['curl -m 5 10.131.0.9:8080', ''], 'busy until the timeout');
    clock.advance(5);
    assert.equal(term.pending(), `curl: (28) Failed to connect to 10.131.0.9 port 8080 after 5001 ms: Timeout was reached\n${PROMPT}`);
  });

  it('hangs the kernel on echo c > /proc/sysrq-trigger, as root only', () => {
    const { rt, term, uid } = loggedIn('web1', { watchdog: 'reset' });
    assert.deepEqual(term.run('sudo echo c > /proc/sysrq-trigger'), ['sudo echo c > /proc/sysrq-trigger', '-bash: /proc/sysrq-trigger: Permission denied', PROMPT]);
    assert.equal(rt.get(uid)!.state, 'Running');
    const panic = term.run('echo c | sudo tee /proc/sysrq-trigger');
    assert.equal(panic[0], 'echo c | sudo tee /proc/sysrq-trigger');
    assert.equal(panic[1], 'c');
    assert.equal(panic[3], '[   30.000000] sysrq: Trigger a crash');
    assert.equal(panic[4], '[   30.000012] Kernel panic - not syncing: sysrq triggered crash');
    assert.equal(panic.at(-2), '[   30.000301] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---');
    assert.equal(panic.at(-1), '', 'no prompt comes back');
    assert.equal(rt.get(uid)!.state, 'Hung');
    assert.equal(term.type('hostname\r'), '', 'a dead kernel echoes nothing');
    assert.equal(outcome(rt.httpGet(uid, 8080, '/health', 1)), 'timeout');

    const root = loggedIn('web1', {}, 'root');
    const lines = root.term.run('echo c > /proc/sysrq-trigger; echo too late');
    assert.equal(root.rt.get(root.uid)!.state, 'Hung');
    assert.ok(!lines.includes('too late'), 'nothing runs after the panic');
  });

  it('installs packages with dnf, asking first', () => {
    const { rt, term, clock, uid } = loggedIn('web1', { image: 'quay.io/containerdisks/fedora:40' });
    assert.deepEqual(term.run('dnf install nginx'), ['dnf install nginx', 'Error: This command has to be run with superuser privileges (under the root user on most systems).', PROMPT]);
    const asked = term.run('sudo dnf install nginx');
    assert.equal(asked.at(-1), 'Is this ok [y/N]: ');
    assert.ok(asked.includes(' nginx                 x86_64    1.26.2-1.fc40            updates       1.7 M'));
    assert.equal(term.type('y\r'), 'y\nDownloading Packages:\n');
    clock.advance(5);
    const done = term.pending().split('\n');
    assert.deepEqual(done.slice(-5), ['Installed:', '  nginx-1.26.2-1.fc40.x86_64', '', 'Complete!', PROMPT]);
    assert.deepEqual(term.run('sudo systemctl enable --now nginx'), ['sudo systemctl enable --now nginx', 'Created symlink /etc/systemd/system/multi-user.target.wants/nginx.service → /usr/lib/systemd/system/nginx.service.', PROMPT]);
    assert.deepEqual(rt.get(uid)!.services.find((s) => s.name === 'nginx'), { name: 'nginx', active: true, enabled: true, port: 80 });
  });

  it('edits the line: backspace, Ctrl-U, Ctrl-C, history', () => {
    const { term, clock } = loggedIn('web1');
    assert.equal(term.type('hostnaxe\x7f\x7fme\r'), `hostnaxe\b \b\b \bme\nweb1\n${PROMPT}`);
    assert.equal(term.type('junk\x15'), 'junk\b \b\b \b\b \b\b \b');
    assert.equal(term.type('\x03'), `^C\n${PROMPT}`);
    assert.deepEqual(term.run('sleep 100'), ['sleep 100', '']);
    clock.advance(50);
    assert.equal(term.type('\x03'), `^C\n${PROMPT}`);
    assert.deepEqual(term.run('echo $?'), ['echo $?', '130', PROMPT]);
    assert.equal(term.type('\x1b[A'), 'echo $?');
    assert.equal(term.type('\r'), `\n0\n${PROMPT}`, 'the previous echo $? succeeded');
  });

  it('runs sleep on guest time and keeps typed-ahead commands', () => {
    const { term, clock } = loggedIn('web1');
    term.run('sleep 2');
    assert.equal(term.type('whoami\r'), 'whoami\n');
    clock.advance(2);
    assert.equal(term.pending(), `${PROMPT}whoami\nfedora\n${PROMPT}`);
  });

  it('speaks busybox on cirros', () => {
    const { term } = loggedIn('c1', { image: 'quay.io/kubevirt/cirros-container-disk-demo' }, 'cirros');
    assert.deepEqual(term.run('systemctl status sshd'), ['systemctl status sshd', '-sh: systemctl: not found', '$ ']);
    assert.deepEqual(term.run('hostname'), ['hostname', 'c1', '$ ']);
  });
});
