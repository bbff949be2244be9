// The kubelets of all simulated nodes: start the containers of pods bound to a
// node (Pending → Running with an IP and Ready conditions) and finish graceful
// deletions once the containers have stopped. Containers run until deleted.

import type { KubeObject } from '../../api/object.ts';
import { rfc3339 } from '../../api/age.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import type { ControllerDeps } from '../types.ts';
import { containerStartLines } from './container-output.ts';

/** Seconds from binding until the containers run (image pull and start). */
export const CONTAINER_START_SECONDS = 2;
/** Seconds a container takes to exit after SIGTERM (bounded by the grace period). */
export const CONTAINER_STOP_SECONDS = 1;

interface Container {
  name: string;
  image: string;
}

interface PodSpec {
  nodeName?: string;
  containers?: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
}

interface PodStatus {
  phase?: string;
  startTime?: string;
  podIP?: string;
}

function podReadyGates(pod: KubeObject): boolean {
  const gates = ((pod.spec as { readinessGates?: { conditionType: string }[] }).readinessGates) ?? [];
  const conds = ((pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions) ?? [];
  return gates.every((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True'));
}

export function kubeletController(deps: ControllerDeps): Controller {
  const { client, clock, logs } = deps;

  function nodeReady(name: string): KubeObject | undefined {
    const node = client.get('nodes', undefined, name);
    const ready = (node?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.find((c) => c.type === 'Ready');
    return ready?.status === 'True' ? node : undefined;
  }

  function podIP(node: KubeObject, pod: KubeObject): string {
    // One address per pod from the node's pod CIDR, lowest free first.
    const cidr = ((node.spec as { podCIDR?: string }).podCIDR ?? '10.128.0.0/23').split('/')[0];
    const base = cidr.split('.').map(Number);
    const used = new Set(client.list('pods').filter((p) => (p.spec as PodSpec).nodeName === node.metadata.name && p.metadata.uid !== pod.metadata.uid)
      .map((p) => (p.status as PodStatus | undefined)?.podIP).filter(Boolean));
    for (let i = 2; i < 510; i++) {
      const ip = `${base[0]}.${base[1]}.${base[2] + (i >> 8)}.${i & 255}`;
      if (!used.has(ip)) return ip;
    }
    return `${base[0]}.${base[1]}.${base[2]}.1`;
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const pod = client.get('pods', namespace, name);
    if (!pod) return;
    const spec = pod.spec as PodSpec;
    if (!spec.nodeName) return;
    const node = nodeReady(spec.nodeName);
    if (!node) return;
    const status = (pod.status ?? {}) as PodStatus;
    const now = clock.now();
    const recorder = deps.recorder({ component: 'kubelet', host: spec.nodeName });

    if (pod.metadata.deletionTimestamp) {
      const grace = pod.metadata.deletionGracePeriodSeconds ?? 0;
      const requested = Date.parse(pod.metadata.deletionTimestamp) - grace * 1000;
      const stoppedAt = requested + Math.min(grace, CONTAINER_STOP_SECONDS) * 1000;
      if (now < stoppedAt) {
        if (status.phase === 'Running' && !(pod.metadata.annotations ?? {})['virtlab.dev/killing']) {
          for (const c of spec.containers ?? []) await recorder.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
        }
        return { requeueAfter: (stoppedAt - now) / 1000 };
      }
      await client.delete('pods', namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      logs.forget(pod.metadata.uid!);
      return;
    }

    if (status.phase === 'Succeeded' || status.phase === 'Failed') return;

    if (!status.startTime) {
      const containers = spec.containers ?? [];
      await client.updateStatus('pods', {
        ...structuredClone(pod),
        status: {
          ...structuredClone(status),
          phase: 'Pending',
          hostIP: nodeAddress(node),
          hostIPs: [{ ip: nodeAddress(node) }],
          startTime: rfc3339(now),
          conditions: [
            { type: 'PodReadyToStartContainers', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(now) },
            { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(now) },
            { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(now), reason: 'ContainersNotReady', message: `containers with unready status: [${containers.map((c) => c.name).join(' ')}]` },
            { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(now), reason: 'ContainersNotReady', message: `containers with unready status: [${containers.map((c) => c.name).join(' ')}]` },
            { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: pod.metadata.creationTimestamp },
          ],
          containerStatuses: containers.map((c) => ({
            name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false,
            state: { waiting: { reason: 'ContainerCreating' } }, lastState: {},
          })),
        },
      } as KubeObject);
      for (const c of containers) {
        await recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`);
      }
      return { requeueAfter: CONTAINER_START_SECONDS };
    }

    if (status.phase === 'Pending') {
      const started = Date.parse(status.startTime) + CONTAINER_START_SECONDS * 1000;
      if (now < started) return { requeueAfter: (started - now) / 1000 };
      const containers = spec.containers ?? [];
      const ip = podIP(node, pod);
      const t = rfc3339(now);
      const ready = podReadyGates(pod);
      const conds = [
        { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: t },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: status.startTime },
        ready
          ? { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: t }
          : { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: t, reason: 'ReadinessGatesNotReady', message: 'corresponding condition of pod readiness gate is not "True"' },
        { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: t },
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: pod.metadata.creationTimestamp },
      ];
      const gateConds = ((pod.status as { conditions?: { type: string }[] }).conditions ?? []).filter((c) => !conds.some((k) => k.type === c.type));
      await client.updateStatus('pods', {
        ...structuredClone(pod),
        status: {
          ...structuredClone(status),
          phase: 'Running',
          podIP: ip,
          podIPs: [{ ip }],
          conditions: [...conds, ...gateConds],
          containerStatuses: containers.map((c) => ({
            name: c.name, image: imageRef(c.image), imageID: `${imageRef(c.image).split(':')[0]}@sha256:${fakeDigest(c.image)}`,
            containerID: `cri-o://${fakeDigest(pod.metadata.uid + c.name)}`,
            ready: true, restartCount: 0, started: true, state: { running: { startedAt: t } }, lastState: {},
          })),
        },
      } as KubeObject);
      for (const c of containers) {
        await recorder.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${c.image}" in 1.2s (1.2s including waiting). Image size: 52428800 bytes.`);
        await recorder.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
        await recorder.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
        logs.append(pod.metadata.uid!, c.name, now, containerStartLines(c, pod, now));
      }
    }
  }

  return {
    name: 'kubelet',
    watches: [
      { resource: 'pods', map: (o) => ((o.spec as PodSpec | undefined)?.nodeName ? [keyOf(o)] : []) },
      {
        resource: 'nodes',
        map: (n) => client.list('pods').filter((p) => (p.spec as PodSpec).nodeName === n.metadata.name).map(keyOf),
      },
    ],
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
