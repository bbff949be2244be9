// The endpoints controller (kube-controller-manager's endpoint controller):
// keeps a core/v1 Endpoints, named like the Service, listing the pods its
// selector matches — ready ones in `addresses`, the others in
// `notReadyAddresses` — on the pod ports the Service's target ports resolve
// to. Services without a selector (endpoints kept by hand) and ExternalName
// Services are left alone; a deleted Service's Endpoints is deleted.
// Writes only when the subsets or labels change.

import type { KubeObject } from '../../api/object.ts';
import { ApiError } from '../../api/errors.ts';
import type { Controller } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import type { ControllerDeps } from '../types.ts';
import {
  HEADLESS_LABEL, LAST_CHANGE_TRIGGER_TIME, endpointsLabels, managesEndpoints, rfc3339Nano, selects, servicesForPodEvent,
} from './membership.ts';
import { OVER_CAPACITY, capacityAnnotationCorrect, desiredSubsets, subsetsEqual, truncateSubsets } from './subsets.ts';
import { TriggerTimeTracker } from './trigger-time.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const Reason = {
  FailedToCreateEndpoint: 'FailedToCreateEndpoint',
  FailedToUpdateEndpoint: 'FailedToUpdateEndpoint',
} as const;

/** Endpoints used as a leader-election lock carry this; they have no Service and must stay. */
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ak = Object.keys(a ?? {});
  const bk = Object.keys(b ?? {});
  return ak.length === bk.length && ak.every((k) => a![k] === b?.[k]);
}

function namespaceTerminating(e: unknown): boolean {
  return e instanceof ApiError && e.code === 403 && (e.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

export function endpointsController(deps: ControllerDeps): Controller {
  const { client } = deps;
  const recorder = deps.recorder({ component: 'endpoint-controller' });
  const triggerTimes = new TriggerTimeTracker();

  async function reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = client.get('services', namespace, name);
    if (!svc) {
      // Endpoints have no owner reference: the controller removes them with their Service.
      const ep = client.get('endpoints', namespace, name);
      if (ep && !ep.metadata.annotations?.[LEADER_ANNOTATION]) await client.delete('endpoints', namespace, name);
      triggerTimes.deleteService(namespace!, name);
      return;
    }
    if (!managesEndpoints(svc)) return;

    const pods = client.list('pods', namespace).filter((p) => selects(svc, p.metadata.labels))
      .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    // Computed on every sync so the tracker learns the pods' state even when nothing is written.
    const triggerTime = triggerTimes.compute(svc, pods);
    const subsets = desiredSubsets(svc, pods);

    const current = client.get('endpoints', namespace, name);
    const labels = endpointsLabels(svc);
    if (current) {
      const curLabels = { ...(current.metadata.labels ?? {}) };
      const curHeadless = HEADLESS_LABEL in curLabels;
      delete curLabels[HEADLESS_LABEL];
      const svcLabels = svc.metadata.labels ?? {};
      // Upstream ignores the headless label here (a cluster IP never changes there); here an IP may be allocated after creation.
      if (subsetsEqual(current.subsets, subsets) && sameLabels(curLabels, svcLabels) && curHeadless === (HEADLESS_LABEL in labels)
        && capacityAnnotationCorrect(current.metadata.annotations, current.subsets)) return;
    }

    const next: KubeObject = current ? jsonClone(current) as KubeObject : {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace },
    };
    const annotations = { ...(next.metadata.annotations ?? {}) };
    if (triggerTime !== undefined) annotations[LAST_CHANGE_TRIGGER_TIME] = rfc3339Nano(triggerTime);
    else delete annotations[LAST_CHANGE_TRIGGER_TIME];
    if (truncateSubsets(subsets)) annotations[OVER_CAPACITY] = 'truncated';
    else delete annotations[OVER_CAPACITY];
    if (Object.keys(annotations).length) next.metadata.annotations = annotations;
    else delete next.metadata.annotations;
    if (Object.keys(labels).length) next.metadata.labels = labels;
    else delete next.metadata.labels;
    if (subsets.length) next.subsets = subsets;
    else delete next.subsets;

    try {
      if (current) await client.update('endpoints', next);
      else await client.create('endpoints', next);
    } catch (e) {
      if (!current && namespaceTerminating(e)) return;
      const msg = e instanceof Error ? e.message : String(e);
      if (current) await recorder.event(next, 'Warning', Reason.FailedToUpdateEndpoint, `Failed to update endpoint ${namespace}/${name}: ${msg}`);
      else await recorder.event(next, 'Warning', Reason.FailedToCreateEndpoint, `Failed to create endpoint for service ${namespace}/${name}: ${msg}`);
      throw e;
    }
  }

  return {
    name: 'endpoint-controller',
    watches: [
      { resource: 'services', map: (s) => [keyOf(s)] },
      { resource: 'pods', map: (p, ev) => servicesForPodEvent(() => client.list('services', p.metadata.namespace), p, ev?.type === 'MODIFIED' ? ev.previous : undefined) },
      {
        // Deleted Endpoints of a selected Service come back; at start, leftovers of deleted Services go.
        resource: 'endpoints',
        map: (ep, ev) => (ev === undefined || ev.type === 'DELETED') && !ep.metadata.annotations?.[LEADER_ANNOTATION] ? [keyOf(ep)] : [],
      },
    ],
    reconcile,
  };
}
