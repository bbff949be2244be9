// The words of failure messages, from objects shaped like the cluster's:
// probes, VMI readiness, template vs running instance, VM summaries, Service
// endpoints.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeEndpoints, describeNode, describeProbe, describeRouteAdmission, describeVmiReadiness, describeVmRunning, effectiveRunStrategy,
  fieldMismatches, isRouteAdmitted, loadBalancerIp, probeFailureFrom, routeHost, templateVsInstance,
} from '../../graders/sdk/index.ts';
import type { Condition, Route, VirtualMachine, VirtualMachineInstance, VmiPhase, VmiSpec } from '../../graders/sdk/index.ts';
import type { CoreV1Event, V1Node } from '@kubernetes/client-node';

const probe = { httpGet: { port: 8080, path: '/health' }, periodSeconds: 5 };
const baseSpec = (): VmiSpec => ({ domain: { devices: {} } });

function vmi(name: string, o: { phase?: string; ready?: Condition; spec?: Partial<VmiSpec>; conditions?: Condition[]; nodeName?: string; reason?: string } = {}): VirtualMachineInstance {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
    metadata: { name, namespace: 'ha-review', uid: `uid-${name}` },
    spec: { ...baseSpec(), ...o.spec },
    status: {
      phase: (o.phase ?? 'Running') as VmiPhase,
      nodeName: o.nodeName ?? 'worker-1',
      reason: o.reason,
      conditions: [...(o.ready ? [o.ready] : []), ...(o.conditions ?? [])],
    },
  };
}

function vm(name: string, o: { runStrategy?: string; running?: boolean; printableStatus?: string; spec?: Partial<VmiSpec>; startFailure?: object } = {}): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine',
    metadata: { name, namespace: 'ha-review' },
    spec: {
      ...(o.runStrategy ? { runStrategy: o.runStrategy as VirtualMachine['spec']['runStrategy'] } : {}),
      ...(o.running !== undefined ? { running: o.running } : {}),
      template: { metadata: { labels: { app: 'web' } }, spec: { ...baseSpec(), ...o.spec } },
    },
    status: { printableStatus: o.printableStatus, ...(o.startFailure ? { startFailure: o.startFailure } : {}) },
  };
}

