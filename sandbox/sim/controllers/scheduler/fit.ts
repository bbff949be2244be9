// The scheduler's filter and score plugins as pure functions over a pod and
// the nodes with the pods bound to them: NodeUnschedulable, TaintToleration,
// NodeAffinity, NodePorts and NodeResourcesFit in the default profile's order
// (a node fails with the first plugin that rejects it), LeastAllocated
// scoring, and the FitError message the real kube-scheduler reports.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { parseQuantity } from '../../kinds/core/quantity.ts';
import { firstUntoleratedTaint, taintText, tolerates, type Taint, type Toleration } from '../../scheduling/taints.ts';

export const Reason = {
  Unschedulable: 'node(s) were unschedulable',
  NodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  NodePorts: "node(s) didn't have free ports for the requested pod ports",
  TooManyPods: 'Too many pods',
  NoVictims: 'No preemption victims found for incoming pod',
  PreemptionNotHelpful: 'Preemption is not helpful for scheduling',
} as const;

export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';

/** Defaults the scoring uses for containers without requests (schedutil.DefaultMilliCPURequest / DefaultMemoryRequest). */
const DEFAULT_CPU = 0.1;
const DEFAULT_MEMORY = 200 * 1024 * 1024;

type Json = Record<string, unknown>;

function rec(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

function recs(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

/** Resource amounts by name: cpu in cores, memory in bytes, counts for the rest. */
export type Resources = Record<string, number>;

function containerRequests(c: Json): Resources {
  const out: Resources = {};
  for (const [k, v] of Object.entries(rec(rec(c.resources).requests))) out[k] = parseQuantity(v) ?? 0;
  return out;
}

/**
 * What a pod asks for: the sum of its containers' requests, at least the
 * largest init container's, plus the pod overhead (computePodResourceRequest).
 */
export function podRequests(pod: KubeObject): Resources {
  const spec = rec(pod.spec);
  const sum: Resources = {};
  for (const c of recs(spec.containers)) {
    for (const [k, v] of Object.entries(containerRequests(c))) sum[k] = (sum[k] ?? 0) + v;
  }
  for (const c of recs(spec.initContainers)) {
    for (const [k, v] of Object.entries(containerRequests(c))) sum[k] = Math.max(sum[k] ?? 0, v);
  }
  for (const [k, v] of Object.entries(rec(spec.overhead))) sum[k] = (sum[k] ?? 0) + (parseQuantity(v) ?? 0);
  return sum;
}

/** Requests with the scoring defaults for containers that request no cpu or memory (GetNonzeroRequests). */
function nonZeroRequests(pod: KubeObject): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of recs(rec(pod.spec).containers)) {
    const r = containerRequests(c);
    cpu += r.cpu ? r.cpu : DEFAULT_CPU;
    memory += r.memory ? r.memory : DEFAULT_MEMORY;
  }
  return { cpu, memory };
}

function isTerminal(pod: KubeObject): boolean {
  const phase = rec(pod.status).phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** A node and the pods bound to it that still hold resources. */
export interface NodeInfo {
  node: KubeObject;
  pods: KubeObject[];
}

/** Groups the bound, non-terminal pods by node. */
export function nodeInfos(nodes: KubeObject[], pods: KubeObject[]): NodeInfo[] {
  const byNode = new Map<string, KubeObject[]>();
  for (const p of pods) {
    const n = rec(p.spec).nodeName;
    if (typeof n !== 'string' || !n || isTerminal(p)) continue;
    let list = byNode.get(n);
    if (!list) byNode.set(n, (list = []));
    list.push(p);
  }
  return nodes.map((node) => ({ node, pods: byNode.get(node.metadata.name!) ?? [] }));
}

export function allocatable(node: KubeObject): Resources {
  const out: Resources = {};
  for (const [k, v] of Object.entries(rec(rec(node.status).allocatable))) out[k] = parseQuantity(v) ?? 0;
  return out;
}

export function requested(info: NodeInfo): Resources {
  const out: Resources = {};
  for (const p of info.pods) for (const [k, v] of Object.entries(podRequests(p))) out[k] = (out[k] ?? 0) + v;
  return out;
}

function taints(node: KubeObject): Taint[] {
  return recs(rec(node.spec).taints) as unknown as Taint[];
}

function tolerationsOf(pod: KubeObject): Toleration[] {
  return recs(rec(pod.spec).tolerations) as unknown as Toleration[];
}

/** A NodeSelectorRequirement against labels (or fields for matchFields). */
function requirementMatches(req: Json, values: Record<string, string>): boolean {
  const key = typeof req.key === 'string' ? req.key : '';
  const has = Object.prototype.hasOwnProperty.call(values, key);
  const vals = Array.isArray(req.values) ? req.values.map(String) : [];
  switch (req.operator) {
    case 'In': return has && vals.includes(values[key]);
    case 'NotIn': return !has || !vals.includes(values[key]);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || vals.length !== 1) return false;
      const a = Number(values[key]);
      const b = Number(vals[0]);
      if (!Number.isInteger(a) || !Number.isInteger(b)) return false;
      return req.operator === 'Gt' ? a > b : a < b;
    }
    default: return false;
  }
}

