// MachineSet status from its machines and their Nodes (machine-api-operator's
// calculateStatus): replicas, fullyLabeledReplicas, readyReplicas (Node
// Ready), availableReplicas (Ready for longer than minReadySeconds) and the
// selector in string form for the scale subresource.

import type { KubeObject } from '../../api/object.ts';
import type { Elapsed } from '../../clock.ts';
import { formatLabelSelector, fromLabelSelectorObject, matchesLabels, type LabelSelectorObject } from '../../store/label-selector.ts';

export interface MachineSetStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  labelSelector: string;
  observedGeneration?: number;
  [extra: string]: unknown;
}

interface Spec {
  minReadySeconds?: number;
  selector?: LabelSelectorObject;
  template?: { metadata?: { labels?: Record<string, string> } };
}

function readyCondition(node: KubeObject | undefined): { status: string; lastTransitionTime?: string } | undefined {
  return ((node?.status as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined)?.conditions ?? [])
    .find((c) => c.type === 'Ready');
}

export function nodeReady(node: KubeObject | undefined): boolean {
  return readyCondition(node)?.status === 'True';
}

/** Ready, and Ready for more than minReadySeconds (`elapsed`: simulated ms since a timestamp, Clock.elapsed). */
export function nodeAvailable(node: KubeObject | undefined, minReadySeconds: number, elapsed: Elapsed): boolean {
  const c = readyCondition(node);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  return !!c.lastTransitionTime && elapsed(Date.parse(c.lastTransitionTime)) > minReadySeconds * 1000;
}

export function machineSetStatus(ms: KubeObject, machines: readonly KubeObject[], nodeOf: (m: KubeObject) => KubeObject | undefined, elapsed: Elapsed): MachineSetStatus {
  const spec = (ms.spec ?? {}) as Spec;
  const templateLabels = spec.template?.metadata?.labels ?? {};
  const template = Object.entries(templateLabels).map(([key, v]) => ({ key, op: '=' as const, values: [v] }));
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const m of machines) {
    if (matchesLabels(template, m.metadata.labels)) fully++;
    const node = (m.status as { nodeRef?: unknown } | undefined)?.nodeRef ? nodeOf(m) : undefined;
    if (nodeReady(node)) {
      ready++;
      if (nodeAvailable(node, spec.minReadySeconds ?? 0, elapsed)) available++;
    }
  }
  let selector = '';
  try {
    selector = formatLabelSelector(fromLabelSelectorObject(spec.selector ?? {}));
  } catch {
    selector = '';
  }
  return { replicas: machines.length, fullyLabeledReplicas: fully, readyReplicas: ready, availableReplicas: available, labelSelector: selector };
}
