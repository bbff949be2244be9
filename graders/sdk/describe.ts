// Words for failure messages. A failing check tells the student what is wrong
// and where, in the cluster's own terms: "VMI web2 is not Ready: readiness
// probe GET :8080/health failed". These functions are pure: they describe
// objects already read (see explain.ts for the versions that read the cluster).

import type { CoreV1Event, V1Node, V1Pod } from '@kubernetes/client-node';
import { conditionOf, type Probe, type Route, type RunStrategy, type VirtualMachine, type VirtualMachineInstance } from './kinds.ts';
import { isRouteAdmitted, type ServiceEndpoint } from './queries/network.ts';

/** "GET :8080/health", "TCP :3306", "exec cat /tmp/ready", "guest agent ping". */
export function describeProbe(probe: Probe | undefined): string {
  if (!probe) return 'no probe';
  if (probe.httpGet) {
    const scheme = probe.httpGet.scheme && probe.httpGet.scheme.toUpperCase() !== 'HTTP' ? `${probe.httpGet.scheme.toLowerCase()}://` : '';
    const path = probe.httpGet.path ? (probe.httpGet.path.startsWith('/') ? probe.httpGet.path : `/${probe.httpGet.path}`) : '/';
    return `GET ${scheme}${probe.httpGet.host ?? ''}:${probe.httpGet.port}${path}`;
  }
  if (probe.tcpSocket) return `TCP :${probe.tcpSocket.port}`;
  if (probe.exec) return `exec ${(probe.exec.command ?? []).join(' ')}`.trim();
  if (probe.guestAgentPing) return 'guest agent ping';
  return 'probe without a handler';
}

/** The run strategy KubeVirt applies: spec.running true/false wins (deprecated), else runStrategy, else Halted. */
export function effectiveRunStrategy(vm: VirtualMachine): RunStrategy {
  if (vm.spec?.running === true) return 'Always';
  if (vm.spec?.running === false) return 'Halted';
  return vm.spec?.runStrategy ?? 'Halted';
}

/** Why a readiness probe failed, from the kubelet's Unhealthy events on the launcher pod. */
export interface ProbeFailure {
  /** What follows "Readiness probe failed: " (e.g. "HTTP probe failed with statuscode: 503"). */
  output: string;
  /** How many times the kubelet reported it (the event's count). */
  count: number;
}

/** The newest readiness (or liveness) failure among a pod's events. */
export function probeFailureFrom(events: CoreV1Event[], kind: 'Readiness' | 'Liveness' = 'Readiness'): ProbeFailure | undefined {
  const prefix = `${kind} probe failed: `;
  const hits = events.filter((e) => e.reason === 'Unhealthy' && (e.message ?? '').startsWith(prefix));
  const last = hits[hits.length - 1];
  if (!last) return undefined;
  return { output: (last.message ?? '').slice(prefix.length), count: last.count ?? last.series?.count ?? 1 };
}

/** What is known about one VMI's readiness. */
export interface ReadinessFacts {
  pod?: V1Pod;
  /** The node the VMI runs on, to blame it when it is not Ready. */
  node?: V1Node;
  probeFailure?: ProbeFailure;
}

