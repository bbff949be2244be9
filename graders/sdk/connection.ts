// Connecting to a cluster the way kubectl does (--kubeconfig, KUBECONFIG,
// ~/.kube/config; --context), then finding out what it can do (discovery),
// how its time runs (the embedded cluster's kubeconfig extension) and how to
// reach its data plane from outside (the external proxy). Also the in-process
// variant for `lab test`, tests and the web server, which own the embedded
// Cluster object and can move its manual clock.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ApiException, ApisApi, KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import type { Cluster } from '../../sandbox/sim/cluster.ts';
import { createCookieJar } from './cookies.ts';
import { createExternalHttp } from './http.ts';
import type { Capability, ClusterConnection, ClusterTime, ExternalHttp } from './types.ts';

/** Every capability, in the order messages list them. */
export const CAPABILITIES = ['kubevirt', 'metallb', 'routes', 'machine-api', 'faults', 'embedded'] as const satisfies readonly Capability[];

/** The API group/version whose presence in discovery means the capability. */
export const CAPABILITY_GROUP_VERSIONS: Record<Exclude<Capability, 'embedded'>, string> = {
  kubevirt: 'kubevirt.io/v1',
  metallb: 'metallb.io/v1beta1',
  routes: 'route.openshift.io/v1',
  'machine-api': 'machine.openshift.io/v1beta1',
  faults: 'sim.virtlab.dev/v1alpha1',
};

/** Name of the kubeconfig cluster extension `lab sim` writes: marks the embedded cluster. */
export const EMBEDDED_EXTENSION = 'virtlab.dev/embedded';

/** The value of the virtlab.dev/embedded extension. */
export interface EmbeddedExtension {
  /** http://host:port of the external data-plane proxy. */
  externalProxy?: string;
  /** How many times faster than the wall clock the cluster's delays run (default 1). */
  timeScale?: number;
}

/** What a missing capability means, for SKIP and `lab start` messages. */
export function capabilityText(c: Capability): string {
  return c === 'embedded' ? 'embedded (the embedded cluster of `lab sim`)' : `${c} (${CAPABILITY_GROUP_VERSIONS[c]})`;
}

export interface ConnectOptions {
  /** A kubeconfig file (like kubectl --kubeconfig); default: $KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string;
  /** A context of the kubeconfig (default: its current context). */
  context?: string;
  /** The external proxy (http://host:port); default: $VIRTLAB_PROXY, then the embedded extension's. */
  proxy?: string;
  /** Environment to read KUBECONFIG, HOME and VIRTLAB_PROXY from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** A connection failure the user can act on (no kubeconfig, unknown context, cluster unreachable). */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/** The kubeconfig files kubectl would read, in precedence order. */
export function kubeconfigFiles(opts: Pick<ConnectOptions, 'kubeconfig' | 'env'>): string[] {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new ConnectionError(`kubeconfig ${opts.kubeconfig} does not exist`);
    return [opts.kubeconfig];
  }
  if (env.KUBECONFIG) {
    // kubectl skips entries of the list that do not exist.
    const files = env.KUBECONFIG.split(delimiter).filter((f) => f && existsSync(f));
    if (!files.length) throw new ConnectionError(`none of the kubeconfig files in KUBECONFIG (${env.KUBECONFIG}) exists`);
    return files;
  }
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (!existsSync(home)) {
    throw new ConnectionError(`no kubeconfig: pass --kubeconfig, set KUBECONFIG, or write ${home} (\`lab sim --kubeconfig FILE\` writes one for the embedded cluster)`);
  }
  return [home];
}

