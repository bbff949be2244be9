// The kubelets of all simulated nodes, pod side: start the containers of pods
// bound to a node (Pending → Running with an IP), run their startup, liveness
// and readiness probes on the cluster clock, derive container and pod
// readiness (probes and readiness gates), kill containers that fail liveness
// (restarted, or terminated under restartPolicy Never), and finish graceful
// deletions once the containers have stopped. virt-launcher pods follow their
// guest's domain: they complete (or fail) when it stops, and a graceful
// deletion asks the guest to shut down and waits for it (or for the grace
// period, then destroys the domain). Nothing happens on a node whose
// kubelet is stopped or cut off (faults); after a power cycle the containers
// that ran before are gone.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import { jsonEqual } from '../../kinds/core/table-cells.ts';
import { FAULTS } from '../../kinds/sim/fault.ts';
import { faultNode, kubeletRunning, nodePoweredOff, nodeReachable } from '../../faults/queries.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import { isNotFound } from '../../runtime/client.ts';
import type { ControllerDeps } from '../types.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import type { GuestInfo } from '../../guest/types.ts';
import { containerStartLines } from './container-output.ts';
import {
  containerReady, containerStarted, newWorker, nextRunAt, probeActive, probeKindTitle, probeTiming, recordRun,
  type ProbeKind, type ProbeWorker,
} from './probes.ts';
import { launcherVmiUid, runProbe } from './prober.ts';
import {
  containersReadyCondition, mergeConditions, podPhase, podReadyCondition, type ContainerStatus, type PodCondition,
} from './pod-status.ts';
import { jsonClone } from '../../api/json-clone.ts';
import { ignoringHeartbeats } from '../../runtime/heartbeats.ts';

/** Seconds from binding until the containers run (image pull and start). */
export const CONTAINER_START_SECONDS = 2;
/** Seconds a container takes to exit after SIGTERM (bounded by the grace period). */
export const CONTAINER_STOP_SECONDS = 1;
/** Exit code of a container killed with SIGKILL (liveness failure). */
export const EXIT_KILLED = 137;
/** Exit code the runtime reports for containers lost in a reboot. */
export const EXIT_LOST = 255;

export const Reason = {
  Pulling: 'Pulling',
  Pulled: 'Pulled',
  Created: 'Created',
  Started: 'Started',
  Killing: 'Killing',
  Unhealthy: 'Unhealthy',
  ContainerCreating: 'ContainerCreating',
  ContainersNotReady: 'ContainersNotReady',
  Error: 'Error',
  Unknown: 'Unknown',
  Completed: 'Completed',
} as const;

const PROBE_KINDS: ProbeKind[] = ['startup', 'liveness', 'readiness'];

type Json = Record<string, unknown>;

interface Container extends Json {
  name: string;
  image: string;
}

interface PodSpec {
  nodeName?: string;
  containers?: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  restartPolicy?: string;
  readinessGates?: { conditionType: string }[];
}

interface PodStatus {
  phase?: string;
  startTime?: string;
  podIP?: string;
  conditions?: PodCondition[];
  containerStatuses?: ContainerStatus[];
  [k: string]: unknown;
}

