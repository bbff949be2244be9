// A shell's life around its connections: it ends after the idle time with no
// browser attached (on an injected timer, no waiting), an attached browser
// keeps it; refused connections (Origin, sign-in, tab id, size) and bad
// messages; and the rule that without bubblewrap no shell starts unless the
// server was started with --unsafe-shell, in which case it runs unjailed with
// the same environment.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NO_BWRAP_MESSAGE, ShellUnavailableError } from '../../sandbox/shell/jail/bubblewrap.ts';
import type { Timers } from '../../server/terminal/shell.ts';
import { startSim, type Sim } from './harness.ts';
import { NO_BWRAP, startTerminalServer, TermClient, type TerminalServer } from './terminal-fixture.ts';

/** Timers the test fires by hand. */
class ManualTimers implements Timers {
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Timers armed for this duration. */
  armed(ms: number): number {
    return [...this.pending.values()].filter((t) => t.ms === ms).length;
  }
  fire(ms: number): void {
    for (const [id, t] of [...this.pending]) {
      if (t.ms !== ms) continue;
      this.pending.delete(id);
      t.fn();
    }
  }
}

/** Resolves once the server side has caught up with an event (a close it has not processed yet). */
async function eventually(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

const IDLE_MS = 10 * 60_000;
let sim: Sim;

before(async () => { sim = await startSim({ workers: 1, controlPlanes: 1 }); });
after(async () => { await sim.close(); });

const env = () => ({ cluster: { server: sim.api.url, token: sim.token, caPem: sim.api.caPem } });

describe('idle shells', () => {
  let term: TerminalServer;
  const timers = new ManualTimers();
  before(async () => {
    term = await startTerminalServer({ unsafeShell: NO_BWRAP !== false, idleTimeoutMs: IDLE_MS, timers });
    term.sessions.set('t', { sessionId: 'idler', shellEnv: env() });
  });
  after(async () => { await term.close(); });

  it('keeps a shell while a browser is attached and for the idle time after it left, then ends it', async () => {
    const t = await TermClient.open(term.url, { token: 't' });
    await t.run('echo started');
    const shell = await term.manager.shell('idler', 'main')!;
    assert.equal(timers.armed(IDLE_MS), 0, 'no idle timer while a browser is attached');
    await t.close();
    await eventually(() => shell.clientCount === 0, 'the server to see the browser leave');
    assert.equal(timers.armed(IDLE_MS), 1);

    // Back before the idle time: the timer is off again and the shell is the same.
    const back = await TermClient.open(term.url, { token: 't' });
    assert.equal((await back.waitForMessage('attached')).fresh, false);
    assert.equal(timers.armed(IDLE_MS), 0);
    await back.close();
    await eventually(() => shell.clientCount === 0, 'the server to see the browser leave');

    timers.fire(IDLE_MS);
    assert.deepEqual((await shell.done).reason, 'idle');
    assert.deepEqual(term.manager.tabs('idler'), []);
    const fresh = await TermClient.open(term.url, { token: 't' });
    assert.equal((await fresh.waitForMessage('attached')).fresh, true);
    await fresh.close();
  });
});

describe('connections', () => {
  let term: TerminalServer;
  before(async () => {
    term = await startTerminalServer({ unsafeShell: NO_BWRAP !== false });
    term.sessions.set('t', { sessionId: 'conn', shellEnv: env() });
  });
  after(async () => { await term.close(); });

  it('refuses other sites, unauthenticated requests, bad tab ids and sizes before upgrading', async () => {
    const refused = async (o: Parameters<typeof TermClient.open>[1]): Promise<number> => {
      try {
        await TermClient.open(term.url, o);
      } catch (e) {
        return (e as { status: number }).status;
      }
      return 101;
    };
    const port = new URL(term.url).port;
    assert.equal(await refused({ token: 't', origin: 'https://evil.example' }), 403);
    assert.equal(await refused({ token: 'nobody' }), 401);
    assert.equal(await refused({ token: 't', tab: '..%2F..' }), 400);
    assert.equal(await refused({ token: 't', cols: 0 }), 400);
    assert.equal(await refused({ token: 't', rows: 100_000 }), 400);
    // The page's own origin is accepted.
    const ok = await TermClient.open(term.url, { token: 't', origin: `http://127.0.0.1:${port}` });
    await ok.waitForMessage('attached');
    await ok.close();
  });

  it('answers a malformed message with an error and keeps the shell', async () => {
    const t = await TermClient.open(term.url, { token: 't', tab: 'bad-messages' });
    await t.waitForMessage('attached');
    t.ws.send('{"type":"resize","cols":-1,"rows":5}');
    const err = await t.waitForMessage('error');
    assert.equal(err.message, 'resize: cols must be 1..1000 and rows 1..500');
    assert.equal((await t.run('echo still-$((1+1))')).trim(), 'still-2');
    await t.close();
  });
});

describe('without bubblewrap', () => {
  const noBwrap = (): never => { throw new ShellUnavailableError(NO_BWRAP_MESSAGE); };

  it('refuses to start a shell, saying how to fix it', async () => {
    const term = await startTerminalServer({ findJail: noBwrap });
    term.sessions.set('t', { sessionId: 'refused', shellEnv: env() });
    try {
      const t = await TermClient.open(term.url, { token: 't' });
      const err = await t.waitForMessage('error');
      assert.equal(err.message, NO_BWRAP_MESSAGE);
      assert.match(err.message, /Install it \(apt-get install bubblewrap\) or, for development on a trusted machine only, start the server with --unsafe-shell/);
      assert.equal((await t.closed).code, 1011);
      assert.deepEqual(term.manager.tabs('refused'), []);
      assert.throws(() => term.manager.shellMode(), ShellUnavailableError);
    } finally {
      await term.close();
    }
  });

  it('runs the shell unjailed, with the same tools and environment, only with --unsafe-shell', async () => {
    const term = await startTerminalServer({ findJail: noBwrap, unsafeShell: true });
    term.sessions.set('t', { sessionId: 'unsafe', shellEnv: env() });
    try {
      assert.equal(term.manager.shellMode(), 'unsafe');
      const t = await TermClient.open(term.url, { token: 't' });
      assert.equal((await t.run('echo $HOME')).trim(), `${term.dataDir}/homes/unsafe`);
      assert.match(await t.run('kubectl get nodes'), /worker-0\s+Ready/);
      assert.equal((await t.run('oc whoami')).trim(), 'kube:admin');
      assert.match(await t.run('type lab virtctl'), /lab is .*shell-tools\/[0-9a-f]+\/bin\/lab\nvirtctl is .*\/bin\/virtctl/);
      await t.close();
    } finally {
      await term.close();
    }
  });
});
