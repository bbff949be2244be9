// Grader for labs/ha-probes: health probes and a watchdog. Each probe and the
// watchdog is checked on the template AND on the running instance (a change
// to the template reaches the guest only when the VM restarts), and the
// behavioural checks break the guest the way the chapter does (httpd stopped,
// kernel hung) and watch the VMs react, on clusters that can inject faults.

import {
  check, conditionOf, defineGrader, describeProbe, effectiveRunStrategy, eventsFor, fail, findRunningVm, findVm,
  getService, getVmi, isOutcome, isReadyEndpoint, launcherPod, measured, pass, probeFailureSeconds, probeSuccessSeconds,
  readinessFacts, secondsSince, serviceEndpoints, templateVsInstance, vmiReadinessProblem, waitFor, waitForNewInstance, withFault,
  type CheckContext, type ClusterConnection, type Outcome, type Probe, type RunningVm, type VirtualMachineInstance,
} from './sdk/index.ts';

const LAB = 'ha-probes';
const WEB = 'web1';
const DB = 'db1';
const SERVICE = 'web';
const HTTP_PORT = 8080;
const HEALTH_PATH = '/health';

/** KubeVirt adds this to initialDelaySeconds when it renders a probe into the launcher pod. */
const LAUNCHER_DELAY_SECONDS = 10;
/** Cluster seconds the guest of the course images needs to boot and start its services (generous). */
const BOOT_SECONDS = 60;
/**
 * A liveness probe must not give up on an instance sooner than this after it
 * starts: the web server image needs 20 to 30 s to boot and start httpd, and
 * a slow boot must not end in a restart loop.
 */
const LIVENESS_MIN_GRACE_SECONDS = 60;
/** The watchdog daemon of the course images arms the i6300esb with this timeout. */
const WATCHDOG_TIMEOUT_SECONDS = 60;

type ProbeKind = 'readinessProbe' | 'livenessProbe';

// ------------------------------------------------------------------ words

function vmRef(ns: string, name: string): string {
  return `VM ${ns}/${name}`;
}

function probeLabel(kind: ProbeKind): string {
  return kind === 'readinessProbe' ? 'readiness probe' : 'liveness probe';
}

/** "opens a TCP connection", "sends an HTTP GET"…: what a probe's handler does. */
function handlerPhrase(p: Probe): string {
  if (p.httpGet) return 'sends an HTTP GET';
  if (p.tcpSocket) return 'opens a TCP connection';
  if (p.exec) return 'runs a command through the guest agent';
  if (p.guestAgentPing) return 'pings the guest agent';
  return 'has no handler';
}

function samePort(port: number | string | undefined, want: number): boolean {
  return port !== undefined && String(port) === String(want);
}

// ------------------------------------------------------------------ probes

function readinessProblems(p: Probe): string[] {
  if (!p.httpGet) {
    return [`it ${handlerPhrase(p)} instead of an HTTP GET (readinessProbe.httpGet): only a request for ${HEALTH_PATH} shows that httpd answers`];
  }
  const out: string[] = [];
  if (!samePort(p.httpGet.port, HTTP_PORT)) {
    out.push(`readinessProbe.httpGet.port is ${p.httpGet.port}, but httpd listens on ${HTTP_PORT} in the guest: the probe would never succeed`);
  }
  const path = p.httpGet.path ?? '/';
  if (path !== HEALTH_PATH) out.push(`readinessProbe.httpGet.path is ${path}, expected ${HEALTH_PATH}`);
  if (p.httpGet.scheme && p.httpGet.scheme.toUpperCase() !== 'HTTP') out.push(`readinessProbe.httpGet.scheme is ${p.httpGet.scheme}, but httpd speaks plain HTTP`);
  return out;
}

/**
 * Seconds after the instance starts at which a liveness probe that never
 * succeeds has it killed: the first probe after initialDelaySeconds (plus
 * KubeVirt's 10 s), then failureThreshold - 1 more, periodSeconds apart.
 */
function livenessGivesUpAfter(p: Probe): number {
  return (p.initialDelaySeconds ?? 0) + LAUNCHER_DELAY_SECONDS + ((p.failureThreshold ?? 3) - 1) * (p.periodSeconds ?? 10);
}

