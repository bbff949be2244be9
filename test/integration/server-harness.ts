// The web platform in this process for tests: a fresh data folder, the
// fixture lab pack, embedded clusters on a manual clock (small: 2 workers, 1
// control plane), and a client that keeps cookies and sends the CSRF token the
// way the page does.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import { startServer, type RunningServer } from '../../server/server.ts';

export const FIXTURE_LABS = fileURLToPath(new URL('../fixtures/labs', import.meta.url));
export const ADMIN_PASSWORD = 'instructor-pass-1';

export interface TestServer {
  server: RunningServer;
  dir: string;
  clocks: ManualClock[];
  close(): Promise<void>;
}

export async function startTestServer(opts: { adminPassword?: string | null; terminalPingSeconds?: number } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'virtlab-server-'));
  const clocks: ManualClock[] = [];
  const server = await startServer({
    port: 0,
    socketPath: join(dir, 'server.sock'),
    dataDir: join(dir, 'data'),
    labsDir: FIXTURE_LABS,
    ...(opts.adminPassword === null ? {} : { adminPassword: opts.adminPassword ?? ADMIN_PASSWORD }),
    ...(opts.terminalPingSeconds !== undefined ? { terminalPingSeconds: opts.terminalPingSeconds } : {}),
    clockFor: () => {
      const c = new ManualClock(Date.now());
      clocks.push(c);
      return c;
    },
    clusterTopology: { workers: 2, controlPlanes: 1 },
    webRoot: join(dir, 'no-web'),
    log: () => {},
  });
  return {
    server, dir, clocks,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/** A browser-like client: cookies kept, X-CSRF-Token sent on changes once logged in. */
export class ApiClient {
  readonly cookies = new Map<string, string>();
  csrf?: string;

  constructor(public base: string) {}

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, opts: { csrf?: string | null; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = opts.csrf === null ? undefined : opts.csrf ?? this.csrf;
    if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (/Max-Age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // CSV and other text stay text.
    }
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  }

  get<T = Record<string, unknown>>(path: string): Promise<Answer<T>> {
    return this.request<T>('GET', path);
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown, opts?: { csrf?: string | null; headers?: Record<string, string> }): Promise<Answer<T>> {
    return this.request<T>('POST', path, body, opts);
  }

  async login(username: string, password: string): Promise<Answer> {
    const r = await this.post('/api/login', { username, password });
    if (r.status === 200) this.csrf = (r.body as { csrfToken: string }).csrfToken;
    return r;
  }
}

/** Logs in the instructor and creates students; returns their clients. */
export async function classroom(base: string, students: string[]): Promise<{ instructor: ApiClient; students: Map<string, ApiClient & { id: number }> }> {
  const instructor = new ApiClient(base);
  const r = await instructor.login('admin', ADMIN_PASSWORD);
  if (r.status !== 200) throw new Error(`instructor login failed: ${r.text}`);
  const out = new Map<string, ApiClient & { id: number }>();
  for (const name of students) {
    const created = await instructor.post<{ user: { id: number } }>('/api/users', { username: name, password: `${name}-password` });
    if (created.status !== 201) throw new Error(`creating ${name} failed: ${created.text}`);
    const c = Object.assign(new ApiClient(base), { id: created.body.user.id });
    const l = await c.login(name, `${name}-password`);
    if (l.status !== 200) throw new Error(`${name} login failed: ${l.text}`);
    out.set(name, c);
  }
  return { instructor, students: out };
}
