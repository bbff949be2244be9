// The shell-API token a jail holds: one per jail (every tab reads it from the
// jail's run folder), revoked when the jail's last shell ends, and none left
// valid after a server restart (no shell outlives the server).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import { startServer } from '../../server/server.ts';
import { ApiClient, ADMIN_PASSWORD, FIXTURE_LABS, startTestServer, type TestServer } from './server-harness.ts';
import { NO_BWRAP, plain } from './terminal-fixture.ts';

interface Tab {
  ws: WebSocket;
  output(): string;
  type(text: string): void;
  closed: Promise<void>;
}

async function openTab(t: TestServer, c: ApiClient, tab: string): Promise<Tab> {
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const ws = new WebSocket(`${t.server.url.replace('http:', 'ws:')}/api/terminals/${tab}`, { headers: { cookie, origin: t.server.url } });
  let out = '';
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (d: Buffer, binary) => {
      if (binary) {
        out += d.toString('utf8');
        ws.send(JSON.stringify({ type: 'ack', bytes: d.length }));
      } else if (d.toString().includes('"attached"')) resolve();
    });
    ws.once('error', reject);
  });
  return { ws, output: () => plain(out), type: (text) => ws.send(JSON.stringify({ type: 'input', data: text })), closed };
}

/** Types a command and waits for a line the marker starts; returns what follows the marker on it. */
async function ask(tab: Tab, command: string, marker: string): Promise<string> {
  tab.type(`${command}\r`);
  const rx = new RegExp(`^${marker}(\\S+)$`, 'm');
  for (let i = 0; i < 400; i++) {
    const m = rx.exec(tab.output());
    if (m) return m[1];
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no ${marker} line after ${command}; the terminal shows: ${tab.output().slice(-500)}`);
}

const shellStatus = (t: TestServer, token: string): Promise<number> =>
  fetch(`${t.server.url}/api/shell/labs`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

describe('shell tokens', { skip: NO_BWRAP }, () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    chmodSync(t.dir, 0o711);
  });
  after(async () => { await t.close(); });

  it('gives every tab of a jail the same token and revokes it when the last shell ends', async () => {
    const c = new ApiClient(t.server.url);
    await c.login('admin', ADMIN_PASSWORD);
    const first = await openTab(t, c, 'one');
    const token = await ask(first, 'echo "TOKEN=$(sed -n \'s/.*"token":"\\([^"]*\\)".*/\\1/p\' "$VIRTLAB_SHELL_API")"', 'TOKEN=');
    const second = await openTab(t, c, 'two');
    assert.equal(await ask(second, 'echo "SAME=$(sed -n \'s/.*"token":"\\([^"]*\\)".*/\\1/p\' "$VIRTLAB_SHELL_API")"', 'SAME='), token);
    assert.equal(await shellStatus(t, token), 200);

    first.type('exit\r');
    await first.closed;
    assert.equal(await shellStatus(t, token), 200, 'one shell of the jail still runs');
    second.type('exit\r');
    await second.closed;
    let status = 0;
    for (let i = 0; i < 200 && status !== 401; i++) {
      status = await shellStatus(t, token);
      if (status !== 401) await new Promise<void>((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(status, 401, 'the token of a closed jail is revoked');

    const again = await openTab(t, c, 'one');
    const fresh = await ask(again, 'echo "NEW=$(sed -n \'s/.*"token":"\\([^"]*\\)".*/\\1/p\' "$VIRTLAB_SHELL_API")"', 'NEW=');
    assert.notEqual(fresh, token);
    assert.equal(await shellStatus(t, fresh), 200);
    again.ws.close();
  });
});

describe('shell tokens across a restart', () => {
  it('are all dead when the server starts again: their shells ended with the old process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-shell-tokens-'));
    const start = () => startServer({
      port: 0, dataDir: join(dir, 'data'), labsDir: FIXTURE_LABS, adminPassword: ADMIN_PASSWORD,
      clockFor: () => new ManualClock(Date.now()), clusterTopology: { workers: 2, controlPlanes: 1 }, webRoot: join(dir, 'no-web'), log: () => {},
    });
    try {
      const first = await start();
      const user = { id: 1, username: 'admin', displayName: 'admin', role: 'instructor' as const, createdAt: '' };
      const { shellApi } = await first.shellAccess(user);
      const status = (url: string) => fetch(`${url}/api/shell/labs`, { headers: { authorization: `Bearer ${shellApi.token}` } }).then((r) => r.status);
      assert.equal(await status(first.url), 200);
      await first.close();
      const second = await start();
      try {
        assert.equal(await status(second.url), 401);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