/** Loads the kubeconfig like kubectl and selects the context; returns it with the files it came from. */
export function loadKubeConfig(opts: Pick<ConnectOptions, 'kubeconfig' | 'context' | 'env'>): { kubeConfig: KubeConfig; files: string[] } {
  const files = kubeconfigFiles(opts);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(files[0]);
    // kubectl's merge: the first file to define a name (or the current context) wins.
    for (const f of files.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(f);
      if (!kc.currentContext && more.currentContext) kc.currentContext = more.currentContext;
      for (const c of more.clusters) if (!kc.clusters.some((x) => x.name === c.name)) kc.addCluster(c);
      for (const u of more.users) if (!kc.users.some((x) => x.name === u.name)) kc.addUser(u);
      for (const c of more.contexts) if (!kc.contexts.some((x) => x.name === c.name)) kc.addContext(c);
    }
  } catch (e) {
    throw new ConnectionError(`cannot read kubeconfig ${files.join(delimiter)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new ConnectionError(`context "${opts.context}" not found in kubeconfig ${files.join(delimiter)}${known.length ? ` (contexts: ${known.join(', ')})` : ''}`);
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new ConnectionError(`kubeconfig ${files.join(delimiter)} has no current context with a cluster: pass --context, or start one with \`lab sim --kubeconfig FILE\``);
  }
  return { kubeConfig: kc, files };
}

/** The virtlab.dev/embedded extension of the named cluster, from the first file that defines the cluster. */
export function embeddedExtension(files: string[], clusterName: string): EmbeddedExtension | undefined {
  for (const f of files) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(f, 'utf8'));
    } catch {
      continue;
    }
    const clusters = (doc as { clusters?: { name?: string; cluster?: { extensions?: { name?: string; extension?: unknown }[] } }[] } | null)?.clusters;
    const entry = Array.isArray(clusters) ? clusters.find((c) => c?.name === clusterName) : undefined;
    if (!entry) continue;
    const ext = entry.cluster?.extensions?.find((e) => e?.name === EMBEDDED_EXTENSION)?.extension;
    if (!ext || typeof ext !== 'object') return undefined;
    const { externalProxy, timeScale } = ext as Record<string, unknown>;
    return {
      ...(typeof externalProxy === 'string' && externalProxy ? { externalProxy } : {}),
      ...(typeof timeScale === 'number' && timeScale > 0 ? { timeScale } : {}),
    };
  }
  return undefined;
}

/** Cluster time as a wall clock running `timeScale` times faster from the moment of connection. */
export function scaledTime(timeScale: number): ClusterTime {
  const anchor = Date.now();
  const now = (): number => anchor + (Date.now() - anchor) * timeScale;
  return {
    now,
    // A timer may fire before Date.now() moves (scaled sleeps shorter than a millisecond): wait until the cluster clock has really passed the target.
    sleep: async (seconds) => {
      const start = now();
      const target = start + Math.max(0, seconds) * 1000;
      do await new Promise((resolve) => setTimeout(resolve, Math.max(1, (target - now()) / timeScale)));
      while (now() < target || now() === start);
    },
  };
}

/**
 * HTTP for an embedded cluster whose external proxy is unknown: its Route
 * hosts and LoadBalancer IPs exist only behind that proxy, so a request must
 * not go out to the real network (DNS included). It fails, naming the fix.
 */
export function unreachableDataPlane(why: string): ExternalHttp {
  return {
    newJar: createCookieJar,
    request: async (url, options) => {
      throw new Error(`${(options?.method ?? 'GET').toUpperCase()} ${url} failed: ${why}`);
    },
  };
}

const NO_PROXY = 'the embedded cluster\'s external data-plane proxy is not known (pass --proxy or set VIRTLAB_PROXY; `lab sim` writes it into its kubeconfig)';

/** HTTP through the proxy when there is one; on the embedded cluster without one, no traffic at all. */
function externalHttpFor(proxy: string | undefined, embedded: boolean): ExternalHttp {
  if (proxy) return createExternalHttp({ proxy });
  return embedded ? unreachableDataPlane(NO_PROXY) : createExternalHttp();
}

