// Grader for labs/ha-node: surviving node maintenance and node failure. The
// run-strategy comparison is scored by what the cluster did after each guest
// shut down (events and VM states), live migration by the migrations that
// succeeded (an evacuation for the drain, a user-triggered one for virtctl
// migrate), and fencing by the MachineHealthCheck, the replaced Machine and a
// web1 that runs again. The behavioural check powers off web1's node and
// measures how long web1 takes to serve again elsewhere.

import type { V1Node } from '@kubernetes/client-node';
import {
  all, andList, check, conditionOf, defineGrader, describeLabelSelector, describeVmRunning, durationSeconds, effectiveRunStrategy,
  eventsFor, fail, findRunningVm, findVm, getMachineHealthCheck, getNode, getVm, getVmi, isMachineSetMachine, isNodeReady, isOutcome,
  isVmRunning, labelSelectorMatches, listFaults, listMachineHealthChecks, listMachines, listMigrations, listNodes, machineForNode,
  MACHINE_API_NAMESPACE, measured, mhcCoverage, pass, secondsSince, templateVsInstance, toleratedUnhealthy, unhealthyCondition,
  unhealthyTimeoutSeconds, vmNotRunning, waitFor, withFault,
  type CheckContext, type ClusterConnection, type Machine, type MachineHealthCheck, type Outcome, type RunStrategy,
  type VirtualMachineInstanceMigration,
} from './sdk/index.ts';

const LAB = 'ha-node';
const WEB = 'web1';
const MHC = 'ha-node-workers';
const FAULT_NAME = 'ha-node-power-off';
/** The VMs of the run-strategy comparison and the strategy each one shows. */
const STRATEGY_VMS: readonly { name: string; strategy: RunStrategy }[] = [
  { name: 'vm-always', strategy: 'Always' },
  { name: 'vm-rerun', strategy: 'RerunOnFailure' },
  { name: 'vm-manual', strategy: 'Manual' },
  { name: 'vm-halted', strategy: 'Halted' },
];

/** virt-handler's event when a guest powered itself off cleanly (VMI Succeeded). */
const SHUT_DOWN_MESSAGE = 'The VirtualMachineInstance was shut down.';
/** The evacuation controller marks the migrations a drain causes with the drained node. */
const EVACUATION_ANNOTATION = 'kubevirt.io/evacuationMigration';

/** Kubernetes 1.32 marks a silent node Unknown after this grace period. */
const NODE_GRACE_SECONDS = 50;
/** PodGC deletes the pods of a deleted node after this quarantine. */
const POD_GC_SECONDS = 40;
/**
 * Cluster seconds for the machine drain (requeued while KubeVirt refuses to
 * evict a LiveMigrate VMI, until the taint manager has deleted its pod), the
 * node's deletion, the VM's restart and the guest's boot and first probes.
 */
const RESTART_SECONDS = 300;
/** Accepted range for the Ready=Unknown timeout: shorter remediates nodes that only blip, longer keeps VMs down for long. */
const MIN_TIMEOUT_SECONDS = 60;
const MAX_TIMEOUT_SECONDS = 600;

// ------------------------------------------------------------------ words

function vmRef(ns: string, name: string): string {
  return `VM ${ns}/${name}`;
}

function last<T>(items: readonly T[]): T | undefined {
  return items[items.length - 1];
}

function consoleShutdown(name: string): string {
  return `shut its guest down from the console (virtctl console ${name}, log in, then sudo poweroff)`;
}

// ------------------------------------------------------------------ nodes

function readyCondition(node: V1Node | undefined): { status?: string; lastTransitionTime?: Date | string } | undefined {
  return node?.status?.conditions?.find((c) => c.type === 'Ready');
}

