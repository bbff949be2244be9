// The lab shell through the terminal WebSocket, as a browser uses it: kubectl,
// oc and virtctl against the session's embedded cluster, curl through the
// cluster's external proxy, the `lab` commands through the shell API, a
// reconnect that replays the screen of the same shell, resize, several tabs
// sharing one persistent home, and exit. In the jail when bubblewrap is
// installed, else in the development mode without it (same environment).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSim, type Sim } from './harness.ts';
import { NO_BWRAP, startFakeProxy, startFakeShellApi, startTerminalServer, TermClient, type TerminalServer } from './terminal-fixture.ts';

let sim: Sim;
let term: TerminalServer;
let proxy: Awaited<ReturnType<typeof startFakeProxy>>;
let shellApi: Awaited<ReturnType<typeof startFakeShellApi>>;
const TOKEN = 'browser-token-alice';

const open = (tab = 'main', o: { cols?: number; rows?: number } = {}): Promise<TermClient> => TermClient.open(term.url, { token: TOKEN, tab, ...o });

before(async () => {
  sim = await startSim({ workers: 2, controlPlanes: 1 });
  proxy = await startFakeProxy();
  shellApi = await startFakeShellApi('shell-token-alice', {
    'GET /api/shell/labs': { exitCode: 0, output: 'ID          KIND    TITLE\nha-review   graded  HA review\n' },
    'POST /api/shell/labs/ha-review/grade': { exitCode: 1, output: 'FAIL  [0/2] vms-running\nScore: 0/20 (0%)\n' },
    'POST /api/shell/labs/ha-review/start': { exitCode: 0, output: 'ha-review is ready\n' },
  });
  term = await startTerminalServer({ unsafeShell: NO_BWRAP !== false });
  term.sessions.set(TOKEN, {
    sessionId: 'alice',
    shellEnv: {
      cluster: { server: sim.api.url, token: sim.token, caPem: sim.api.caPem },
      proxy: proxy.url,
      shellApi: { url: shellApi.url, token: 'shell-token-alice' },
    },
  });
});

after(async () => {
  await term.close();
  await proxy.close();
  await shellApi.close();
  await sim.close();
});

