// API server benchmark: prints latency, throughput and memory figures.
// Run with `npm run bench`. Targets: GET p99 ≤ 2 ms, LIST of 1000 pods p99 ≤ 20 ms, ≤ 5 MB per idle cluster.

import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { SimHost } from '../sandbox/sim/host.ts';
import { ManualClock } from '../sandbox/sim/clock.ts';
import { listenApi } from '../sandbox/sim/api/http/listen.ts';

let agent = new Agent({ keepAlive: true, maxSockets: 16 });

function get(url: string, token: string, path: string, accept = 'application/json'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { agent, headers: { Authorization: `Bearer ${token}`, Accept: accept } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;

async function main(): Promise<void> {
  const host = new SimHost();
  const clock = new ManualClock(Date.now());
  const cluster = await host.createCluster({ name: 'bench', clock, topology: { workers: 3, controlPlanes: 3 } });
  const token = host.issueToken(cluster, 'kube:admin');
  const api = await listenApi(host, { port: 0 });
  agent = new Agent({ keepAlive: true, maxSockets: 16, ca: api.caPem });
  const admin = cluster.client('kube:admin', 'bench');
  await admin.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'load' } });
  // Two sets of 1000 pods: as created (no scheduler serves them: ~1.6 KB each), and
  // scheduled and started by the kubelets (status, conditions, three managers: ~3.3 KB each).
  await admin.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'running' } });
  for (let i = 0; i < 1000; i++) {
    await admin.create('pods', {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `pod-${String(i).padStart(4, '0')}`, namespace: 'load', labels: { app: 'load', shard: String(i % 10) } },
      spec: { schedulerName: 'unserved-scheduler', containers: [{ name: 'main', image: 'nginx:1.27' }] },
    });
    await admin.create('pods', {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `pod-${String(i).padStart(4, '0')}`, namespace: 'running', labels: { app: 'load' } },
      spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
    });
  }
  await cluster.settle();

  for (let i = 0; i < 300; i++) await get(api.url, token, '/api/v1/namespaces/load/pods/pod-0001');
  const getJson = await timed(3000, () => get(api.url, token, '/api/v1/namespaces/load/pods/pod-0001'));
  const getTable = await timed(1000, () => get(api.url, token, '/api/v1/namespaces/load/pods/pod-0001', 'application/json;as=Table;v=v1;g=meta.k8s.io'));
  const list = await timed(200, () => get(api.url, token, '/api/v1/namespaces/load/pods'));
  const listRunning = await timed(200, () => get(api.url, token, '/api/v1/namespaces/running/pods'));
  const listTable = await timed(100, () => get(api.url, token, '/api/v1/namespaces/load/pods?limit=500', 'application/json;as=Table;v=v1;g=meta.k8s.io'));
  const listSelected = await timed(200, () => get(api.url, token, '/api/v1/namespaces/load/pods?labelSelector=shard%3D3'));

  // Watch latency: time from a write through the API to the event arriving on an open watch.
  const latencies: number[] = [];
  let pending: ((t: number) => void) | null = null;
  const watchReq = request(`${api.url}/api/v1/namespaces/load/configmaps?watch=true&resourceVersion=${cluster.store.currentResourceVersion()}`, { ca: api.caPem, headers: { Authorization: `Bearer ${token}` } }, (res) => {
    res.on('data', () => { pending?.(performance.now()); });
  });
  watchReq.end();
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 300; i++) {
    const arrived = new Promise<number>((resolve) => { pending = resolve; });
    const t = performance.now();
    await admin.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'load' }, data: { i: String(i) } });
    latencies.push((await arrived) - t);
  }
  watchReq.destroy();
  latencies.sort((a, b) => a - b);

  // Throughput: GETs from 16 concurrent keep-alive connections for 3 s.
  let done = 0;
  const until = performance.now() + 3000;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (performance.now() < until) {
      await get(api.url, token, '/api/v1/namespaces/load/pods/pod-0002');
      done++;
    }
  }));
  const rps = done / 3;

  await api.close();
  host.stop();

  // Memory per idle cluster: heap growth for 20 fresh clusters after GC.
  const gc = (globalThis as { gc?: () => void }).gc;
  const memHost = new SimHost();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 20; i++) {
    const c = await memHost.createCluster({ name: `idle-${i}`, clock: new ManualClock(Date.now()), topology: { workers: 3, controlPlanes: 3 } });
    await c.settle();
  }
  gc?.();
  const perCluster = (process.memoryUsage().heapUsed - before) / 20 / (1024 * 1024);
  memHost.stop();

  console.log('virtlab API server benchmark (one process, one core)');
  console.log(`GET pod (JSON)             p50 ${fmt(getJson.p50)}  p99 ${fmt(getJson.p99)}   target p99 ≤ 2 ms`);
  console.log(`GET pod (Table)            p50 ${fmt(getTable.p50)}  p99 ${fmt(getTable.p99)}`);
  console.log(`LIST 1000 pods as created p50 ${fmt(list.p50)}  p99 ${fmt(list.p99)}   target p99 ≤ 20 ms`);
  console.log(`LIST 1000 pods with status  p50 ${fmt(listRunning.p50)}  p99 ${fmt(listRunning.p99)}`);
  console.log(`LIST 500 pods (Table)      p50 ${fmt(listTable.p50)}  p99 ${fmt(listTable.p99)}`);
  console.log(`LIST by label (100 of 1000) p50 ${fmt(listSelected.p50)}  p99 ${fmt(listSelected.p99)}`);
  console.log(`watch event latency        p50 ${fmt(percentile(latencies, 50))}  p99 ${fmt(percentile(latencies, 99))}`);
  console.log(`GET throughput             ${Math.round(rps)} requests/s (16 keep-alive connections)`);
  console.log(`memory per idle cluster    ${perCluster.toFixed(2)} MB heap${gc ? '' : ' (run with --expose-gc for a steadier figure)'}   target ≤ 5 MB`);
}

await main();
