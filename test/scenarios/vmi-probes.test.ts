// Probes on VMIs (reference §3) through faults, as a student sees them with
// kubectl: the kubelet probes the guest behind the virt-launcher pod; a
// stopped httpd makes the readiness probe fail and the pod (and the VMI) not
// Ready until the service runs again; a hung kernel fails the liveness probe,
// the kubelet kills compute, and with restartPolicy Never the pod and the VMI
// end Failed. Manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from '../integration/harness.ts';
import { vmiManifest } from './fixtures.ts';

const VMIS = 'kubevirt.io/virtualmachineinstances';

function vmi(name: string, probes: Record<string, unknown>): string {
  return JSON.stringify(vmiManifest(name, { image: 'quay.io/virtlab/webserver:latest', extra: probes }));
}

const readiness = { readinessProbe: { httpGet: { port: 8080, path: '/health' }, periodSeconds: 5, failureThreshold: 3 } };

const liveness = { livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 120, periodSeconds: 10, failureThreshold: 3 } };

const fault = (name: string, type: string, target: string, service?: string): string => JSON.stringify({
  apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name },
  spec: { type, target: { name: target, namespace: 'default' }, ...(service ? { service } : {}) },
});

describe('probes on VMIs', () => {
  let sim: Sim;
  before(async () => { sim = await startSim({ workers: 2, controlPlanes: 1 }); });
  after(async () => { await sim.close(); });

  const admin = () => sim.cluster.client('kube:admin', 'test');
  const vmiOf = (name: string): KubeObject | undefined => admin().get(VMIS, 'default', name);
  const launcher = (name: string): KubeObject | undefined =>
    admin().list('pods', 'default').find((p) => p.metadata.labels?.['kubevirt.io/created-by'] === vmiOf(name)?.metadata.uid);
  const podReady = (name: string): string | undefined =>
    ((launcher(name)?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready')?.status;

  it('renders the probe into compute and turns the pod Ready once the guest answers', async () => {
    const r = await sim.kubectl(['apply', '-f', '-'], { input: vmi('web', readiness) });
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(10);
    assert.equal((vmiOf('web')?.status as { phase?: string }).phase, 'Running');
    assert.equal(podReady('web'), 'False', 'the guest is still booting');
    const pod = launcher('web')!;
    const compute = (pod.spec as { containers: { name: string; readinessProbe?: { initialDelaySeconds?: number } }[] }).containers.find((c) => c.name === 'compute')!;
    assert.equal(compute.readinessProbe?.initialDelaySeconds, 10, 'KubeVirt adds 10 s');
    await sim.advance(50);
    assert.equal(podReady('web'), 'True');
    const out = await sim.kubectl(['get', 'vmi', 'web']);
    assert.match(out.stdout, /web\s+\S+\s+Running\s+10\.128\.\d+\.\d+\s+worker-\d\s+True/);
  });

  it('a stopped httpd fails readiness: pod and VMI not Ready, with the kubelet texts', async () => {
    let r = await sim.kubectl(['apply', '-f', '-'], { input: fault('httpd-down', 'ServiceStop', 'web', 'httpd') });
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(1);
    r = await sim.kubectl(['get', 'fault', 'httpd-down']);
    assert.match(r.stdout, /httpd-down\s+ServiceStop\s+web\s+Active/);
    await sim.advance(20);
    assert.equal(podReady('web'), 'False');
    const pod = launcher('web')!;
    const podName = pod.metadata.name!;
    const ip = (pod.status as { podIP: string }).podIP;
    r = await sim.kubectl(['get', 'pod', podName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].reason}: {.status.conditions[?(@.type=="Ready")].message}']);
    assert.equal(r.stdout, 'ContainersNotReady: containers with unready status: [compute]');
    // While the guest booted the probe timed out; with httpd stopped the port refuses.
    r = await sim.kubectl(['get', 'events', '--field-selector', `involvedObject.name=${podName},reason=Unhealthy`, '-o', 'custom-columns=COUNT:.count,MESSAGE:.message', '--no-headers']);
    assert.match(r.stdout, new RegExp(`\\d+\\s+Readiness probe failed: Get "http://${ip.replace(/\./g, '\\.')}:8080/health": dial tcp ${ip.replace(/\./g, '\\.')}:8080: connect: connection refused`));
    assert.match(r.stdout, /Readiness probe failed: Get "http:\/\/[\d.]+:8080\/health": context deadline exceeded \(Client\.Timeout exceeded while awaiting headers\)/);
    r = await sim.kubectl(['get', 'vmi', 'web']);
    assert.match(r.stdout, /web\s+\S+\s+Running\s+\S+\s+worker-\d\s+False/);
  });

  it('deleting the fault starts httpd again and the pod recovers', async () => {
    const r = await sim.kubectl(['delete', 'fault', 'httpd-down']);
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(10);
    assert.equal(podReady('web'), 'True');
  });

  it('a hung kernel fails liveness: compute is killed, the pod and the VMI fail', async () => {
    let r = await sim.kubectl(['apply', '-f', '-'], { input: vmi('db', liveness) });
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(140);
    assert.equal((vmiOf('db')?.status as { phase?: string }).phase, 'Running');
    const podName = launcher('db')!.metadata.name!;
    r = await sim.kubectl(['apply', '-f', '-'], { input: fault('db-hang', 'GuestKernelHang', 'db') });
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(35);
    r = await sim.kubectl(['get', 'events', '--field-selector', `involvedObject.name=${podName}`, '-o', 'custom-columns=TYPE:.type,REASON:.reason,MESSAGE:.message', '--no-headers']);
    assert.match(r.stdout, /Warning\s+Unhealthy\s+Liveness probe failed: dial tcp 10\.128\.\d+\.\d+:8080: i\/o timeout/);
    assert.match(r.stdout, /Normal\s+Killing\s+Container compute failed liveness probe, will be restarted/);
    r = await sim.kubectl(['get', 'pod', podName, '-o', 'jsonpath={.status.phase} {.status.containerStatuses[?(@.name=="compute")].state.terminated.reason} {.status.containerStatuses[?(@.name=="compute")].state.terminated.exitCode}']);
    assert.equal(r.stdout, 'Failed Error 137');
    await sim.advance(5);
    assert.equal((vmiOf('db')?.status as { phase?: string }).phase, 'Failed');
  });
});
