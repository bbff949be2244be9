// The lab shell's jail as a command line and an environment: what is bound
// (and how), the uid drop for a root server, the kubeconfig the jail uses, and
// session ids that cannot name a folder.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { jailArgv } from '../../sandbox/shell/jail/jail.ts';
import { sessionFolderName } from '../../sandbox/shell/jail/layout.ts';
import { shellKubeconfig } from '../../sandbox/shell/jail/session-files.ts';
import { shellVariables } from '../../sandbox/shell/jail/shell-env.ts';

const spec = {
  bwrap: '/usr/bin/bwrap',
  home: '/data/homes/s1',
  run: '/data/run/s1',
  tools: '/data/shell-tools/abc',
  system: [
    { kind: 'ro-bind' as const, source: '/usr', dest: '/usr' },
    { kind: 'symlink' as const, target: 'usr/bin', dest: '/bin' },
  ],
  jailUid: 1000,
  jailGid: 1000,
  command: ['/usr/bin/node', '/opt/virtlab/lib/jail-init.cjs', '/run/virtlab/init.json'],
};

/** The value after a flag, or the values of every occurrence of a two-argument flag. */
const pairs = (args: string[], flag: string): [string, string][] => args.flatMap((a, i) => (a === flag ? [[args[i + 1], args[i + 2]] as [string, string]] : []));

test('unshares every namespace, binds the system read-only, the home read-write, and ends read-only', () => {
  const { file, args } = jailArgv(spec);
  assert.equal(file, '/usr/bin/bwrap');
  for (const flag of ['--unshare-all', '--die-with-parent']) assert.ok(args.includes(flag), flag);
  assert.ok(!args.includes('--share-net'));
  assert.ok(!args.includes('--new-session'), 'the shell keeps the pty as its controlling terminal');
  assert.deepEqual(pairs(args, '--bind'), [['/data/homes/s1', '/home/student']]);
  assert.deepEqual(pairs(args, '--ro-bind').filter(([s]) => s.startsWith('/data')), [
    ['/data/run/s1/etc/passwd', '/etc/passwd'],
    ['/data/run/s1/etc/group', '/etc/group'],
    ['/data/run/s1/etc/hosts', '/etc/hosts'],
    ['/data/run/s1/etc/hostname', '/etc/hostname'],
    ['/data/run/s1', '/run/virtlab'],
    ['/data/shell-tools/abc', '/opt/virtlab'],
  ]);
  assert.deepEqual(pairs(args, '--symlink'), [['usr/bin', '/bin']]);
  const sep = args.indexOf('--');
  assert.deepEqual(args.slice(sep - 2, sep), ['--remount-ro', '/']);
  assert.deepEqual(args.slice(sep + 1), spec.command);
  assert.deepEqual(args.slice(args.indexOf('--uid'), args.indexOf('--uid') + 4), ['--uid', '1000', '--gid', '1000']);
});

test('a root server drops to the session uid with setpriv before bwrap', () => {
  const { file, args } = jailArgv({ ...spec, dropTo: { setpriv: '/usr/bin/setpriv', uid: 3000007, gid: 3000007 } });
  assert.equal(file, '/usr/bin/setpriv');
  assert.deepEqual(args.slice(0, 7), ['--reuid=3000007', '--regid=3000007', '--clear-groups', '--no-new-privs', '--bounding-set=-all', '--', '/usr/bin/bwrap']);
  const limited = jailArgv({ ...spec, dropTo: { setpriv: '/usr/bin/setpriv', uid: 3000007, gid: 3000007 }, processLimit: { prlimit: '/usr/bin/prlimit', nproc: 512 } });
  assert.equal(limited.file, '/usr/bin/prlimit');
  assert.deepEqual(limited.args.slice(0, 4), ['--nproc=512:512', '--', '/usr/bin/setpriv', '--reuid=3000007']);
});

test('the jail\'s kubeconfig points at its own loopback, keeping a remote API\'s name for TLS', () => {
  const local = parseYaml(shellKubeconfig({ cluster: { server: 'https://127.0.0.1:40123', token: 't0k', caPem: 'PEM' } }, 'jail'));
  assert.equal(local.clusters[0].cluster.server, 'https://127.0.0.1:6443');
  assert.equal(local.clusters[0].cluster['certificate-authority-data'], Buffer.from('PEM').toString('base64'));
  assert.equal(local.clusters[0].cluster['tls-server-name'], undefined);
  assert.deepEqual(local.users, [{ name: 'student', user: { token: 't0k' } }]);
  assert.equal(local['current-context'], 'virtlab');
  const remote = parseYaml(shellKubeconfig({ cluster: { server: 'https://api.ocp.example.com:6443', token: 't' } }, 'jail'));
  assert.equal(remote.clusters[0].cluster['tls-server-name'], 'api.ocp.example.com');
  const unsafe = parseYaml(shellKubeconfig({ cluster: { server: 'https://127.0.0.1:40123', token: 't' } }, 'unsafe'));
  assert.equal(unsafe.clusters[0].cluster.server, 'https://127.0.0.1:40123');
});

test('the shell\'s environment: tools first on the PATH, proxies to the jail\'s loopback, the API never proxied', () => {
  const env = shellVariables({ mode: 'jail', home: '/home/student', run: '/run/virtlab', toolsBin: '/opt/virtlab/bin', extraPath: ['/opt/virtlab-kubectl'] });
  assert.equal(env.PATH.split(':').slice(0, 2).join(':'), '/opt/virtlab/bin:/opt/virtlab-kubectl');
  assert.equal(env.KUBECONFIG, '/home/student/.kube/config');
  assert.equal(env.http_proxy, 'http://127.0.0.1:3128');
  assert.equal(env.HTTP_PROXY, 'http://127.0.0.1:3128');
  assert.match(env.NO_PROXY, /127\.0\.0\.1/);
  assert.equal(env.VIRTLAB_SHELL_API, '/run/virtlab/shell-api.json');
  const unsafe = shellVariables({ mode: 'unsafe', home: '/d/homes/s', run: '/d/run/s', toolsBin: '/d/t/bin', extraPath: [] });
  assert.equal(unsafe.http_proxy, undefined, 'no proxy known: none set');
});

test('session ids name folders only when they are plain', () => {
  assert.equal(sessionFolderName('s-1_a.b'), 's-1_a.b');
  for (const bad of ['', '../x', 'a/b', '.hidden', 'a..b', 'x'.repeat(129)]) {
    assert.throws(() => sessionFolderName(bad), /cannot name a folder/, bad);
  }
});
