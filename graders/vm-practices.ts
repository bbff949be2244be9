// Grader for labs/vm-practices, the guided exercise on running VMs well:
// resources, placement, run and eviction strategies, a maintenance drain and
// the recovery from a node that lost power. Every check looks at the running
// instance as well as the template (a change to the template reaches a VM only
// with its next instance), the drain check at the migration the drain caused,
// and the behavioural check powers db1's node off and on again and expects db1
// back by itself, within what its run strategy and placement allow.

import type { V1Node, V1NodeSelectorRequirement, V1NodeSelectorTerm } from '@kubernetes/client-node';
import {
  all, andList, check, conditionOf, defineGrader, describeNode, describeVmRunning, effectiveRunStrategy, fail, findRunningVm, findVm,
  getNode, getVm, getVmi, isNodeReady, isOutcome, isVmRunning, launcherPod, listFaults, listMigrations, listNodes, measured, pass,
  secondsSince, templateVsInstance, waitFor, waitForNewInstance, withFault, GRADER_FAULT_LABEL,
  type CheckContext, type ClusterConnection, type Outcome, type RunningVm, type RunStrategy,
  type VirtualMachineInstanceMigration, type VmiSpec,
} from './sdk/index.ts';

const LAB = 'vm-practices';
const WEB = 'web1';
const DB = 'db1';
const VMS = [WEB, DB] as const;

/** What the chapter asks db1 to reserve and be capped at. */
const DB_RESOURCES = {
  requests: { cpu: '1', memory: '4Gi' },
  limits: { cpu: '2', memory: '4Gi' },
} as const;

const RUN_STRATEGIES: Record<(typeof VMS)[number], { want: RunStrategy; why: string }> = {
  web1: { want: 'Always', why: 'a stateless web server should run whatever happens to it' },
  db1: { want: 'RerunOnFailure', why: 'the database is restarted when it fails, but stays down when an administrator shuts it down from inside' },
};

const EVACUATION_ANNOTATION = 'kubevirt.io/evacuationMigration';
const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';
const WORKER_LABEL = 'node-role.kubernetes.io/worker';
const NODE_FAULTS = ['NodePowerOff', 'KubeletStop', 'NetworkPartition'];

/** Cluster seconds for a powered-off node to be seen NotReady (node-monitor grace 50 s, plus polling). */
const NOT_READY_SECONDS = 120;
/** Cluster seconds for db1 to run and be Ready again once its node is back (launcher pods fail, the VM restarts, the guest boots). */
const RECOVERY_SECONDS = 300;

// ------------------------------------------------------------------ words

function vmRef(ns: string, name: string): string {
  return `VM ${ns}/${name}`;
}

