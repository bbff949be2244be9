// What a student's shell cannot do from inside its jail: see the project tree
// (graders, solutions), the server's data (database, other homes, other
// sessions' sockets), reach any address but its own exits, or act as root.
// Two sessions, each with its own cluster on one embedded API listener.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { startSim, type Sim } from './harness.ts';
import { NO_BWRAP, startTerminalServer, TermClient, type TerminalServer } from './terminal-fixture.ts';
import { DEFAULT_UID_BASE } from '../../sandbox/shell/jail/homes.ts';

const THIS_FILE = fileURLToPath(import.meta.url);
const PROJECT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

let sim: Sim;
let term: TerminalServer;
let alice: TermClient;
let bob: TermClient;

describe('the lab shell\'s jail', { skip: NO_BWRAP }, () => {
  before(async () => {
    sim = await startSim({ workers: 1, controlPlanes: 1 });
    const other = await sim.host.createCluster({ name: 'bob', clock: sim.clock, topology: { workers: 1, controlPlanes: 1 } });
    await other.settle();
    const bobToken = sim.host.issueToken(other, 'kube:admin');
    // A variable of the server's own environment must not reach the shells.
    process.env.VIRTLAB_SERVER_SECRET = 'server-only';
    term = await startTerminalServer();
    writeFileSync(join(term.dataDir, 'virtlab.sqlite'), 'student grades');
    const cluster = (token: string) => ({ cluster: { server: sim.api.url, token, caPem: sim.api.caPem } });
    term.sessions.set('a', { sessionId: 'alice', shellEnv: cluster(sim.token) });
    term.sessions.set('b', { sessionId: 'bob', shellEnv: cluster(bobToken) });
    alice = await TermClient.open(term.url, { token: 'a' });
    bob = await TermClient.open(term.url, { token: 'b' });
    await bob.run('echo bob-secret > ~/secret.txt; kubectl create namespace bob-only');
  });

  after(async () => {
    delete process.env.VIRTLAB_SERVER_SECRET;
    await term.close();
    await sim.close();
  });

  it('does not show the project tree: graders, solutions and sources are not there', async () => {
    assert.ok(readFileSync(THIS_FILE, 'utf8').length > 0);
    const out = await alice.run(`ls ${PROJECT}; cat ${THIS_FILE}; ls ${PROJECT}/labs/*/solution; echo rc=$?`);
    assert.match(out, new RegExp(`ls: cannot access '${PROJECT}': No such file or directory`));
    assert.match(out, /cat: .*terminal-security\.test\.ts: No such file or directory/);
    assert.match(out, /rc=2\n$/);
    assert.equal((await alice.run('ls /')).split(/\s+/).filter(Boolean).sort().join(' '), 'bin dev etc home lib lib64 opt proc run sbin tmp usr var');
  });

  it('does not show the server\'s data: the database, other homes, other sessions\' run folders', async () => {
    const out = await alice.run(`cat ${term.dataDir}/virtlab.sqlite; ls ${term.dataDir}/homes/bob; cat ${term.dataDir}/homes/bob/secret.txt; ls ${term.dataDir}/run/bob; ls /home; ls /run/virtlab`);
    assert.doesNotMatch(out, /student grades|bob-secret/);
    assert.match(out, /cat: .*virtlab\.sqlite: No such file or directory/);
    assert.match(out, /ls: cannot access .*homes\/bob': No such file or directory/);
    assert.match(out, /ls: cannot access .*run\/bob': No such file or directory/);
    assert.match(out, /\nstudent\n/);
    assert.match(out, /api\.sock\s+etc\s+init\.json\s+kubeconfig\s+proxy\.sock\n$/);
    assert.doesNotMatch(await alice.run('env'), /VIRTLAB_SERVER_SECRET|server-only/);
  });

  it('reaches no other session\'s cluster: its API socket is not there, the shared listener is not reachable, its objects are not visible', async () => {
    const sock = `${term.dataDir}/run/bob/api.sock`;
    const direct = await alice.run(`curl -sS --unix-socket ${sock} -k https://x/version; echo rc=$?; curl -sS --noproxy '*' -m 5 -k ${sim.api.url}/version; echo rc=$?`);
    assert.match(direct, /curl: \(7\) Failed to connect to x port 443 .*\nrc=7\n/);
    assert.match(direct, /curl: \(7\) Failed to connect to 127\.0\.0\.1 port \d+ .*\nrc=7\n$/);
    assert.match(await bob.run('kubectl get namespace bob-only -o name'), /namespace\/bob-only/);
    assert.match(await alice.run('kubectl get namespace bob-only'), /namespaces "bob-only" not found/);
  });

  it('reaches no address outside its loopback: the network namespace has no route', async () => {
    const out = await alice.run(`curl -sS --noproxy '*' -m 5 http://10.0.0.1/; echo rc=$?; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '`);
    assert.match(out, /Failed to connect to 10\.0\.0\.1 port 80 .*\nrc=7\nlo\n$/);
  });

  it('runs as an unprivileged user on a read-only system with a private /tmp', async () => {
    const out = await alice.run('id -u; grep CapEff /proc/self/status; touch /usr/x; touch /x; echo hi >> /etc/passwd; echo ok > /tmp/t && cat /tmp/t; cat /proc/1/comm');
    assert.match(out, /^1000\nCapEff:\s+0000000000000000\n/);
    assert.match(out, /touch: cannot touch '\/usr\/x': Read-only file system/);
    assert.match(out, /touch: cannot touch '\/x': Read-only file system/);
    assert.match(out, /\/etc\/passwd: (Permission denied|Read-only file system)/);
    assert.match(out, /\nok\nbwrap\n$/);
    // On the host the jail is not root either: a root server runs every session as its own uid.
    const shell = await term.manager.shell('alice', 'main')!;
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${shell.pid}/status`, 'utf8'))![1]);
    assert.notEqual(uid, 0);
    if (process.getuid?.() === 0) {
      assert.ok(uid >= DEFAULT_UID_BASE, `host uid ${uid}`);
      // That uid is the session's alone, so a process limit on it holds a fork bomb in the session.
      assert.equal((await alice.run('ulimit -u')).trim(), '512');
      const bobShell = await term.manager.shell('bob', 'main')!;
      const bobUid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${bobShell.pid}/status`, 'utf8'))![1]);
      assert.notEqual(bobUid, uid);
    }
  });
});
