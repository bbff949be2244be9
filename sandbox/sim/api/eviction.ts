// The Eviction API (pods/eviction, policy/v1) independent of HTTP: admission
// plugins on pods/eviction first (KubeVirt's eviction webhook), then the
// PodDisruptionBudget check, then a normal graceful delete with the given
// options. The HTTP handler and the in-process client both come through here.

import { Errors } from './errors.ts';
import { isPlainObject, type KubeObject } from './object.ts';
import type { RestStorage, WriteOptions } from './rest-storage.ts';
import { fromLabelSelectorObject, matchesLabels } from '../store/label-selector.ts';

export interface EvictionRequest {
  /** The Eviction's deleteOptions (gracePeriodSeconds, preconditions, dryRun). */
  deleteOptions?: Record<string, unknown>;
  /**
   * The Eviction's own metadata beyond name and namespace: its labels and
   * annotations reach admission (the descheduler marks its evictions with
   * `requested-by: sigs.k8s.io/descheduler`, which KubeVirt's webhook reads).
   */
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** Only string-valued entries of a labels or annotations map. */
function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isPlainObject(v)) return undefined;
  const out = Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return Object.keys(out).length ? out : undefined;
}

export interface EvictionResult {
  warnings: string[];
}

interface Pdb {
  metadata: { name: string };
  spec: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: unknown };
}

function scaled(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const pct = Number(v.replace('%', '')) / 100;
  return roundUp ? Math.ceil(pct * total) : Math.floor(pct * total);
}

function podReady(p: KubeObject): boolean {
  const conds = ((p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions) ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True') && !p.metadata.deletionTimestamp;
}

export async function evictPod(storage: RestStorage, namespace: string | undefined, name: string, eviction: EvictionRequest, opts: WriteOptions): Promise<EvictionResult> {
  const kind = storage.registry.resource('', 'v1', 'pods')!;
  const pod = storage.read(kind, namespace, name);
  const deleteOptions = isPlainObject(eviction.deleteOptions) ? eviction.deleteOptions : {};
  const dryRun = !!opts.dryRun || (Array.isArray(deleteOptions.dryRun) && deleteOptions.dryRun.includes('All'));
  const o: WriteOptions = { ...opts, subresource: 'eviction', dryRun };
  const warnings: string[] = [];
  const labels = stringMap(eviction.metadata?.labels);
  const annotations = stringMap(eviction.metadata?.annotations);
  const metadata = { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) };
  await storage.admitSubresource(kind, 'eviction', 'CREATE', { apiVersion: 'policy/v1', kind: 'Eviction', metadata, deleteOptions } as KubeObject, pod, o, warnings);

  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  const exempt = phase === 'Pending' || phase === 'Succeeded' || phase === 'Failed' || !!pod.metadata.deletionTimestamp;
  if (!exempt) {
    const pdbKind = storage.registry.resource('policy', 'v1', 'poddisruptionbudgets')!;
    const pdbs = (storage.list(pdbKind, namespace) as unknown as Pdb[]).filter((b) => {
      const sel = fromLabelSelectorObject(b.spec.selector as Parameters<typeof fromLabelSelectorObject>[0]);
      return sel !== null && sel.length > 0 && matchesLabels(sel, pod.metadata.labels);
    });
    if (pdbs.length > 1) throw Errors.internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    if (pdbs.length === 1) {
      const b = pdbs[0];
      const sel = fromLabelSelectorObject(b.spec.selector as Parameters<typeof fromLabelSelectorObject>[0])!;
      const pods = storage.list(kind, namespace).filter((p) => matchesLabels(sel, p.metadata.labels));
      const healthy = pods.filter(podReady).length;
      const desired = b.spec.minAvailable !== undefined
        ? scaled(b.spec.minAvailable, pods.length, true)
        : pods.length - scaled(b.spec.maxUnavailable ?? 0, pods.length, false);
      // A pod that is not ready does not count against the budget.
      if (podReady(pod) && healthy - 1 < desired) {
        throw Errors.tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", [
          { reason: 'DisruptionBudget', message: `The disruption budget ${b.metadata.name} needs ${desired} healthy pods and has ${healthy} currently` },
        ]);
      }
    }
  }
  await storage.delete(kind, namespace, name, {
    gracePeriodSeconds: typeof deleteOptions.gracePeriodSeconds === 'number' ? deleteOptions.gracePeriodSeconds : undefined,
    preconditions: isPlainObject(deleteOptions.preconditions) ? deleteOptions.preconditions as { uid?: string } : undefined,
    dryRun,
  }, o);
  return { warnings };
}