/** A NodeSelectorTerm: its requirements ANDed; an empty term matches nothing. */
function termMatches(term: Json, node: KubeObject): boolean {
  const exprs = recs(term.matchExpressions);
  const fields = recs(term.matchFields);
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata.labels ?? {};
  return exprs.every((e) => requirementMatches(e, labels)) && fields.every((f) => requirementMatches(f, { 'metadata.name': node.metadata.name! }));
}

/** nodeSelector and required node affinity (terms ORed). */
export function matchesNodeAffinity(pod: KubeObject, node: KubeObject): boolean {
  const spec = rec(pod.spec);
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(rec(spec.nodeSelector))) if (labels[k] !== v) return false;
  const required = rec(rec(spec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution;
  if (!isPlainObject(required)) return true;
  return recs(required.nodeSelectorTerms).some((t) => termMatches(t, node));
}

function hostPorts(pod: KubeObject): string[] {
  const out: string[] = [];
  for (const c of recs(rec(pod.spec).containers)) {
    for (const p of recs(c.ports)) {
      if (typeof p.hostPort === 'number' && p.hostPort > 0) out.push(`${p.protocol ?? 'TCP'}/${p.hostIP || '0.0.0.0'}/${p.hostPort}`);
    }
  }
  return out;
}

function portsConflict(a: string, b: string): boolean {
  const [pa, ia, na] = a.split('/');
  const [pb, ib, nb] = b.split('/');
  return pa === pb && na === nb && (ia === ib || ia === '0.0.0.0' || ib === '0.0.0.0');
}

/** Why one node cannot take the pod; `resolvable` when preemption could help (resource shortage only). */
export interface NodeFit {
  node: string;
  reasons: string[];
  resolvable: boolean;
}

/** Runs the filters on one node; an empty reason list means the pod fits. */
export function filterNode(pod: KubeObject, info: NodeInfo): NodeFit {
  const node = info.node;
  const name = node.metadata.name!;
  const spec = rec(node.spec);
  const tol = tolerationsOf(pod);
  const fail = (reasons: string[], resolvable = false): NodeFit => ({ node: name, reasons, resolvable });
  // NodeUnschedulable
  if (spec.unschedulable === true && !tol.some((t) => tolerates(t, { key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule' }))) {
    return fail([Reason.Unschedulable]);
  }
  // TaintToleration
  const taint = firstUntoleratedTaint(taints(node), tol, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  if (taint) return fail([`node(s) had untolerated taint ${taintText(taint)}`]);
  // NodeAffinity
  if (!matchesNodeAffinity(pod, node)) return fail([Reason.NodeAffinity]);
  // NodePorts
  const wanted = hostPorts(pod);
  if (wanted.length) {
    const used = info.pods.flatMap(hostPorts);
    if (wanted.some((w) => used.some((u) => portsConflict(w, u)))) return fail([Reason.NodePorts]);
  }
  // NodeResourcesFit
  const reasons = insufficientResources(pod, info);
  if (reasons.length) return fail(reasons, true);
  return { node: name, reasons: [], resolvable: true };
}

/** NodeResourcesFit's reasons: "Too many pods", then "Insufficient <resource>" per short resource. */
export function insufficientResources(pod: KubeObject, info: NodeInfo): string[] {
  const alloc = allocatable(info.node);
  const used = requested(info);
  const want = podRequests(pod);
  const reasons: string[] = [];
  if (info.pods.length + 1 > (alloc.pods ?? 0)) reasons.push(Reason.TooManyPods);
  const names = ['cpu', 'memory', 'ephemeral-storage', ...Object.keys(want).filter((k) => !['cpu', 'memory', 'ephemeral-storage', 'pods'].includes(k)).sort()];
  for (const r of names) {
    const q = want[r] ?? 0;
    if (q <= 0) continue;
    // Quantities are exact in Kubernetes; allow for float noise from unit scaling.
    const free = (alloc[r] ?? 0) - (used[r] ?? 0);
    if (q > free + Math.abs(free) * 1e-12) reasons.push(`Insufficient ${r}`);
  }
  return reasons;
}

/**
 * LeastAllocated score (0–100) of placing the pod on the node: the mean share
 * of cpu and memory left free afterwards, counting unset requests with the
 * scheduler's defaults.
 */
export function leastAllocatedScore(pod: KubeObject, info: NodeInfo): number {
  const alloc = allocatable(info.node);
  const add = nonZeroRequests(pod);
  let cpu = add.cpu;
  let memory = add.memory;
  for (const p of info.pods) {
    const r = nonZeroRequests(p);
    cpu += r.cpu;
    memory += r.memory;
  }
  const share = (cap: number, used: number): number => (cap <= 0 || used > cap ? 0 : ((cap - used) * 100) / cap);
  return (share(alloc.cpu ?? 0, cpu) + share(alloc.memory ?? 0, memory)) / 2;
}

export type ScheduleResult =
  | { node: string }
  | { unschedulable: true; message: string; fits: NodeFit[] };

/** Filters every node, then picks the best-scoring fit (ties broken by node name). */
export function schedule(pod: KubeObject, infos: NodeInfo[]): ScheduleResult {
  const fits = infos.map((i) => filterNode(pod, i));
  const feasible = infos.filter((_, i) => fits[i].reasons.length === 0);
  if (!feasible.length) return { unschedulable: true, message: fitErrorMessage(pod, fits), fits };
  let best = feasible[0];
  let bestScore = leastAllocatedScore(pod, best);
  for (const info of feasible.slice(1)) {
    const s = leastAllocatedScore(pod, info);
    if (s > bestScore || (s === bestScore && info.node.metadata.name! < best.node.metadata.name!)) {
      best = info;
      bestScore = s;
    }
  }
  return { node: best.node.metadata.name! };
}

/** The reasons histogram, "<count> <reason>" sorted bytewise as Go's sort.Strings. */
function histogram(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const items = [...counts].map(([r, n]) => `${n} ${r}`);
  items.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return items.join(', ');
}

/**
 * FitError.Error() with the DefaultPreemption post-filter message:
 * "0/6 nodes are available: 3 Insufficient memory, 3 node(s) had untolerated
 * taint {node-role.kubernetes.io/master: }. preemption: 0/6 nodes are
 * available: 3 No preemption victims found for incoming pod, 3 Preemption is
 * not helpful for scheduling."
 */
export function fitErrorMessage(pod: KubeObject, fits: NodeFit[]): string {
  const n = fits.length;
  if (n === 0) return 'no nodes available to schedule pods';
  let msg = `0/${n} nodes are available`;
  const filter = histogram(fits.flatMap((f) => f.reasons));
  msg += filter ? `: ${filter}.` : ':';
  if (rec(pod.spec).preemptionPolicy === 'Never') return `${msg} preemption: not eligible due to preemptionPolicy=Never.`;
  // Preemption is not simulated: a node short of resources never offers victims.
  const post = histogram(fits.map((f) => (f.resolvable ? Reason.NoVictims : Reason.PreemptionNotHelpful)));
  return `${msg} preemption: 0/${n} nodes are available: ${post}.`;
}
