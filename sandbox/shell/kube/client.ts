// A small REST client for the Kubernetes API: JSON over HTTPS with the
// kubeconfig's CA (or insecure-skip-tls-verify), bearer token, basic auth,
// client certificates and impersonation; errors as client-go words them.

import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { ConnectionError, StatusError, genericServerError, goNetError, type Status } from './errors.ts';
import type { RestConfig } from './kubeconfig.ts';

export interface RequestOptions {
  query?: Record<string, string | string[] | undefined>;
  body?: unknown;
  /** Defaults to application/json when a body is sent. */
  contentType?: string;
  /** For client-go's "(get services web)" suffix on errors without a Status body. */
  target?: { resource?: string; name?: string };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const GO_OP: Record<string, string> = { GET: 'Get', PUT: 'Put', POST: 'Post', PATCH: 'Patch', DELETE: 'Delete' };

export class RestClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(readonly config: RestConfig, private readonly userAgent: string) {
    this.base = new URL(config.host.includes('://') ? config.host : `https://${config.host}`);
    if (this.base.protocol === 'https:') {
      this.agent = new https.Agent({ keepAlive: true, ...this.tlsOptions() });
    } else {
      this.agent = new http.Agent({ keepAlive: true });
    }
  }

  /** TLS options for node:https and ws (CA, client certificate, verification, SNI). */
  tlsOptions(): https.AgentOptions {
    const c = this.config;
    const opts: https.AgentOptions = { rejectUnauthorized: !c.insecure };
    if (c.caData) opts.ca = c.caData;
    else if (c.caFile) opts.ca = readFileSync(c.caFile);
    if (c.certData) opts.cert = c.certData;
    else if (c.certFile) opts.cert = readFileSync(c.certFile);
    if (c.keyData) opts.key = c.keyData;
    else if (c.keyFile) opts.key = readFileSync(c.keyFile);
    if (c.serverName) opts.servername = c.serverName;
    return opts;
  }

  /** Authentication and impersonation headers of every request. */
  authHeaders(): Record<string, string | string[]> {
    const c = this.config;
    const h: Record<string, string | string[]> = { 'User-Agent': this.userAgent };
    if (c.bearerToken) h.Authorization = `Bearer ${c.bearerToken}`;
    else if (c.username !== undefined && c.password !== undefined) h.Authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
    if (c.impersonate?.user) h['Impersonate-User'] = c.impersonate.user;
    if (c.impersonate?.groups?.length) h['Impersonate-Group'] = c.impersonate.groups;
    if (c.impersonate?.uid) h['Impersonate-Uid'] = c.impersonate.uid;
    return h;
  }

  /** The full URL of an API path (keeps a path prefix of the server URL, as client-go does). */
  url(path: string, query?: RequestOptions['query']): URL {
    const u = new URL(this.base.toString());
    u.pathname = `${this.base.pathname.replace(/\/$/, '')}${path}`;
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) u.searchParams.append(k, one);
    }
    return u;
  }

  raw(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
    const url = this.url(path, opts.query);
    const payload = opts.body === undefined ? undefined : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
    const headers: Record<string, string | string[] | number> = { ...this.authHeaders(), Accept: 'application/json, */*' };
    if (payload) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (e) => reject(new ConnectionError(GO_OP[method] ?? method, url.toString(), e.message)));
      });
      if (this.config.timeoutMs > 0) {
        req.setTimeout(this.config.timeoutMs, () => req.destroy(Object.assign(new Error('context deadline exceeded'), { code: 'DEADLINE' })));
      }
      req.on('error', (e: NodeJS.ErrnoException) => {
        const cause = e.code === 'DEADLINE' ? 'context deadline exceeded' : goNetError(e, url.hostname.replace(/^\[|\]$/g, ''), url.port || (url.protocol === 'https:' ? '443' : '80'));
        reject(new ConnectionError(GO_OP[method] ?? method, url.toString(), cause));
      });
      req.end(payload);
    });
  }

  /** Sends a request; a non-2xx answer throws a StatusError. Returns the decoded JSON body (undefined when empty). */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.raw(method, path, opts);
    const text = res.body.toString('utf8');
    if (res.status < 200 || res.status > 299) throw responseError(res.status, method, text, opts.target);
    if (!text.trim()) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }

  get<T = unknown>(path: string, opts?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, opts);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The error client-go makes of a failed answer: the Status in the body, else a generic one. */
export function responseError(code: number, method: string, text: string, target?: RequestOptions['target']): StatusError {
  try {
    const body = JSON.parse(text) as Status;
    if (body && body.kind === 'Status' && body.status !== 'Success') {
      return new StatusError({ ...body, code: body.code || code });
    }
  } catch {
    // not JSON: a generic error below
  }
  return genericServerError(code, method, text, target);
}