const readyTrue: Condition = { type: 'Ready', status: 'True' };
const readyFalse: Condition = { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [compute]' };

describe('describeProbe', () => {
  it('words each handler like kubectl describe', () => {
    assert.equal(describeProbe(probe), 'GET :8080/health');
    assert.equal(describeProbe({ httpGet: { port: 'http', path: 'ready', scheme: 'HTTPS' } }), 'GET https://:http/ready');
    assert.equal(describeProbe({ httpGet: { port: 80 } }), 'GET :80/');
    assert.equal(describeProbe({ tcpSocket: { port: 3306 } }), 'TCP :3306');
    assert.equal(describeProbe({ exec: { command: ['cat', '/tmp/ready'] } }), 'exec cat /tmp/ready');
    assert.equal(describeProbe({ guestAgentPing: {} }), 'guest agent ping');
    assert.equal(describeProbe(undefined), 'no probe');
  });
});

describe('describeVmiReadiness', () => {
  it('says why a VMI is not Ready: the readiness probe and the kubelet text', () => {
    const v = vmi('web2', { ready: readyFalse, spec: { readinessProbe: probe } });
    assert.equal(describeVmiReadiness(v), 'VMI web2 is not Ready: readiness probe GET :8080/health has not succeeded yet');
    assert.equal(describeVmiReadiness(v, undefined, { probeFailure: { output: 'HTTP probe failed with statuscode: 503', count: 3 } }),
      'VMI web2 is not Ready: readiness probe GET :8080/health failed 3 times: HTTP probe failed with statuscode: 503');
    assert.equal(describeVmiReadiness(v, undefined, { probeFailure: { output: 'connection refused', count: 1 } }),
      'VMI web2 is not Ready: readiness probe GET :8080/health failed: connection refused');
  });

  it('names a VMI without a readiness probe, and a Ready one with its probe', () => {
    assert.equal(describeVmiReadiness(vmi('web2', { ready: readyTrue })), 'VMI web2 has no readiness probe');
    assert.equal(describeVmiReadiness(vmi('web2', { ready: readyTrue, spec: { readinessProbe: probe } })), 'VMI web2 is Ready (readiness probe GET :8080/health passes)');
  });

  it('blames the phase, scheduling, the node, pausing or the pod before the probe', () => {
    assert.equal(describeVmiReadiness(vmi('w', { phase: 'Scheduling' })), 'VMI w is not Ready: it is still starting (phase Scheduling)');
    assert.equal(describeVmiReadiness(vmi('w', { phase: 'Failed', reason: 'NodeUnresponsive' })), 'VMI w is not Ready: it has stopped (phase Failed, reason NodeUnresponsive)');
    assert.equal(describeVmiReadiness(vmi('w', { phase: 'Scheduling', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }] })),
      'VMI w is not Ready: its virt-launcher pod cannot be scheduled: 0/3 nodes are available: 3 Insufficient memory.');
    const node: V1Node = { metadata: { name: 'worker-1' }, status: { conditions: [{ type: 'Ready', status: 'Unknown', message: 'Kubelet stopped posting node status.' }] } };
    assert.equal(describeVmiReadiness(vmi('w', { ready: readyFalse, spec: { readinessProbe: probe } }), undefined, { node }),
      'VMI w is not Ready: its node worker-1 is NotReady (Kubelet stopped posting node status.)');
    assert.equal(describeVmiReadiness(vmi('w', { ready: readyFalse, conditions: [{ type: 'Paused', status: 'True' }] })), 'VMI w is not Ready: it is paused');
    assert.equal(describeVmiReadiness(vmi('w', { ready: { type: 'Ready', status: 'False', reason: 'PodTerminating' } })), 'VMI w is not Ready: its virt-launcher pod is terminating');
    assert.equal(describeVmiReadiness(vmi('w', { ready: { type: 'Ready', status: 'False', reason: 'GuestNotRunning', message: 'Guest VM is not reported as running' } })),
      'VMI w is not Ready: Guest VM is not reported as running');
  });

  it('takes the newest readiness failure from the pod events', () => {
    const ev = (message: string, count: number): CoreV1Event => ({ involvedObject: {}, metadata: {}, reason: 'Unhealthy', message, count });
    assert.deepEqual(probeFailureFrom([ev('Readiness probe failed: timeout', 2), ev('Liveness probe failed: x', 1), ev('Readiness probe failed: HTTP probe failed with statuscode: 503', 4)]),
      { output: 'HTTP probe failed with statuscode: 503', count: 4 });
    assert.equal(probeFailureFrom([ev('Liveness probe failed: x', 1)]), undefined);
  });
});

describe('templateVsInstance', () => {
  it('says a probe added to the template does nothing until the VMI restarts', () => {
    assert.equal(templateVsInstance(vm('web1', { spec: { readinessProbe: probe } }), vmi('web1'), 'readinessProbe'),
      'the VM template has a readinessProbe but the running VMI web1 was started before it was added: restart the VM (virtctl restart web1)');
    assert.equal(templateVsInstance(vm('web1', { spec: { domain: { devices: { watchdog: { name: 'wd', i6300esb: { action: 'poweroff' } } } } } }), vmi('web1'), 'domain.devices.watchdog'),
      'the VM template has a watchdog (domain.devices.watchdog) but the running VMI web1 was started before it was added: restart the VM (virtctl restart web1)');
    assert.equal(templateVsInstance(vm('web1', { spec: { evictionStrategy: 'LiveMigrate' } }), vmi('web1'), ['evictionStrategy']),
      'the VM template sets evictionStrategy LiveMigrate but the running VMI web1 was started before it was added: restart the VM (virtctl restart web1)');
  });

  it('says when the running VMI has an older value', () => {
    assert.equal(templateVsInstance(vm('web1', { spec: { evictionStrategy: 'LiveMigrate' } }), vmi('web1', { spec: { evictionStrategy: 'None' } }), 'evictionStrategy'),
      "the VM template's evictionStrategy (LiveMigrate) differs from the running VMI web1's (None): it was started before the change: restart the VM (virtctl restart web1)");
  });

  it('accepts a VMI that carries the template value plus defaults, no VMI, or a field the template does not set', () => {
    const defaulted = { ...probe, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1, initialDelaySeconds: 0 };
    assert.equal(templateVsInstance(vm('web1', { spec: { readinessProbe: probe } }), vmi('web1', { spec: { readinessProbe: defaulted } }), 'readinessProbe'), undefined);
    assert.equal(templateVsInstance(vm('web1', { spec: { domain: { devices: { watchdog: { name: 'wd' } } } } }),
      vmi('web1', { spec: { domain: { devices: { watchdog: { name: 'wd', i6300esb: { action: 'reset' } } } } } }), 'domain.devices.watchdog'), undefined);
    assert.equal(templateVsInstance(vm('web1', { spec: { readinessProbe: probe } }), undefined, 'readinessProbe'), undefined);
    assert.equal(templateVsInstance(vm('web1', { spec: { readinessProbe: probe } }), vmi('web1', { phase: 'Failed' }), 'readinessProbe'), undefined);
    assert.equal(templateVsInstance(vm('web1'), vmi('web1', { spec: { terminationGracePeriodSeconds: 30 } }), 'terminationGracePeriodSeconds'), undefined);
  });

  it('lists the fields that differ from what a check wants', () => {
    assert.deepEqual(fieldMismatches({ httpGet: { port: 8080, path: '/health' } }, { httpGet: { port: 80 } }, 'readinessProbe'),
      ['readinessProbe.httpGet.port is 80, expected 8080', 'readinessProbe.httpGet.path is not set, expected /health']);
    assert.deepEqual(fieldMismatches({ periodSeconds: 5 }, { periodSeconds: 5, timeoutSeconds: 1 }, 'p'), []);
  });
});

