// A terminal server for tests: an HTTP server with the terminal WebSocket
// mounted (sessions picked by a bearer token), a TerminalManager on a private
// data dir, and a WebSocket client that reads output, acknowledges it (or
// not) and types like a browser would.

import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { findExecutable } from '../../sandbox/shell/jail/system-view.ts';
import { mountTerminals, sameOrigin, type TerminalAuth } from '../../server/terminal/gateway.ts';
import { TerminalManager, type TerminalManagerOptions } from '../../server/terminal/manager.ts';
import type { ServerMessage } from '../../server/terminal/protocol.ts';

/** Why the jail tests are skipped, or false when they run. */
export const NO_BWRAP: string | false = findExecutable('bwrap', `${process.env.PATH ?? ''}:/usr/bin:/bin`)
  ? false
  : 'bubblewrap (bwrap) is not installed: the jail cannot be tested here (apt-get install bubblewrap)';

export interface TerminalServer {
  manager: TerminalManager;
  server: Server;
  url: string;
  dataDir: string;
  /** Sessions by bearer token. */
  sessions: Map<string, TerminalAuth>;
  close(): Promise<void>;
}

export async function startTerminalServer(opts: Partial<TerminalManagerOptions> = {}): Promise<TerminalServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'virtlab-term-'));
  // Session uids must walk down to their homes.
  chmodSync(dataDir, 0o711);
  const manager = new TerminalManager({ ...opts, dataDir });
  const sessions = new Map<string, TerminalAuth>();
  const server = createServer((_req, res) => { res.writeHead(404).end(); });
  mountTerminals(server, {
    manager,
    authenticate: (req: IncomingMessage) => {
      const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
      return m ? sessions.get(m[1]) : undefined;
    },
    checkOrigin: sameOrigin,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    manager,
    server,
    url: `ws://127.0.0.1:${port}`,
    dataDir,
    sessions,
    close: async () => {
      await manager.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Output without escape sequences (what a person reads). */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78MDEHc]/g, '').replace(/\r/g, '');
}

export interface TermClientOptions {
  token: string;
  tab?: string;
  cols?: number;
  rows?: number;
  origin?: string;
  /** Acknowledge output as it arrives (default true). */
  autoAck?: boolean;
  /** With autoAck, acknowledge once this many bytes are unacknowledged (default: every frame). */
  ackEvery?: number;
}

