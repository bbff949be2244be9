// Accounts and sessions of the web platform: the first-run setup token, login
// and logout, the session cookie's attributes, CSRF and Origin refusals,
// 401 without a session, instructor-only endpoints, input validation, and the
// WebSocket upgrade hook's checks.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { request } from 'node:http';
import WebSocket from 'ws';
import { Database } from '../../server/db.ts';
import { LoginSessions } from '../../server/login-sessions.ts';
import { Users } from '../../server/users.ts';
import { ApiClient, ADMIN_PASSWORD, classroom, startTestServer, type TestServer } from './server-harness.ts';

/** An upgrade request; resolves with the status line the server answered. */
function upgrade(base: string, path: string, headers: Record<string, string>): Promise<number> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers: { connection: 'Upgrade', upgrade: 'websocket', ...headers } });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('first run without an admin password', () => {
  let t: TestServer;
  before(async () => { t = await startTestServer({ adminPassword: null }); });
  after(async () => { await t.close(); });

  it('prints a one-time setup token that creates the first instructor, once', async () => {
    const token = t.server.bootstrapToken;
    assert.ok(token, 'a setup token is printed');
    const c = new ApiClient(t.server.url);
    assert.equal((await c.get('/api/session')).body.bootstrapPending, true);
    const wrong = await c.post('/api/bootstrap', { token: 'nope', username: 'teacher', password: 'teacher-pass' });
    assert.equal(wrong.status, 403);
    assert.match(String(wrong.body.error), /setup token is wrong/);
    const ok = await c.post<{ user: { role: string } }>('/api/bootstrap', { token, username: 'teacher', password: 'teacher-pass' });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.user.role, 'instructor');
    const again = await new ApiClient(t.server.url).post('/api/bootstrap', { token, username: 'other', password: 'other-pass' });
    assert.equal(again.status, 409);
  });
});