function livenessProblems(p: Probe): string[] {
  if (!p.tcpSocket) return [`it ${handlerPhrase(p)} instead of opening a TCP connection (livenessProbe.tcpSocket)`];
  if (!samePort(p.tcpSocket.port, HTTP_PORT)) {
    return [`livenessProbe.tcpSocket.port is ${p.tcpSocket.port}, but httpd listens on ${HTTP_PORT}: the probe would fail on a healthy guest and restart ${WEB} over and over`];
  }
  const givesUp = livenessGivesUpAfter(p);
  if (givesUp < LIVENESS_MIN_GRACE_SECONDS) {
    const delay = p.initialDelaySeconds ?? 0;
    return [`it can have ${WEB} killed ${givesUp} s after an instance starts (initialDelaySeconds ${delay}, plus ${LAUNCHER_DELAY_SECONDS} s added by KubeVirt, plus ${(p.failureThreshold ?? 3) - 1} more failures ${p.periodSeconds ?? 10} s apart), and the guest needs 20 to 30 s to boot and start httpd: a slow boot would be killed and restarted over and over; raise initialDelaySeconds to at least ${delay + LIVENESS_MIN_GRACE_SECONDS - givesUp}`];
  }
  return [];
}

/** The VM and its running VMI, or a failing outcome that says what is missing or stopped, and why it matters. */
function runningVm(conn: ClusterConnection, ns: string, name: string, why: string): Promise<RunningVm | Outcome> {
  return findRunningVm(conn, ns, name, { lab: LAB, why });
}

/**
 * The template has the wanted probe and the running VMI runs it. `want`
 * describes the expected probe; `problems` lists what is wrong with one.
 */
async function expectProbe(
  conn: ClusterConnection, ns: string, name: string, kind: ProbeKind, want: string, problems: (p: Probe) => string[],
): Promise<RunningVm | Outcome> {
  const vm = await findVm(conn, ns, name, { lab: LAB });
  if (isOutcome(vm)) return vm;
  const probe = vm.spec?.template?.spec?.[kind];
  if (!probe) return fail(`${vmRef(ns, name)} has no ${probeLabel(kind)} (spec.template.spec.${kind}), expected ${want}`);
  const wrong = problems(probe);
  if (wrong.length) return fail(`${vmRef(ns, name)}'s ${probeLabel(kind)} is ${describeProbe(probe)}, expected ${want}: ${wrong.join('; ')}`);
  const running = await runningVm(conn, ns, name, `a ${probeLabel(kind)} only runs in a running instance`);
  if (isOutcome(running)) return running;
  const stale = templateVsInstance(vm, running.vmi, kind);
  if (stale) return fail(`${vmRef(ns, name)}: ${stale}`);
  return running;
}

/** A phrase for why a VMI fails its readiness probe, with what to do when httpd is simply stopped. */
async function readinessTrouble(conn: ClusterConnection, vmi: VirtualMachineInstance): Promise<string | undefined> {
  const problem = await vmiReadinessProblem(conn, vmi);
  if (!problem) return undefined;
  const { probeFailure } = await readinessFacts(conn, vmi);
  const refused = probeFailure && /connection refused|statuscode: 5\d\d/.test(probeFailure.output);
  return refused
    ? `${problem} (is httpd running in the guest? virtctl console ${vmi.metadata.name}, then sudo systemctl start httpd)`
    : problem;
}