describe('the lab shell', () => {
  it('runs kubectl, oc and virtctl against the session\'s cluster', async () => {
    const t = await open();
    const attached = await t.waitForMessage('attached');
    assert.equal(attached.fresh, true);
    assert.match(await t.run('kubectl get nodes'), /worker-0\s+Ready\s+worker/);
    assert.equal((await t.run('oc whoami')).trim(), 'kube:admin');
    assert.match(await t.run('virtctl version'), /Server Version: .*v1\.3\.1/);
    assert.match(await t.run('echo $KUBECONFIG; kubectl config current-context'), /\.kube\/config\nvirtlab\n/);
    await t.close();
  });

  it('reaches Route hosts through the cluster\'s external proxy with curl', async () => {
    const t = await open();
    const out = await t.run('curl -sS http://web-ha-lab.apps.cluster.example/health');
    assert.equal(out.trim(), 'hello from web-ha-lab.apps.cluster.example');
    assert.ok(proxy.requests.some((r) => r.url === 'http://web-ha-lab.apps.cluster.example/health'), JSON.stringify(proxy.requests));
    await t.close();
  });

  it('runs lab list/start/grade through the shell API with the shell token, and refuses lab solve', async () => {
    const t = await open();
    assert.match(await t.run('lab list'), /ha-review\s+graded\s+HA review/);
    assert.match(await t.run('lab grade ha-review --no-behavioural; echo rc=$?'), /Score: 0\/20 \(0%\)\nrc=1\n/);
    assert.match(await t.run('lab start ha-review; echo rc=$?'), /ha-review is ready\nrc=0\n/);
    const grade = shellApi.requests.find((r) => r.url === '/api/shell/labs/ha-review/grade')!;
    assert.equal(grade.method, 'POST');
    assert.equal(grade.authorization, 'Bearer shell-token-alice');
    assert.deepEqual(JSON.parse(grade.body), { args: ['--no-behavioural'] });
    assert.match(await t.run('lab solve ha-review; echo rc=$?'), /`lab solve` is not available in the lab shell.*\nrc=1\n/);
    await t.close();
  });

  it('reattaches a reconnecting browser to the same shell and replays its screen', async () => {
    const first = await open('replay');
    const pid = (await first.run('echo $$')).trim();
    await first.run('echo "remember-$((6*7))"');
    await first.close();
    const again = await open('replay');
    const attached = await again.waitForMessage('attached');
    assert.equal(attached.fresh, false);
    // The replay alone (no command typed yet) holds the earlier output.
    await again.waitFor('remember-42');
    assert.equal((await again.run('echo $$')).trim(), pid);
    await again.close();
  });

  it('gives the pty the browser\'s size at attach and on resize', async () => {
    const t = await open('sizes', { cols: 120, rows: 40 });
    assert.equal((await t.run('stty size')).trim(), '40 120');
    t.resize(91, 27);
    assert.equal((await t.run('stty size')).trim(), '27 91');
    await t.close();
    const again = await open('sizes', { cols: 100, rows: 33 });
    assert.equal((await again.run('stty size')).trim(), '33 100');
    await again.close();
  });

  it('runs a separate shell per tab, sharing one home that outlives the shells', async () => {
    const a = await open('tab-a');
    const b = await open('tab-b');
    // Jails have their own pid namespaces (every shell can be pid 9): tell shells apart by their variables.
    await a.run('only_here=a');
    assert.equal((await a.run('echo "[$only_here]"')).trim(), '[a]');
    assert.equal((await b.run('echo "[$only_here]"')).trim(), '[]');
    await a.run('echo kept > ~/notes.txt; kubectl config set-context --current --namespace=kube-system >/dev/null');
    assert.equal((await b.run('cat ~/notes.txt')).trim(), 'kept');
    assert.deepEqual(term.manager.tabs('alice').sort(), ['main', 'replay', 'sizes', 'tab-a', 'tab-b']);
    await term.manager.endSession('alice');
    assert.equal((await a.waitForMessage('exit')).reason, 'closed');
    assert.deepEqual(term.manager.tabs('alice'), []);
    const c = await open('tab-c');
    assert.equal((await c.waitForMessage('attached')).fresh, true);
    assert.equal((await c.run('cat ~/notes.txt')).trim(), 'kept');
    // The session's kubeconfig is put back at every start without losing the chosen namespace.
    assert.equal((await c.run('kubectl config view --minify -o jsonpath={..namespace}')).trim(), 'kube-system');
    await c.close();
  });

  it('reaches the shell API over the server\'s unix socket when it has one, and explains a missing proxy', { skip: NO_BWRAP }, async () => {
    const socket = join(term.dataDir, 'server.sock');
    const viaSocket = await startFakeShellApi('shell-token-carol', { 'GET /api/shell/labs': { exitCode: 0, output: 'over the socket\n' } }, socket);
    term.sessions.set('carol-browser', {
      sessionId: 'carol',
      shellEnv: () => ({ cluster: { server: sim.api.url, token: sim.token, caPem: sim.api.caPem }, shellApi: { url: 'http://127.0.0.1:9', token: 'shell-token-carol', socket } }),
    });
    try {
      const t = await TermClient.open(term.url, { token: 'carol-browser' });
      assert.equal(await t.run('lab list'), 'over the socket\n');
      assert.match(await t.run('curl -sS http://web.apps.cluster.example/'), /started before the cluster had an external proxy.*run `lab start <lab>`/);
      await t.close();
    } finally {
      await viaSocket.close();
    }
  });

  it('tells the browser the shell exited, with its code, and starts a new one on the next connect', async () => {
    const t = await open('quits');
    await t.run('true');
    t.type('exit 3\r');
    const exit = await t.waitForMessage('exit');
    assert.deepEqual(exit, { type: 'exit', reason: 'exited', exitCode: 3 });
    assert.equal((await t.closed).code, 1000);
    const next = await open('quits');
    assert.equal((await next.waitForMessage('attached')).fresh, true);
    await next.close();
  });
});