/** Which of the API-backed capabilities the cluster serves, from its discovery document. */
export async function detectCapabilities(kc: KubeConfig, server: string): Promise<Set<Capability>> {
  let served: Set<string>;
  try {
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    served = new Set(groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion)));
  } catch (e) {
    throw new ConnectionError(unreachable(server, e, kc));
  }
  const caps = new Set<Capability>();
  for (const [cap, gv] of Object.entries(CAPABILITY_GROUP_VERSIONS) as [Exclude<Capability, 'embedded'>, string][]) {
    if (served.has(gv)) caps.add(cap);
  }
  return caps;
}

function unreachable(server: string, e: unknown, kc: KubeConfig): string {
  if (e instanceof ApiException) {
    if (e.code === 401) return `the cluster at ${server} refused the credentials of kubeconfig user "${kc.getCurrentUser()?.name ?? ''}" (401 Unauthorized)`;
    if (e.code === 403) return `the cluster at ${server} does not let kubeconfig user "${kc.getCurrentUser()?.name ?? ''}" read API discovery (403 Forbidden)`;
    return `the cluster at ${server} answered API discovery with HTTP ${e.code}`;
  }
  const err = e as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const code = err.cause?.code ?? err.code;
  if (code === 'ECONNREFUSED') return `cannot reach the cluster at ${server}: connection refused (is \`lab sim\` running?)`;
  return `cannot reach the cluster at ${server}: ${err.cause?.message ?? err.message ?? String(e)}`;
}

/** Connects to the cluster of a kubeconfig, like kubectl would. */
export async function connect(opts: ConnectOptions = {}): Promise<ClusterConnection> {
  const env = opts.env ?? process.env;
  const { kubeConfig, files } = loadKubeConfig(opts);
  const cluster = kubeConfig.getCurrentCluster()!;
  const ext = embeddedExtension(files, cluster.name);
  const capabilities = await detectCapabilities(kubeConfig, cluster.server);
  if (ext) capabilities.add('embedded');
  const proxy = opts.proxy ?? (env.VIRTLAB_PROXY || undefined) ?? ext?.externalProxy;
  return {
    kubeConfig,
    server: cluster.server,
    capabilities,
    time: scaledTime(ext?.timeScale ?? 1),
    http: externalHttpFor(proxy, ext !== undefined),
  };
}

export interface InProcessOptions {
  /** The embedded cluster object (its clock decides how time passes). */
  cluster: Cluster;
  /** URL of the API listener serving it (listenApi). */
  server: string;
  /** A bearer token of one of its users (SimHost.issueToken). */
  token: string;
  /** PEM of the listener's CA; without it TLS verification is off. */
  caPem?: string;
  /** URL of its external data-plane proxy, if one runs. */
  externalProxy?: string;
}

/**
 * A connection to an embedded cluster owned by this process. On a manual
 * clock, sleeping advances the cluster (every controller reaction settles on
 * the way), so a behavioural check's "wait 60 s" takes milliseconds.
 */
export async function connectInProcess(opts: InProcessOptions): Promise<ClusterConnection> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: opts.cluster.name, server: opts.server, skipTLSVerify: !opts.caPem, ...(opts.caPem ? { caData: Buffer.from(opts.caPem).toString('base64') } : {}) }],
    users: [{ name: 'virtlab-admin', token: opts.token }],
    contexts: [{ name: 'virtlab', cluster: opts.cluster.name, user: 'virtlab-admin', namespace: 'default' }],
    currentContext: 'virtlab',
  });
  const capabilities = await detectCapabilities(kubeConfig, opts.server);
  capabilities.add('embedded');
  const clock = opts.cluster.clock;
  const time: ClusterTime = clock instanceof ManualClock
    ? { now: () => clock.now(), sleep: (seconds) => opts.cluster.advance(Math.max(0, seconds)) }
    : scaledTime((clock as { timeScale?: number }).timeScale ?? 1);
  return {
    kubeConfig,
    server: opts.server,
    capabilities,
    time,
    http: externalHttpFor(opts.externalProxy, true),
  };
}