describe('describeVmRunning', () => {
  it('summarises each printable status with what to do', () => {
    assert.equal(effectiveRunStrategy(vm('a', { running: true })), 'Always');
    assert.equal(effectiveRunStrategy(vm('a', { running: false })), 'Halted');
    assert.equal(effectiveRunStrategy(vm('a')), 'Halted');
    assert.equal(describeVmRunning(vm('web1', { runStrategy: 'Halted', printableStatus: 'Stopped' }), undefined),
      'VM ha-review/web1 is Stopped (runStrategy Halted): start it (virtctl start web1) or set spec.runStrategy: Always');
    assert.equal(describeVmRunning(vm('web1', { runStrategy: 'Always', printableStatus: 'Running' }), vmi('web1', { ready: readyTrue })),
      'VM ha-review/web1 is Running on worker-1 and Ready');
    assert.equal(describeVmRunning(vm('web1', { runStrategy: 'Always', printableStatus: 'Running' }), vmi('web1', { ready: readyFalse, spec: { readinessProbe: probe } }),
      { probeFailure: { output: 'connection refused', count: 1 } }),
    'VM ha-review/web1 is Running on worker-1 but not Ready: readiness probe GET :8080/health failed: connection refused');
    assert.equal(describeVmRunning(vm('web1', { runStrategy: 'Always', printableStatus: 'Starting' }), vmi('web1', { phase: 'Scheduling' })),
      'VM ha-review/web1 is Starting: VMI web1 is Scheduling');
    assert.equal(describeVmRunning(vm('web1', { runStrategy: 'RerunOnFailure', printableStatus: 'Stopped' }), vmi('web1', { phase: 'Succeeded' })),
      'VM ha-review/web1 is Stopped (runStrategy RerunOnFailure): its VMI ended with phase Succeeded');
    assert.equal(describeVmRunning(vm('web1', { runStrategy: 'Always', printableStatus: 'CrashLoopBackOff', startFailure: { consecutiveFailCount: 2, retryAfterTimestamp: '2026-03-01T10:01:00Z' } }), undefined),
      'VM ha-review/web1 is CrashLoopBackOff: it failed to start 2 times, next attempt after 2026-03-01T10:01:00Z');
  });
});

