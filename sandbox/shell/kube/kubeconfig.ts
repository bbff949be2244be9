// Reads kubeconfig files the way client-go's clientcmd does for kubectl:
// --kubeconfig, else every file of $KUBECONFIG (colon-separated, missing files
// skipped, the first file to name a cluster/user/context wins, the first
// non-empty current-context wins), else ~/.kube/config. Then the overrides
// (--context, --cluster, --user, --server, --token, -n …) pick the connection.
// Paths inside a file are relative to that file.

import { readFileSync, statSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve, delimiter } from 'node:path';
import { parse as parseYaml } from 'yaml';

type Json = Record<string, unknown>;

export interface Located<T> {
  name: string;
  value: T;
  /** The file this stanza came from. */
  origin: string;
}

export interface ClusterEntry {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  [k: string]: unknown;
}

export interface UserEntry {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
  [k: string]: unknown;
}

export interface ContextEntry {
  cluster?: string;
  user?: string;
  namespace?: string;
  [k: string]: unknown;
}

/** The merged view of every kubeconfig file in play (clientcmd's RawConfig). */
export interface RawConfig {
  clusters: Map<string, Located<ClusterEntry>>;
  users: Map<string, Located<UserEntry>>;
  contexts: Map<string, Located<ContextEntry>>;
  currentContext: string;
  /** Files read, in precedence order (only the ones that exist). */
  files: string[];
}

/** Where kubeconfig files come from, as clientcmd's loading rules and PathOptions see it. */
export interface LoadingRules {
  /** --kubeconfig */
  explicitPath?: string;
  /** $KUBECONFIG, split on ':' */
  envPaths: string[];
  /** ~/.kube/config */
  globalFile: string;
}

export interface Overrides {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  token?: string;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  username?: string;
  password?: string;
  impersonate?: string;
  impersonateGroups?: string[];
  impersonateUid?: string;
  requestTimeout?: string;
}

/** What a client needs to talk to the API server (client-go's rest.Config). */
export interface RestConfig {
  host: string;
  bearerToken?: string;
  bearerTokenFile?: string;
  username?: string;
  password?: string;
  caFile?: string;
  caData?: Buffer;
  certFile?: string;
  certData?: Buffer;
  keyFile?: string;
  keyData?: Buffer;
  insecure: boolean;
  serverName?: string;
  impersonate?: { user?: string; groups?: string[]; uid?: string };
  /** Milliseconds; 0 means none. */
  timeoutMs: number;
}

export class ConfigError extends Error {}

export const EMPTY_CONFIG_MESSAGE = 'invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable';

export function loadingRules(overrides: Overrides, env: NodeJS.ProcessEnv = process.env): LoadingRules {
  const home = env.HOME || homedir();
  const envPaths = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  return { explicitPath: overrides.kubeconfig || undefined, envPaths, globalFile: resolve(home, '.kube', 'config') };
}

/** The files to read, in precedence order (clientcmd GetLoadingPrecedence). */
export function precedence(rules: LoadingRules): string[] {
  if (rules.explicitPath) return [rules.explicitPath];
  if (rules.envPaths.length) return [...new Set(rules.envPaths)];
  return [rules.globalFile];
}

function readDoc(file: string): Json {
  const text = readFileSync(file, 'utf8');
  if (!text.trim()) return {};
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`error loading config file "${file}": ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`error loading config file "${file}": couldn't get version/kind; json parse error: the document is not an object`);
  return doc as Json;
}

function namedList(doc: Json, key: string, inner: string): { name: string; value: Json }[] {
  const list = doc[key];
  if (!Array.isArray(list)) return [];
  const out: { name: string; value: Json }[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const it = item as Json;
    const value = it[inner];
    out.push({ name: String(it.name ?? ''), value: value && typeof value === 'object' ? { ...(value as Json) } : {} });
  }
  return out;
}

/** File references in a stanza, made absolute against the file's folder (clientcmd ResolveLocalPaths). */
function resolvePaths<T extends Json>(value: T, keys: string[], file: string): T {
  const base = dirname(resolve(file));
  for (const k of keys) {
    const v = value[k];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) (value as Json)[k] = resolve(base, v);
  }
  return value;
}

export function loadRawConfig(rules: LoadingRules): RawConfig {
  const raw: RawConfig = { clusters: new Map(), users: new Map(), contexts: new Map(), currentContext: '', files: [] };
  if (rules.explicitPath) {
    try {
      statSync(rules.explicitPath);
    } catch {
      throw new ConfigError(`stat ${rules.explicitPath}: no such file or directory`);
    }
  }
  for (const file of precedence(rules)) {
    if (!existsSync(file)) continue;
    const doc = readDoc(file);
    raw.files.push(file);
    for (const { name, value } of namedList(doc, 'clusters', 'cluster')) {
      if (!raw.clusters.has(name)) raw.clusters.set(name, { name, origin: file, value: resolvePaths(value as ClusterEntry, ['certificate-authority'], file) });
    }
    for (const { name, value } of namedList(doc, 'users', 'user')) {
      if (!raw.users.has(name)) raw.users.set(name, { name, origin: file, value: resolvePaths(value as UserEntry, ['client-certificate', 'client-key', 'tokenFile'], file) });
    }
    for (const { name, value } of namedList(doc, 'contexts', 'context')) {
      if (!raw.contexts.has(name)) raw.contexts.set(name, { name, origin: file, value: value as ContextEntry });
    }
    const cc = doc['current-context'];
    if (!raw.currentContext && typeof cc === 'string') raw.currentContext = cc;
  }
  return raw;
}