// ------------------------------------------------------------------ quantities

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity ("500m", "4Gi", "2", 2) as a number; undefined when it is not one. */
function quantity(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)(?:[eE]([+-]?\d+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/.exec(q.trim());
  if (!m) return undefined;
  return Number(m[1]) * (m[2] !== undefined ? 10 ** Number(m[2]) : SUFFIX[m[3] ?? '']);
}

// ------------------------------------------------------------------ VMs

/** The VM and its running VMI, or a failing outcome saying which one is missing or stopped, and why it matters. */
function runningVm(conn: ClusterConnection, ns: string, name: string, purpose: string, opts: { ready?: boolean } = {}): Promise<RunningVm | Outcome> {
  return findRunningVm(conn, ns, name, { lab: LAB, why: purpose, ready: opts.ready });
}

// ------------------------------------------------------------------ placement

/** A node selector requirement against a node's labels (In, NotIn, Exists, DoesNotExist, Gt, Lt). */
function requirementHolds(req: V1NodeSelectorRequirement, values: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(values, req.key);
  const vals = req.values ?? [];
  switch (req.operator) {
    case 'In': return has && vals.includes(values[req.key]);
    case 'NotIn': return !has || !vals.includes(values[req.key]);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': return has && vals.length === 1 && Number(values[req.key]) > Number(vals[0]);
    case 'Lt': return has && vals.length === 1 && Number(values[req.key]) < Number(vals[0]);
    default: return false;
  }
}

/** A term's requirements are ANDed; an empty term matches nothing (as the scheduler treats it). */
function termHolds(term: V1NodeSelectorTerm, node: V1Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  return exprs.every((r) => requirementHolds(r, labels)) && fields.every((r) => requirementHolds(r, { 'metadata.name': node.metadata?.name ?? '' }));
}

interface Placement {
  nodeSelector?: Record<string, string>;
  /** Required node affinity terms (ORed). */
  terms?: V1NodeSelectorTerm[];
  /** Only a preferred affinity: the scheduler may ignore it. */
  preferredOnly: boolean;
}

function placementOf(spec: VmiSpec | undefined): Placement {
  const nodeAffinity = (spec?.affinity as { nodeAffinity?: Record<string, unknown> } | undefined)?.nodeAffinity;
  const required = nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution as { nodeSelectorTerms?: V1NodeSelectorTerm[] } | undefined;
  const terms = required?.nodeSelectorTerms;
  const selector = spec?.nodeSelector && Object.keys(spec.nodeSelector).length ? spec.nodeSelector : undefined;
  const preferred = Array.isArray(nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution) && (nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution as unknown[]).length > 0;
  return { ...(selector ? { nodeSelector: selector } : {}), ...(terms?.length ? { terms } : {}), preferredOnly: !selector && !terms?.length && preferred };
}

function constrains(p: Placement): boolean {
  return p.nodeSelector !== undefined || p.terms !== undefined;
}

function allows(p: Placement, node: V1Node): boolean {
  const labels = node.metadata?.labels ?? {};
  if (p.nodeSelector && !Object.entries(p.nodeSelector).every(([k, v]) => labels[k] === v)) return false;
  return !p.terms || p.terms.some((t) => termHolds(t, node));
}

function requirementText(r: V1NodeSelectorRequirement): string {
  switch (r.operator) {
    case 'In': case 'NotIn': return `${r.key} ${r.operator} (${(r.values ?? []).join(', ')})`;
    case 'Gt': case 'Lt': return `${r.key} ${r.operator} ${(r.values ?? [])[0] ?? ''}`;
    default: return `${r.key} ${r.operator}`;
  }
}

function placementText(p: Placement): string {
  const parts: string[] = [];
  if (p.nodeSelector) parts.push(`nodeSelector ${Object.entries(p.nodeSelector).map(([k, v]) => `${k}=${v}`).join(',')}`);
  if (p.terms) {
    parts.push(`node affinity ${p.terms.map((t) => [...(t.matchExpressions ?? []), ...(t.matchFields ?? [])].map(requirementText).join(' and ')).join(' or ')}`);
  }
  return parts.join(' with ');
}

/** The nodes KubeVirt can run VMs on: the workers (control-plane nodes are tainted and carry no kubevirt.io/schedulable). */
function workersOf(nodes: V1Node[]): V1Node[] {
  return nodes.filter((n) => n.metadata?.labels?.[WORKER_LABEL] !== undefined);
}

function nodeNames(nodes: V1Node[]): string[] {
  return nodes.map((n) => n.metadata?.name ?? '?');
}

// ------------------------------------------------------------------ checks

async function dbResources({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const vm = await findVm(conn, ns, DB, { lab: LAB });
  if (isOutcome(vm)) return vm;
  const resources = vm.spec?.template?.spec?.domain?.resources;
  const problems: string[] = [];
  for (const kind of ['requests', 'limits'] as const) {
    for (const [name, want] of Object.entries(DB_RESOURCES[kind])) {
      const have = resources?.[kind]?.[name];
      const path = `spec.template.spec.domain.resources.${kind}.${name}`;
      if (have === undefined) problems.push(`${path} is not set, expected ${want}`);
      else if (quantity(have) !== quantity(want)) problems.push(`${path} is ${have}, expected ${want}`);
    }
  }
  if (problems.length) return fail(`${vmRef(ns, DB)}: ${problems.join('; ')}`);
  const running = await runningVm(conn, ns, DB, 'requests and limits only take effect in a running instance', { ready: false });
  if (isOutcome(running)) return running;
  const stale = templateVsInstance(vm, running.vmi, 'domain.resources');
  if (stale) return fail(`${vmRef(ns, DB)}: ${stale}`);
  const pod = await launcherPod(conn, running.vmi);
  const compute = pod?.spec?.containers?.find((c) => c.name === 'compute');
  const asked = compute?.resources?.requests;
  const podNote = asked?.cpu && asked.memory
    ? `; its launcher pod asks the scheduler for cpu ${asked.cpu} and memory ${asked.memory} (the guest's memory plus KubeVirt's overhead)`
    : '';
  return pass(`VMI ${DB} runs on ${running.vmi.status?.nodeName ?? '?'} with requests cpu 1, memory 4Gi and limits cpu 2, memory 4Gi${podNote}`);
}

async function dbPlacement({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const vm = await findVm(conn, ns, DB, { lab: LAB });
  if (isOutcome(vm)) return vm;
  const placement = placementOf(vm.spec?.template?.spec);
  if (!constrains(placement)) {
    return fail(placement.preferredOnly
      ? `${vmRef(ns, DB)} has only a preferred node affinity, which the scheduler may ignore: use requiredDuringSchedulingIgnoredDuringExecution`
      : `${vmRef(ns, DB)} has no nodeSelector or required node affinity in spec.template.spec, so it may run on any worker`);
  }
  const text = placementText(placement);
  const workers = workersOf(await listNodes(conn));
  const allowed = workers.filter((n) => allows(placement, n));
  if (allowed.length === 0) return fail(`${vmRef(ns, DB)}'s ${text} matches no worker node, so db1 cannot be scheduled anywhere`);
  if (allowed.length === 1) {
    return fail(`${vmRef(ns, DB)}'s ${text} matches only ${nodeNames(allowed)[0]}: when that node is drained or lost, db1 has no other node to move or restart on; allow at least two workers`);
  }
  if (allowed.length === workers.length) {
    return fail(`${vmRef(ns, DB)}'s ${text} matches every worker (${andList(nodeNames(workers))}), so it keeps db1 nowhere in particular: leave at least one worker out`);
  }
  const running = await runningVm(conn, ns, DB, 'placement is decided when an instance is scheduled', { ready: false });
  if (isOutcome(running)) return running;
  for (const path of ['affinity', 'nodeSelector'] as const) {
    const stale = templateVsInstance(vm, running.vmi, path);
    if (stale) return fail(`${vmRef(ns, DB)}: ${stale}`);
  }
  const node = running.vmi.status?.nodeName;
  if (!node || !allowed.some((n) => n.metadata?.name === node)) {
    return fail(`VMI ${ns}/${DB} runs on ${node ?? 'no node'}, which its ${text} does not allow: it was scheduled before the placement was set; restart the VM (virtctl restart ${DB})`);
  }
  return pass(`VMI ${DB} runs on ${node}; its ${text} allows ${andList(nodeNames(allowed))} and keeps it off ${andList(nodeNames(workers.filter((n) => !allowed.includes(n))))}`);
}

async function runStrategies({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const outcomes = await Promise.all(VMS.map(async (name): Promise<Outcome> => {
    const vm = await findVm(conn, ns, name, { lab: LAB });
    if (isOutcome(vm)) return vm;
    const { want, why } = RUN_STRATEGIES[name];
    const strategy = effectiveRunStrategy(vm);
    if (strategy !== want) return fail(`${vmRef(ns, name)} has runStrategy ${strategy}, expected ${want}: ${why}`);
    const running = await runningVm(conn, ns, name, '', { ready: true });
    return isOutcome(running) ? running : pass();
  }));
  return all(outcomes, 'web1 runs with runStrategy Always and db1 with RerunOnFailure, both Ready');
}

async function evictionStrategies({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const outcomes = await Promise.all(VMS.map(async (name): Promise<Outcome> => {
    const vm = await findVm(conn, ns, name, { lab: LAB });
    if (isOutcome(vm)) return vm;
    const strategy = vm.spec?.template?.spec?.evictionStrategy;
    if (strategy !== 'LiveMigrate') {
      const now = strategy ? `evictionStrategy ${strategy}` : 'no evictionStrategy (the cluster default applies, None unless the cluster is configured otherwise)';
      return fail(`${vmRef(ns, name)} has ${now} in spec.template.spec, expected LiveMigrate: a drain would stop it instead of moving it`);
    }
    const running = await runningVm(conn, ns, name, 'the eviction strategy protects a running instance', { ready: false });
    if (isOutcome(running)) return running;
    const stale = templateVsInstance(vm, running.vmi, 'evictionStrategy');
    if (stale) return fail(`${vmRef(ns, name)}: ${stale}`);
    const migratable = conditionOf(running.vmi, 'LiveMigratable');
    if (migratable?.status === 'False') {
      return fail(`VMI ${ns}/${name} is not live-migratable (${migratable.reason ?? 'LiveMigratable=False'}${migratable.message ? `: ${migratable.message}` : ''}): with LiveMigrate, a drain of its node would wait for it forever`);
    }
    return pass();
  }));
  return all(outcomes, 'web1 and db1 run with evictionStrategy LiveMigrate and can live-migrate');
}

function migrationSource(m: VirtualMachineInstanceMigration): string | undefined {
  return m.status?.migrationState?.sourceNode ?? m.metadata.annotations?.[EVACUATION_ANNOTATION];
}

async function drainMigrated({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const migrations = await listMigrations(conn, ns, { vmiName: WEB });
  const evacuations = migrations.filter((m) => m.metadata.annotations?.[EVACUATION_ANNOTATION] !== undefined);
  const done = evacuations.filter((m) => m.status?.phase === 'Succeeded');
  if (done.length === 0) {
    const last = evacuations[evacuations.length - 1];
    if (last) {
      const state = last.status?.migrationState;
      const why = state?.failureReason ? `: ${state.failureReason}` : '';
      return fail(`the drain of ${last.metadata.annotations?.[EVACUATION_ANNOTATION]} started migration ${last.metadata.name} of VMI ${WEB}, which is ${last.status?.phase || 'Pending'}${why}`);
    }
    const vmi = await getVmi(conn, ns, WEB);
    const node = vmi?.status?.nodeName;
    const drain = `oc adm drain ${node ?? '<node>'} --ignore-daemonsets --delete-emptydir-data`;
    if (migrations.length) {
      return fail(`VMI ${WEB} was migrated with ${andList(migrations.map((m) => m.metadata.name))} (virtctl migrate), but no drain has evacuated it yet: drain the node it runs on (${drain})`);
    }
    return fail(`no drain has live-migrated VMI ${WEB} yet: drain the node it runs on (${drain}); with evictionStrategy LiveMigrate the drain moves web1 instead of stopping it`);
  }
  const m = done[done.length - 1];
  const source = migrationSource(m) ?? '?';
  const target = m.status?.migrationState?.targetNode ?? '?';
  const cordoned = (await listNodes(conn)).filter((n) => n.spec?.unschedulable);
  if (cordoned.length) {
    const names = nodeNames(cordoned);
    return fail(`a drain of ${source} live-migrated ${WEB} to ${target}, but ${andList(names)} ${names.length === 1 ? 'is' : 'are'} still cordoned (SchedulingDisabled): uncordon ${names.length === 1 ? 'it' : 'them'} (oc adm uncordon ${names.join(' ')}) once the maintenance is over`);
  }
  return pass(`a drain of ${source} live-migrated ${WEB} to ${target} (migration ${m.metadata.name}) without restarting it, and ${source} takes new work again`);
}

async function nodeRecovered({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const problems: string[] = [];
  if (conn.capabilities.has('faults')) {
    const faults = (await listFaults(conn)).filter((f) => !f.metadata.deletionTimestamp
      && NODE_FAULTS.includes(f.spec?.type ?? '') && f.metadata.labels?.[GRADER_FAULT_LABEL] === undefined);
    for (const f of faults) {
      const what = f.spec.type === 'NodePowerOff' ? 'is still powered off' : f.spec.type === 'KubeletStop' ? 'still has its kubelet stopped' : 'is still cut off from the network';
      problems.push(`node ${f.spec.target.name} ${what} (fault ${f.metadata.name}): undo it with lab fault delete ${f.metadata.name}`);
    }
  }
  const nodes = await listNodes(conn);
  for (const n of nodes) {
    const taint = (n.spec?.taints ?? []).find((t) => t.key === OUT_OF_SERVICE_TAINT);
    if (taint) {
      problems.push(`node ${n.metadata?.name} still has the taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}: now that the node is back, remove it (kubectl taint node ${n.metadata?.name} ${taint.key}-), or every pod there keeps being evicted`);
    }
  }
  for (const n of workersOf(nodes)) if (!isNodeReady(n)) problems.push(describeNode(n));
  if (problems.length) return fail(problems.join('; '));
  const running = await runningVm(conn, ns, DB, '', { ready: true });
  if (isOutcome(running)) return running;
  return pass(`every worker is Ready, no node is fenced any more, and ${DB} runs on ${running.vmi.status?.nodeName ?? '?'}`);
}

async function db1SurvivesNodeLoss({ conn, namespace: ns, signal }: CheckContext): Promise<Outcome> {
  const running = await runningVm(conn, ns, DB, 'the grader can only take away the node of a running instance', { ready: true });
  if (isOutcome(running)) return running;
  const { vm, vmi } = running;
  const strategy = effectiveRunStrategy(vm);
  if (strategy !== 'Always' && strategy !== 'RerunOnFailure') {
    return fail(`${vmRef(ns, DB)} has runStrategy ${strategy}: once its node loses power, nothing starts it again`);
  }
  const node = vmi.status?.nodeName;
  if (!node) return fail(`VMI ${ns}/${DB} reports no node`);
  const placement = placementOf(vm.spec?.template?.spec);

  return withFault(conn, { type: 'NodePowerOff', target: { kind: 'Node', name: node } }, async (fault) => {
    const down = await waitFor(conn, async () => !isNodeReady(await getNode(conn, node)), {
      timeoutSeconds: NOT_READY_SECONDS, pollSeconds: 5, signal,
      what: `node ${node} to be NotReady after it lost power`,
    });
    if (!down.ok) return fail(down.message);
    const stranded = await getVmi(conn, ns, DB);
    const strandedNote = stranded?.metadata.uid === vmi.metadata.uid && stranded?.status?.phase === 'Running' ? `; meanwhile VMI ${DB} still said Running on ${node}, not Ready` : '';
    await fault.clear();
    const poweredOn = conn.time.now();
    const back = await waitForNewInstance(conn, ns, DB, vmi.metadata.uid, {
      timeoutSeconds: RECOVERY_SECONDS, pollSeconds: 5, signal,
      what: `a new ${DB} instance to run and be Ready after ${node} came back`,
      whileOld: (old) => `VMI ${DB} is still the instance that ran on ${node} (phase ${old.status?.phase ?? 'unknown'})`,
      untilNew: async (now) => {
        const current = await getVm(conn, ns, DB);
        if (isVmRunning(current, now, { ready: true })) return undefined;
        return current ? describeVmRunning(current, now) : `${vmRef(ns, DB)} is gone`;
      },
    });
    const seconds = secondsSince(conn, fault.activatedAt);
    const measurements = [measured('recovery', seconds)];
    if (!back.ok) return fail(back.message, measurements);
    const where = back.value.status?.nodeName ?? '?';
    const nodeObj = await getNode(conn, where);
    if (constrains(placement) && nodeObj && !allows(placement, nodeObj)) {
      return fail(`${DB} came back on ${where}, which its ${placementText(placement)} does not allow`, measurements);
    }
    const afterPowerOn = secondsSince(conn, poweredOn);
    return pass(`${node} was NotReady ${down.seconds} s after losing power${strandedNote}; ${afterPowerOn} s after it was powered on, a new ${DB} instance was Ready on ${where} (${seconds} s in all)`, measurements);
  }, { signal });
}

export default defineGrader({
  lab: 'vm-practices',
  checks: [
    check({ id: 'db1-resources', title: 'db1 runs with CPU and memory requests and limits', points: 15, run: dbResources }),
    check({ id: 'db1-placement', title: 'db1 is kept to some workers, and has more than one to go to', points: 15, run: dbPlacement }),
    check({ id: 'run-strategies', title: 'web1 runs with runStrategy Always, db1 with RerunOnFailure', points: 10, run: runStrategies }),
    check({ id: 'eviction-strategies', title: 'web1 and db1 live-migrate on eviction', points: 10, run: evictionStrategies }),
    check({ id: 'drain-migrated', title: 'A drain live-migrated web1, and the node was uncordoned', points: 20, run: drainMigrated }),
    check({ id: 'node-recovered', title: 'After the power loss, every worker is back in service and db1 runs', points: 15, run: nodeRecovered }),
    check({
      id: 'db1-survives-node-loss', title: 'db1 comes back by itself when its node is power-cycled', points: 15,
      requires: ['faults'], behavioural: true, run: db1SurvivesNodeLoss,
    }),
  ],
});
