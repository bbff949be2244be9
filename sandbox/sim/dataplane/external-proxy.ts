// The external proxy: how the outside world (the student's shell with
// http_proxy set, a browser, the graders) reaches one embedded cluster. It
// speaks plain HTTP proxy (absolute-form request lines), also takes
// origin-form requests addressed by their Host header (curl --unix-socket,
// or a client pointed straight at it), and tunnels CONNECT to a route host on
// 443 into the router with TLS terminated by a self-signed certificate for that
// host. Answers are written as the last hop wrote them (HAProxy's lower-case
// headers, the guest's own headers behind a NodePort), with no Via header and
// nothing added by Node. It never opens a connection anywhere.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { selfSignedCertificate, type ServingCertificate } from '../api/http/tls.ts';
import { dataPlaneOf, EXTERNAL_CLIENT_IP, type DataPlaneHost } from './dataplane.ts';
import { classifyExternal } from './external-reachability.ts';
import { textResponse, type DataPlaneRequest, type DataPlaneResponse, type HeaderList } from './http-message.ts';

export interface ExternalProxyOptions {
  /** TCP port (0 or unset: a free one). */
  port?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Listen on a Unix socket instead of TCP. */
  socketPath?: string;
}

export interface ExternalProxy {
  /** http://host:port, or http+unix://<encoded socket path> for a socket listener. */
  url: string;
  close(): Promise<void>;
}

/** Request headers that belong to the hop to the proxy, not to the request. */
const HOP_BY_HOP = new Set(['proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

interface Target {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  path: string;
}

function splitHostPort(hostPort: string, defaultPort: number): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPort.trim());
  if (!m) return undefined;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!(port > 0 && port < 65536)) return undefined;
  return { host: m[1].replace(/^\[|\]$/g, '').toLowerCase(), port };
}

/** Where a request goes: its absolute-form URL, or else its Host header (within a tunnel: the tunnel's end). */
function targetOf(req: IncomingMessage, tunnel?: { scheme: 'http' | 'https'; host: string; port: number }): Target | string {
  const url = req.url ?? '/';
  if (/^https?:\/\//i.test(url)) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return `the request target ${url} is not a valid URL`;
    }
    const scheme = u.protocol === 'https:' ? 'https' : 'http';
    return { scheme, host: u.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port: u.port ? Number(u.port) : scheme === 'https' ? 443 : 80, path: `${u.pathname}${u.search}` || '/' };
  }
  if (tunnel) return { ...tunnel, path: url };
  const hp = splitHostPort(req.headers.host ?? '', 80);
  if (!hp) return 'the request has neither an absolute URL (set http_proxy to this proxy) nor a Host header';
  return { scheme: 'http', ...hp, path: url };
}

function requestHeaders(req: IncomingMessage): HeaderList {
  const out: HeaderList = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    if (!HOP_BY_HOP.has(name.toLowerCase())) out.push([name, req.rawHeaders[i + 1]]);
  }
  return out;
}

function rawAnswer(r: DataPlaneResponse): string {
  return `HTTP/${r.version ?? '1.1'} ${r.status} ${r.reason}\r\n${r.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

function writeAnswer(req: IncomingMessage, res: ServerResponse, r: DataPlaneResponse): void {
  if (r.close || r.version === '1.0') {
    // An answer that ends with the connection (HAProxy's error pages): written as is, then the socket closes.
    const socket = req.socket;
    socket.end(rawAnswer(r) + (req.method === 'HEAD' ? '' : r.body));
    return;
  }
  const headers = r.headers.some(([k]) => k.toLowerCase() === 'content-length')
    ? r.headers
    : [...r.headers, ['content-length', String(Buffer.byteLength(r.body))] as [string, string]];
  // Nothing of Node's own: no Date, no Connection: keep-alive.
  res.sendDate = false;
  res.removeHeader('connection');
  res.writeHead(r.status, r.reason, headers.flat());
  res.end(req.method === 'HEAD' ? undefined : r.body);
}

export async function startExternalProxy(cluster: DataPlaneHost, opts: ExternalProxyOptions = {}): Promise<ExternalProxy> {
  const plane = dataPlaneOf(cluster);
  const certificates = new Map<string, ServingCertificate>();
  const sockets = new Set<Duplex>();
  const track = (s: Duplex): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };

  const answer = (req: IncomingMessage, res: ServerResponse, tunnel?: { scheme: 'http' | 'https'; host: string; port: number }): void => {
    req.resume();
    req.on('end', () => {
      let r: DataPlaneResponse;
      try {
        const target = targetOf(req, tunnel);
        if (typeof target === 'string') {
          r = textResponse(400, `virtlab proxy: ${target}.\n`);
        } else {
          const request: DataPlaneRequest = {
            method: (req.method ?? 'GET').toUpperCase(),
            host: target.host,
            port: target.port,
            path: target.path,
            scheme: target.scheme,
            headers: requestHeaders(req),
            clientIp: EXTERNAL_CLIENT_IP,
          };
          r = plane.fromOutside(request);
        }
      } catch (e) {
        r = textResponse(500, `virtlab proxy: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      }
      writeAnswer(req, res, r);
    });
  };

  const server: Server = createServer((req, res) => answer(req, res));
  server.on('connection', track);

  // CONNECT host:port: a tunnel whose inside is HTTP, over TLS when it ends at the router's 443.
  server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    track(socket);
    // Bytes the client sent right behind the CONNECT line belong to the tunnel.
    if (head.length) socket.unshift(head);
    // The tunnel is ours now: a client hanging up must not become an uncaught error.
    socket.on('error', () => socket.destroy());
    const hp = splitHostPort(req.url ?? '', 443);
    const refuse = (r: DataPlaneResponse): void => {
      socket.end(`HTTP/1.1 ${r.status} ${r.reason}\r\n${r.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${r.body}`);
    };
    if (!hp) {
      refuse(textResponse(400, `virtlab proxy: CONNECT needs host:port, got ${req.url ?? ''}.\n`));
      return;
    }
    const kind = classifyExternal(plane.view.current(), hp.host, hp.port);
    if (kind.kind === 'silent') return refuse(textResponse(504, `virtlab proxy: ${kind.text}\n`));
    if (kind.kind === 'refused' || kind.kind === 'unreachable') return refuse(textResponse(502, `virtlab proxy: ${kind.text}\n`));
    socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
    const tls = kind.kind === 'router' && hp.port === 443;
    const inner = createServer((ireq, ires) => answer(ireq, ires, { scheme: tls ? 'https' : 'http', host: hp.host, port: hp.port }));
    if (!tls) {
      inner.emit('connection', socket);
      return;
    }
    let cert = certificates.get(hp.host);
    if (!cert) {
      cert = selfSignedCertificate([hp.host]);
      certificates.set(hp.host, cert);
    }
    const secure = new TLSSocket(socket as Socket, { isServer: true, cert: cert.certPem, key: cert.keyPem });
    secure.on('error', () => socket.destroy());
    track(secure);
    inner.emit('connection', secure);
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (opts.socketPath) server.listen(opts.socketPath, done);
    else server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', done);
  });
  const address = server.address();
  const listenHost = !opts.host || opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host === '::' ? '::1' : opts.host;
  const url = opts.socketPath
    ? `http+unix://${encodeURIComponent(opts.socketPath)}`
    : `http://${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:${(address as { port: number }).port}`;
  return {
    url,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