/** Why the VMI is not Ready (undefined when it is), in a phrase to follow "is not Ready". */
export function notReadyReason(vmi: VirtualMachineInstance, facts: ReadinessFacts = {}): string | undefined {
  const phase = vmi.status?.phase || 'Pending';
  const ready = conditionOf(vmi, 'Ready');
  const probe = vmi.spec?.readinessProbe;
  if (vmi.metadata.deletionTimestamp) return 'it is being deleted';
  if (phase === 'Failed' || phase === 'Succeeded') {
    return `it has stopped (phase ${phase}${vmi.status?.reason ? `, reason ${vmi.status.reason}` : ''})`;
  }
  const scheduled = conditionOf(vmi, 'PodScheduled');
  if (scheduled?.status === 'False') return `its virt-launcher pod cannot be scheduled${scheduled.message ? `: ${scheduled.message}` : ''}`;
  if (phase !== 'Running') return `it is still starting (phase ${phase})`;
  if (ready?.status === 'True') return undefined;
  const nodeName = vmi.status?.nodeName;
  const nodeReady = facts.node?.status?.conditions?.find((c) => c.type === 'Ready');
  if (nodeName && nodeReady && nodeReady.status !== 'True') {
    return `its node ${nodeName} is NotReady${nodeReady.message ? ` (${nodeReady.message})` : ''}`;
  }
  if (conditionOf(vmi, 'Paused')?.status === 'True') return 'it is paused';
  if (ready?.reason === 'PodTerminating') return 'its virt-launcher pod is terminating';
  if (probe) {
    const f = facts.probeFailure;
    const times = f && f.count > 1 ? ` ${f.count} times` : '';
    if (f) return `readiness probe ${describeProbe(probe)} failed${times}: ${f.output}`;
    return `readiness probe ${describeProbe(probe)} has not succeeded yet`;
  }
  if (ready?.message) return ready.message;
  if (ready?.reason) return ready.reason;
  return 'it has no Ready condition yet';
}

/**
 * "VMI web2 is Ready (readiness probe GET :8080/health passes)",
 * "VMI web2 is not Ready: readiness probe GET :8080/health failed 3 times: HTTP probe failed with statuscode: 503",
 * "VMI web2 has no readiness probe" (Ready, but only because its pod runs: the guest may not answer yet).
 */
export function describeVmiReadiness(vmi: VirtualMachineInstance, pod?: V1Pod, facts: Omit<ReadinessFacts, 'pod'> = {}): string {
  const name = `VMI ${vmi.metadata.name}`;
  const reason = notReadyReason(vmi, { ...facts, pod });
  if (reason !== undefined) return `${name} is not Ready: ${reason}`;
  const probe = vmi.spec?.readinessProbe;
  if (!probe) return `${name} has no readiness probe`;
  return `${name} is Ready (readiness probe ${describeProbe(probe)} passes)`;
}

/** A field path under the VMI spec: "readinessProbe", "domain.devices.watchdog" or a list of keys. */
export type SpecPath = string | readonly string[];

function pathKeys(path: SpecPath): string[] {
  return typeof path === 'string' ? path.split('.').filter(Boolean) : [...path];
}

function at(root: unknown, keys: string[]): unknown {
  let cur = root;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/**
 * True when every field set in `want` has the same value in `have`. The VMI
 * spec carries defaults the template left out (probe periods, watchdog
 * action), so the template value only needs to be included in the VMI's.
 */
export function includedIn(want: unknown, have: unknown): boolean {
  if (want === undefined) return true;
  if (want === null || typeof want !== 'object') return String(want) === String(have) && typeof have !== 'object';
  if (have === null || typeof have !== 'object') return false;
  if (Array.isArray(want)) {
    return Array.isArray(have) && want.length === have.length && want.every((w, i) => includedIn(w, have[i]));
  }
  return Object.entries(want as Record<string, unknown>).every(([k, v]) => includedIn(v, (have as Record<string, unknown>)[k]));
}

/** Where `have` differs from what `want` sets: ["readinessProbe.httpGet.port is 80, expected 8080"]. */
export function fieldMismatches(want: unknown, have: unknown, prefix: string): string[] {
  if (want === undefined || includedIn(want, have)) return [];
  if (want !== null && typeof want === 'object' && !Array.isArray(want) && have !== null && typeof have === 'object' && !Array.isArray(have)) {
    return Object.entries(want as Record<string, unknown>)
      .flatMap(([k, v]) => fieldMismatches(v, (have as Record<string, unknown>)[k], `${prefix}.${k}`));
  }
  return [have === undefined ? `${prefix} is not set, expected ${show(want)}` : `${prefix} is ${show(have)}, expected ${show(want)}`];
}

function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? 'an' : 'a';
}

