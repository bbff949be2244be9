// The kubelet's probe workers (pure state machine), the probe texts the
// kubelet writes into Unhealthy events, and the pod conditions it derives.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  containerReady, containerStarted, newWorker, nextRunAt, probeActive, probeTiming, recordRun, type ProbeKind, type ProbeWorker,
} from '../../sandbox/sim/controllers/kubelet/probes.ts';
import { httpFailure, parseVirtProbe, probeUrl, resolvePort, runProbe, tcpFailure } from '../../sandbox/sim/controllers/kubelet/prober.ts';
import {
  containersReadyCondition, mergeConditions, podPhase, podReadyCondition, type ContainerStatus,
} from '../../sandbox/sim/controllers/kubelet/pod-status.ts';
import type { GuestRuntimeApi, ProbeOutcome } from '../../sandbox/sim/guest/types.ts';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';

const S = 1000;

describe('probe timing', () => {
  it('fills the Kubernetes defaults (values below 1 are replaced)', () => {
    assert.deepEqual(probeTiming({}), { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
    assert.deepEqual(probeTiming({ initialDelaySeconds: 15, periodSeconds: 0, timeoutSeconds: 5, successThreshold: 2, failureThreshold: -1 }),
      { initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 2, failureThreshold: 3 });
  });

  it('ticks every period from the container start, skipping ticks before the initial delay', () => {
    const t = probeTiming({ initialDelaySeconds: 10, periodSeconds: 10 });
    const w = newWorker('readiness');
    assert.equal(nextRunAt(w, t, 0), 10 * S);
    assert.equal(nextRunAt({ ...w, lastRunAt: 10 * S }, t, 0), 20 * S);
    assert.equal(nextRunAt({ ...w, lastRunAt: 13 * S }, t, 0), 20 * S, 'a late run keeps the tick grid');
    assert.equal(nextRunAt(newWorker('liveness'), probeTiming({ initialDelaySeconds: 15, periodSeconds: 10 }), 0), 20 * S);
    assert.equal(nextRunAt(newWorker('readiness'), probeTiming({}), 5 * S), 5 * S, 'no delay: right at start');
    assert.equal(nextRunAt({ ...w, onHold: true }, t, 0), undefined);
  });
});

describe('probe state machine', () => {
  // Each row: kind, thresholds, run outcomes → published result after each run, and whether the last run kills.
  const table: { title: string; kind: ProbeKind; probe: Record<string, number>; runs: boolean[]; results: string[]; kill?: boolean }[] = [
    { title: 'readiness starts failed and turns ready on the first success', kind: 'readiness', probe: {}, runs: [true], results: ['success'] },
    { title: 'readiness needs successThreshold successes in a row', kind: 'readiness', probe: { successThreshold: 2 }, runs: [true, false, true, true], results: ['failure', 'failure', 'failure', 'success'] },
    { title: 'readiness fails after failureThreshold failures in a row', kind: 'readiness', probe: {}, runs: [true, false, false, true, false, false, false], results: ['success', 'success', 'success', 'success', 'success', 'success', 'failure'] },
    { title: 'readiness recovers after successThreshold', kind: 'readiness', probe: { failureThreshold: 1, successThreshold: 3 }, runs: [true, true, true, false, true, true, true], results: ['failure', 'failure', 'success', 'failure', 'failure', 'failure', 'success'] },
    { title: 'liveness starts succeeded and kills after failureThreshold', kind: 'liveness', probe: {}, runs: [false, false, false], results: ['success', 'success', 'failure'], kill: true },
    { title: 'liveness failures that do not reach the threshold kill nothing', kind: 'liveness', probe: {}, runs: [false, false, true, false, false], results: ['success', 'success', 'success', 'success', 'success'] },
    { title: 'startup starts unknown and kills after failureThreshold', kind: 'startup', probe: { failureThreshold: 2 }, runs: [false, false], results: ['unknown', 'failure'], kill: true },
    { title: 'startup succeeds once', kind: 'startup', probe: {}, runs: [false, true], results: ['unknown', 'success'] },
  ];
  for (const row of table) {
    it(row.title, () => {
      const t = probeTiming(row.probe);
      let w: ProbeWorker = newWorker(row.kind);
      let kill = false;
      const seen: string[] = [];
      row.runs.forEach((ok, i) => {
        const out = recordRun(w, ok, t, i * 10 * S);
        w = out.worker;
        kill = out.kill;
        seen.push(w.result);
      });
      assert.deepEqual(seen, row.results);
      assert.equal(kill, row.kill ?? false);
      if (kill) assert.equal(w.onHold, true);
    });
  }

  it('holds liveness and readiness until startup succeeded', () => {
    assert.equal(probeActive('liveness', 'unknown'), false);
    assert.equal(probeActive('readiness', 'success'), true);
    assert.equal(probeActive('readiness', undefined), true);
    assert.equal(probeActive('startup', 'success'), false);
    assert.equal(containerStarted('unknown'), false);
    assert.equal(containerReady(undefined, undefined), true);
    assert.equal(containerReady(undefined, 'failure'), false);
    assert.equal(containerReady('unknown', 'success'), false);
  });
});

describe('probe texts', () => {
  const refused: Exclude<ProbeOutcome, { ok: true }> = { ok: false, reason: 'refused', message: 'x' };
  const timeout: Exclude<ProbeOutcome, { ok: true }> = { ok: false, reason: 'timeout', message: 'x' };
  it('words HTTP and TCP failures as Go clients do', () => {
    const url = probeUrl({ path: '/health', scheme: 'HTTP' }, '10.128.2.5', 8080);
    assert.equal(url, 'http://10.128.2.5:8080/health');
    assert.equal(httpFailure(url, '10.128.2.5:8080', refused), 'Get "http://10.128.2.5:8080/health": dial tcp 10.128.2.5:8080: connect: connection refused');
    assert.equal(httpFailure(url, '10.128.2.5:8080', timeout), 'Get "http://10.128.2.5:8080/health": context deadline exceeded (Client.Timeout exceeded while awaiting headers)');
    assert.equal(httpFailure(url, '10.128.2.5:8080', { ok: false, reason: 'http-status', status: 503, message: '' }), 'HTTP probe failed with statuscode: 503');
    assert.equal(tcpFailure('10.128.2.5:3306', refused), 'dial tcp 10.128.2.5:3306: connect: connection refused');
    assert.equal(tcpFailure('10.128.2.5:3306', timeout), 'dial tcp 10.128.2.5:3306: i/o timeout');
    assert.equal(probeUrl({ path: 'ready', host: 'fd00::5' }, '10.0.0.1', 80), 'http://[fd00::5]:80/ready');
    assert.equal(resolvePort('http', { ports: [{ name: 'http', containerPort: 8080 }] }), 8080);
    assert.equal(resolvePort('8081', {}), 8081);
  });

  it("reads KubeVirt's virt-probe command lines", () => {
    assert.deepEqual(parseVirtProbe(['virt-probe', '--domainName', 'default_web', '--timeoutSeconds', '5', '--command', 'cat', '--', '/tmp/healthy']),
      { command: ['cat', '/tmp/healthy'], timeoutSeconds: 5 });
    assert.deepEqual(parseVirtProbe(['virt-probe', '--domainName', 'default_web', '--timeoutSeconds', '1', '--guestAgentPing']), { guestAgentPing: true, timeoutSeconds: 1 });
    assert.equal(parseVirtProbe(['cat', '/tmp/x']), undefined);
  });

  it('probes launcher pods through the guest and succeeds for every other pod', () => {
    const calls: string[] = [];
    const guests = {
      httpGet: (uid: string, port: number, path: string) => { calls.push(`http ${uid} ${port} ${path}`); return refused; },
      tcpConnect: (uid: string, port: number) => { calls.push(`tcp ${uid} ${port}`); return { ok: true } as ProbeOutcome; },
      exec: (uid: string, cmd: string[]) => { calls.push(`exec ${uid} ${cmd.join(' ')}`); return { ok: false, reason: 'exit-code', message: 'cat: /tmp/healthy: No such file or directory' } as ProbeOutcome; },
      guestAgentPing: (uid: string) => { calls.push(`ping ${uid}`); return { ok: false, reason: 'no-agent', message: 'Guest agent is not connected' } as ProbeOutcome; },
    } as unknown as GuestRuntimeApi;
    const launcher: KubeObject = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'virt-launcher-web-abcde', labels: { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': 'vmi-uid' }, annotations: { 'kubevirt.io/domain': 'web' } },
      spec: {}, status: { podIP: '10.128.2.5' },
    };
    const compute = { name: 'compute' };
    assert.deepEqual(runProbe(launcher, compute, { httpGet: { port: 8080, path: '/health' } }, guests),
      { ok: false, output: 'Get "http://10.128.2.5:8080/health": dial tcp 10.128.2.5:8080: connect: connection refused' });
    assert.deepEqual(runProbe(launcher, compute, { tcpSocket: { port: 3306 } }, guests), { ok: true, output: '' });
    assert.deepEqual(runProbe(launcher, compute, { exec: { command: ['virt-probe', '--domainName', 'default_web', '--timeoutSeconds', '1', '--command', 'cat', '--', '/tmp/healthy'] } }, guests),
      { ok: false, output: 'cat: /tmp/healthy: No such file or directory' });
    assert.deepEqual(runProbe(launcher, compute, { exec: { command: ['virt-probe', '--domainName', 'default_web', '--timeoutSeconds', '1', '--guestAgentPing'] } }, guests),
      { ok: false, output: 'Guest agent is not connected' });
    assert.deepEqual(calls, ['http vmi-uid 8080 /health', 'tcp vmi-uid 3306', 'exec vmi-uid cat /tmp/healthy', 'ping vmi-uid']);
    const plain: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx' }, spec: {}, status: { podIP: '10.128.2.6' } };
    assert.deepEqual(runProbe(plain, { name: 'c' }, { httpGet: { port: 80 } }, guests), { ok: true, output: '' });
    assert.equal(calls.length, 4);
  });
});

describe('pod conditions', () => {
  const running = (name: string, ready: boolean): ContainerStatus => ({ name, ready, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } });
  it('ContainersReady lists the unready containers', () => {
    assert.deepEqual(containersReadyCondition(['compute'], [running('compute', false)], 'Running'),
      { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [compute]' });
    assert.deepEqual(containersReadyCondition(['a', 'b'], [running('a', true)], 'Running'),
      { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: 'containers with unknown status: [b]' });
    assert.deepEqual(containersReadyCondition(['a'], [running('a', true)], 'Running'), { type: 'ContainersReady', status: 'True' });
    assert.deepEqual(containersReadyCondition(['a'], [], 'Failed'), { type: 'ContainersReady', status: 'False', reason: 'PodFailed' });
  });

  it('Ready follows ContainersReady, then the readiness gates', () => {
    const ok = { type: 'ContainersReady', status: 'True' as const };
    const gate = 'kubevirt.io/virtual-machine-unpaused';
    assert.deepEqual(podReadyCondition(ok, [gate], []),
      { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: `corresponding condition of pod readiness gate "${gate}" does not exist.` });
    assert.deepEqual(podReadyCondition(ok, [gate], [{ type: gate, status: 'False' }]),
      { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: `the status of pod readiness gate "${gate}" is not "True", but False` });
    assert.deepEqual(podReadyCondition(ok, [gate], [{ type: gate, status: 'True' }]), { type: 'Ready', status: 'True' });
    assert.deepEqual(podReadyCondition({ type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: 'm' }, [], []),
      { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'm' });
  });

  it('derives the phase from container states and the restart policy', () => {
    const terminated = (code: number): ContainerStatus => ({ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: code } } });
    assert.equal(podPhase('Never', [terminated(137)]), 'Failed');
    assert.equal(podPhase('Never', [terminated(0)]), 'Succeeded');
    assert.equal(podPhase('OnFailure', [terminated(1)]), 'Running');
    assert.equal(podPhase('Always', [running('c', true)]), 'Running');
  });

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const before = [{ type: 'Ready', status: 'True' as const, lastProbeTime: null, lastTransitionTime: 'T0' }, { type: 'PodScheduled', status: 'True' as const, lastTransitionTime: 'T-1' }];
    const same = mergeConditions(before, [{ type: 'Ready', status: 'True' }], 'T1');
    assert.equal(same[0].lastTransitionTime, 'T0');
    assert.equal(same[1].type, 'PodScheduled');
    const flipped = mergeConditions(before, [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'm' }], 'T2');
    assert.deepEqual(flipped[0], { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: 'T2', reason: 'ContainersNotReady', message: 'm' });
  });
});
