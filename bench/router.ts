// Data-plane benchmark: requests through the router (HAProxy's part) to 2 and
// to 10 VM endpoints, called in process and through the external proxy over
// loopback with keep-alive connections. Run with `npm run bench`.

import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { SimHost } from '../sandbox/sim/host.ts';
import { ManualClock } from '../sandbox/sim/clock.ts';
import type { KubeObject } from '../sandbox/sim/api/object.ts';
import { dataPlaneOf } from '../sandbox/sim/dataplane/dataplane.ts';
import { startExternalProxy } from '../sandbox/sim/dataplane/external-proxy.ts';
import type { DataPlaneRequest } from '../sandbox/sim/dataplane/http-message.ts';

const DOMAIN = 'apps.ocp4.example.com';

function vm(name: string, group: string): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine',
    metadata: { name, namespace: 'default' },
    spec: {
      runStrategy: 'Always',
      template: {
        metadata: { labels: { tier: 'frontend', group } },
        spec: {
          domain: { devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', masquerade: {} }] }, resources: { requests: { memory: '1Gi' } } },
          networks: [{ name: 'default', pod: {} }],
          volumes: [{ name: 'root', containerDisk: { image: 'quay.io/virtlab/webserver:latest' } }],
          readinessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 5 },
        },
      },
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const fmt = (ms: number): string => `${ms < 1 ? ms.toFixed(3) : ms.toFixed(2)} ms`;

function inProcess(plane: ReturnType<typeof dataPlaneOf>, host: string, n: number): { rps: number; p50: number; p99: number } {
  const req: DataPlaneRequest = { method: 'GET', host, port: 80, path: '/', scheme: 'http', headers: [['Host', host], ['User-Agent', 'bench'], ['Accept', '*/*']], clientIp: '192.168.126.1' };
  for (let i = 0; i < 500; i++) plane.fromOutside(req);
  const samples: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = plane.fromOutside(req);
    samples.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`router answered ${r.status}`);
  }
  const total = performance.now() - t0;
  samples.sort((a, b) => a - b);
  return { rps: (n * 1000) / total, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function throughProxy(proxyUrl: string, host: string, n: number, concurrency: number): Promise<{ rps: number; p50: number; p99: number }> {
  const proxy = new URL(proxyUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const one = (): Promise<number> => new Promise((resolve, reject) => {
    const t = performance.now();
    const req = http.request({ host: proxy.hostname, port: Number(proxy.port), path: `http://${host}/`, headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t) : reject(new Error(`proxy answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
  for (let i = 0; i < 200; i++) await one();
  const samples: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      next++;
      samples.push(await one());
    }
  }));
  const total = performance.now() - t0;
  agent.destroy();
  samples.sort((a, b) => a - b);
  return { rps: (n * 1000) / total, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function main(): Promise<void> {
  const host = new SimHost();
  const cluster = await host.createCluster({ name: 'bench-router', clock: new ManualClock(Date.now()), topology: { workers: 3, controlPlanes: 1 } });
  const admin = cluster.client('kube:admin', 'bench');
  for (let i = 0; i < 10; i++) await admin.create('kubevirt.io/virtualmachines', vm(`web-${i}`, i < 2 ? 'pair' : 'rest'));
  for (const [name, selector] of [['ten', { tier: 'frontend' }], ['two', { group: 'pair' }]] as const) {
    await admin.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    await admin.create('route.openshift.io/routes', { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name, namespace: 'default' }, spec: { to: { kind: 'Service', name } } });
  }
  await cluster.advance(180);
  const plane = dataPlaneOf(cluster);
  const proxy = await startExternalProxy(cluster, { port: 0 });

  console.log('virtlab data-plane benchmark (router + external proxy, one process)');
  for (const [name, endpoints] of [['two', 2], ['ten', 10]] as const) {
    const h = `${name}-default.${DOMAIN}`;
    const ready = plane.view.current().endpoints({ namespace: 'default', name }).filter((e) => e.ready).length;
    if (ready !== endpoints) throw new Error(`route ${name} has ${ready} ready endpoints, expected ${endpoints}`);
    const ip = inProcess(plane, h, 20_000);
    console.log(`router in process, ${String(endpoints).padStart(2)} endpoints   ${Math.round(ip.rps).toLocaleString('en-US').padStart(7)} requests/s   p50 ${fmt(ip.p50)}  p99 ${fmt(ip.p99)}`);
    const px = await throughProxy(proxy.url, h, 5_000, 16);
    console.log(`external proxy, ${String(endpoints).padStart(2)} endpoints      ${Math.round(px.rps).toLocaleString('en-US').padStart(7)} requests/s   p50 ${fmt(px.p50)}  p99 ${fmt(px.p99)}   (16 keep-alive connections over loopback)`);
  }
  await proxy.close();
  host.stop();
}

await main();
