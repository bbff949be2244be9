// An embedded cluster on a loopback port with a manual clock, and the real
// kubectl binary pointed at it through a private kubeconfig and HOME.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SimHost } from '../../sandbox/sim/host.ts';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import type { Cluster } from '../../sandbox/sim/cluster.ts';
import { listenApi, type ApiListener } from '../../sandbox/sim/api/http/listen.ts';
import { kubeconfigYaml } from '../../sandbox/sim/kubeconfig.ts';
import { startExternalProxy, type ExternalProxy } from '../../sandbox/sim/dataplane/external-proxy.ts';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Sim {
  host: SimHost;
  cluster: Cluster;
  clock: ManualClock;
  api: ApiListener;
  /** The cluster's external data-plane proxy (http://127.0.0.1:PORT), for http_proxy / curl -x. */
  proxyUrl: string;
  proxy: ExternalProxy;
  dir: string;
  kubeconfig: string;
  token: string;
  /** Runs kubectl to completion. */
  kubectl(args: string[], opts?: { input?: string; env?: Record<string, string> }): Promise<RunResult>;
  /** Starts kubectl and returns its handle (for -w and wait). */
  kubectlStart(args: string[], opts?: { env?: Record<string, string> }): RunningCommand;
  /** Advances the cluster clock and lets the controllers settle. */
  advance(seconds: number): Promise<void>;
  /**
   * Advances the clock step by step while a kubectl command runs, until it
   * exits: for commands that wait on the cluster (drain, delete, wait).
   */
  advanceWhile(cmd: RunningCommand, stepSeconds?: number, maxSteps?: number): Promise<RunResult>;
  close(): Promise<void>;
}

export interface RunningCommand {
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout or stderr contains the text. */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>;
  kill(): void;
  done: Promise<RunResult>;
}

export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

/** Runs kubectl to completion with a kubeconfig of its own; HOME is the kubeconfig's folder (kubectl's cache goes there). */
export function kubectlWith(kubeconfig: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(KUBECTL, args, { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dirname(kubeconfig) } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export async function startSim(opts: { workers?: number; controlPlanes?: number } = {}): Promise<Sim> {
  const clock = new ManualClock(Date.now());
  const host = new SimHost();
  const cluster = await host.createCluster({ name: 'test', clock, topology: { workers: opts.workers ?? 3, controlPlanes: opts.controlPlanes ?? 1 } });
  await cluster.settle();
  const token = host.issueToken(cluster, 'kube:admin');
  const api = await listenApi(host, { port: 0 });
  const proxy = await startExternalProxy(cluster, { port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'virtlab-it-'));
  const kubeconfig = join(dir, 'kubeconfig');
  // A manual clock has no time scale: the extension names only the proxy.
  writeFileSync(kubeconfig, kubeconfigYaml({ server: api.url, token, caPem: api.caPem, embedded: { externalProxy: proxy.url } }));
  const env = (extra?: Record<string, string>): NodeJS.ProcessEnv => ({ ...process.env, HOME: dir, KUBECONFIG: kubeconfig, KUBECTL_EXTERNAL_DIFF: '', ...extra });

  const kubectlStart = (args: string[], o: { env?: Record<string, string>; input?: string } = {}): RunningCommand => {
    const child = spawn(KUBECTL, args, { env: env(o.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const waiters: { re: RegExp | string; resolve: () => void }[] = [];
    const check = (): void => {
      const both = out + err;
      for (const w of [...waiters]) {
        if (typeof w.re === 'string' ? both.includes(w.re) : w.re.test(both)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    };
    child.stdout.on('data', (d) => { out += d; check(); });
    child.stderr.on('data', (d) => { err += d; check(); });
    if (o.input !== undefined) child.stdin.end(o.input);
    else child.stdin.end();
    const done = new Promise<RunResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout: out, stderr: err })));
    return {
      stdout: () => out,
      stderr: () => err,
      kill: () => child.kill('SIGTERM'),
      done,
      waitForOutput: (re, timeoutMs = 20000) => new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${String(re)} in kubectl output:\n${out}\nstderr:\n${err}`)), timeoutMs);
        waiters.push({ re, resolve: () => { clearTimeout(t); resolve(); } });
        check();
      }),
    };
  };

  const advance = (seconds: number): Promise<void> => cluster.advance(seconds);

  return {
    host, cluster, clock, api, proxy, proxyUrl: proxy.url, dir, kubeconfig, token,
    kubectl: (args, o = {}) => kubectlStart(args, o).done,
    kubectlStart,
    advance,
    advanceWhile: async (cmd, stepSeconds = 1, maxSteps = 120) => {
      let finished = false;
      void cmd.done.then(() => { finished = true; });
      for (let i = 0; i < maxSteps && !finished; i++) {
        await advance(stepSeconds);
        // Give the kubectl process a moment to observe the change before time moves on.
        await Promise.race([cmd.done, new Promise((r) => setTimeout(r, 150))]);
      }
      return cmd.done;
    },
    close: async () => {
      await proxy.close();
      await api.close();
      host.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
