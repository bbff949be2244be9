// VM benchmark: our own overhead in bringing VMs up, and how fast simulated
// time runs with VMs and probes. Run with `npm run bench`.

import { performance } from 'node:perf_hooks';
import { SimHost } from '../sandbox/sim/host.ts';
import { ManualClock, RealClock } from '../sandbox/sim/clock.ts';
import type { Cluster } from '../sandbox/sim/cluster.ts';
import type { KubeObject } from '../sandbox/sim/api/object.ts';

function vm(name: string): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec: {
      runStrategy: 'Always',
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          domain: {
            devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', masquerade: {} }] },
            resources: { requests: { memory: '1Gi' } },
          },
          networks: [{ name: 'default', pod: {} }],
          volumes: [{ name: 'root', containerDisk: { image: 'quay.io/virtlab/webserver:latest' } }],
          readinessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 5 },
          livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 60, periodSeconds: 10 },
        },
      },
    },
  };
}

function readyCount(cluster: Cluster): number {
  return cluster.storage.list('kubevirt.io/virtualmachines', 'default').filter((v) => (v.status as { ready?: boolean } | undefined)?.ready === true).length;
}

async function timeToReady(): Promise<number> {
  const host = new SimHost();
  const cluster = await host.createCluster({ name: 'bench-ready', clock: new RealClock(1000), topology: { workers: 3, controlPlanes: 3 } });
  const admin = cluster.client('kube:admin', 'bench');
  const t = performance.now();
  for (let i = 0; i < 4; i++) await admin.create('kubevirt.io/virtualmachines', vm(`web-${i}`));
  while (readyCount(cluster) < 4) {
    await new Promise((r) => setTimeout(r, 1));
    if (performance.now() - t > 60_000) throw new Error('VMs did not become Ready within 60 s of wall time');
  }
  const ms = performance.now() - t;
  host.stop();
  return ms;
}

async function simulatedSpeed(): Promise<{ rate: number; ready: number }> {
  const host = new SimHost();
  const clock = new ManualClock(Date.now());
  const cluster = await host.createCluster({ name: 'bench-speed', clock, topology: { workers: 3, controlPlanes: 3 } });
  const admin = cluster.client('kube:admin', 'bench');
  for (let i = 0; i < 20; i++) await admin.create('kubevirt.io/virtualmachines', vm(`vm-${String(i).padStart(2, '0')}`));
  const step = (seconds: number): Promise<void> => cluster.advance(seconds);
  await step(120);
  const ready = readyCount(cluster);
  const t = performance.now();
  await step(600);
  const wall = (performance.now() - t) / 1000;
  host.stop();
  return { rate: 600 / wall, ready };
}

const ready = await timeToReady();
const speed = await simulatedSpeed();
console.log('virtlab VM benchmark');
console.log(`4 VMs to Running and Ready (time scale 1000)   ${ready.toFixed(0)} ms wall`);
console.log(`simulated seconds per wall second (3 workers, 20 VMs with probes, ${speed.ready} Ready)   ${speed.rate.toFixed(0)}`);
