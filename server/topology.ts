// The picture of a workspace's cluster the lab page draws: nodes, the VMs and
// their instances (node, phase, ready), and how traffic reaches them
// (Services and the VMs behind their selectors, Routes to Services). Platform
// namespaces are left out; the student's are what the labs are about.

import type { KubeObject } from '../sandbox/sim/api/object.ts';
import type { ClusterObjects } from './clusters.ts';
import type { Topology } from './topology-types.ts';

export type {
  Topology, TopologyNode, TopologyRoute, TopologyService, TopologyVm, TopologyVmi,
} from './topology-types.ts';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v as Obj : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(rec) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Namespaces of the platform itself, not of the labs. */
export function isPlatformNamespace(ns: string | undefined): boolean {
  return !ns || ns.startsWith('kube-') || ns.startsWith('openshift') || ns === 'metallb-system';
}

function condition(o: KubeObject, type: string): boolean {
  return list(rec(o.status).conditions).some((c) => c.type === type && c.status === 'True');
}

function matches(selector: Obj, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

export async function readTopology(objects: ClusterObjects): Promise<Topology> {
  const [nodes, pods, services, routes, vms, vmis] = await Promise.all([
    objects.list('nodes'), objects.list('pods'), objects.list('services'), objects.list('routes'),
    objects.list('virtualmachines'), objects.list('virtualmachineinstances'),
  ]);
  const userVmis = vmis.filter((v) => !isPlatformNamespace(v.metadata.namespace));
  const launcherOf = new Map<string, KubeObject>();
  for (const p of pods) {
    if (p.metadata.labels?.['kubevirt.io'] !== 'virt-launcher' || p.metadata.deletionTimestamp) continue;
    const owner = (p.metadata.ownerReferences ?? []).find((r) => r.kind === 'VirtualMachineInstance');
    if (owner) launcherOf.set(`${p.metadata.namespace}/${owner.name}`, p);
  }
  return {
    nodes: nodes.map((n) => ({
      name: n.metadata.name!,
      roles: Object.keys(n.metadata.labels ?? {}).filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => l.slice('node-role.kubernetes.io/'.length)).sort(),
      ready: condition(n, 'Ready'),
      schedulable: rec(n.spec).unschedulable !== true,
    })),
    vms: vms.filter((v) => !isPlatformNamespace(v.metadata.namespace)).map((v) => ({
      namespace: v.metadata.namespace!,
      name: v.metadata.name!,
      ...(str(rec(v.status).printableStatus) ? { status: str(rec(v.status).printableStatus) } : {}),
      ...(str(rec(v.spec).runStrategy) ? { runStrategy: str(rec(v.spec).runStrategy) } : {}),
    })),
    vmis: userVmis.map((v) => {
      const st = rec(v.status);
      const owner = (v.metadata.ownerReferences ?? []).find((r) => r.kind === 'VirtualMachine');
      const ip = str(list(st.interfaces)[0]?.ipAddress);
      return {
        namespace: v.metadata.namespace!,
        name: v.metadata.name!,
        ...(str(st.nodeName) ? { node: str(st.nodeName) } : {}),
        ...(str(st.phase) ? { phase: str(st.phase) } : {}),
        ready: condition(v, 'Ready'),
        ...(ip ? { ip } : {}),
        ...(owner ? { vm: owner.name } : {}),
      };
    }),
    services: services.filter((s) => !isPlatformNamespace(s.metadata.namespace) && !(s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes')).map((s) => {
      const spec = rec(s.spec);
      const selector = rec(spec.selector);
      const ingress = list(rec(rec(s.status).loadBalancer).ingress).map((i) => str(i.ip)).filter((ip): ip is string => !!ip);
      const behind = userVmis.filter((v) => v.metadata.namespace === s.metadata.namespace && matches(selector, launcherOf.get(`${v.metadata.namespace}/${v.metadata.name}`)?.metadata.labels));
      return {
        namespace: s.metadata.namespace!,
        name: s.metadata.name!,
        type: str(spec.type) ?? 'ClusterIP',
        ...(str(spec.clusterIP) ? { clusterIP: str(spec.clusterIP) } : {}),
        externalIPs: [...ingress, ...(Array.isArray(spec.externalIPs) ? spec.externalIPs.filter((x): x is string => typeof x === 'string') : [])],
        ports: list(spec.ports).map((p) => ({
          port: Number(p.port),
          ...(p.targetPort !== undefined ? { targetPort: p.targetPort as number | string } : {}),
          ...(typeof p.nodePort === 'number' ? { nodePort: p.nodePort } : {}),
          ...(str(p.protocol) ? { protocol: str(p.protocol) } : {}),
        })),
        vmis: behind.map((v) => ({ name: v.metadata.name!, ready: condition(v, 'Ready') })),
      };
    }),
    routes: routes.filter((r) => !isPlatformNamespace(r.metadata.namespace)).map((r) => {
      const spec = rec(r.spec);
      const admitted = list(rec(r.status).ingress).some((i) => list(i.conditions).some((c) => c.type === 'Admitted' && c.status === 'True'));
      return {
        namespace: r.metadata.namespace!,
        name: r.metadata.name!,
        ...(str(spec.host) ? { host: str(spec.host) } : {}),
        ...(str(rec(spec.to).name) ? { service: str(rec(spec.to).name) } : {}),
        admitted,
      };
    }),
  };
}