function timeMs(t: Date | string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

// ------------------------------------------------------------------ run strategies

interface Shutdowns {
  /** Instances whose guest powered itself off (poweroff in the guest). */
  fromGuest: Set<string>;
  /** Instances KubeVirt asked to shut down (virtctl stop or restart, deletion, eviction). */
  fromOutside: Set<string>;
}

/**
 * The instances of a VM that shut down cleanly, by uid, split by who asked:
 * virt-handler reports every clean end with a Normal Stopped event, and a
 * shutdown it signalled itself also with a ShuttingDown event.
 */
async function cleanShutdowns(conn: ClusterConnection, ns: string, name: string): Promise<Shutdowns> {
  const events = await eventsFor(conn, { kind: 'VirtualMachineInstance', name, namespace: ns }, { type: 'Normal' });
  const uids = (reason: string, message?: string): Set<string> => new Set(events
    .filter((e) => e.reason === reason && (message === undefined || e.message === message))
    .map((e) => e.involvedObject?.uid ?? ''));
  const ended = uids('Stopped', SHUT_DOWN_MESSAGE);
  const signalled = uids('ShuttingDown');
  return {
    fromGuest: new Set([...ended].filter((u) => !signalled.has(u))),
    fromOutside: new Set([...ended].filter((u) => signalled.has(u))),
  };
}

async function strategyOutcome(conn: ClusterConnection, ns: string, name: string, want: RunStrategy): Promise<Outcome> {
  const vm = await findVm(conn, ns, name, { lab: LAB });
  if (isOutcome(vm)) return vm;
  const strategy = effectiveRunStrategy(vm);
  const vmi = await getVmi(conn, ns, name);
  const running = isVmRunning(vm, vmi);
  if (strategy !== want) {
    const flipped = (want === 'Always' && strategy === 'Halted') || (want === 'Halted' && strategy === 'Always');
    const why = flipped ? `: virtctl ${strategy === 'Halted' ? 'stop' : 'start'} switches ${want} to ${strategy}; virtctl ${strategy === 'Halted' ? 'start' : 'stop'} ${name} switches it back` : '';
    return fail(`${vmRef(ns, name)} has runStrategy ${strategy}, expected ${want}${why}`);
  }
  if (want === 'Halted') {
    return vmi ? fail(`${describeVmRunning(vm, vmi)}: a Halted VM has no instance`) : pass();
  }
  const { fromGuest, fromOutside } = await cleanShutdowns(conn, ns, name);
  const outside = fromOutside.size ? ` (it was only stopped from outside, with virtctl stop or restart, which shows nothing about the run strategy)` : '';
  if (want === 'Always') {
    const down = await vmNotRunning(conn, vm, vmi);
    if (down) return down;
    const earlier = [...fromGuest].filter((uid) => uid !== vmi?.metadata.uid);
    if (earlier.length === 0) return fail(`${vmRef(ns, name)} still runs an instance whose guest never shut down${outside}: ${consoleShutdown(name)} and watch the cluster start a new one`);
    return pass();
  }
  if (running) return fail(`${vmRef(ns, name)} is Running: ${consoleShutdown(name)}; ${want} leaves a VM off after a clean shutdown`);
  if (fromGuest.size === 0) {
    const state = want === 'Manual' && !vmi && fromOutside.size === 0
      ? 'has not run yet: Manual never starts a VM by itself'
      : `is ${vm.status?.printableStatus ?? 'Stopped'}, but its guest never shut itself down${outside}`;
    return fail(`${vmRef(ns, name)} ${state}; start it (virtctl start ${name}), then ${consoleShutdown(name)}`);
  }
  const status = vm.status?.printableStatus ?? 'Stopped';
  return status === 'Stopped' ? pass() : fail(describeVmRunning(vm, vmi));
}

async function runStrategies({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const outcomes = await Promise.all(STRATEGY_VMS.map(({ name, strategy }) => strategyOutcome(conn, ns, name, strategy)));
  return all(outcomes, 'vm-always came back after its guest shut down, vm-rerun and vm-manual stayed off, vm-halted stayed Halted');
}

// ------------------------------------------------------------------ live migration

async function evictionStrategy({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const vm = await findVm(conn, ns, WEB, { lab: LAB });
  if (isOutcome(vm)) return vm;
  const strategy = vm.spec?.template?.spec?.evictionStrategy;
  if (strategy !== 'LiveMigrate') {
    const why = strategy ? '' : ': without one the cluster-wide default applies (KubeVirt\'s is None), and a drain then evicts web1, which stops it';
    return fail(`${vmRef(ns, WEB)} has ${strategy ? `evictionStrategy ${strategy}` : 'no evictionStrategy'} in spec.template.spec, expected LiveMigrate${why}`);
  }
  const vmi = await getVmi(conn, ns, WEB);
  const down = await vmNotRunning(conn, vm, vmi, { why: 'the eviction strategy protects a running instance' });
  if (down) return down;
  const stale = templateVsInstance(vm, vmi, 'evictionStrategy');
  if (stale) return fail(`${vmRef(ns, WEB)}: ${stale}`);
  const migratable = conditionOf(vmi, 'LiveMigratable');
  if (migratable?.status !== 'True') {
    const why = migratable ? `${migratable.reason ?? 'LiveMigratable=False'}${migratable.message ? `: ${migratable.message}` : ''}` : 'no LiveMigratable condition yet';
    return fail(`VMI ${ns}/${WEB} is not live-migratable (${why}): with LiveMigrate, a drain of its node would wait for it forever`);
  }
  return pass(`VMI ${WEB} runs with evictionStrategy LiveMigrate and is live-migratable`);
}

function isEvacuation(m: VirtualMachineInstanceMigration): boolean {
  return m.metadata.annotations?.[EVACUATION_ANNOTATION] !== undefined;
}

function route(m: VirtualMachineInstanceMigration): string {
  const s = m.status?.migrationState;
  return s?.sourceNode && s.targetNode ? ` from ${s.sourceNode} to ${s.targetNode}` : '';
}

/** Why a migration that did not succeed (yet) has not. */
function unfinished(ns: string, m: VirtualMachineInstanceMigration): string {
  const phase = m.status?.phase || 'Pending';
  const where = `VirtualMachineInstanceMigration ${ns}/${m.metadata.name}`;
  if (phase === 'Failed') {
    const reason = m.status?.migrationState?.failureReason;
    return `${where} of ${WEB} failed${reason ? `: ${reason}` : ''}`;
  }
  return `${where} of ${WEB} is still ${phase}: watch it finish with kubectl get vmim -w`;
}

async function web1Migrated({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const migrations = await listMigrations(conn, ns, { vmiName: WEB });
  const requested = migrations.filter((m) => !isEvacuation(m));
  const done = last(requested.filter((m) => m.status?.phase === 'Succeeded'));
  if (done) return pass(`VirtualMachineInstanceMigration ${done.metadata.name} moved ${WEB}${route(done)} while it ran`);
  const pending = last(requested);
  if (pending) return fail(unfinished(ns, pending));
  if (migrations.length) {
    return fail(`${WEB} has only been migrated by a drain (${andList(migrations.map((m) => m.metadata.name))}): also move it on demand with virtctl migrate ${WEB}`);
  }
  return fail(`${WEB} has not been live-migrated yet: run virtctl migrate ${WEB} and follow it with kubectl get vmim`);
}

async function drainMigrates({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const evacuations = (await listMigrations(conn, ns, { vmiName: WEB })).filter(isEvacuation);
  const cordoned = (await listNodes(conn)).filter((n) => n.spec?.unschedulable).map((n) => n.metadata?.name ?? '?');
  const done = last(evacuations.filter((m) => m.status?.phase === 'Succeeded'));
  if (done) {
    const drained = done.metadata.annotations?.[EVACUATION_ANNOTATION] ?? '';
    if (cordoned.length) {
      const them = cordoned.length === 1 ? 'it' : 'them';
      return fail(`${done.metadata.name} live-migrated ${WEB} off ${drained} when the node was drained, but ${andList(cordoned)} ${cordoned.length === 1 ? 'is' : 'are'} still cordoned (SchedulingDisabled): make ${them} schedulable again with kubectl uncordon ${cordoned.join(' ')}`);
    }
    return pass(`draining ${drained} live-migrated ${WEB}${route(done)} (${done.metadata.name}), and every node is schedulable again`);
  }
  const pending = last(evacuations);
  if (pending) return fail(unfinished(ns, pending));

  const head = `no drain has live-migrated ${WEB} yet (there is no VirtualMachineInstanceMigration of ${WEB} with the annotation ${EVACUATION_ANNOTATION})`;
  const vmi = await getVmi(conn, ns, WEB);
  const eviction = vmi?.spec?.evictionStrategy;
  if (vmi && eviction !== 'LiveMigrate') {
    return fail(`${head}: its running instance has ${eviction ? `evictionStrategy ${eviction}` : 'no evictionStrategy'}, so draining its node evicts it, which stops ${WEB} and starts it again elsewhere instead of moving it while it runs`);
  }
  if (cordoned.length) return fail(`${head}: ${andList(cordoned)} ${cordoned.length === 1 ? 'is' : 'are'} cordoned but ${WEB} runs on ${vmi?.status?.nodeName ?? 'another node'}: drain the node that runs it`);
  return fail(`${head}: drain the node that runs it (kubectl drain ${vmi?.status?.nodeName ?? '<node>'} --ignore-daemonsets --delete-emptydir-data), then uncordon it`);
}

// ------------------------------------------------------------------ fencing

/** The Ready=Unknown timeout of an MHC in seconds, undefined when it has no such condition or the timeout is not a duration. */
function unknownTimeout(mhc: MachineHealthCheck): number | undefined {
  return unhealthyTimeoutSeconds(mhc, 'Unknown');
}

async function machineHealthCheck({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const mhc = await getMachineHealthCheck(conn, MHC);
  if (!mhc) {
    if (await getMachineHealthCheck(conn, MHC, ns)) return fail(`MachineHealthCheck ${MHC} is in namespace ${ns}; it must be in ${MACHINE_API_NAMESPACE}, next to the Machines it watches`);
    return fail(`MachineHealthCheck ${MACHINE_API_NAMESPACE}/${MHC} does not exist`);
  }
  const where = `MachineHealthCheck ${MACHINE_API_NAMESPACE}/${MHC}`;
  const problems: string[] = [];
  const { workers, selected, others, missed } = mhcCoverage(mhc, await listMachines(conn));
  const sel = describeLabelSelector(mhc.spec?.selector, 'machine');
  const machineNames = (ms: Machine[]): string => andList(ms.map((m) => m.metadata.name));
  if (selected.length === 0) {
    problems.push(`${where} selects no machine with ${sel}: the worker machines carry labels such as machine.openshift.io/cluster-api-machine-role=worker (oc get machines -n ${MACHINE_API_NAMESPACE} --show-labels)`);
  } else {
    if (others.length) problems.push(`${where} also selects ${machineNames(others)}, which no MachineSet owns (control-plane machines): nothing would replace them, so select the workers only`);
    if (missed.length) problems.push(`${where} misses the worker machine${missed.length === 1 ? '' : 's'} ${machineNames(missed)} with ${sel}`);
  }

  for (const status of ['Unknown', 'False'] as const) {
    const c = unhealthyCondition(mhc, status);
    if (!c) {
      problems.push(status === 'Unknown'
        ? `${where} has no unhealthy condition for Ready=Unknown: a powered-off node stops reporting, so its Ready condition turns Unknown, never False, and this check would never remediate it`
        : `${where} has no unhealthy condition for Ready=False (a node whose kubelet reports it is not ready)`);
      continue;
    }
    const seconds = durationSeconds(c.timeout);
    if (seconds === undefined) problems.push(`${where}: the Ready=${status} timeout "${c.timeout}" is not a duration (write it like 300s or 5m)`);
    else if (seconds < MIN_TIMEOUT_SECONDS || seconds > MAX_TIMEOUT_SECONDS) {
      const why = seconds < MIN_TIMEOUT_SECONDS ? 'so short that a node which only blips is deleted' : 'so long that VMs on a dead node stay down for more than 10 minutes';
      problems.push(`${where}'s Ready=${status} timeout is ${c.timeout}, ${why}: use 300s`);
    }
  }
  const tolerated = toleratedUnhealthy(mhc.spec?.maxUnhealthy, selected.length);
  if (selected.length && tolerated < 1) {
    problems.push(`${where} has maxUnhealthy ${mhc.spec?.maxUnhealthy}, which allows ${tolerated} unhealthy machine${tolerated === 1 ? '' : 's'} out of ${selected.length}${typeof mhc.spec?.maxUnhealthy === 'string' && mhc.spec.maxUnhealthy.endsWith('%') ? ' (a percentage rounds down)' : ''}: a single failed worker would already stop every remediation`);
  }
  if (problems.length) return fail(problems.join('; '));
  return pass(`${where} watches the ${workers.length} worker machines and remediates one whose node stays Ready=Unknown or False for ${unknownTimeout(mhc)} s`);
}

async function nodeRemediated({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const vm = await findVm(conn, ns, WEB, { lab: LAB });
  if (isOutcome(vm)) return vm;
  // Machines created after web1 (by `lab start`) replaced workers during this exercise.
  const labStart = timeMs(vm.metadata.creationTimestamp) ?? 0;
  const machines = await listMachines(conn);
  const workers = machines.filter(isMachineSetMachine);
  const replacements = workers.filter((m) => (timeMs(m.metadata.creationTimestamp) ?? 0) > labStart);
  const vmi = await getVmi(conn, ns, WEB);

  if (replacements.length === 0) {
    const faults = conn.capabilities.has('faults') ? await listFaults(conn) : [];
    const off = faults.find((f) => f.spec?.type === 'NodePowerOff' && !f.metadata.deletionTimestamp);
    if (off) {
      const nodeName = off.spec.target.name;
      const node = await getNode(conn, nodeName);
      const ready = readyCondition(node);
      const mhc = await getMachineHealthCheck(conn, MHC);
      if (node && ready?.status === 'True') return fail(`node ${nodeName} is powered off (fault ${off.metadata.name}) but still Ready: the node controller marks it Unknown about ${NODE_GRACE_SECONDS} s after its last heartbeat`);
      const since = timeMs(ready?.lastTransitionTime);
      const forSeconds = since === undefined ? undefined : Math.round((conn.time.now() - since) / 1000);
      const state = node ? `has been Ready=${ready?.status ?? 'Unknown'}${forSeconds !== undefined ? ` for ${forSeconds} s` : ''}` : 'is gone';
      if (!mhc) return fail(`node ${nodeName} is powered off and ${state}, and nothing fences it: ${WEB}'s old instance cannot be replaced until MachineHealthCheck ${MHC} (or you) removes the node`);
      const timeout = unknownTimeout(mhc);
      return fail(`node ${nodeName} is powered off and ${state}; MachineHealthCheck ${MHC} replaces its Machine once it has been Unknown for ${timeout ?? '?'} s`);
    }
    return fail(`no worker has been replaced yet: power off the node that runs ${WEB} (lab fault create NodePowerOff ${vmi?.status?.nodeName ?? '<node>'} --name ${FAULT_NAME}) and let MachineHealthCheck ${MHC} fence it`);
  }

  const deleting = workers.filter((m) => m.metadata.deletionTimestamp);
  if (deleting.length) return fail(`Machine ${andList(deleting.map((m) => m.metadata.name))} is still being deleted (drained, then its node removed)`);
  for (const m of replacements) {
    const nodeName = m.status?.nodeRef?.name;
    if (m.status?.phase !== 'Running' || !nodeName) {
      return fail(`the replacement Machine ${m.metadata.name} is ${m.status?.phase ?? 'Provisioning'}${nodeName ? '' : ' and its node has not joined the cluster yet'}`);
    }
    if (!isNodeReady(await getNode(conn, nodeName))) return fail(`the replacement Machine ${m.metadata.name} runs, but its node ${nodeName} is not Ready yet`);
  }
  const notReady: string[] = [];
  for (const m of workers) {
    const nodeName = m.status?.nodeRef?.name;
    if (nodeName && !isNodeReady(await getNode(conn, nodeName))) notReady.push(nodeName);
  }
  if (notReady.length) return fail(`worker node ${andList(notReady)} ${notReady.length === 1 ? 'is' : 'are'} not Ready: a failed worker is still waiting to be fenced`);
  const down = await vmNotRunning(conn, vm, vmi, { ready: true });
  if (down) return down;
  const replaced = replacements.map((m) => `${m.metadata.name} (node ${m.status?.nodeRef?.name})`);
  return pass(`the MachineSet replaced a failed worker with ${andList(replaced)}, and ${WEB} runs on ${vmi?.status?.nodeName}`);
}

async function mhcRecoversWeb1({ conn, namespace: ns, signal }: CheckContext): Promise<Outcome> {
  const running = await findRunningVm(conn, ns, WEB, { lab: LAB, ready: true, why: `the grader powers off the node of a running, ready ${WEB}` });
  if (isOutcome(running)) return running;
  const { vm, vmi } = running;
  const strategy = effectiveRunStrategy(vm);
  if (strategy !== 'Always' && strategy !== 'RerunOnFailure') return fail(`${vmRef(ns, WEB)} has runStrategy ${strategy}: after its node is fenced, nothing would start it again`);
  const nodeName = vmi.status?.nodeName ?? '';
  const machine = await machineForNode(conn, nodeName);
  if (!machine) return fail(`node ${nodeName} that runs ${WEB} has no Machine: nothing could replace it`);
  if (!isMachineSetMachine(machine)) return fail(`Machine ${machine.metadata.name} of node ${nodeName} belongs to no MachineSet: a MachineHealthCheck does not remediate it`);
  const machines = await listMachines(conn);
  const covering = (await listMachineHealthChecks(conn)).filter((h) => labelSelectorMatches(h.spec?.selector, machine.metadata.labels)
    && unknownTimeout(h) !== undefined
    && toleratedUnhealthy(h.spec?.maxUnhealthy, mhcCoverage(h, machines).selected.length) >= 1);
  if (covering.length === 0) {
    return fail(`no MachineHealthCheck remediates Machine ${machine.metadata.name} of node ${nodeName} when its node goes Ready=Unknown: powering the node off would leave ${WEB} stranded on it`);
  }
  const timeout = Math.min(...covering.map((h) => unknownTimeout(h)!)) + NODE_GRACE_SECONDS + POD_GC_SECONDS + RESTART_SECONDS;
  let lastSeen = `VMI ${WEB} is still on ${nodeName}`;

  return withFault(conn, { type: 'NodePowerOff', target: { kind: 'Node', name: nodeName } }, async (fault) => {
    const back = await waitFor(conn, async () => {
      const now = await getVmi(conn, ns, WEB);
      if (now?.status?.nodeName === nodeName) {
        const node = await getNode(conn, nodeName);
        lastSeen = `VMI ${WEB} is still on ${nodeName}, which is ${node ? `Ready=${readyCondition(node)?.status ?? 'Unknown'}` : 'gone'}`;
        return false;
      }
      const current = await getVm(conn, ns, WEB);
      lastSeen = current ? describeVmRunning(current, now) : `${vmRef(ns, WEB)} is gone`;
      return isVmRunning(current, now, { ready: true }) ? now : false;
    }, {
      timeoutSeconds: timeout, pollSeconds: 5, signal,
      what: `${WEB} to run again on another node after ${nodeName} lost power`,
      describe: () => lastSeen,
    });
    const seconds = secondsSince(conn, fault.activatedAt);
    const measurements = [measured('recovery', seconds)];
    if (!back.ok) return fail(back.message, measurements);
    return pass(`${WEB} ran again on ${back.value.status?.nodeName} ${seconds} s after ${nodeName} lost power: MachineHealthCheck ${andList(covering.map((h) => h.metadata.name))} had Machine ${machine.metadata.name} replaced`, measurements);
  }, { signal });
}

export default defineGrader({
  lab: 'ha-node',
  checks: [
    check({ id: 'run-strategies', title: 'Each run strategy did what it promises after a guest shutdown', points: 15, run: runStrategies }),
    check({ id: 'eviction-strategy', title: 'web1 live-migrates on eviction', points: 10, run: evictionStrategy }),
    check({ id: 'web1-migrated', title: 'web1 was live-migrated with virtctl migrate', points: 10, run: web1Migrated }),
    check({ id: 'drain-migrates', title: 'Draining web1\'s node live-migrated it, and the node is schedulable again', points: 15, run: drainMigrates }),
    check({ id: 'machine-health-check', title: `MachineHealthCheck ${MHC} fences unreachable workers`, points: 15, run: machineHealthCheck }),
    check({ id: 'node-remediated', title: 'A powered-off worker was replaced and web1 runs again', points: 15, run: nodeRemediated }),
    check({
      id: 'mhc-recovers-web1', title: 'web1 runs again elsewhere after its node loses power', points: 20,
      requires: ['faults'], behavioural: true, run: mhcRecoversWeb1,
    }),
  ],
});