function rec(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

function probeOf(c: Container, kind: ProbeKind): Json | undefined {
  const p = c[`${kind}Probe`];
  return isPlainObject(p) ? p : undefined;
}

function secondsFloor(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

export function kubeletController(deps: ControllerDeps): Controller {
  const { client, clock, logs } = deps;
  const { guests } = deps;
  /** Probe workers by pod uid, then `<container>/<restartCount>/<kind>`. */
  const workers = new Map<string, Map<string, ProbeWorker>>();
  const uidByKey = new Map<string, string>();
  /** Pods whose "Stopping container" events were recorded. */
  const killing = new Set<string>();
  /** Launcher pods of deletions whose virt-launcher exited with its domain, and when (the pod goes a moment later). */
  const exitedAt = new Map<string, number>();
  /** Nodes seen powered off, and when each came back (containers that ran before are gone). */
  const poweredOff = new Set<string>();
  const bootedAt = new Map<string, number>();
  /** One event recorder per node's kubelet, so repeated events count up instead of piling up. */
  const recorders = new Map<string, EventRecorder>();
  const recorderFor = (node: string): EventRecorder => {
    let r = recorders.get(node);
    if (!r) recorders.set(node, (r = deps.recorder({ component: 'kubelet', host: node })));
    return r;
  };

  function forgetPod(uid: string): void {
    workers.delete(uid);
    killing.delete(uid);
    exitedAt.delete(uid);
    logs.forget(uid);
  }

  function podIP(node: KubeObject, pod: KubeObject): string {
    // One address per pod from the node's pod CIDR, lowest free first.
    const cidr = (rec(node.spec).podCIDR as string | undefined ?? '10.128.0.0/23').split('/')[0];
    const base = cidr.split('.').map(Number);
    const used = new Set(client.list('pods').filter((p) => (p.spec as PodSpec).nodeName === node.metadata.name && p.metadata.uid !== pod.metadata.uid)
      .map((p) => (p.status as PodStatus | undefined)?.podIP).filter(Boolean));
    for (let i = 2; i < 510; i++) {
      const ip = `${base[0]}.${base[1]}.${base[2] + (i >> 8)}.${i & 255}`;
      if (!used.has(ip)) return ip;
    }
    return `${base[0]}.${base[1]}.${base[2]}.1`;
  }

  function workerFor(uid: string, container: string, restarts: number, kind: ProbeKind): ProbeWorker {
    let byPod = workers.get(uid);
    if (!byPod) workers.set(uid, (byPod = new Map()));
    const k = `${container}/${restarts}/${kind}`;
    let w = byPod.get(k);
    if (!w) byPod.set(k, (w = newWorker(kind)));
    return w;
  }

  function setWorker(uid: string, container: string, restarts: number, w: ProbeWorker): void {
    workers.get(uid)?.set(`${container}/${restarts}/${w.kind}`, w);
  }

  /** Whether the node's kubelet acts: it runs and reaches the API server; notes power cycles on the way. */
  function kubeletActs(node: string): boolean {
    if (nodePoweredOff(client, node)) {
      poweredOff.add(node);
      return false;
    }
    if (poweredOff.delete(node)) bootedAt.set(node, clock.now());
    return kubeletRunning(client, node) && nodeReachable(client, node);
  }

  /** The guest behind a launcher pod while that pod holds its domain (a migration target that never took over does not). */
  function podGuest(pod: KubeObject, status: PodStatus): { vmiUid: string; guest: GuestInfo } | undefined {
    const vmiUid = launcherVmiUid(pod);
    const guest = vmiUid ? guests.get(vmiUid) : undefined;
    if (!vmiUid || !guest || !status.podIP || guest.ip !== status.podIP) return undefined;
    return { vmiUid, guest };
  }

  /** The statuses once virt-launcher exited with its domain: compute by how the domain stopped, helpers cleanly. */
  function launcherExitedStatuses(statuses: ContainerStatus[], guest: GuestInfo | undefined, now: number): ContainerStatus[] {
    const clean = !guest || guest.shutoffReason === 'Shutdown';
    return statuses.map((cs) => {
      if (!cs.state.running) return cs;
      const failed = cs.name === 'compute' && !clean;
      return {
        ...cs, ready: false, started: false,
        state: {
          terminated: {
            exitCode: failed ? 1 : 0, reason: failed ? Reason.Error : Reason.Completed,
            startedAt: cs.state.running.startedAt, finishedAt: rfc3339(now), ...(cs.containerID ? { containerID: cs.containerID as string } : {}),
          },
        },
      };
    });
  }

  async function writeStatus(pod: KubeObject, next: PodStatus): Promise<boolean> {
    try {
      await client.updateStatus('pods', { ...jsonClone(pod), status: next });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async function finishDeletion(pod: KubeObject, status: PodStatus, recorder: EventRecorder): Promise<ReconcileResult | void> {
    const spec = pod.spec as PodSpec;
    const now = clock.now();
    const grace = pod.metadata.deletionGracePeriodSeconds ?? 0;
    // deletionTimestamp is `grace` simulated seconds after the request (RestStorage).
    const requested = clock.deadline(Date.parse(pod.metadata.deletionTimestamp!), -grace);
    const launcher = status.phase === 'Running' ? podGuest(pod, status) : undefined;
    if (launcher) {
      // SIGTERM to virt-launcher: it asks the guest to shut down and exits with its domain,
      // or the domain is destroyed when the grace period runs out.
      const { vmiUid } = launcher;
      if (!killing.has(pod.metadata.uid!)) {
        killing.add(pod.metadata.uid!);
        for (const c of spec.containers ?? []) await recorder.event(pod, 'Normal', Reason.Killing, `Stopping container ${c.name}`);
        if (launcher.guest.state !== 'Shutoff' && grace > 0) guests.shutdown(vmiUid);
      }
      const graceEnd = clock.deadline(requested, grace);
      let guest = guests.get(vmiUid);
      if (guest && guest.state !== 'Shutoff') {
        if (now < graceEnd) return { requeueAfter: clock.simSecondsUntil(graceEnd) };
        guests.destroy(vmiUid, 'Destroyed');
        guest = guests.get(vmiUid);
      }
      // The containers' exit is reported before the pod goes (virt-handler reads the domain's end meanwhile).
      const statuses = launcherExitedStatuses(status.containerStatuses ?? [], guest, now);
      const next: PodStatus = { ...jsonClone(status), containerStatuses: statuses, phase: podPhase(spec.restartPolicy ?? 'Always', statuses) };
      next.conditions = derivedConditions(pod, next, now);
      if (!(await writeStatus(pod, next))) return;
      exitedAt.set(pod.metadata.uid!, now);
      return { requeueAfter: CONTAINER_STOP_SECONDS };
    }
    const exited = exitedAt.get(pod.metadata.uid!);
    const stoppedAt = exited !== undefined
      ? clock.deadline(exited, CONTAINER_STOP_SECONDS)
      : clock.deadline(requested, Math.min(grace, CONTAINER_STOP_SECONDS));
    if (now < stoppedAt) {
      if (status.phase === 'Running' && !killing.has(pod.metadata.uid!)) {
        killing.add(pod.metadata.uid!);
        for (const c of spec.containers ?? []) await recorder.event(pod, 'Normal', Reason.Killing, `Stopping container ${c.name}`);
      }
      return { requeueAfter: clock.simSecondsUntil(stoppedAt) };
    }
    await client.delete('pods', pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    forgetPod(pod.metadata.uid!);
  }

  async function startPod(pod: KubeObject, node: KubeObject, status: PodStatus, recorder: EventRecorder): Promise<ReconcileResult> {
    const spec = pod.spec as PodSpec;
    const now = clock.now();
    const t = rfc3339(now);
    const containers = spec.containers ?? [];
    const names = containers.map((c) => c.name);
    const statuses: ContainerStatus[] = containers.map((c) => ({
      name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false,
      state: { waiting: { reason: Reason.ContainerCreating } }, lastState: {},
    }));
    const notReady = { status: 'False' as const, reason: Reason.ContainersNotReady, message: `containers with unready status: [${names.join(' ')}]` };
    const conditions = mergeConditions(status.conditions ?? [], [
      { type: 'PodReadyToStartContainers', status: 'False' },
      { type: 'Initialized', status: 'True' },
      { type: 'Ready', ...notReady },
      { type: 'ContainersReady', ...notReady },
    ], t);
    await client.updateStatus('pods', {
      ...jsonClone(pod),
      status: {
        ...jsonClone(status),
        phase: 'Pending',
        hostIP: nodeAddress(node),
        hostIPs: [{ ip: nodeAddress(node) }],
        startTime: t,
        conditions,
        containerStatuses: statuses,
      },
    });
    for (const c of containers) await recorder.event(pod, 'Normal', Reason.Pulling, `Pulling image "${c.image}"`);
    return { requeueAfter: CONTAINER_START_SECONDS };
  }

  function runningStatus(pod: KubeObject, c: Container, restartCount: number, now: number, lastState: Json = {}): ContainerStatus {
    const hasStartup = probeOf(c, 'startup') !== undefined;
    const hasReadiness = probeOf(c, 'readiness') !== undefined;
    const started = !hasStartup;
    return {
      name: c.name, image: imageRef(c.image), imageID: `${imageRef(c.image).split(':')[0]}@sha256:${fakeDigest(c.image)}`,
      containerID: `cri-o://${fakeDigest(`${pod.metadata.uid}${c.name}${restartCount}`)}`,
      ready: started && !hasReadiness, restartCount, started, state: { running: { startedAt: rfc3339(now) } }, lastState,
    };
  }

  async function containersStarted(pod: KubeObject, node: KubeObject, status: PodStatus, recorder: EventRecorder): Promise<ReconcileResult | void> {
    const spec = pod.spec as PodSpec;
    const now = clock.now();
    const started = clock.deadline(Date.parse(status.startTime!), CONTAINER_START_SECONDS);
    if (now < started) return { requeueAfter: clock.simSecondsUntil(started) };
    const containers = spec.containers ?? [];
    const ip = podIP(node, pod);
    const statuses = containers.map((c) => runningStatus(pod, c, 0, now));
    const next: PodStatus = { ...jsonClone(status), phase: 'Running', podIP: ip, podIPs: [{ ip }], containerStatuses: statuses };
    next.conditions = derivedConditions(pod, next, now);
    await client.updateStatus('pods', { ...jsonClone(pod), status: next });
    for (const c of containers) {
      await recorder.event(pod, 'Normal', Reason.Pulled, `Successfully pulled image "${c.image}" in 1.2s (1.2s including waiting). Image size: 52428800 bytes.`);
      await recorder.event(pod, 'Normal', Reason.Created, `Created container: ${c.name}`);
      await recorder.event(pod, 'Normal', Reason.Started, `Started container ${c.name}`);
      logs.append(pod.metadata.uid!, c.name, now, containerStartLines(c, pod, now));
    }
    // Our status write brings the pod back here, where its probes get scheduled.
  }

  /** Pod conditions from the container statuses and readiness gates. */
  function derivedConditions(pod: KubeObject, status: PodStatus, now: number): PodCondition[] {
    const spec = pod.spec as PodSpec;
    const names = (spec.containers ?? []).map((c) => c.name);
    const phase = status.phase ?? 'Pending';
    const containersReady = containersReadyCondition(names, status.containerStatuses ?? [], phase);
    const existing = status.conditions ?? [];
    const gates = (spec.readinessGates ?? []).map((g) => g.conditionType);
    const ready = podReadyCondition(containersReady, gates, existing);
    const running = phase === 'Running';
    return mergeConditions(existing, [
      { type: 'PodReadyToStartContainers', status: running ? 'True' : existing.find((c) => c.type === 'PodReadyToStartContainers')?.status ?? 'False' },
      { type: 'Initialized', status: 'True' },
      ready,
      containersReady,
    ], rfc3339(now));
  }

  /**
   * A container stops (liveness kill, or lost in a reboot): restarted in place
   * unless the restart policy says otherwise, in which case it stays terminated.
   */
  async function containerDied(pod: KubeObject, c: Container, cs: ContainerStatus, exit: { exitCode: number; reason: string; finishedAt: number },
    recorder: EventRecorder): Promise<ContainerStatus> {
    const policy = (pod.spec as PodSpec).restartPolicy ?? 'Always';
    const terminated = {
      exitCode: exit.exitCode, reason: exit.reason,
      startedAt: cs.state.running?.startedAt, finishedAt: rfc3339(exit.finishedAt),
      ...(cs.containerID ? { containerID: cs.containerID as string } : {}),
    };
    const restart = policy === 'Always' || (policy === 'OnFailure' && exit.exitCode !== 0);
    if (!restart) return { ...cs, ready: false, started: false, state: { terminated } };
    const now = clock.now();
    await recorder.event(pod, 'Normal', Reason.Pulled, `Container image "${c.image}" already present on machine`);
    await recorder.event(pod, 'Normal', Reason.Created, `Created container: ${c.name}`);
    await recorder.event(pod, 'Normal', Reason.Started, `Started container ${c.name}`);
    logs.append(pod.metadata.uid!, c.name, now, containerStartLines(c, pod, now));
    return { ...runningStatus(pod, c, cs.restartCount + 1, now, { terminated }), image: cs.image, imageID: cs.imageID };
  }

  /** Probes that are due run now; returns the container's new status and when its next probe is due. */
  async function probeContainer(pod: KubeObject, c: Container, cs: ContainerStatus, recorder: EventRecorder): Promise<{ status: ContainerStatus; nextAt?: number }> {
    const uid = pod.metadata.uid!;
    const now = clock.now();
    const startedAt = Date.parse(cs.state.running!.startedAt!);
    // Probe workers keep simulated time: ms since the container started.
    const sinceStart = clock.elapsed(startedAt);
    const realAt = (simMs: number): number => clock.deadline(startedAt, simMs / 1000);
    let nextAt: number | undefined;
    const result = (kind: ProbeKind): ProbeWorker['result'] | undefined =>
      probeOf(c, kind) ? workerFor(uid, c.name, cs.restartCount, kind).result : undefined;
    for (const kind of PROBE_KINDS) {
      const probe = probeOf(c, kind);
      if (!probe || !probeActive(kind, result('startup'))) continue;
      const timing = probeTiming(probe);
      let w = workerFor(uid, c.name, cs.restartCount, kind);
      const due = nextRunAt(w, timing, 0);
      if (due === undefined) continue;
      if (due > sinceStart) {
        nextAt = Math.min(nextAt ?? Infinity, realAt(due));
        continue;
      }
      const run = runProbe(pod, c, probe, guests);
      if (!run.ok) await recorder.event(pod, 'Warning', Reason.Unhealthy, `${probeKindTitle(kind)} probe failed: ${run.output}`);
      const out = recordRun(w, run.ok, timing, sinceStart);
      w = out.worker;
      setWorker(uid, c.name, cs.restartCount, w);
      if (out.kill) {
        await recorder.event(pod, 'Normal', Reason.Killing, `Container ${c.name} failed ${kind} probe, will be restarted`);
        // The status write this causes brings the pod back here for the new container's probes.
        return { status: await containerDied(pod, c, cs, { exitCode: EXIT_KILLED, reason: Reason.Error, finishedAt: now }, recorder) };
      }
      const after = nextRunAt(w, timing, 0);
      if (after !== undefined) nextAt = Math.min(nextAt ?? Infinity, realAt(after));
    }
    const startup = result('startup');
    // Once the startup probe succeeds the status changes, and the next pass schedules liveness and readiness.
    return { status: { ...cs, started: containerStarted(startup), ready: containerReady(startup, result('readiness')) }, nextAt };
  }

  async function syncRunning(pod: KubeObject, status: PodStatus, recorder: EventRecorder): Promise<ReconcileResult | void> {
    const spec = pod.spec as PodSpec;
    const now = clock.now();
    const boot = bootedAt.get(spec.nodeName!);
    const statuses: ContainerStatus[] = [];
    let nextAt: number | undefined;
    for (const cs of status.containerStatuses ?? []) {
      const c = (spec.containers ?? []).find((x) => x.name === cs.name);
      if (!c || !cs.state.running?.startedAt) {
        statuses.push(cs);
        continue;
      }
      if (boot !== undefined && Date.parse(cs.state.running.startedAt) < secondsFloor(boot)) {
        statuses.push(await containerDied(pod, c, cs, { exitCode: EXIT_LOST, reason: Reason.Unknown, finishedAt: boot }, recorder));
        continue;
      }
      const r = await probeContainer(pod, c, cs, recorder);
      statuses.push(r.status);
      if (r.nextAt !== undefined) nextAt = Math.min(nextAt ?? Infinity, r.nextAt);
    }
    // virt-launcher exits when its domain stops (Completed after a clean shutdown, Error otherwise);
    // its helpers (container disks) end with the compute container that holds the domain.
    const launcher = podGuest(pod, status);
    const compute = statuses.find((cs) => cs.name === 'compute');
    let finalStatuses = statuses;
    if (launcher?.guest.state === 'Shutoff' && compute?.state.running) finalStatuses = launcherExitedStatuses(statuses, launcher.guest, now);
    else if (launcherVmiUid(pod) && compute?.state.terminated) finalStatuses = launcherExitedStatuses(statuses, undefined, now);
    const next: PodStatus = { ...jsonClone(status), containerStatuses: finalStatuses };
    next.phase = podPhase(spec.restartPolicy ?? 'Always', finalStatuses);
    next.conditions = derivedConditions(pod, next, now);
    if (!jsonEqual(next, status) && !(await writeStatus(pod, next))) return;
    if (next.phase !== 'Running' || nextAt === undefined) return;
    return { requeueAfter: Math.max(0.001, clock.simSecondsUntil(nextAt)) };
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const pod = client.get('pods', namespace, name);
    const oldUid = uidByKey.get(key);
    if (oldUid && oldUid !== pod?.metadata.uid) {
      forgetPod(oldUid);
      uidByKey.delete(key);
    }
    if (!pod) return;
    const spec = pod.spec as PodSpec;
    if (!spec.nodeName) return;
    if (!kubeletActs(spec.nodeName)) return;
    const node = client.get('nodes', undefined, spec.nodeName);
    if (!node) return;
    uidByKey.set(key, pod.metadata.uid!);
    const status = (pod.status ?? {}) as PodStatus;
    const recorder = recorderFor(spec.nodeName);

    if (pod.metadata.deletionTimestamp) return finishDeletion(pod, status, recorder);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') return;
    if (!status.startTime) return startPod(pod, node, status, recorder);
    if (status.phase === 'Pending') return containersStarted(pod, node, status, recorder);
    return syncRunning(pod, status, recorder);
  }

  const podsOn = (node: string): string[] => client.list('pods').filter((p) => (p.spec as PodSpec).nodeName === node).map(keyOf);

  return {
    name: 'kubelet',
    watches: [
      { resource: 'pods', map: (o) => ((o.spec as PodSpec | undefined)?.nodeName ? [keyOf(o)] : []) },
      ignoringHeartbeats({ resource: 'nodes', map: (n) => podsOn(n.metadata.name!) }),
      { resource: FAULTS, map: (f) => { const n = faultNode(f); return n ? podsOn(n) : []; } },
    ],
    // A domain stopping ends its virt-launcher: the guest runtime tells when.
    sources: [(enqueue) => guests.onChange((uid) => {
      for (const p of client.list('pods')) {
        if (launcherVmiUid(p) === uid && (p.spec as PodSpec).nodeName) enqueue(keyOf(p));
      }
    })],
    reconcile,
  };
}

function nodeAddress(node: KubeObject): string {
  const addrs = ((node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses) ?? [];
  return addrs.find((a) => a.type === 'InternalIP')?.address ?? '';
}

function imageRef(image: string): string {
  const withRegistry = image.includes('/') && /[.:]/.test(image.split('/')[0]) ? image : `docker.io/${image.includes('/') ? image : `library/${image}`}`;
  return /:[^/]+$/.test(withRegistry) || withRegistry.includes('@') ? withRegistry : `${withRegistry}:latest`;
}

function fakeDigest(seed: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 64; round++) {
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
    h = Math.imul(h ^ round, 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}
