// KubeVirt's pod eviction webhooks (virt-api pod-eviction-admitter):
// virt-launcher-eviction-interceptor.kubevirt.io protects running VMIs whose
// eviction strategy asks for a live migration, and
// hotplug-pod-eviction-interceptor.kubevirt.io protects hotplug volume pods.
// A protected eviction is always refused with 429; the first refusal also marks
// the VMI (status.evacuationNodeName), which the evacuation controller turns
// into a migration. The webhook writes that mark through `writer`, acting as
// virt-api, and never on a dry run.

import type { AdmissionPlugin, AdmissionRequest, ClusterReader } from '../api/admission.ts';
import type { KubeObject } from '../api/object.ts';
import { isPlainObject } from '../api/object.ts';
import { rfc3339 } from '../api/age.ts';
import type { AdmissionDenial, AdmissionResult } from '../kinds/types.ts';
import { kubevirtClusterConfig } from '../kinds/kubevirt/index.ts';
import { jsonClone } from '../api/json-clone.ts';

export const LAUNCHER_EVICTION_WEBHOOK = 'virt-launcher-eviction-interceptor.kubevirt.io';
export const HOTPLUG_EVICTION_WEBHOOK = 'hotplug-pod-eviction-interceptor.kubevirt.io';

const VMI_RESOURCE = 'kubevirt.io/virtualmachineinstances';
const APP_LABEL = 'kubevirt.io';
const DOMAIN_ANNOTATION = 'kubevirt.io/domain';
/** Set on the VMI when the descheduler asked for the eviction; the evacuation migration then gets system-maintenance priority. */
export const EVICTION_SOURCE_ANNOTATION = 'kubevirt.io/eviction-source';
const REQUESTED_BY_ANNOTATION = 'requested-by';
const DESCHEDULER = 'sigs.k8s.io/descheduler';

export const EVICTION_REQUESTED_CONDITION = 'EvictionRequested';
export const EVICTION_REQUESTED_MESSAGE = 'VMI is marked for eviction';

export type EvictionStrategy = 'None' | 'LiveMigrate' | 'LiveMigrateIfPossible' | 'External';

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
}

function conditions(o: KubeObject): Condition[] {
  const c = obj(o.status).conditions;
  return Array.isArray(c) ? (c as Condition[]) : [];
}

/** The VMI's own strategy, else the cluster's (KubeVirt CR spec.configuration.evictionStrategy; none by default). */
export function vmiEvictionStrategy(vmi: KubeObject): EvictionStrategy | undefined {
  const s = obj(vmi.spec).evictionStrategy;
  if (typeof s === 'string' && s !== '') return s as EvictionStrategy;
  return kubevirtClusterConfig.evictionStrategy;
}

/** LiveMigratable=True (virt-handler's verdict). */
export function vmiIsMigratable(vmi: KubeObject): boolean {
  return conditions(vmi).some((c) => c.type === 'LiveMigratable' && c.status === 'True');
}

/** Whether an eviction should end in a live migration (LiveMigrate always; LiveMigrateIfPossible when migratable). */
export function vmiMigratableOnEviction(vmi: KubeObject): boolean {
  const s = vmiEvictionStrategy(vmi);
  if (s === 'LiveMigrate') return true;
  if (s === 'LiveMigrateIfPossible') return vmiIsMigratable(vmi);
  return false;
}

export function vmiEvacuationNodeName(vmi: KubeObject): string {
  const n = obj(vmi.status).evacuationNodeName;
  return typeof n === 'string' ? n : '';
}

function podPhase(pod: KubeObject): string {
  const p = obj(pod.status).phase;
  return typeof p === 'string' ? p : '';
}

function podNodeName(pod: KubeObject): string {
  const n = obj(pod.spec).nodeName;
  return typeof n === 'string' ? n : '';
}

function isCompleted(pod: KubeObject): boolean {
  const p = podPhase(pod);
  return p === 'Succeeded' || p === 'Failed';
}

/** What the launcher webhook decides before it writes anything. */
export type LauncherDecision =
  | { verdict: 'allow' }
  | { verdict: 'deny'; message: string }
  /** Mark the VMI for evacuation from `node`, then deny with `message`. */
  | { verdict: 'mark'; node: string; message: string };

/** The evictionFmt message the descheduler expects. */
export function evacuationMessage(vmi: KubeObject): string {
  return `Eviction triggered evacuation of VMI "${vmi.metadata.namespace}/${vmi.metadata.name}"`;
}

/**
 * The decision list of admitLauncherPod for a non-completed virt-launcher pod,
 * in upstream order. `vmi` is the VMI named by the pod's kubevirt.io/domain
 * annotation, or the lookup error.
 */
export function decideLauncherEviction(pod: KubeObject, vmi: KubeObject | Error): LauncherDecision {
  if (vmi instanceof Error) return { verdict: 'deny', message: `kubevirt failed getting the vmi: ${vmi.message}` };
  const strategy = vmiEvictionStrategy(vmi);
  let mark = false;
  switch (strategy) {
    case 'LiveMigrate':
      if (!vmiIsMigratable(vmi)) return { verdict: 'deny', message: `VMI ${vmi.metadata.name} is configured with an eviction strategy but is not live-migratable` };
      mark = true;
      break;
    case 'LiveMigrateIfPossible':
      mark = vmiIsMigratable(vmi);
      break;
    case 'External':
      mark = true;
      break;
    default:
      break;
  }
  if (!mark) return { verdict: 'allow' };
  if (vmiEvacuationNodeName(vmi) !== '') return { verdict: 'deny', message: `Evacuation in progress: ${evacuationMessage(vmi)}` };
  if (obj(vmi.status).nodeName !== podNodeName(pod)) return { verdict: 'deny', message: 'Eviction request for target Pod' };
  return { verdict: 'mark', node: podNodeName(pod), message: evacuationMessage(vmi) };
}