describe('describeEndpoints', () => {
  it('builds the Service message of the design: count, expectation, each missing backend', () => {
    const endpoints = [
      { address: '10.128.0.5', ready: true, vmiName: 'web1', podName: 'virt-launcher-web1-abcde', ports: [] },
      { address: '10.128.0.6', ready: false, vmiName: 'web2', podName: 'virt-launcher-web2-fghjk', ports: [] },
    ];
    assert.equal(describeEndpoints({ namespace: 'ha-review', service: 'frontend', endpoints, expected: 2, problems: ['VMI web2 is not Ready (readiness probe GET :8080/health failed)'] }),
      'Service ha-review/frontend has 1 ready endpoint, expected 2 (ready: VMI web1): VMI web2 is not Ready (readiness probe GET :8080/health failed)');
    assert.equal(describeEndpoints({ namespace: 'ha-review', service: 'frontend', endpoints, expected: 2 }),
      'Service ha-review/frontend has 1 ready endpoint, expected 2 (ready: VMI web1): VMI web2 is not ready');
    assert.equal(describeEndpoints({ namespace: 'ha-review', service: 'frontend', endpoints: [], expected: 2 }),
      "Service ha-review/frontend has 0 ready endpoints, expected 2: it has no endpoints: does its selector match the labels of the VMs' template (spec.template.metadata.labels)?");
  });

  it('words a node', () => {
    assert.equal(describeNode({ metadata: { name: 'worker-2' }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }), 'node worker-2 is Ready, cordoned (SchedulingDisabled)');
    assert.equal(describeNode({ metadata: { name: 'worker-2' }, status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } }), 'node worker-2 is NotReady (NodeStatusUnknown)');
  });
});

describe('Routes and load balancers', () => {
  const route = (ingress?: Route['status']): Route => ({
    apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'frontend', namespace: 'ha-review' },
    spec: { host: 'frontend.apps.example.com', to: { kind: 'Service', name: 'frontend' } }, ...(ingress ? { status: ingress } : {}),
  });

  it('takes the admitted host, else spec.host', () => {
    assert.equal(isRouteAdmitted(route()), false);
    assert.equal(routeHost(route()), 'frontend.apps.example.com');
    const rejected = route({ ingress: [{ host: 'frontend.apps.example.com', routerName: 'default', conditions: [{ type: 'Admitted', status: 'False', reason: 'HostAlreadyClaimed' }] }] });
    assert.equal(isRouteAdmitted(rejected), false);
    const admitted = route({ ingress: [{ host: 'frontend-ha-review.apps.lab.example.com', routerName: 'default', conditions: [{ type: 'Admitted', status: 'True' }] }] });
    assert.equal(isRouteAdmitted(admitted), true);
    assert.equal(routeHost(admitted), 'frontend-ha-review.apps.lab.example.com');
  });

  it('says why a Route is not admitted: rejected with the router\'s reason, or not yet looked at', () => {
    const admitted = route({ ingress: [{ host: 'frontend.apps.example.com', routerName: 'default', conditions: [{ type: 'Admitted', status: 'True' }] }] });
    assert.equal(describeRouteAdmission(admitted), undefined);
    const claimed = route({ ingress: [{ host: 'frontend.apps.example.com', routerName: 'default', conditions: [{ type: 'Admitted', status: 'False', reason: 'HostAlreadyClaimed', message: 'route web already exposes frontend.apps.example.com and is older' }] }] });
    assert.equal(describeRouteAdmission(claimed), 'Route ha-review/frontend was rejected by the router: HostAlreadyClaimed: route web already exposes frontend.apps.example.com and is older');
    const bare = route({ ingress: [{ routerName: 'default', conditions: [{ type: 'Admitted', status: 'False' }] }] });
    assert.equal(describeRouteAdmission(bare), 'Route ha-review/frontend was rejected by the router: not admitted');
    assert.equal(describeRouteAdmission(route()), 'Route ha-review/frontend has not been admitted by the router yet (no Admitted condition in status.ingress)');
    const pending = route({ ingress: [{ routerName: 'default', conditions: [{ type: 'Admitted', status: 'Unknown' }] }] });
    assert.equal(describeRouteAdmission(pending), 'Route ha-review/frontend has not been admitted by the router yet');
  });

  it('reads the first load-balancer ingress address', () => {
    assert.equal(loadBalancerIp({ status: { loadBalancer: { ingress: [{ ip: '192.168.10.240' }] } } }), '192.168.10.240');
    assert.equal(loadBalancerIp({ status: { loadBalancer: {} } }), undefined);
    assert.equal(loadBalancerIp(undefined), undefined);
  });
});
