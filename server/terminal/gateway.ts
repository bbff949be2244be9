// The terminal WebSocket on the web server: `GET /api/terminals/:tab` upgraded
// after the Origin check and the server's own authentication (which names
// the session and what its shell connects to), then attached to that tab's
// shell. A server that checks Origin and sessions itself hands authenticated
// upgrades to acceptTerminal. Messages: protocol.ts and README.md.

import type { IncomingMessage, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ShellEnvSource, TerminalManager } from './manager.ts';
import { TAB_ID } from './manager.ts';
import { encodeServerMessage, MAX_INPUT_BYTES, parseClientMessage, ProtocolError, validSize, type ServerMessage } from './protocol.ts';
import type { TerminalClient, TerminalShell } from './shell.ts';

export interface TerminalAuth {
  /** Shells are per session and tab: one id for all of a student's browser tabs shares their shells. */
  sessionId: string;
  /** What a new shell connects to; a function is called only when a shell starts. */
  shellEnv: ShellEnvSource;
  /**
   * Whether the sign-in behind the connection still holds, asked at every
   * ping: a connection outliving its sign-in (signed out, expired) is closed
   * with 1008. The shell itself stays for the user's next sign-in.
   */
  stillValid?: () => boolean | Promise<boolean>;
}

export interface AcceptOptions {
  manager: TerminalManager;
  /** Path prefix, default `/api/terminals/`. */
  prefix?: string;
  /** Seconds between pings that find dead connections (default 30). */
  pingSeconds?: number;
}

export interface TerminalGatewayOptions extends AcceptOptions {
  /** The request's session (from its cookie or token), or undefined for 401. */
  authenticate(req: IncomingMessage): TerminalAuth | undefined | Promise<TerminalAuth | undefined>;
  /** Whether a page from this Origin may open terminals (cross-site WebSocket hijacking guard). */
  checkOrigin(origin: string | undefined, req: IncomingMessage): boolean;
}

/** The default Origin check: a browser page of the same host (non-browser clients send no Origin). */
export function sameOrigin(origin: string | undefined, req: IncomingMessage): boolean {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 500: 'Internal Server Error' };

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function socketClient(ws: WebSocket): TerminalClient {
  return {
    output: (data) => { if (ws.readyState === ws.OPEN) ws.send(data, { binary: true }); },
    control: (m: ServerMessage) => { if (ws.readyState === ws.OPEN) ws.send(encodeServerMessage(m)); },
    close: () => { ws.close(1000, 'shell ended'); },
  };
}

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

const upgrader = new WebSocketServer({ noServer: true, maxPayload: MAX_INPUT_BYTES * 2, perMessageDeflate: false });

/**
 * Takes an upgrade that is already authenticated (and Origin-checked):
 * `<prefix><tab>?cols=C&rows=R`, answered 400 when the tab id or size is bad.
 */
export function acceptTerminal(o: AcceptOptions, req: IncomingMessage, socket: Duplex, head: Buffer, auth: TerminalAuth): void {
  const prefix = o.prefix ?? '/api/terminals/';
  const url = new URL(req.url ?? '/', 'http://terminal');
  let tab = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '';
  try {
    tab = decodeURIComponent(tab);
  } catch {
    // Not valid percent-encoding: refused below as a bad tab id.
  }
  if (!TAB_ID.test(tab)) return refuse(socket, 400, `terminal tab id ${JSON.stringify(tab)} must be 1 to 32 letters, digits, '-' or '_'`);
  const size = validSize(Number(url.searchParams.get('cols') ?? 80), Number(url.searchParams.get('rows') ?? 24));
  if (!size) return refuse(socket, 400, 'cols and rows must be positive integers (at most 1000 and 500)');
  upgrader.handleUpgrade(req, socket, head, (ws) => connect(o, ws, auth, tab, size));
}

/**
 * An `upgrade` listener for terminal paths: returns false (and leaves the
 * socket alone) for any other path, so other WebSocket endpoints can share the server.
 */
export function terminalUpgradeHandler(o: TerminalGatewayOptions): (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean {
  const prefix = o.prefix ?? '/api/terminals/';
  return (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://terminal');
    if (!url.pathname.startsWith(prefix)) return false;
    void (async () => {
      if (!o.checkOrigin(req.headers.origin, req)) return refuse(socket, 403, `terminal connections from ${req.headers.origin} are not allowed`);
      let auth: TerminalAuth | undefined;
      try {
        auth = await o.authenticate(req);
      } catch {
        auth = undefined;
      }
      if (!auth) return refuse(socket, 401, 'sign in to open a terminal');
      acceptTerminal(o, req, socket, head, auth);
    })().catch(() => refuse(socket, 500, 'terminal connection failed'));
    return true;
  };
}

function connect(o: AcceptOptions, ws: WebSocket, auth: TerminalAuth, tab: string, size: { cols: number; rows: number }): void {
  const client = socketClient(ws);
  let closed = false;
  const attached: Promise<TerminalShell | undefined> = o.manager.attach(auth.sessionId, tab, auth.shellEnv, client, size).catch((e: unknown) => {
    client.control({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    ws.close(1011, 'no shell');
    return undefined;
  });
  let alive = true;
  const ping = setInterval(() => {
    if (!alive) {
      ws.terminate();
      return;
    }
    alive = false;
    ws.ping();
    if (auth.stillValid) {
      void Promise.resolve().then(auth.stillValid).then((valid) => {
        if (valid || closed) return;
        client.control({ type: 'error', message: 'you are signed out: sign in again to reopen this terminal' });
        ws.close(1008, 'signed out');
      }, () => {
        // Cannot tell now (the database is busy): the next ping asks again.
      });
    }
  }, (o.pingSeconds ?? 30) * 1000);
  ping.unref();
  ws.on('pong', () => { alive = true; });
  // Messages are applied in arrival order, once the shell is attached.
  ws.on('message', (data, isBinary) => {
    void attached.then((shell) => {
      if (!shell || closed) return;
      if (isBinary) {
        shell.input(asBuffer(data));
        return;
      }
      try {
        const m = parseClientMessage(asBuffer(data).toString('utf8'));
        if (m.type === 'input') shell.input(m.data);
        else if (m.type === 'resize') shell.resize(m.cols, m.rows);
        else shell.ack(client, m.bytes);
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        client.control({ type: 'error', message: e.message });
      }
    });
  });
  ws.on('close', () => {
    closed = true;
    clearInterval(ping);
    void attached.then((shell) => shell?.detach(client));
  });
  ws.on('error', () => ws.terminate());
}

/** Serves terminals on an http(s) server; returns a function that unmounts them. */
export function mountTerminals(server: Server | HttpsServer, o: TerminalGatewayOptions): () => void {
  const handle = terminalUpgradeHandler(o);
  const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => { handle(req, socket, head); };
  server.on('upgrade', listener);
  return () => { server.off('upgrade', listener); };
}
