// The MachineHealthCheck's judgement of one machine, pure (machine-api-operator's
// target.needsRemediation): unhealthy now, or when to look again. A machine is
// unhealthy when its phase is Failed, when it has had no Node for
// nodeStartupTimeout after status.lastUpdated, when its Node is gone, or when
// any unhealthyCondition has held on the Node for longer than its timeout.
// Re-checks are due one second after the next possible expiry.

import type { KubeObject, OwnerReference } from '../../api/object.ts';
import type { Elapsed } from '../../clock.ts';
import { fromLabelSelectorObject, matchesLabels, type LabelSelectorObject } from '../../store/label-selector.ts';

export const DEFAULT_NODE_STARTUP_TIMEOUT = '10m';
export const DEFAULT_MAX_UNHEALTHY = '100%';

export type UnhealthyReason = 'MachineFailed' | 'NodeStartupTimeout' | 'NodeNotFound' | 'UnhealthyCondition';

export interface HealthResult {
  unhealthy: boolean;
  reason?: UnhealthyReason;
  message?: string;
  /** Seconds until this machine may become unhealthy (a timeout is running); undefined when nothing is pending. */
  recheckAfter?: number;
}

export interface UnhealthyCondition {
  type: string;
  status: string;
  timeout: string;
}

export interface MhcSpec {
  selector?: LabelSelectorObject;
  unhealthyConditions?: UnhealthyCondition[];
  maxUnhealthy?: number | string;
  nodeStartupTimeout?: string;
  remediationTemplate?: Record<string, unknown>;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

/** Go's time.ParseDuration, in milliseconds ("300s", "10m", "1h30m", "1.5h", "0"); NaN when invalid. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0' || s === '+0' || s === '-0') return 0;
  const sign = s.startsWith('-') ? -1 : 1;
  const body = s.replace(/^[+-]/, '');
  if (!body) return NaN;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = re.lastIndex;
  }
  return pos === body.length ? sign * total : NaN;
}

export function specOf(mhc: KubeObject): MhcSpec {
  return (mhc.spec ?? {}) as MhcSpec;
}

export function nodeRefOf(machine: KubeObject): { name: string } | undefined {
  const ref = (machine.status as { nodeRef?: { name?: string } } | undefined)?.nodeRef;
  return ref?.name ? { name: ref.name } : undefined;
}

/**
 * `node` is the Node named by the machine's nodeRef, or undefined when that
 * Node does not exist (or the machine has no nodeRef yet). `elapsed` gives
 * the simulated ms since a timestamp (Clock.elapsed); recheckAfter is in
 * simulated seconds.
 */
export function needsRemediation(machine: KubeObject, node: KubeObject | undefined, mhc: KubeObject, elapsed: Elapsed): HealthResult {
  const spec = specOf(mhc);
  const status = (machine.status ?? {}) as { phase?: string; lastUpdated?: string };
  if (status.phase === 'Failed') return { unhealthy: true, reason: 'MachineFailed', message: 'machine phase is "Failed"' };

  const ref = nodeRefOf(machine);
  if (!ref) {
    const timeout = parseDuration(spec.nodeStartupTimeout ?? DEFAULT_NODE_STARTUP_TIMEOUT);
    if (!(timeout > 0)) return { unhealthy: false };
    if (!status.lastUpdated) return { unhealthy: false, recheckAfter: timeout / 1000 };
    const since = elapsed(Date.parse(status.lastUpdated));
    if (since > timeout) return { unhealthy: true, reason: 'NodeStartupTimeout', message: `machine has no node after ${spec.nodeStartupTimeout ?? DEFAULT_NODE_STARTUP_TIMEOUT}` };
    return { unhealthy: false, recheckAfter: (timeout - since + 1000) / 1000 };
  }

  if (!node) return { unhealthy: true, reason: 'NodeNotFound', message: `node "${ref.name}" not found` };

  const conds = ((node.status as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined)?.conditions) ?? [];
  let next: number | undefined;
  for (const c of spec.unhealthyConditions ?? []) {
    const nc = conds.find((x) => x.type === c.type);
    if (!nc || nc.status !== c.status) continue;
    const timeout = parseDuration(c.timeout);
    if (Number.isNaN(timeout)) continue;
    const since = elapsed(Date.parse(nc.lastTransitionTime ?? ''));
    if (since > timeout) {
      return { unhealthy: true, reason: 'UnhealthyCondition', message: `condition ${c.type} in state ${c.status} longer than ${c.timeout}` };
    }
    const wait = timeout - since + 1000;
    if (wait > 0 && (next === undefined || wait < next)) next = wait;
  }
  return next === undefined ? { unhealthy: false } : { unhealthy: false, recheckAfter: next / 1000 };
}

/** An empty selector selects every machine of the namespace. */
export function selectsMachine(mhc: KubeObject, machine: KubeObject): boolean {
  if (mhc.metadata.namespace !== machine.metadata.namespace) return false;
  let sel;
  try {
    sel = fromLabelSelectorObject(specOf(mhc).selector ?? {});
  } catch {
    return false;
  }
  if (!sel) return false;
  return sel.length === 0 || matchesLabels(sel, machine.metadata.labels);
}

/**
 * spec.maxUnhealthy as a number of machines: an integer, or a percentage of
 * expectedMachines rounded down; NaN when it cannot be parsed (no remediation).
 */
export function maxUnhealthyCount(maxUnhealthy: number | string | undefined, expected: number): number {
  if (maxUnhealthy === undefined) return expected;
  let n: number;
  if (typeof maxUnhealthy === 'number') n = maxUnhealthy;
  else if (/^-?\d+%$/.test(maxUnhealthy)) n = Math.floor((Number(maxUnhealthy.slice(0, -1)) * expected) / 100);
  else if (/^-?\d+$/.test(maxUnhealthy)) n = Number(maxUnhealthy);
  else return NaN;
  return Math.max(0, n);
}

/** The "<mhcNamespace>/<mhcName>/<machineName>/<nodeName>" string of event messages. */
export function targetString(mhc: KubeObject, machine: KubeObject, nodeName: string): string {
  return `${mhc.metadata.namespace}/${mhc.metadata.name}/${machine.metadata.name}/${nodeName}`;
}

export function controllerOwner(machine: KubeObject): OwnerReference | undefined {
  return (machine.metadata.ownerReferences ?? []).find((o) => o.controller);
}