/** One loaded configuration plus the overrides of the command line. */
export class ClientConfig {
  readonly raw: RawConfig;

  constructor(readonly rules: LoadingRules, readonly overrides: Overrides) {
    this.raw = loadRawConfig(rules);
  }

  static load(overrides: Overrides, env: NodeJS.ProcessEnv = process.env): ClientConfig {
    return new ClientConfig(loadingRules(overrides, env), overrides);
  }

  contextName(): string {
    return this.overrides.context || this.raw.currentContext;
  }

  context(): ContextEntry {
    return this.raw.contexts.get(this.contextName())?.value ?? {};
  }

  /** The namespace: -n, else the context's, else "default". */
  namespace(): { namespace: string; explicit: boolean } {
    if (this.overrides.namespace) return { namespace: this.overrides.namespace, explicit: true };
    const ns = this.context().namespace;
    return { namespace: ns || 'default', explicit: false };
  }

  /** client-go's ClientConfig(): validates, then builds the REST config. */
  restConfig(): RestConfig {
    const o = this.overrides;
    const ctxName = this.contextName();
    if (o.context && !this.raw.contexts.has(o.context)) throw new ConfigError(`context was not found for specified context: ${o.context}`);
    const ctx = this.context();
    const clusterName = o.cluster || ctx.cluster || '';
    const userName = o.user || ctx.user || '';
    if (o.cluster && !this.raw.clusters.has(o.cluster)) throw new ConfigError(`cluster "${o.cluster}" does not exist`);
    if (o.user && !this.raw.users.has(o.user)) throw new ConfigError(`auth info "${o.user}" does not exist`);
    const cluster: ClusterEntry = { ...(this.raw.clusters.get(clusterName)?.value ?? {}) };
    const user: UserEntry = { ...(this.raw.users.get(userName)?.value ?? {}) };
    if (!o.server && !cluster.server) {
      const empty = !this.raw.clusters.size && !this.raw.users.size && !this.raw.contexts.size;
      if (empty || !ctxName) throw new ConfigError(EMPTY_CONFIG_MESSAGE);
      if (!this.raw.contexts.has(ctxName)) throw new ConfigError(`context was not found for specified context: ${ctxName}`);
      throw new ConfigError('invalid configuration: cluster has no server defined');
    }
    if (user.exec || user['auth-provider']) {
      throw new ConfigError(`user "${userName}" authenticates with an ${user.exec ? 'exec' : 'auth-provider'} plugin, which this command does not support; use a token or client certificate`);
    }
    const cfg: RestConfig = {
      host: o.server || cluster.server!,
      insecure: o.insecureSkipTlsVerify ?? cluster['insecure-skip-tls-verify'] === true,
      serverName: o.tlsServerName || cluster['tls-server-name'],
      timeoutMs: parseTimeout(o.requestTimeout),
    };
    // An explicit CA on the command line replaces the file's.
    if (o.certificateAuthority) cfg.caFile = resolve(o.certificateAuthority);
    else if (cluster['certificate-authority-data']) cfg.caData = Buffer.from(cluster['certificate-authority-data'], 'base64');
    else if (cluster['certificate-authority']) cfg.caFile = cluster['certificate-authority'];
    if (o.insecureSkipTlsVerify) {
      cfg.caFile = undefined;
      cfg.caData = undefined;
    }
    if (o.token) cfg.bearerToken = o.token;
    else if (user.token) cfg.bearerToken = user.token;
    else if (user.tokenFile) {
      cfg.bearerTokenFile = user.tokenFile;
      try {
        cfg.bearerToken = readFileSync(user.tokenFile, 'utf8').trim();
      } catch (e) {
        throw new ConfigError(`open ${user.tokenFile}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
      }
    }
    if (o.clientCertificate) cfg.certFile = resolve(o.clientCertificate);
    else if (user['client-certificate-data']) cfg.certData = Buffer.from(user['client-certificate-data'], 'base64');
    else if (user['client-certificate']) cfg.certFile = user['client-certificate'];
    if (o.clientKey) cfg.keyFile = resolve(o.clientKey);
    else if (user['client-key-data']) cfg.keyData = Buffer.from(user['client-key-data'], 'base64');
    else if (user['client-key']) cfg.keyFile = user['client-key'];
    cfg.username = o.username || user.username;
    cfg.password = o.password || user.password;
    if (o.impersonate || o.impersonateGroups?.length || o.impersonateUid) {
      cfg.impersonate = { user: o.impersonate, groups: o.impersonateGroups, uid: o.impersonateUid };
    }
    return cfg;
  }
}

/** --request-timeout: "0" (none), a bare number of seconds, or a Go duration like 30s / 1m / 500ms. */
export function parseTimeout(v: string | undefined): number {
  if (!v || v === '0') return 0;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of v.matchAll(re)) {
    consumed += m[0].length;
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  }
  if (consumed !== v.length) throw new ConfigError(`invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)`);
  return total;
}