function show(v: unknown): string {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * Compares one field of the VM template (spec.template.spec.<path>) with the
 * running VMI (spec.<path>). Undefined when the VMI runs what the template
 * says, when the template does not set the field, or when no VMI runs (it
 * will start from the template). Otherwise a
 * message that says the VMI must restart to pick the change up, e.g. "the VM
 * template has a readinessProbe but the running VMI web1 was started before
 * it was added: restart the VM (virtctl restart web1)".
 */
export function templateVsInstance(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined, path: SpecPath): string | undefined {
  if (!vmi || vmi.metadata.deletionTimestamp) return undefined;
  const phase = vmi.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return undefined;
  const keys = pathKeys(path);
  const field = keys.join('.');
  const noun = keys[keys.length - 1] ?? field;
  const inTemplate = at(vm.spec?.template?.spec, keys);
  const inVmi = at(vmi.spec, keys);
  // A field the template leaves out may still be set on the VMI by defaulting: only what the template sets is compared.
  if (inTemplate === undefined || includedIn(inTemplate, inVmi)) return undefined;
  const name = vmi.metadata.name;
  const restart = `restart the VM (virtctl restart ${vm.metadata.name})`;
  const scalar = (v: unknown): boolean => v === null || typeof v !== 'object';
  if (inVmi === undefined) {
    const has = scalar(inTemplate) ? `sets ${field} ${show(inTemplate)}` : `has ${article(noun)} ${noun === field ? noun : `${noun} (${field})`}`;
    return `the VM template ${has} but the running VMI ${name} was started before it was added: ${restart}`;
  }
  return `the VM template's ${field} (${show(inTemplate)}) differs from the running VMI ${name}'s (${show(inVmi)}): it was started before the change: ${restart}`;
}

/** True when the VM's VMI runs (phase Running), optionally also Ready. */
export function isVmRunning(vm: VirtualMachine | undefined, vmi: VirtualMachineInstance | undefined, opts: { ready?: boolean } = {}): boolean {
  if (!vm || !vmi || vmi.metadata.deletionTimestamp || vmi.status?.phase !== 'Running') return false;
  return !opts.ready || conditionOf(vmi, 'Ready')?.status === 'True';
}

/**
 * A one-line summary of a VM for messages: "VM ha-review/web1 is Running on
 * worker-1 and Ready", "VM ha-review/web1 is Stopped (runStrategy Halted):
 * start it (virtctl start web1) or set spec.runStrategy: Always", "VM
 * ha-review/web1 is Starting: VMI web1 is Scheduling", "VM ha-review/web1 is
 * ErrorUnschedulable: 0/3 nodes are available…".
 */
export function describeVmRunning(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined, facts: ReadinessFacts = {}): string {
  const name = vm.metadata.name;
  const status = vm.status?.printableStatus ?? 'Stopped';
  const strategy = effectiveRunStrategy(vm);
  const head = `VM ${vm.metadata.namespace ? `${vm.metadata.namespace}/` : ''}${name} is ${status}`;
  switch (status) {
    case 'Running': {
      if (!vmi) return head;
      const where = vmi.status?.nodeName ? ` on ${vmi.status.nodeName}` : '';
      const reason = notReadyReason(vmi, facts);
      return reason === undefined ? `${head}${where} and Ready` : `${head}${where} but not Ready: ${reason}`;
    }
    case 'Stopped': {
      if (strategy === 'Halted') return `${head} (runStrategy Halted): start it (virtctl start ${name}) or set spec.runStrategy: Always`;
      if (vmi && (vmi.status?.phase === 'Failed' || vmi.status?.phase === 'Succeeded')) {
        return `${head} (runStrategy ${strategy}): its VMI ended with phase ${vmi.status.phase}${vmi.status.reason ? ` (${vmi.status.reason})` : ''}`;
      }
      return `${head} (runStrategy ${strategy})`;
    }
    case 'Starting':
      return vmi ? `${head}: VMI ${vmi.metadata.name} is ${vmi.status?.phase || 'Pending'}` : `${head}: no VMI yet`;
    case 'ErrorUnschedulable': {
      const c = vmi ? conditionOf(vmi, 'PodScheduled') : undefined;
      return c?.message ? `${head}: ${c.message}` : head;
    }
    case 'CrashLoopBackOff': {
      const f = vm.status?.startFailure;
      const count = f?.consecutiveFailCount ? `: it failed to start ${f.consecutiveFailCount} time${f.consecutiveFailCount === 1 ? '' : 's'}` : '';
      const retry = f?.retryAfterTimestamp ? `, next attempt after ${f.retryAfterTimestamp}` : '';
      return `${head}${count}${retry}`;
    }
    case 'Stopping':
    case 'Terminating':
      return `${head}: VMI ${name} is being deleted`;
    case 'Migrating': {
      const m = vmi?.status?.migrationState;
      return m?.sourceNode && m.targetNode ? `${head} from ${m.sourceNode} to ${m.targetNode}` : head;
    }
    default: {
      const sync = vmi ? conditionOf(vmi, 'Synchronized') : undefined;
      return sync?.status === 'False' && sync.message ? `${head}: ${sync.message}` : head;
    }
  }
}

/** "VMI web2 (pod virt-launcher-web2-abcde)", "10.128.0.7", whichever names the endpoint best. */
function endpointName(e: ServiceEndpoint): string {
  if (e.vmiName) return `VMI ${e.vmiName}`;
  if (e.podName) return `pod ${e.podName}`;
  return e.address;
}

/**
 * "Service ha-review/frontend has 1 ready endpoint, expected 2: VMI web2 is
 * not Ready (readiness probe GET :8080/health failed)". `problems` explains
 * the missing backends (see explain.ts); not-ready endpoints without an
 * explanation are listed by name.
 */
export function describeEndpoints(args: {
  namespace: string;
  service: string;
  endpoints: ServiceEndpoint[];
  expected: number;
  problems?: string[];
}): string {
  const ready = args.endpoints.filter((e) => e.ready);
  const n = ready.length;
  const head = `Service ${args.namespace}/${args.service} has ${n} ready endpoint${n === 1 ? '' : 's'}, expected ${args.expected}`;
  const explained = [...(args.problems ?? [])];
  if (explained.length === 0) {
    const notReady = args.endpoints.filter((e) => !e.ready).map((e) => `${endpointName(e)} is not ready`);
    explained.push(...notReady);
  }
  if (explained.length === 0 && args.endpoints.length === 0) explained.push('it has no endpoints: does its selector match the labels of the VMs\' template (spec.template.metadata.labels)?');
  const readyNames = ready.map(endpointName);
  const tail = explained.length ? `: ${explained.join('; ')}` : '';
  const readyPart = n > 0 && n < args.expected ? ` (ready: ${readyNames.join(', ')})` : '';
  return `${head}${readyPart}${tail}`;
}

/** "node worker-1 is NotReady (Kubelet stopped posting node status.)", or Ready. */
export function describeNode(node: V1Node): string {
  const name = node.metadata?.name ?? '?';
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const cordoned = node.spec?.unschedulable ? ', cordoned (SchedulingDisabled)' : '';
  if (ready?.status === 'True') return `node ${name} is Ready${cordoned}`;
  const why = ready?.message ? ` (${ready.message})` : ready?.reason ? ` (${ready.reason})` : '';
  return `node ${name} is NotReady${why}${cordoned}`;
}

/**
 * Undefined when a router admitted the Route; else "Route ns/name was
 * rejected by the router: HostAlreadyClaimed: …", or "… has not been
 * admitted by the router yet", saying so when no router has reported on it.
 */
export function describeRouteAdmission(route: Route): string | undefined {
  if (isRouteAdmitted(route)) return undefined;
  const where = `Route ${route.metadata.namespace}/${route.metadata.name}`;
  const admitted = (route.status?.ingress ?? []).flatMap((i) => (i.conditions ?? []).filter((c) => c.type === 'Admitted'));
  const rejected = admitted.find((c) => c.status === 'False');
  if (rejected) return `${where} was rejected by the router: ${rejected.reason ?? 'not admitted'}${rejected.message ? `: ${rejected.message}` : ''}`;
  return `${where} has not been admitted by the router yet${admitted.length ? '' : ' (no Admitted condition in status.ingress)'}`;
}
