// `lab sim`: runs one embedded cluster in the foreground until Ctrl-C.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { CliIO } from '../io.ts';
import { SimHost } from '../../sandbox/sim/host.ts';
import { RealClock } from '../../sandbox/sim/clock.ts';
import { listenApi } from '../../sandbox/sim/api/http/listen.ts';
import { kubeconfigEnv, kubeconfigYaml } from '../../sandbox/sim/kubeconfig.ts';
import { startExternalProxy } from '../../sandbox/sim/dataplane/external-proxy.ts';

function portNumber(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError(`${flag} must be a port number between 0 and 65535, got "${v}"`);
    return n;
  };
}

function count(flag: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}, got "${v}"`);
    return n;
  };
}

function positive(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a number greater than 0, got "${v}"`);
    return n;
  };
}

export interface SimOptions {
  port: number;
  /** External data-plane proxy port; 0 picks a free one. */
  proxyPort: number;
  kubeconfig?: string;
  nodes: number;
  controlPlanes: number;
  timeScale: number;
  address: string;
}

export function simCommand(io: CliIO): Command {
  return new Command('sim')
    .description('run one embedded cluster (Kubernetes API with KubeVirt, MetalLB, Routes, Machine API) in the foreground')
    .option('--port <n>', 'API server port (0 picks a free port)', portNumber('--port'), 6443)
    .option('--proxy-port <n>', 'external data-plane proxy port for http_proxy (0 picks a free port)', portNumber('--proxy-port'), 0)
    .option('--kubeconfig <path>', 'write a kubeconfig for the cluster to this file')
    .option('--nodes <n>', 'number of worker nodes', count('--nodes', 1, 50), 3)
    .option('--control-planes <n>', 'number of control-plane nodes', count('--control-planes', 1, 5), 3)
    .option('--time-scale <x>', 'run simulated delays this many times faster', positive('--time-scale'), 1)
    .option('--address <ip>', 'address to listen on', '127.0.0.1')
    .action(async (opts: SimOptions) => {
      await runSim(opts, io);
    });
}

export async function runSim(opts: SimOptions, io: CliIO): Promise<void> {
  const host = new SimHost();
  const cluster = await host.createCluster({
    name: 'default',
    clock: new RealClock(opts.timeScale),
    topology: { workers: opts.nodes, controlPlanes: opts.controlPlanes },
    log: (line) => io.err(`${line}\n`),
  });
  const token = host.issueToken(cluster, 'kube:admin');
  let api;
  try {
    api = await listenApi(host, { port: opts.port, address: opts.address });
  } catch (e) {
    host.stop();
    const code = (e as { code?: string }).code;
    throw new Error(code === 'EADDRINUSE' ? `port ${opts.port} on ${opts.address} is already in use; pick another with --port (0 picks a free one)` : `cannot listen on ${opts.address}:${opts.port}: ${(e as Error).message}`);
  }
  let proxy;
  try {
    proxy = await startExternalProxy(cluster, { port: opts.proxyPort, host: opts.address });
  } catch (e) {
    await api.close();
    host.stop();
    const code = (e as { code?: string }).code;
    throw new Error(code === 'EADDRINUSE' ? `port ${opts.proxyPort} on ${opts.address} is already in use; pick another with --proxy-port (0 picks a free one)` : `cannot listen on ${opts.address}:${opts.proxyPort}: ${(e as Error).message}`);
  }
  let envFile: string | undefined;
  if (opts.kubeconfig) {
    const path = resolve(opts.kubeconfig);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, kubeconfigYaml({ server: api.url, token, caPem: api.caPem, embedded: { externalProxy: proxy.url, timeScale: opts.timeScale } }), { mode: 0o600 });
    envFile = `${path}.env`;
    writeFileSync(envFile, kubeconfigEnv(path, proxy.url, [new URL(api.url).hostname]), { mode: 0o600 });
  }
  io.out(`ready: API server ${api.url}, external proxy ${proxy.url}${opts.kubeconfig ? `, kubeconfig ${resolve(opts.kubeconfig)}` : ''} (${opts.nodes} workers, ${opts.controlPlanes} control planes, time scale ${opts.timeScale})\n`);
  if (envFile) io.out(`env: . ${envFile}   # KUBECONFIG, http_proxy and no_proxy for this cluster\n`);
  if (!opts.kubeconfig) io.out(`token: ${token}\n`);
  const signal = await io.untilStopped();
  io.out(`stopping (${signal})\n`);
  await proxy.close();
  await api.close();
  host.stop();
}
