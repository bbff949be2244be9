// The EndpointSlice controller (kube-controller-manager's endpointslice
// controller): keeps discovery.k8s.io/v1 EndpointSlices, owned by the
// Service and labelled kubernetes.io/service-name, listing every pod its
// selector matches with ready/serving/terminating conditions, node, zone and
// target pod — one slice per resolved port set, up to 100 endpoints each.
// Slices are updated in place, stale ones deleted, nothing is written when
// nothing changed. Services without a selector and ExternalName Services get
// none from it; a deleted Service's slices go with it (owner references).

import type { KubeObject } from '../../api/object.ts';
import { ApiError } from '../../api/errors.ts';
import type { Controller } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import type { ControllerDeps } from '../types.ts';
import { managesEndpoints, selects, servicesForPodEvent } from '../endpoints/membership.ts';
import { TriggerTimeTracker } from '../endpoints/trigger-time.ts';
import { CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, planSlices } from './slices.ts';

const SLICES = 'discovery.k8s.io/endpointslices';

export const Reason = {
  FailedToUpdateEndpointSlices: 'FailedToUpdateEndpointSlices',
} as const;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function namespaceTerminating(e: unknown): boolean {
  return e instanceof ApiError && e.code === 403 && (e.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

/** Several errors read like Go's utilerrors aggregate. */
function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

function managedByUs(slice: KubeObject | undefined): boolean {
  return slice?.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME;
}

function serviceKeyOf(slice: KubeObject): string[] {
  const name = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  return name ? [`${slice.metadata.namespace}/${name}`] : [];
}

export function endpointSliceController(deps: ControllerDeps): Controller {
  const { client } = deps;
  const recorder = deps.recorder({ component: 'endpoint-slice-controller' });
  const triggerTimes = new TriggerTimeTracker();
  /** Thrown by write() when the namespace is going away: creates will keep failing, so the sync is dropped. */
  const DROP = Symbol('namespace terminating');

  async function reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = client.get('services', namespace, name);
    if (!svc) {
      // The garbage collector removes the slices through their owner reference.
      triggerTimes.deleteService(namespace!, name);
      return;
    }
    if (!managesEndpoints(svc)) return;

    const pods = client.list('pods', namespace).filter((p) => selects(svc, p.metadata.labels))
      .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    const existing = client.list(SLICES, namespace).filter((s) =>
      s.metadata.labels?.[SERVICE_NAME_LABEL] === name && managedByUs(s) && !s.metadata.deletionTimestamp)
      .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    const triggerTime = triggerTimes.compute(svc, pods);
    const plan = planSlices({ service: svc, pods, existing, triggerTime, node: (n) => (n ? client.get('nodes', undefined, n) : undefined) });

    const errors = [...plan.errors];
    try {
      await write(svc, plan.create, plan.update, plan.delete);
    } catch (e) {
      if (e === DROP) return;
      errors.push(message(e));
    }
    if (errors.length) {
      const msg = aggregate(errors);
      await recorder.event(svc, 'Warning', Reason.FailedToUpdateEndpointSlices, `Error updating Endpoint Slices for Service ${namespace}/${name}: ${msg}`);
      throw new Error(msg);
    }
  }

  async function write(svc: KubeObject, create: KubeObject[], update: KubeObject[], del: KubeObject[]): Promise<void> {
    const where = `Service ${svc.metadata.namespace}/${svc.metadata.name}`;
    // No new slices for a Service being deleted: the garbage collector would race them.
    if (!svc.metadata.deletionTimestamp) {
      for (const s of create) {
        try {
          await client.create(SLICES, s);
        } catch (e) {
          if (namespaceTerminating(e)) throw DROP;
          throw new Error(`failed to create EndpointSlice for ${where}: ${message(e)}`);
        }
      }
    }
    for (const s of update) {
      try {
        await client.update(SLICES, s);
      } catch (e) {
        throw new Error(`failed to update ${s.metadata.name} EndpointSlice for ${where}: ${message(e)}`);
      }
    }
    for (const s of del) {
      try {
        await client.delete(SLICES, s.metadata.namespace, s.metadata.name!);
      } catch (e) {
        throw new Error(`failed to delete ${s.metadata.name} EndpointSlice for ${where}: ${message(e)}`);
      }
    }
  }

  return {
    name: 'endpointslice-controller',
    watches: [
      { resource: 'services', map: (s) => [keyOf(s)] },
      { resource: 'pods', map: (p, ev) => servicesForPodEvent(() => client.list('services', p.metadata.namespace), p, ev?.type === 'MODIFIED' ? ev.previous : undefined) },
      {
        // A slice of ours changed by someone else (or deleted) is put right; our own writes come back as no-op syncs.
        resource: SLICES,
        map: (s, ev) => {
          const prev = ev?.type === 'MODIFIED' ? ev.previous : undefined;
          if (prev && prev.metadata.labels?.[SERVICE_NAME_LABEL] !== s.metadata.labels?.[SERVICE_NAME_LABEL]) return [...serviceKeyOf(s), ...serviceKeyOf(prev)];
          if (managedByUs(s) || (prev && managedByUs(prev))) return serviceKeyOf(s);
          return [];
        },
      },
    ],
    reconcile,
  };
}