async function webReadinessProbe({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const running = await expectProbe(conn, ns, WEB, 'readinessProbe', `an HTTP GET of ${HEALTH_PATH} on port ${HTTP_PORT}`, readinessProblems);
  if (isOutcome(running)) return running;
  const trouble = await readinessTrouble(conn, running.vmi);
  if (trouble) return fail(trouble);
  if (!(await getService(conn, ns, SERVICE))) return fail(`Service ${ns}/${SERVICE} does not exist (lab start ha-probes creates it): there is nothing for the probe to keep up to date`);
  const endpoint = (await serviceEndpoints(conn, ns, SERVICE)).find((e) => e.vmiName === WEB);
  if (!endpoint) return fail(`VMI ${WEB} is Ready but is not an endpoint of Service ${ns}/${SERVICE}: does the Service still select app=web?`);
  if (!endpoint.ready) return fail(`VMI ${WEB} is Ready but its endpoint in Service ${ns}/${SERVICE} is not ready yet`);
  return pass(`VMI ${WEB} runs readiness probe ${describeProbe(running.vmi.spec?.readinessProbe)}, passes it, and is a ready endpoint of Service ${SERVICE}`);
}

async function webLivenessProbe({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const running = await expectProbe(conn, ns, WEB, 'livenessProbe', `a TCP connection to port ${HTTP_PORT}`, livenessProblems);
  if (isOutcome(running)) return running;
  const { vmi } = running;
  if (conditionOf(vmi, 'Ready')?.status !== 'True') {
    const pod = await launcherPod(conn, vmi);
    const prefix = 'Liveness probe failed: ';
    const failures = pod
      ? (await eventsFor(conn, { kind: 'Pod', name: pod.metadata?.name ?? '', namespace: ns, uid: pod.metadata?.uid }, { reason: 'Unhealthy' }))
        .filter((e) => (e.message ?? '').startsWith(prefix))
      : [];
    const lastFailure = failures[failures.length - 1];
    if (lastFailure) {
      return fail(`VMI ${WEB} fails its liveness probe ${describeProbe(vmi.spec?.livenessProbe)} (${(lastFailure.message ?? '').slice(prefix.length)}): the kubelet will have the instance killed and the VM start a new one`);
    }
    const trouble = await readinessTrouble(conn, vmi);
    if (trouble) return fail(trouble);
  }
  return pass(`VMI ${WEB} runs liveness probe ${describeProbe(vmi.spec?.livenessProbe)}`);
}

// ------------------------------------------------------------------ watchdog

const RESTARTING_STRATEGIES = ['Always', 'RerunOnFailure'];

async function expectWatchdog(conn: ClusterConnection, ns: string, actions: readonly string[]): Promise<RunningVm | Outcome> {
  const vm = await findVm(conn, ns, DB, { lab: LAB });
  if (isOutcome(vm)) return vm;
  const wd = vm.spec?.template?.spec?.domain?.devices?.watchdog;
  if (!wd) return fail(`${vmRef(ns, DB)} has no watchdog device (spec.template.spec.domain.devices.watchdog)`);
  if (!wd.i6300esb) {
    return fail(`${vmRef(ns, DB)}'s watchdog ${wd.name ?? ''} has no i6300esb section: KubeVirt emulates the Intel 6300ESB only, and its action is what the device does to a hung guest`);
  }
  const action = wd.i6300esb.action ?? 'reset';
  if (!actions.includes(action)) {
    const why = action === 'shutdown'
      ? 'shutdown only asks the guest to shut itself down, which a hung kernel cannot do'
      : action === 'reset'
        ? 'reset reboots the guest inside the same instance, so the run strategy never sees a failure'
        : 'it is not an action of the i6300esb (reset, poweroff or shutdown)';
    return fail(`${vmRef(ns, DB)}'s watchdog action is ${action}${wd.i6300esb.action ? '' : ' (the default)'}, expected ${actions.join(' or ')}: ${why}`);
  }
  const running = await runningVm(conn, ns, DB, 'the watchdog only guards a running instance');
  if (isOutcome(running)) return running;
  const stale = templateVsInstance(vm, running.vmi, 'domain.devices.watchdog');
  if (stale) return fail(`${vmRef(ns, DB)}: ${stale}`);
  return running;
}

async function dbWatchdog({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const running = await expectWatchdog(conn, ns, ['reset', 'poweroff']);
  if (isOutcome(running)) return running;
  const action = running.vmi.spec?.domain?.devices?.watchdog?.i6300esb?.action ?? 'reset';
  return pass(`VMI ${DB} runs an i6300esb watchdog with action ${action}`);
}

async function dbWatchdogPoweroff({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const running = await expectWatchdog(conn, ns, ['poweroff']);
  if (isOutcome(running)) return running;
  const strategy = effectiveRunStrategy(running.vm);
  if (!RESTARTING_STRATEGIES.includes(strategy)) {
    return fail(`${vmRef(ns, DB)} has runStrategy ${strategy}: once the watchdog powers the instance off, nothing starts a new one (use Always or RerunOnFailure)`);
  }
  return pass(`VMI ${DB} runs an i6300esb watchdog with action poweroff, and runStrategy ${strategy} starts a new instance after it fires`);
}

// ------------------------------------------------------------------ behavioural checks

/** web1 is a ready endpoint of Service web. */
function isWebReadyEndpoint(conn: ClusterConnection, ns: string): Promise<boolean> {
  return isReadyEndpoint(conn, ns, SERVICE, WEB);
}

/** web1 runs, is a ready endpoint of Service web and runs `kind`; else a failing outcome saying what is missing. */
async function webInService(conn: ClusterConnection, ns: string, kind: ProbeKind, why: string): Promise<RunningVm | Outcome> {
  const running = await runningVm(conn, ns, WEB, `the grader stops httpd in a running ${WEB}`);
  if (isOutcome(running)) return running;
  if (!running.vmi.spec?.[kind]) return fail(`VMI ${ns}/${WEB} runs no ${probeLabel(kind)}: ${why}`);
  if (!(await getService(conn, ns, SERVICE))) return fail(`Service ${ns}/${SERVICE} does not exist (lab start ha-probes creates it)`);
  if (!(await isWebReadyEndpoint(conn, ns))) {
    const trouble = await readinessTrouble(conn, running.vmi);
    return fail(`VMI ${WEB} must be a ready endpoint of Service ${ns}/${SERVICE} before the grader stops httpd, and it is not${trouble ? `: ${trouble}` : ''}`);
  }
  return running;
}

async function readinessRemovesEndpoint({ conn, namespace: ns, signal }: CheckContext): Promise<Outcome> {
  const running = await webInService(conn, ns, 'readinessProbe', `with httpd stopped it would stay a ready endpoint of ${SERVICE} and keep receiving requests it cannot answer`);
  if (isOutcome(running)) return running;
  const probe = running.vmi.spec!.readinessProbe!;
  const detect = probeFailureSeconds(probe) + 30;
  const recover = probeSuccessSeconds(probe) + BOOT_SECONDS + 60;

  return withFault(conn, { type: 'ServiceStop', target: { kind: 'VirtualMachineInstance', name: WEB, namespace: ns }, service: 'httpd' }, async (fault) => {
    const left = await waitFor(conn, async () => !(await isWebReadyEndpoint(conn, ns)), {
      timeoutSeconds: detect, pollSeconds: 1, signal,
      what: `VMI ${WEB} to leave the ready endpoints of Service ${SERVICE} after httpd stopped`,
      describe: () => `it is still a ready endpoint; its readiness probe is ${describeProbe(probe)}`,
    });
    if (!left.ok) return fail(left.message);
    const seconds = secondsSince(conn, fault.activatedAt);
    await fault.clear();
    const back = await waitFor(conn, () => isWebReadyEndpoint(conn, ns), {
      timeoutSeconds: recover, pollSeconds: 1, signal,
      what: `VMI ${WEB} to be a ready endpoint of ${SERVICE} again after httpd started`,
      describe: async () => {
        const vmi = await getVmi(conn, ns, WEB);
        return vmi ? (await readinessTrouble(conn, vmi)) ?? 'VMI web1 is Ready but not yet a ready endpoint' : `there is no VMI ${WEB}`;
      },
    });
    const measurements = [measured('endpoint-removal', seconds)];
    if (!back.ok) return fail(`VMI ${WEB} left the ready endpoints of ${SERVICE} ${seconds} s after httpd stopped, but ${back.message}`, measurements);
    return pass(`VMI ${WEB} left the ready endpoints of ${SERVICE} ${seconds} s after httpd stopped, and was back ${back.seconds} s after httpd started again`, measurements);
  }, { signal });
}

async function livenessRestartsWeb({ conn, namespace: ns, signal }: CheckContext): Promise<Outcome> {
  const running = await webInService(conn, ns, 'livenessProbe', 'with httpd stopped, nothing would ever restart it');
  if (isOutcome(running)) return running;
  const { vm, vmi } = running;
  const strategy = effectiveRunStrategy(vm);
  if (!RESTARTING_STRATEGIES.includes(strategy)) {
    return fail(`${vmRef(ns, WEB)} has runStrategy ${strategy}: after the liveness probe has the instance killed, nothing starts a new one`);
  }
  const liveness = vmi.spec!.livenessProbe!;
  const readiness = vmi.spec?.readinessProbe;
  const timeout = probeFailureSeconds(liveness) + LAUNCHER_DELAY_SECONDS + BOOT_SECONDS
    + (readiness ? (readiness.initialDelaySeconds ?? 0) + probeFailureSeconds(readiness) : 0) + 60;

  return withFault(conn, { type: 'ServiceStop', target: { kind: 'VirtualMachineInstance', name: WEB, namespace: ns }, service: 'httpd' }, async (fault) => {
    const back = await waitForNewInstance(conn, ns, WEB, vmi.metadata.uid, {
      timeoutSeconds: timeout, pollSeconds: 2, signal,
      what: `the liveness probe to replace ${WEB} with a new instance that serves again`,
      whileOld: (old) => `VMI ${WEB} is still the instance whose httpd stopped (phase ${old.status?.phase ?? 'unknown'}); its liveness probe is ${describeProbe(liveness)}`,
      untilNew: async (now) => {
        if (now.status?.phase !== 'Running' || conditionOf(now, 'Ready')?.status !== 'True') {
          return `a new VMI ${WEB} is ${now.status?.phase || 'Pending'}${now.status?.phase === 'Running' ? ' but not Ready yet' : ''}`;
        }
        return (await isWebReadyEndpoint(conn, ns)) ? undefined : `a new VMI ${WEB} is Ready but not yet a ready endpoint of ${SERVICE}`;
      },
    });
    const seconds = secondsSince(conn, fault.activatedAt);
    const measurements = [measured('recovery', seconds)];
    if (!back.ok) return fail(back.message, measurements);
    const node = back.value.status?.nodeName ? ` on ${back.value.status.nodeName}` : '';
    return pass(`${WEB} served again ${seconds} s after httpd stopped: its liveness probe failed, and a new instance${node} replaced the old one`, measurements);
  }, { signal });
}

async function watchdogRecoversDb({ conn, namespace: ns, signal }: CheckContext): Promise<Outcome> {
  const running = await runningVm(conn, ns, DB, 'the grader can only hang the kernel of a running instance');
  if (isOutcome(running)) return running;
  const { vm, vmi } = running;
  const wd = vmi.spec?.domain?.devices?.watchdog;
  if (!wd) return fail(`VMI ${ns}/${DB} runs without a watchdog device, so nothing notices when its kernel hangs`);
  const action = wd.i6300esb?.action ?? 'reset';
  if (action !== 'poweroff') {
    return fail(`VMI ${ns}/${DB} runs a watchdog with action ${action}, expected poweroff: with ${action} a hung kernel is not replaced by a new instance`);
  }
  const strategy = effectiveRunStrategy(vm);
  if (!RESTARTING_STRATEGIES.includes(strategy)) {
    return fail(`${vmRef(ns, DB)} has runStrategy ${strategy}: once the watchdog powers it off, nothing starts it again`);
  }
  let oldEnded: string | undefined;

  return withFault(conn, { type: 'GuestKernelHang', target: { kind: 'VirtualMachineInstance', name: DB, namespace: ns } }, async (fault) => {
    const back = await waitForNewInstance(conn, ns, DB, vmi.metadata.uid, {
      timeoutSeconds: WATCHDOG_TIMEOUT_SECONDS + BOOT_SECONDS + 120, pollSeconds: 2, signal,
      what: `a new ${DB} instance to be Running after its kernel hung`,
      whileOld: (old) => {
        const phase = old.status?.phase ?? 'unknown';
        if (phase === 'Failed' || phase === 'Succeeded') oldEnded = phase;
        return phase === 'Running'
          ? `VMI ${DB} is still the hung instance, phase Running: the i6300esb only fires when something in the guest feeds it; is the watchdog service running in ${DB} (virtctl console ${DB}, then systemctl status watchdog)?`
          : `VMI ${DB} is still the hung instance (phase ${phase})`;
      },
    });
    const seconds = secondsSince(conn, fault.activatedAt);
    const measurements = [measured('recovery', seconds)];
    if (!back.ok) return fail(back.message, measurements);
    const node = back.value.status?.nodeName ? ` on ${back.value.status.nodeName}` : '';
    const ended = oldEnded ? ` (the hung instance ended ${oldEnded})` : '';
    return pass(`${DB} ran again ${seconds} s after its kernel hung: the watchdog powered it off and a new instance${node} replaced it${ended}`, measurements);
  }, { signal });
}

export default defineGrader({
  lab: 'ha-probes',
  checks: [
    check({ id: 'web-readiness-probe', title: `web1 runs a readiness probe GET :${HTTP_PORT}${HEALTH_PATH}`, points: 20, run: webReadinessProbe }),
    check({
      id: 'readiness-removes-endpoint', title: 'Stopping httpd takes web1 out of Service web', points: 10,
      requires: ['faults'], behavioural: true, run: readinessRemovesEndpoint,
    }),
    check({ id: 'web-liveness-probe', title: `web1 runs a liveness probe TCP :${HTTP_PORT}`, points: 15, run: webLivenessProbe }),
    check({
      id: 'liveness-restarts-web', title: 'A web1 whose httpd stays down is replaced', points: 10,
      requires: ['faults'], behavioural: true, run: livenessRestartsWeb,
    }),
    check({ id: 'db-watchdog', title: 'db1 runs an i6300esb watchdog', points: 15, run: dbWatchdog }),
    check({ id: 'db-watchdog-poweroff', title: 'db1\'s watchdog powers a hung guest off and the VM starts again', points: 15, run: dbWatchdogPoweroff }),
    check({
      id: 'watchdog-recovers-db', title: 'A hung db1 kernel is powered off and db1 runs again', points: 15,
      requires: ['faults'], behavioural: true, run: watchdogRecoversDb,
    }),
  ],
});