describe('sessions, CSRF and roles', () => {
  let t: TestServer;
  before(async () => { t = await startTestServer(); });
  after(async () => { await t.close(); });

  it('logs in with an httpOnly SameSite=Strict cookie and tells who is logged in', async () => {
    const c = new ApiClient(t.server.url);
    const bad = await c.post('/api/login', { username: 'admin', password: 'wrong-password' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error, 'wrong username or password');
    const r = await c.post<{ csrfToken: string }>('/api/login', { username: 'admin', password: ADMIN_PASSWORD });
    assert.equal(r.status, 200);
    const cookie = r.headers.getSetCookie().find((s) => s.startsWith('virtlab_session='))!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    c.csrf = r.body.csrfToken;
    const me = await c.get<{ user: { username: string; role: string }; csrfToken: string }>('/api/session');
    assert.deepEqual([me.body.user.username, me.body.user.role, me.body.csrfToken], ['admin', 'instructor', c.csrf]);
  });

  it('refuses every change without the CSRF token, with a wrong one, or from another origin', async () => {
    const c = new ApiClient(t.server.url);
    await c.login('admin', ADMIN_PASSWORD);
    const none = await c.post('/api/users', { username: 'x1', password: 'password-1' }, { csrf: null });
    assert.equal(none.status, 403);
    assert.match(String(none.body.error), /missing X-CSRF-Token/);
    const wrong = await c.post('/api/users', { username: 'x1', password: 'password-1' }, { csrf: 'forged' });
    assert.equal(wrong.status, 403);
    const crossSite = await c.post('/api/users', { username: 'x1', password: 'password-1' }, { headers: { origin: 'https://evil.example' } });
    assert.equal(crossSite.status, 403);
    assert.match(String(crossSite.body.error), /cross-origin/);
    const form = await fetch(`${t.server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=admin&password=x' });
    assert.equal(form.status, 400, 'a cross-site form cannot log anyone in');
    assert.equal((await c.get<{ users: unknown[] }>('/api/users')).body.users.length, 1, 'nothing was created');
  });

  it('answers 401 without a session and 403 to a student on instructor endpoints', async () => {
    const anon = new ApiClient(t.server.url);
    for (const path of ['/api/labs', '/api/labs/fixture-web', '/api/topology', '/api/events', '/api/instructor/progress', '/api/instructor/gradebook.csv', '/api/users']) {
      const r = await anon.get(path);
      assert.equal(r.status, 401, path);
      assert.equal(r.body.reason, 'Unauthorized', path);
    }
    assert.equal((await anon.post('/api/labs/fixture-web/start')).status, 401);
    const { students } = await classroom(t.server.url, ['ada']);
    const ada = students.get('ada')!;
    for (const path of ['/api/instructor/progress', '/api/instructor/gradebook.csv', '/api/users', `/api/instructor/students/${ada.id}/topology`]) {
      const r = await ada.get(path);
      assert.equal(r.status, 403, path);
      assert.match(String(r.body.error), /only instructors/);
    }
    assert.equal((await ada.post('/api/users', { username: 'mallory', password: 'password-1', role: 'instructor' })).status, 403);
  });

  it('validates new accounts and names the field', async () => {
    const c = new ApiClient(t.server.url);
    await c.login('admin', ADMIN_PASSWORD);
    const short = await c.post('/api/users', { username: 'bob', password: 'short' });
    assert.equal(short.status, 422);
    assert.equal(short.body.field, 'password');
    assert.match(String(short.body.error), /at least 8 characters/);
    const name = await c.post('/api/users', { username: 'bad name!', password: 'password-1' });
    assert.equal(name.body.field, 'username');
    const extra = await c.post('/api/users', { username: 'bob', password: 'password-1', admin: true });
    assert.equal(extra.status, 422);
    assert.equal((await c.post('/api/users', { username: 'bob', password: 'password-1' })).status, 201);
    const dup = await c.post('/api/users', { username: 'BOB', password: 'password-1' });
    assert.equal(dup.status, 409);
    const json = await fetch(`${t.server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    assert.equal(json.status, 400);
  });

  it('logs out: the cookie is cleared and the old session no longer works', async () => {
    const c = new ApiClient(t.server.url);
    await c.login('admin', ADMIN_PASSWORD);
    const stolen = new Map(c.cookies);
    assert.equal((await c.post('/api/logout')).status, 200);
    assert.equal(c.cookies.has('virtlab_session'), false);
    const replay = new ApiClient(t.server.url);
    for (const [k, v] of stolen) replay.cookies.set(k, v);
    assert.equal((await replay.get('/api/users')).status, 401);
  });

  it('lets only a logged-in user from our own origin through a WebSocket upgrade', async () => {
    const seen: string[] = [];
    t.server.onUpgrade('/api/terminals/', (_req, socket, _head, session) => {
      seen.push(session.user.username);
      socket.end('HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n');
    });
    const c = new ApiClient(t.server.url);
    await c.login('admin', ADMIN_PASSWORD);
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const origin = t.server.url;
    assert.equal(await upgrade(t.server.url, '/api/terminals/1', { origin }), 401, 'no session');
    assert.equal(await upgrade(t.server.url, '/api/terminals/1', { cookie, origin: 'http://evil.example' }), 403, 'foreign origin');
    assert.equal(await upgrade(t.server.url, '/api/terminals/1', { cookie }), 403, 'no origin at all');
    assert.equal(await upgrade(t.server.url, '/api/elsewhere', { cookie, origin }), 404);
    assert.equal(await upgrade(t.server.url, '/api/terminals/1', { cookie, origin }), 101);
    assert.deepEqual(seen, ['admin']);
  });
});

describe('terminals after sign-out', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ terminalPingSeconds: 0.05 });
    // A root server's jailed shells (their own uids) must walk down to their homes.
    chmodSync(t.dir, 0o711);
  });
  after(async () => { await t.close(); });

  it('closes the terminal WebSocket of a login that signed out, and only that one', async () => {
    const open = async (c: ApiClient): Promise<{ ws: WebSocket; closed: Promise<number>; messages: string[] }> => {
      const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const ws = new WebSocket(`${t.server.url.replace('http:', 'ws:')}/api/terminals/main`, { headers: { cookie, origin: t.server.url } });
      const messages: string[] = [];
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (d, binary) => {
          if (binary) return;
          messages.push(d.toString());
          if (messages.some((m) => m.includes('"attached"'))) resolve();
        });
        ws.once('error', reject);
      });
      return { ws, closed, messages };
    };
    const leaving = new ApiClient(t.server.url);
    await leaving.login('admin', ADMIN_PASSWORD);
    const staying = new ApiClient(t.server.url);
    await staying.login('admin', ADMIN_PASSWORD);
    const gone = await open(leaving);
    const kept = await open(staying);
    assert.equal((await leaving.post('/api/logout')).status, 200);
    assert.equal(await gone.closed, 1008);
    assert.ok(gone.messages.some((m) => m.includes('you are signed out')), gone.messages.join('\n'));
    // Three more pings (each one a sign-in check) later, the other login's terminal is still open.
    await new Promise<void>((resolve) => {
      let pings = 0;
      kept.ws.on('ping', () => { if (++pings === 3) resolve(); });
    });
    assert.equal(kept.ws.readyState, WebSocket.OPEN);
    kept.ws.close();
    await kept.closed;
  });
});

describe('login sessions', () => {
  it('sweeps expired sessions at every login, so the table does not grow with logins never seen again', async () => {
    const db = await Database.open(':memory:');
    try {
      const users = new Users(db);
      const user = await users.create({ username: 'ada', password: 'password-1', role: 'student' });
      const expiring = new LoginSessions(db, users, -1);
      await expiring.create(user);
      await expiring.create(user);
      const live = await new LoginSessions(db, users).create(user);
      const rows = await db.all<{ id: string }>('SELECT id FROM sessions');
      assert.deepEqual(rows.map((r) => r.id), [live.session.id]);
    } finally {
      await db.close();
    }
  });
});
