// A fresh embedded cluster for `lab test` (and tests, benchmarks): in this
// process, on a manual clock (or a scaled real one), served over HTTPS on a loopback port with its
// external data-plane proxy, plus a kubeconfig file carrying the
// virtlab.dev/embedded extension for the solution's shell commands.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, RealClock, type Clock } from '../../sandbox/sim/clock.ts';
import type { Cluster } from '../../sandbox/sim/cluster.ts';
import { SimHost } from '../../sandbox/sim/host.ts';
import { listenApi } from '../../sandbox/sim/api/http/listen.ts';
import { kubeconfigYaml } from '../../sandbox/sim/kubeconfig.ts';
import { startExternalProxy } from '../../sandbox/sim/dataplane/external-proxy.ts';
import { connectInProcess } from '../../graders/sdk/connection.ts';
import type { ClusterConnection } from '../../graders/sdk/types.ts';

export interface TestCluster {
  host: SimHost;
  cluster: Cluster;
  clock: Clock;
  conn: ClusterConnection;
  /** A kubeconfig file for the cluster (for kubectl, oc, virtctl). */
  kubeconfig: string;
  /** URL of the external proxy. */
  externalProxy: string;
  close(): Promise<void>;
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
    const proxy = await startExternalProxy(cluster, { port: 0, host: '127.0.0.1' });
    closers.push(() => proxy.close());

    const dir = mkdtempSync(join(tmpdir(), 'virtlab-labtest-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml({ server: api.url, token, caPem: api.caPem, embedded: { externalProxy: proxy.url, timeScale: opts.timeScale ?? 1 } }), { mode: 0o600 });

    const conn = await connectInProcess({ cluster, server: api.url, token, caPem: api.caPem, externalProxy: proxy.url });
    return { host, cluster, clock, conn, kubeconfig, externalProxy: proxy.url, close };
  } catch (e) {
    await close();
    throw e;
  }
}
