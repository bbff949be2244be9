// A fresh embedded cluster for `lab test` (and tests, benchmarks): in this
// process, on a manual clock (or a scaled real one), served over HTTPS on a loopback port with its
// external data-plane proxy, plus a kubeconfig file carrying the
// virtlab.dev/embedded extension for the solution's shell commands.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ManualClock, RealClock, type Clock } from '../../sandbox/sim/clock.ts';
import type { Cluster } from '../../sandbox/sim/cluster.ts';
import { SimHost } from '../../sandbox/sim/host.ts';
import { listenApi } from '../../sandbox/sim/api/http/listen.ts';
import { kubeconfigObject } from '../../sandbox/sim/kubeconfig.ts';
import { connectInProcess, embeddedExtensionEntry } from '../../graders/sdk/connection.ts';
import type { ClusterConnection } from '../../graders/sdk/types.ts';

export interface TestCluster {
  host: SimHost;
  cluster: Cluster;
  clock: Clock;
  conn: ClusterConnection;
  /** A kubeconfig file for the cluster (for kubectl, oc, virtctl). */
  kubeconfig: string;
  /** URL of the external proxy, when the data plane is built. */
  externalProxy?: string;
  close(): Promise<void>;
}

type StartExternalProxy = (cluster: Cluster, opts: { port?: number; host?: string }) => Promise<{ url: string; close(): Promise<void> | void }>;

/** The data plane's external proxy, loaded only if it exists in this checkout. */
async function externalProxyStarter(): Promise<StartExternalProxy | undefined> {
  const module: string = '../../sandbox/sim/dataplane/external-proxy.ts';
  try {
    return ((await import(module)) as { startExternalProxy?: StartExternalProxy }).startExternalProxy;
  } catch (e) {
    // Only the proxy module itself missing means "not built yet"; a broken import inside it is an error.
    const err = e as { code?: string; url?: string; message?: string };
    const missing = err.url ?? /Cannot find module '([^']+)'/.exec(err.message ?? '')?.[1] ?? '';
    if (err.code === 'ERR_MODULE_NOT_FOUND' && missing.endsWith('dataplane/external-proxy.ts')) return undefined;
    throw e;
  }
}

export async function startTestCluster(opts: { name: string; workers: number; controlPlanes?: number; timeScale?: number }): Promise<TestCluster> {
  // A manual clock (starting at real time, so ages kubectl prints look normal) unless a time scale asks for a real one (benchmarks).
  const clock: Clock = opts.timeScale ? new RealClock(opts.timeScale) : new ManualClock(Date.now());
  const host = new SimHost();
  const closers: (() => Promise<void> | void)[] = [() => host.stop()];
  const close = async (): Promise<void> => {
    for (let c = closers.pop(); c; c = closers.pop()) await c();
  };
  try {
    const cluster = await host.createCluster({ name: opts.name, clock, topology: { workers: opts.workers, controlPlanes: opts.controlPlanes ?? 1 } });
    await cluster.settle();
    const token = host.issueToken(cluster, 'kube:admin');
    const api = await listenApi(host, { port: 0 });
    closers.push(() => api.close());
    const start = await externalProxyStarter();
    const proxy = start ? await start(cluster, { port: 0, host: '127.0.0.1' }) : undefined;
    if (proxy) closers.push(() => proxy.close());

    const dir = mkdtempSync(join(tmpdir(), 'virtlab-labtest-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const kubeconfig = join(dir, 'kubeconfig');
    const config = kubeconfigObject({ server: api.url, token, caPem: api.caPem }) as { clusters: { cluster: Record<string, unknown> }[] };
    config.clusters[0].cluster.extensions = [embeddedExtensionEntry({ ...(proxy ? { externalProxy: proxy.url } : {}), timeScale: opts.timeScale ?? 1 })];
    writeFileSync(kubeconfig, stringify(config), { mode: 0o600 });

    const conn = await connectInProcess({ cluster, server: api.url, token, caPem: api.caPem, ...(proxy ? { externalProxy: proxy.url } : {}) });
    return { host, cluster, clock, conn, kubeconfig, ...(proxy ? { externalProxy: proxy.url } : {}), close };
  } catch (e) {
    await close();
    throw e;
  }
}
