// What changed between two topology snapshots, in words, for the events
// timeline: nodes going NotReady or cordoned, VMIs created, scheduled, moved
// to another node (a live migration, or a failover that recreated the
// instance elsewhere), changing phase or readiness, VMs changing status,
// Services gaining or losing ready VMs, Routes admitted. Pure: no DOM, so it
// is tested on its own (test/unit/topology-changes.test.ts).

import type { Topology, TopologyService, TopologyVmi } from '../types.ts';

export type Severity = 'info' | 'good' | 'warning';

export interface TopologyChange {
  /** What it is about, e.g. `vmi ha-lab/web1`, `node worker-1`. */
  subject: string;
  severity: Severity;
  text: string;
}

const keyOf = (o: { namespace: string; name: string }): string => `${o.namespace}/${o.name}`;

function byKey<T extends { namespace: string; name: string }>(list: T[]): Map<string, T> {
  return new Map(list.map((o) => [keyOf(o), o]));
}

function readyCount(s: TopologyService): number {
  return s.vmis.filter((v) => v.ready).length;
}

function vmiChanges(before: TopologyVmi | undefined, after: TopologyVmi | undefined, key: string): TopologyChange[] {
  const subject = `vmi ${key}`;
  if (!before && after) return [{ subject, severity: 'info', text: `VMI ${key} created${after.node ? ` on ${after.node}` : ''}` }];
  if (before && !after) return [{ subject, severity: 'warning', text: `VMI ${key} is gone${before.node ? ` (it ran on ${before.node})` : ''}` }];
  if (!before || !after) return [];
  const out: TopologyChange[] = [];
  if (before.node !== after.node) {
    if (before.node && after.node) out.push({ subject, severity: 'info', text: `VMI ${key} moved from ${before.node} to ${after.node}` });
    else if (after.node) out.push({ subject, severity: 'info', text: `VMI ${key} scheduled on ${after.node}` });
    else out.push({ subject, severity: 'warning', text: `VMI ${key} left ${before.node}` });
  }
  if (before.phase !== after.phase && after.phase) {
    const bad = after.phase === 'Failed' || after.phase === 'Unknown';
    out.push({ subject, severity: bad ? 'warning' : after.phase === 'Running' ? 'good' : 'info', text: `VMI ${key} is ${after.phase}${before.phase ? ` (was ${before.phase})` : ''}` });
  }
  if (before.ready !== after.ready) {
    out.push({ subject, severity: after.ready ? 'good' : 'warning', text: `VMI ${key} is ${after.ready ? 'ready' : 'not ready'}` });
  }
  return out;
}

export function topologyChanges(prev: Topology | undefined, next: Topology): TopologyChange[] {
  if (!prev) return [];
  const out: TopologyChange[] = [];

  const oldNodes = new Map(prev.nodes.map((n) => [n.name, n]));
  const newNodes = new Map(next.nodes.map((n) => [n.name, n]));
  for (const [name, n] of newNodes) {
    const o = oldNodes.get(name);
    const subject = `node ${name}`;
    if (!o) {
      out.push({ subject, severity: 'info', text: `Node ${name} joined the cluster` });
      continue;
    }
    if (o.ready !== n.ready) out.push({ subject, severity: n.ready ? 'good' : 'warning', text: `Node ${name} is ${n.ready ? 'Ready' : 'NotReady'}` });
    if (o.schedulable !== n.schedulable) out.push({ subject, severity: n.schedulable ? 'good' : 'warning', text: n.schedulable ? `Node ${name} is schedulable again` : `Node ${name} is cordoned (SchedulingDisabled)` });
  }
  for (const name of oldNodes.keys()) if (!newNodes.has(name)) out.push({ subject: `node ${name}`, severity: 'warning', text: `Node ${name} was removed from the cluster` });

  const oldVms = byKey(prev.vms);
  for (const [key, vm] of byKey(next.vms)) {
    const o = oldVms.get(key);
    if (!o) out.push({ subject: `vm ${key}`, severity: 'info', text: `VM ${key} created${vm.status ? ` (${vm.status})` : ''}` });
    else if (o.status !== vm.status && vm.status) {
      const bad = /Error|CrashLoop|Unschedulable|Failed/.test(vm.status);
      out.push({ subject: `vm ${key}`, severity: bad ? 'warning' : vm.status === 'Running' ? 'good' : 'info', text: `VM ${key}: ${o.status ?? '—'} → ${vm.status}` });
    }
  }
  for (const key of oldVms.keys()) if (!next.vms.some((v) => keyOf(v) === key)) out.push({ subject: `vm ${key}`, severity: 'info', text: `VM ${key} deleted` });

  const oldVmis = byKey(prev.vmis);
  const newVmis = byKey(next.vmis);
  for (const key of new Set([...oldVmis.keys(), ...newVmis.keys()])) out.push(...vmiChanges(oldVmis.get(key), newVmis.get(key), key));

  const oldSvcs = byKey(prev.services);
  const newSvcs = byKey(next.services);
  for (const [key, s] of newSvcs) {
    const o = oldSvcs.get(key);
    const subject = `service ${key}`;
    if (!o) {
      out.push({ subject, severity: 'info', text: `Service ${key} (${s.type}) created with ${readyCount(s)}/${s.vmis.length} ready VMs` });
      continue;
    }
    if (readyCount(o) !== readyCount(s) || o.vmis.length !== s.vmis.length) {
      out.push({ subject, severity: readyCount(s) < readyCount(o) ? 'warning' : 'good', text: `Service ${key} has ${readyCount(s)}/${s.vmis.length} ready VMs${s.vmis.length ? ` (${s.vmis.map((v) => `${v.name}${v.ready ? '' : ' not ready'}`).join(', ')})` : ''}` });
    }
    const gained = s.externalIPs.filter((ip) => !o.externalIPs.includes(ip));
    if (gained.length) out.push({ subject, severity: 'good', text: `Service ${key} got external address ${gained.join(', ')}` });
  }
  for (const key of oldSvcs.keys()) if (!newSvcs.has(key)) out.push({ subject: `service ${key}`, severity: 'info', text: `Service ${key} deleted` });

  const oldRoutes = byKey(prev.routes);
  const newRoutes = byKey(next.routes);
  for (const [key, r] of newRoutes) {
    const o = oldRoutes.get(key);
    if (!o) out.push({ subject: `route ${key}`, severity: 'info', text: `Route ${key} created${r.host ? ` for ${r.host}` : ''}` });
    else if (o.admitted !== r.admitted) out.push({ subject: `route ${key}`, severity: r.admitted ? 'good' : 'warning', text: `Route ${key} ${r.admitted ? 'admitted by the router' : 'is no longer admitted'}` });
  }
  for (const key of oldRoutes.keys()) if (!newRoutes.has(key)) out.push({ subject: `route ${key}`, severity: 'info', text: `Route ${key} deleted` });
  return out;
}