/**
 * The VMI after the webhook's mark: status.evacuationNodeName, the
 * EvictionRequested condition (virt-controller derives it from the same field;
 * writing it here keeps both in one write), and the descheduler annotation.
 */
export function markedForEviction(vmi: KubeObject, node: string, now: number, descheduler: boolean): KubeObject {
  const next = jsonClone(vmi);
  const status = obj(next.status);
  next.status = status;
  status.evacuationNodeName = node;
  const conds = conditions(next).filter((c) => c.type !== EVICTION_REQUESTED_CONDITION);
  const had = conditions(vmi).find((c) => c.type === EVICTION_REQUESTED_CONDITION && c.status === 'True');
  conds.push(had ?? {
    type: EVICTION_REQUESTED_CONDITION, status: 'True', reason: EVICTION_REQUESTED_CONDITION, message: EVICTION_REQUESTED_MESSAGE,
    lastProbeTime: rfc3339(now), lastTransitionTime: rfc3339(now),
  });
  status.conditions = conds;
  if (descheduler) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [EVICTION_SOURCE_ANNOTATION]: 'descheduler' };
  return next;
}

function deny(webhook: string, message: string): AdmissionResult {
  // virt-api answers {code: 429, message} without a reason; the apiserver keeps it that way.
  const denied: AdmissionDenial = { webhook, code: 429, reason: '', message };
  return { denied };
}

function notFoundMessage(name: string): string {
  return `virtualmachineinstances.kubevirt.io "${name}" not found`;
}

async function admitLauncherPod(req: AdmissionRequest, cluster: ClusterReader, pod: KubeObject, writer: (vmi: KubeObject) => Promise<void>): Promise<AdmissionResult> {
  const vmiName = pod.metadata.annotations?.[DOMAIN_ANNOTATION];
  if (vmiName === undefined) return {};
  const ns = pod.metadata.namespace;
  const vmi = cluster.get(VMI_RESOURCE, ns, vmiName) ?? new Error(notFoundMessage(vmiName));
  const d = decideLauncherEviction(pod, vmi);
  if (d.verdict === 'allow') return {};
  if (d.verdict === 'deny') return deny(LAUNCHER_EVICTION_WEBHOOK, d.message);
  if (!req.dryRun) {
    const descheduler = obj(req.object.metadata.annotations)[REQUESTED_BY_ANNOTATION] === DESCHEDULER;
    try {
      await writer(markedForEviction(vmi as KubeObject, d.node, req.ctx.now, descheduler));
    } catch (e) {
      return deny(LAUNCHER_EVICTION_WEBHOOK, `kubevirt failed marking the vmi for eviction: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return deny(LAUNCHER_EVICTION_WEBHOOK, d.message);
}

function admitHotplugPod(cluster: ClusterReader, pod: KubeObject): AdmissionResult {
  const owner = cluster.get('pods', pod.metadata.namespace, pod.metadata.ownerReferences![0].name);
  if (!owner) return {};
  if (owner.metadata.labels?.[APP_LABEL] !== 'virt-launcher' || isCompleted(owner)) return {};
  const vmiName = owner.metadata.annotations?.[DOMAIN_ANNOTATION];
  if (vmiName === undefined) return {};
  if (!cluster.get(VMI_RESOURCE, pod.metadata.namespace, vmiName)) return {};
  return deny(HOTPLUG_EVICTION_WEBHOOK, `cannot evict hotplug pod: ${pod.metadata.name} associated with running vmi: ${vmiName} in namespace ${pod.metadata.namespace}`);
}

/**
 * The pods/eviction admission plugin. `writer` stores the marked VMI as virt-api
 * would (cluster.ts passes an update through a client of
 * system:serviceaccount:openshift-cnv:kubevirt-apiserver).
 */
export function kubevirtEvictionPlugin(writer: (vmi: KubeObject) => Promise<void>): AdmissionPlugin {
  return {
    name: 'KubeVirtPodEviction',
    resources: ['pods'],
    phase: 'validating',
    async admit(req, cluster) {
      if (req.subresource !== 'eviction' || req.operation !== 'CREATE') return {};
      // virt-api reads the pod itself; a pod it cannot read passes.
      const pod = cluster.get('pods', req.namespace, req.name) ?? req.oldObject;
      if (!pod) return {};
      const app = pod.metadata.labels?.[APP_LABEL];
      if (app === 'hotplug-disk' && pod.metadata.ownerReferences?.length === 1) {
        // matchCondition of the hotplug webhook: only hp-volume-* pods reach it.
        return req.name.startsWith('hp-volume-') ? admitHotplugPod(cluster, pod) : {};
      }
      // matchCondition "only-vms": object.metadata.name.startsWith("virt-launcher").
      if (app !== 'virt-launcher' || isCompleted(pod) || !req.name.startsWith('virt-launcher')) return {};
      return admitLauncherPod(req, cluster, pod, writer);
    },
  };
}
