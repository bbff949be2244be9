// HTTP from outside the cluster, as the student's browser or curl sees it.
// On the embedded cluster nothing listens on Route hosts or LoadBalancer IPs:
// requests go in absolute form (GET http://host/path) to the cluster's
// external data-plane proxy, which answers for them or says 502/504 with a
// text body when the host is unreachable. On a real cluster requests go
// directly. Redirects are not followed (like curl without -L).

import http from 'node:http';
import https from 'node:https';
import { cookieHeader, createCookieJar, storeSetCookies } from './cookies.ts';
import type { CookieJar, ExternalHttp, HttpExchange } from './types.ts';

export interface ExternalHttpOptions {
  /** The external proxy (http://host:port; user:password in the URL becomes Basic Proxy-Authorization). */
  proxy?: string;
  /** Extra headers sent to the proxy only (e.g. a Proxy-Authorization bearer token). */
  proxyHeaders?: Record<string, string>;
  /** Wall-clock seconds a request may take when the caller gives none (default 10). */
  timeoutSeconds?: number;
}

/** Bodies beyond this are cut: graders look for a marker, not a download. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface ProxyTarget {
  url: string;
  host: string;
  port: number;
  headers: Record<string, string>;
}

function parseProxy(proxy: string, extra: Record<string, string> = {}): ProxyTarget {
  let u: URL;
  try {
    u = new URL(proxy);
  } catch {
    throw new Error(`external proxy "${proxy}" is not a URL: expected http://host:port`);
  }
  if (u.protocol !== 'http:') throw new Error(`external proxy "${proxy}" must be an http:// URL`);
  const headers: Record<string, string> = {};
  if (u.username || u.password) {
    const creds = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(creds).toString('base64')}`;
  }
  for (const [k, v] of Object.entries(extra)) headers[k.toLowerCase()] = v;
  return { url: `http://${u.host}`, host: bareHost(u.hostname), port: Number(u.port || 80), headers };
}

/** node:http wants IPv6 literals without their URL brackets. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join('\n') : v;
  }
  return out;
}

export function createExternalHttp(opts: ExternalHttpOptions = {}): ExternalHttp {
  const proxy = opts.proxy ? parseProxy(opts.proxy, opts.proxyHeaders) : undefined;
  const defaultTimeout = opts.timeoutSeconds ?? 10;

  async function request(
    url: string,
    o: { jar?: CookieJar; method?: string; headers?: Record<string, string>; timeoutSeconds?: number } = {},
  ): Promise<HttpExchange> {
    const method = (o.method ?? 'GET').toUpperCase();
    const what = `${method} ${url}`;
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new Error(`${what}: not an absolute URL (expected http://host/path)`);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`${what}: only http:// URLs can be requested`);
    if (proxy && target.protocol !== 'http:') {
      throw new Error(`${what}: the cluster's external proxy ${proxy.url} carries plain http:// only`);
    }
    const headers: Record<string, string> = { 'user-agent': 'virtlab-grader', accept: '*/*' };
    for (const [k, v] of Object.entries(o.headers ?? {})) headers[k.toLowerCase()] = v;
    headers.host = target.host;
    const cookie = o.jar ? cookieHeader(o.jar) : undefined;
    if (cookie !== undefined && headers.cookie === undefined) headers.cookie = cookie;
    const path = `${target.pathname}${target.search}`;
    const timeoutMs = (o.timeoutSeconds ?? defaultTimeout) * 1000;

    const options: http.RequestOptions = proxy
      ? { host: proxy.host, port: proxy.port, method, path: target.href, headers: { ...headers, ...proxy.headers }, agent: false }
      : {
        host: bareHost(target.hostname),
        port: Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
        method, path, headers, agent: false,
        // Lab clusters' routers commonly present self-signed certificates.
        ...(target.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
      };
    const send = target.protocol === 'https:' ? https.request : http.request;

    const exchange = await new Promise<HttpExchange>((resolve, reject) => {
      const req = send(options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY_BYTES) chunks.push(c.subarray(0, MAX_BODY_BYTES - size));
          size += c.length;
        });
        res.on('error', (e) => reject(new Error(`${what} failed while reading the answer: ${e.message}`)));
        res.on('end', () => resolve({
          status: res.statusCode ?? 0,
          headers: flattenHeaders(res.headers),
          body: Buffer.concat(chunks).toString('utf8'),
        }));
      });
      let connected = false;
      req.on('socket', (socket) => socket.once('connect', () => { connected = true; }));
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const why = e.message || e.code || String(e);
        reject(new Error(proxy && !connected
          ? `${what} failed: cannot reach the cluster's external proxy ${proxy.url}: ${why}`
          : `${what} failed: ${why}`));
      });
      req.end();
    });

    // 502/504 from the proxy means the host did not answer at all: that is a network failure, not an answer.
    if (proxy && (exchange.status === 502 || exchange.status === 504)) {
      const text = exchange.body.trim() || `HTTP ${exchange.status}`;
      throw new Error(`${what} failed: the cluster's external proxy answered ${exchange.status}: ${text}`);
    }
    if (o.jar) {
      const setCookie = exchange.headers['set-cookie'];
      if (setCookie) storeSetCookies(o.jar, setCookie.split('\n'));
    }
    return exchange;
  }

  return { newJar: createCookieJar, request };
}

/** One request's result for a check that must FAIL (not ERROR) when the host does not answer. */
export type HttpProbe = { ok: true; exchange: HttpExchange } | { ok: false; error: string };

/** Like ExternalHttp.request, but a network failure comes back as { ok: false, error } instead of a rejection. */
export async function probeHttp(
  client: ExternalHttp,
  url: string,
  options?: Parameters<ExternalHttp['request']>[1],
): Promise<HttpProbe> {
  try {
    return { ok: true, exchange: await client.request(url, options) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