export class TermClient {
  readonly messages: ServerMessage[] = [];
  /** Output kept for reading: whole frames, the oldest dropped past 4 MiB. */
  private chunks: Buffer[] = [];
  private kept = 0;
  private rawText: string | undefined;
  received = 0;
  acked = 0;
  /** Largest received-but-unacknowledged count seen. */
  maxUnacked = 0;
  /** Output frames (binary). */
  frames = 0;
  autoAck: boolean;
  ackEvery: number;
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket, autoAck: boolean, ackEvery: number) {
    this.autoAck = autoAck;
    this.ackEvery = ackEvery;
    ws.on('message', (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      if (isBinary) {
        this.frames++;
        this.received += buf.length;
        // Keep only a tail of the text: a flood must not make the test itself grow without bound.
        this.chunks.push(buf);
        this.kept += buf.length;
        while (this.kept > 4 * 1024 * 1024 && this.chunks.length > 1) this.kept -= this.chunks.shift()!.length;
        this.rawText = undefined;
        this.maxUnacked = Math.max(this.maxUnacked, this.received - this.acked);
        if (this.autoAck && this.received - this.acked >= this.ackEvery) this.ack();
      } else {
        this.messages.push(JSON.parse(buf.toString('utf8')) as ServerMessage);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const w of this.waiters.splice(0)) w();
    }));
  }

  static open(base: string, o: TermClientOptions): Promise<TermClient> {
    const q = `cols=${o.cols ?? 100}&rows=${o.rows ?? 30}`;
    const headers: Record<string, string> = { authorization: `Bearer ${o.token}` };
    if (o.origin) headers.origin = o.origin;
    const ws = new WebSocket(`${base}/api/terminals/${o.tab ?? 'main'}?${q}`, { headers });
    const client = new TermClient(ws, o.autoAck ?? true, o.ackEvery ?? 0);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d; });
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
      });
      ws.once('error', reject);
    });
  }

  /** All output so far, as text with escape sequences. */
  get text(): string {
    this.rawText ??= Buffer.concat(this.chunks).toString('utf8');
    return this.rawText;
  }

  /** The last bytes of output as text (cheap: for checks at every frame of a flood). */
  tail(bytes: number): string {
    let out = '';
    for (let i = this.chunks.length - 1; i >= 0 && out.length < bytes; i--) out = this.chunks[i].toString('latin1') + out;
    return out.slice(-bytes);
  }

  get screenText(): string {
    return plain(this.text);
  }

  ack(bytes = this.received - this.acked): void {
    if (bytes <= 0) return;
    this.acked += bytes;
    this.ws.send(JSON.stringify({ type: 'ack', bytes }));
  }

  type(text: string): void {
    this.ws.send(JSON.stringify({ type: 'input', data: text }));
  }

  /** Runs a command line and resolves with its output: the text between two markers it echoes. */
  async run(command: string, timeoutMs = 30_000): Promise<string> {
    const id = Math.random().toString(36).slice(2, 8);
    // The markers are computed by the shell, so the echoed command line never matches them.
    this.type(`echo "<<$((1+0))${id}"; ${command}; echo "$((1+0))${id}>>"\r`);
    const re = new RegExp(`<<1${id}\\n([\\s\\S]*?)1${id}>>`);
    await this.waitFor(re, timeoutMs);
    return re.exec(this.screenText)![1];
  }

  /** Runs a command with a large output and resolves once it finished (its output is not kept whole). */
  async runFlood(command: string, timeoutMs = 120_000): Promise<void> {
    const id = Math.random().toString(36).slice(2, 8);
    this.type(`${command}; echo "$((1+0))${id}>>"\r`);
    await this.until(() => this.tail(1024).includes(`1${id}>>`), `the end of ${command}`, timeoutMs);
  }

  resize(cols: number, rows: number): void {
    this.ws.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  /** Resolves when the condition holds (checked at every message), or rejects after the timeout. */
  until(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; output:\n${this.screenText.slice(-3000)}\nmessages: ${JSON.stringify(this.messages)}`)), timeoutMs);
      const check = (): void => {
        if (cond()) {
          clearTimeout(timer);
          resolve();
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  waitFor(pattern: string | RegExp, timeoutMs = 30_000): Promise<void> {
    return this.until(() => (typeof pattern === 'string' ? this.screenText.includes(pattern) : pattern.test(this.screenText)), String(pattern), timeoutMs);
  }

  waitForMessage<T extends ServerMessage['type']>(type: T, timeoutMs = 30_000): Promise<Extract<ServerMessage, { type: T }>> {
    return this.until(() => this.messages.some((m) => m.type === type), `a ${type} message`, timeoutMs)
      .then(() => this.messages.find((m) => m.type === type) as Extract<ServerMessage, { type: T }>);
  }

  close(): Promise<unknown> {
    this.ws.close();
    return this.closed;
  }
}

export interface Recorded {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

/** A stand-in for a cluster's external proxy: answers every proxied request with the host it asked for. */
export async function startFakeProxy(): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', body: '' });
    const host = new URL(req.url ?? '/', 'http://unknown').host;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello from ${host}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The web server's shell API as server/README.md describes it, answering from a table. */
export async function startFakeShellApi(token: string, answers: Record<string, { exitCode: number; output: string }>, socketPath?: string): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d; });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'unauthorized' }));
        return;
      }
      const answer = answers[`${req.method} ${req.url}`];
      if (!answer) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `no lab answers ${req.url}` }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  if (socketPath) {
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return {
      url: 'http://127.0.0.1:9',
      requests,
      close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
