// The endpoints.kubernetes.io/last-change-trigger-time annotation: the
// earliest pod readiness change or Service creation that this sync reflects
// and the previous one did not (upstream's TriggerTimeTracker). One tracker
// per controller, in memory, as upstream: after a restart the first sync of
// each Service reports its creation time.

import type { KubeObject } from '../../api/object.ts';
import { podReadyCondition } from './membership.ts';

interface ServiceState {
  serviceTime: number;
  podTimes: Map<string, number>;
}

function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || !v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /**
   * Updates what is known about the Service and its selected pods and returns
   * the trigger time to export (milliseconds), or undefined for none.
   */
  compute(svc: KubeObject, pods: KubeObject[]): number | undefined {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const prior = this.states.get(key);
    let min: number | undefined;
    const consider = (t: number): void => { if (min === undefined || t < min) min = t; };
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = parseTime(podReadyCondition(pod)?.lastTransitionTime);
      if (t === undefined) continue;
      podTimes.set(pod.metadata.name!, t);
      if (t > (prior?.podTimes.get(pod.metadata.name!) ?? -Infinity)) consider(t);
    }
    const serviceTime = parseTime(svc.metadata.creationTimestamp) ?? 0;
    if (serviceTime > (prior?.serviceTime ?? -Infinity)) consider(serviceTime);
    this.states.set(key, { serviceTime, podTimes });
    return prior ? min : serviceTime || undefined;
  }

  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}
