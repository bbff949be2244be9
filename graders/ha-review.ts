// Grader for labs/ha-review: the chapter's review lab. Every requirement is
// checked on the running cluster (the instance, the endpoints, the router's
// answer, the assigned address), so a state that only looks right in the
// objects the student wrote fails with a message saying what is missing where.
// Two behavioural checks break web1's httpd and db1's kernel and watch the
// recovery, on clusters that can inject faults.

import type { V1Node, V1Service } from '@kubernetes/client-node';
import {
  addressInRange, all, allocatedFromPool, andList, announcesPool, check, conditionOf, defineGrader, describeForwarding,
  describeLabelSelector, describeProbe, describeRange, describeRouteAdmission, describeServicePorts, describeServiceSelector,
  durationSeconds, effectiveRunStrategy, eventsFor, expectReadyBackends, fail, findRunningVm, findVm, forwardedPort, forwardsTo,
  getIpAddressPool, getMachineHealthCheck, getRoute, getService, getVmi, ipv4ToNumber, isOutcome, isReadyEndpoint, labelSelectorMatches,
  launcherPod, listIpAddressPools, listL2Advertisements, listMachines, listNodes, listRoutes, loadBalancerIp, measured, METALLB_NAMESPACE,
  MACHINE_API_NAMESPACE, mhcCoverage, pageText, pass, plural, poolRanges, probeFailureSeconds, probeHttp, probeSuccessSeconds,
  readyEndpointsByBackend, routeHost, secondsSince, serviceEndpoints, templateVsInstance, unhealthyCondition, vmiReadinessProblem,
  vmNameFromPage, vmNotRunning, waitFor, waitForNewInstance, withFault,
  type AddressRange, type CheckContext, type ClusterConnection, type IPAddressPool, type LabelSelector, type Machine,
  type Outcome, type Probe, type Route, type RunningVm,
} from './sdk/index.ts';

const LAB = 'ha-review';

const WEB_VMS = ['web1', 'web2'] as const;
const DB_VM = 'db1';
const ALL_VMS = [...WEB_VMS, DB_VM] as const;

const FRONTEND = 'frontend';
const FRONTEND_LB = 'frontend-lb';
const FRONTEND_SELECTOR = { key: 'tier', value: 'frontend' } as const;
const SERVICE_PORT = 80;
const GUEST_HTTP_PORT = 8080;

const ROUTE_HOST = 'frontend-ha-review.apps.ocp4.example.com';
const COOKIE_NAME = 'ha-review-session';
const COOKIE_ANNOTATION = 'router.openshift.io/cookie_name';
const DISABLE_COOKIES_ANNOTATION = 'haproxy.router.openshift.io/disable_cookies';
const STICKY_REQUESTS = 5;

const POOL = 'ha-review-pool';
const POOL_RANGE = { first: '192.168.50.20', last: '192.168.50.29' } as const;

const MHC = 'ha-review-workers';
const MHC_TIMEOUT_SECONDS = 300;

/** Cluster seconds a new db1 instance has to be Running after the kernel hangs (watchdog 60 s + restart and boot). */
const WATCHDOG_RECOVERY_SECONDS = 300;

// ------------------------------------------------------------------ words

function vmRef(ns: string, name: string): string {
  return `VM ${ns}/${name}`;
}

/** The VM that answered (the web server's default page names it), else the page in one line. */
function answeredBy(body: string): string {
  return vmNameFromPage(body) ?? pageText(body);
}

// ------------------------------------------------------------------ VMs

/** The VM and its running VMI, or a failing outcome that says which of the two is missing or stopped. */
function runningVm(conn: ClusterConnection, ns: string, name: string, purpose: string): Promise<RunningVm | Outcome> {
  return findRunningVm(conn, ns, name, { lab: LAB, why: purpose });
}

/** What a probe of the template says compared with the wanted one, in the student's terms. */
function probeMismatch(ns: string, vm: string, kind: 'readinessProbe' | 'livenessProbe', probe: Probe | undefined, want: string, matches: (p: Probe) => string[]): string | undefined {
  const label = kind === 'readinessProbe' ? 'readiness probe' : 'liveness probe';
  if (!probe) return `${vmRef(ns, vm)} has no ${label} (spec.template.spec.${kind}), expected ${want}`;
  const wrong = matches(probe);
  if (wrong.length === 0) return undefined;
  return `${vmRef(ns, vm)}'s ${label} is ${describeProbe(probe)}, expected ${want}: ${wrong.join(', ')}`;
}

function portIs(port: number | string | undefined, want: number): boolean {
  return port !== undefined && String(port) === String(want);
}

function readinessProbeProblems(p: Probe): string[] {
  if (!p.httpGet) {
    const handler = p.tcpSocket ? 'a TCP connection' : p.exec ? 'a command' : p.guestAgentPing ? 'a guest agent ping' : 'no handler';
    return [`it uses ${handler} instead of an HTTP GET (readinessProbe.httpGet)`];
  }
  const out: string[] = [];
  if (!portIs(p.httpGet.port, GUEST_HTTP_PORT)) out.push(`readinessProbe.httpGet.port is ${p.httpGet.port}, but httpd listens on ${GUEST_HTTP_PORT} in the guest`);
  const path = p.httpGet.path ?? '/';
  if (path !== '/health') out.push(`readinessProbe.httpGet.path is ${path}, expected /health`);
  if (p.httpGet.scheme && p.httpGet.scheme.toUpperCase() !== 'HTTP') out.push(`readinessProbe.httpGet.scheme is ${p.httpGet.scheme}, but httpd speaks plain HTTP`);
  return out;
}

function livenessProbeProblems(p: Probe): string[] {
  if (!p.tcpSocket) {
    const handler = p.httpGet ? 'an HTTP GET' : p.exec ? 'a command' : p.guestAgentPing ? 'a guest agent ping' : 'no handler';
    return [`it uses ${handler} instead of a TCP connection (livenessProbe.tcpSocket)`];
  }
  return portIs(p.tcpSocket.port, 3306) ? [] : [`livenessProbe.tcpSocket.port is ${p.tcpSocket.port}, but MariaDB listens on 3306`];
}

/**
 * The template's probe is the wanted one and the running VMI runs it: a probe
 * added to the template reaches the guest only with the next instance.
 */
async function expectProbe(
  conn: ClusterConnection, ns: string, name: string, kind: 'readinessProbe' | 'livenessProbe', want: string, matches: (p: Probe) => string[],
): Promise<Outcome> {
  const vm = await findVm(conn, ns, name, { lab: LAB });
  if (isOutcome(vm)) return vm;
  const wrong = probeMismatch(ns, name, kind, vm.spec?.template?.spec?.[kind], want, matches);
  if (wrong) return fail(wrong);
  const running = await runningVm(conn, ns, name, `the ${kind === 'readinessProbe' ? 'readiness' : 'liveness'} probe only runs in a running instance`);
  if (isOutcome(running)) return running;
  const stale = templateVsInstance(vm, running.vmi, kind);
  if (stale) return fail(`${vmRef(ns, name)}: ${stale}`);
  const onVmi = running.vmi.spec?.[kind];
  const vmiWrong = onVmi ? matches(onVmi) : ['it has none'];
  if (vmiWrong.length) return fail(`VMI ${ns}/${name} runs ${kind} ${describeProbe(onVmi)}, expected ${want}: restart the VM (virtctl restart ${name})`);
  return pass(`VMI ${name} runs ${kind} ${describeProbe(onVmi)}`);
}

// ------------------------------------------------------------------ Services

/** Problems with a Service's type, selector and port (empty when it is as the lab asks). */
function serviceShapeProblems(svc: V1Service, type: 'ClusterIP' | 'LoadBalancer'): string[] {
  const ns = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const where = `Service ${ns}/${name}`;
  const out: string[] = [];
  const actualType = svc.spec?.type ?? 'ClusterIP';
  if (actualType !== type) out.push(`${where} has type ${actualType}, expected ${type}`);
  if (svc.spec?.selector?.[FRONTEND_SELECTOR.key] !== FRONTEND_SELECTOR.value) {
    out.push(`${where} selects ${describeServiceSelector(svc.spec?.selector)}, expected ${FRONTEND_SELECTOR.key}=${FRONTEND_SELECTOR.value}`);
  }
  const forwarding = forwardedPort(svc, SERVICE_PORT);
  if (!forwarding) {
    out.push(`${where} has no port ${SERVICE_PORT} (ports: ${describeServicePorts(svc) || 'none'})`);
  } else {
    if (!forwardsTo(forwarding, GUEST_HTTP_PORT)) {
      out.push(`${where} ${describeForwarding(forwarding)}, but httpd listens on ${GUEST_HTTP_PORT} in the guests: set targetPort: ${GUEST_HTTP_PORT}`);
    }
    const protocol = forwarding.servicePort.protocol;
    if (protocol && protocol !== 'TCP') out.push(`${where} port ${SERVICE_PORT} uses ${protocol}, expected TCP`);
  }
  return out;
}

/** web1 and web2, and nothing else, are the Service's ready endpoints. */
async function expectWebEndpoints(conn: ClusterConnection, ns: string, service: string): Promise<Outcome> {
  const ready = await readyEndpointsByBackend(conn, ns, service);
  const extra = [...ready.keys()].filter((n) => !(WEB_VMS as readonly string[]).includes(n));
  if (extra.length) {
    return fail(`Service ${ns}/${service} also sends traffic to ${andList(extra)}: its selector must match the web servers only (${FRONTEND_SELECTOR.key}=${FRONTEND_SELECTOR.value})`);
  }
  // The SDK explains each missing backend (VMI not Ready and why, VM stopped, selector matching nothing).
  return expectReadyBackends(conn, ns, service, WEB_VMS);
}

// ------------------------------------------------------------------ addresses

/** Problems with a pool's addresses compared with exactly first..last (empty when they match). */
function poolAddressProblems(pool: IPAddressPool, want: { first: string; last: string }): string[] {
  const where = `IPAddressPool ${pool.metadata.namespace ?? METALLB_NAMESPACE}/${pool.metadata.name}`;
  const wanted: AddressRange = { first: ipv4ToNumber(want.first)!, last: ipv4ToNumber(want.last)! };
  if ((pool.spec?.addresses ?? []).length === 0) return [`${where} has no addresses, expected ${describeRange(wanted)}`];
  const { ranges: have, invalid } = poolRanges(pool);
  if (invalid.length) return [`${where}: ${invalid.join('; ')}; expected ${describeRange(wanted)}`];
  if (have.length === 1 && have[0].first === wanted.first && have[0].last === wanted.last) return [];
  const extra = have.flatMap((r) => {
    const parts: AddressRange[] = [];
    if (r.first < wanted.first) parts.push({ first: r.first, last: Math.min(r.last, wanted.first - 1) });
    if (r.last > wanted.last) parts.push({ first: Math.max(r.first, wanted.last + 1), last: r.last });
    return parts;
  });
  const missing: AddressRange[] = [];
  let next = wanted.first;
  for (const r of have) {
    if (r.last < next || r.first > wanted.last) continue;
    if (r.first > next) missing.push({ first: next, last: r.first - 1 });
    next = Math.max(next, r.last + 1);
  }
  if (next <= wanted.last) missing.push({ first: next, last: wanted.last });
  const why: string[] = [];
  if (missing.length) why.push(`it lacks ${missing.map(describeRange).join(', ')}`);
  if (extra.length) why.push(`it also covers ${extra.map(describeRange).join(', ')}`);
  return [`${where} covers ${have.map(describeRange).join(', ')}, expected exactly ${describeRange(wanted)}: ${why.join(' and ')}`];
}

// ------------------------------------------------------------------ route helpers

function cookieNameOf(route: Route): string | undefined {
  return route.metadata.annotations?.[COOKIE_ANNOTATION];
}

// ------------------------------------------------------------------ checks

async function vmsRunning({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const outcomes = await Promise.all(ALL_VMS.map(async (name): Promise<Outcome> => {
    const vm = await findVm(conn, ns, name, { lab: LAB });
    if (isOutcome(vm)) return vm;
    const strategy = effectiveRunStrategy(vm);
    if (strategy !== 'Always') {
      return fail(`${vmRef(ns, name)} has runStrategy ${strategy}, expected Always${strategy === 'Halted' ? ' (virtctl start sets it)' : ''}`);
    }
    return (await vmNotRunning(conn, vm, await getVmi(conn, ns, name))) ?? pass();
  }));
  return all(outcomes, 'web1, web2 and db1 run with runStrategy Always');
}

async function frontendService({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const svc = await getService(conn, ns, FRONTEND);
  if (!svc) return fail(`Service ${ns}/${FRONTEND} does not exist`);
  const shape = serviceShapeProblems(svc, 'ClusterIP');
  if (shape.length) return fail(shape.join('; '));
  return expectWebEndpoints(conn, ns, FRONTEND);
}

async function frontendRoute({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const route = await getRoute(conn, ns, FRONTEND);
  if (!route) {
    const others = (await listRoutes(conn, ns)).filter((r) => r.spec?.to?.name === FRONTEND || routeHost(r) === ROUTE_HOST);
    const note = others.length ? ` (${others.map((r) => `Route ${r.metadata.name}`).join(', ')} ${others.length === 1 ? 'exists' : 'exist'}, but the Route must be named ${FRONTEND})` : '';
    return fail(`Route ${ns}/${FRONTEND} does not exist${note}`);
  }
  const problems: string[] = [];
  const target = route.spec?.to;
  if (target?.name !== FRONTEND || (target.kind && target.kind !== 'Service')) {
    problems.push(`Route ${ns}/${FRONTEND} sends traffic to ${target?.kind ?? 'Service'} ${target?.name ?? '(none)'}, expected Service ${FRONTEND}`);
  }
  const host = routeHost(route);
  if (host !== ROUTE_HOST) problems.push(`Route ${ns}/${FRONTEND} has host ${host ?? '(none)'}, expected ${ROUTE_HOST}`);
  if (problems.length) return fail(problems.join('; '));
  const admission = describeRouteAdmission(route);
  if (admission) return fail(admission);
  return pass(`Route ${FRONTEND} serves ${ROUTE_HOST} from Service ${FRONTEND}`);
}

async function routeStickyCookie({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const route = await getRoute(conn, ns, FRONTEND);
  if (!route) return fail(`Route ${ns}/${FRONTEND} does not exist: the sticky cookie is a setting of that Route`);
  const name = cookieNameOf(route);
  if (name !== COOKIE_NAME) {
    const holders = (await listRoutes(conn, ns)).filter((r) => r.metadata.name !== FRONTEND && cookieNameOf(r) === COOKIE_NAME);
    const has = name === undefined ? `has no ${COOKIE_ANNOTATION} annotation` : `names its cookie "${name}" (${COOKIE_ANNOTATION}), expected "${COOKIE_NAME}"`;
    if (holders.length) {
      const on = holders.map((r) => `Route ${ns}/${r.metadata.name}`).join(', ');
      return fail(`Route ${ns}/${FRONTEND} ${has}; the annotation ${COOKIE_ANNOTATION}=${COOKIE_NAME} is on ${on} instead, but clients of ${ROUTE_HOST} go through Route ${FRONTEND}: annotate that one`);
    }
    return fail(`Route ${ns}/${FRONTEND} ${has}${name === undefined ? ': the router names the cookie with a hash of the route instead' : ''}`);
  }
  const disabled = route.metadata.annotations?.[DISABLE_COOKIES_ANNOTATION];
  if (disabled && /^(1|t|true)$/i.test(disabled)) {
    return fail(`Route ${ns}/${FRONTEND} has ${DISABLE_COOKIES_ANNOTATION}=${disabled}, which turns the sticky cookie off`);
  }

  if (routeHost(route) !== ROUTE_HOST) return fail(`Route ${ns}/${FRONTEND} has host ${routeHost(route) ?? '(none)'}, so its cookie is not what clients of ${ROUTE_HOST} get`);
  const admission = describeRouteAdmission(route);
  if (admission) return fail(admission);
  const url = `http://${ROUTE_HOST}/`;
  const jar = conn.http.newJar();
  const first = await probeHttp(conn.http, url, { jar });
  if (!first.ok) return fail(`${first.error}`);
  if (first.exchange.status !== 200) {
    return fail(`GET ${url} answered ${first.exchange.status}${first.exchange.body.trim() ? ` (${pageText(first.exchange.body)})` : ''}, expected 200 from a web server: are web1 and web2 ready endpoints of Service ${FRONTEND}?`);
  }
  if (!jar.cookies.has(COOKIE_NAME)) {
    const names = [...jar.cookies.keys()];
    return fail(`GET ${url} set ${names.length ? `the cookie${names.length === 1 ? '' : 's'} ${names.join(', ')}` : 'no cookie'}, expected one named ${COOKIE_NAME}`);
  }
  const servedBy = [answeredBy(first.exchange.body)];
  for (let i = 0; i < STICKY_REQUESTS; i++) {
    const again = await probeHttp(conn.http, url, { jar });
    if (!again.ok) return fail(again.error);
    if (again.exchange.status !== 200) return fail(`GET ${url} with the ${COOKIE_NAME} cookie answered ${again.exchange.status}, expected 200`);
    servedBy.push(answeredBy(again.exchange.body));
  }
  const distinct = [...new Set(servedBy)];
  if (distinct.length > 1) {
    return fail(`with the ${COOKIE_NAME} cookie, ${plural(servedBy.length, 'request')} to ${url} were answered by ${andList(distinct)}: the router did not keep the client on one VM`);
  }
  return pass(`${url} set the cookie ${COOKIE_NAME}, and ${plural(servedBy.length, 'request')} with it were all answered by ${distinct[0]}`);
}

async function webReadinessProbes({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const want = `an HTTP GET of /health on port ${GUEST_HTTP_PORT}`;
  const outcomes = await Promise.all(WEB_VMS.map(async (name): Promise<Outcome> => {
    const probe = await expectProbe(conn, ns, name, 'readinessProbe', want, readinessProbeProblems);
    if (!probe.pass) return probe;
    const vmi = await getVmi(conn, ns, name);
    const problem = vmi ? await vmiReadinessProblem(conn, vmi) : `VMI ${name} is gone`;
    return problem ? fail(problem) : probe;
  }));
  return all(outcomes);
}

async function dbLivenessProbe({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  return expectProbe(conn, ns, DB_VM, 'livenessProbe', 'a TCP connection to port 3306', livenessProbeProblems);
}

async function dbWatchdog({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const vm = await findVm(conn, ns, DB_VM, { lab: LAB });
  if (isOutcome(vm)) return vm;
  const wd = vm.spec?.template?.spec?.domain?.devices?.watchdog;
  if (!wd) return fail(`${vmRef(ns, DB_VM)} has no watchdog device (spec.template.spec.domain.devices.watchdog)`);
  if (!wd.i6300esb) return fail(`${vmRef(ns, DB_VM)}'s watchdog ${wd.name ?? ''} has no i6300esb section: KubeVirt emulates only the Intel 6300ESB, and without an action it resets the guest instead of powering it off`);
  const action = wd.i6300esb.action ?? 'reset';
  if (action !== 'poweroff') {
    const why = action === 'reset' ? 'reset reboots the guest inside the same instance' : action === 'shutdown' ? 'shutdown asks a hung guest to shut down, which it cannot do' : 'it is not a watchdog action';
    return fail(`${vmRef(ns, DB_VM)}'s watchdog action is ${action}${wd.i6300esb.action ? '' : ' (the default)'}, expected poweroff: ${why}`);
  }
  const running = await runningVm(conn, ns, DB_VM, 'the watchdog only guards a running instance');
  if (isOutcome(running)) return running;
  const stale = templateVsInstance(vm, running.vmi, 'domain.devices.watchdog');
  if (stale) return fail(`${vmRef(ns, DB_VM)}: ${stale}`);
  const onVmi = running.vmi.spec?.domain?.devices?.watchdog;
  if (onVmi?.i6300esb?.action !== 'poweroff') {
    return fail(`VMI ${ns}/${DB_VM} runs ${onVmi ? `a watchdog with action ${onVmi.i6300esb?.action ?? 'reset'}` : 'without a watchdog'}: restart the VM (virtctl restart ${DB_VM})`);
  }
  return pass(`VMI ${DB_VM} runs an i6300esb watchdog with action poweroff`);
}

async function webEvictionStrategy({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const outcomes = await Promise.all(WEB_VMS.map(async (name): Promise<Outcome> => {
    const vm = await findVm(conn, ns, name, { lab: LAB });
    if (isOutcome(vm)) return vm;
    const strategy = vm.spec?.template?.spec?.evictionStrategy;
    if (strategy !== 'LiveMigrate') {
      return fail(`${vmRef(ns, name)} has ${strategy ? `evictionStrategy ${strategy}` : 'no evictionStrategy'} in spec.template.spec, expected LiveMigrate`);
    }
    const running = await runningVm(conn, ns, name, 'the eviction strategy protects a running instance');
    if (isOutcome(running)) return running;
    const stale = templateVsInstance(vm, running.vmi, 'evictionStrategy');
    if (stale) return fail(`${vmRef(ns, name)}: ${stale}`);
    const migratable = conditionOf(running.vmi, 'LiveMigratable');
    if (migratable?.status === 'False') {
      return fail(`VMI ${ns}/${name} is not live-migratable (${migratable.reason ?? 'LiveMigratable=False'}${migratable.message ? `: ${migratable.message}` : ''}): with LiveMigrate, draining its node would wait for it forever`);
    }
    return pass();
  }));
  return all(outcomes, 'web1 and web2 run with evictionStrategy LiveMigrate');
}

async function metallbPool({ conn }: CheckContext): Promise<Outcome> {
  const pool = await getIpAddressPool(conn, POOL);
  if (!pool) {
    const others = (await listIpAddressPools(conn)).map((p) => p.metadata.name);
    return fail(`IPAddressPool ${METALLB_NAMESPACE}/${POOL} does not exist${others.length ? ` (pools in ${METALLB_NAMESPACE}: ${others.join(', ')})` : ''}`);
  }
  const problems = poolAddressProblems(pool, POOL_RANGE);
  if (problems.length) return fail(problems.join('; '));
  return pass(`IPAddressPool ${POOL} holds ${POOL_RANGE.first}-${POOL_RANGE.last}`);
}

async function metallbL2Advertisement({ conn }: CheckContext): Promise<Outcome> {
  const pool = await getIpAddressPool(conn, POOL);
  const ads = await listL2Advertisements(conn);
  const covering = ads.filter((a) => announcesPool(a, POOL, pool));
  if (covering.length === 0) {
    if (ads.length === 0) return fail(`there is no L2Advertisement in ${METALLB_NAMESPACE}: addresses from ${POOL} would be assigned but never announced`);
    const what = ads.map((a) => `${a.metadata.name} (pools: ${(a.spec?.ipAddressPools ?? []).join(', ') || selectorTextList(a.spec?.ipAddressPoolSelectors)})`);
    return fail(`no L2Advertisement in ${METALLB_NAMESPACE} announces ${POOL}: ${what.join('; ')}`);
  }
  const nodes = await listNodes(conn);
  const announcing = covering.filter((a) => (a.spec?.nodeSelectors ?? []).length === 0
    || nodes.some((n: V1Node) => (a.spec?.nodeSelectors ?? []).some((s) => labelSelectorMatches(s, n.metadata?.labels))));
  if (announcing.length === 0) {
    return fail(`L2Advertisement ${covering.map((a) => a.metadata.name).join(', ')} announces ${POOL} only from nodes matching its nodeSelectors, and no node matches them`);
  }
  return pass(`L2Advertisement ${announcing[0].metadata.name} announces ${POOL}`);
}

function selectorTextList(sels: LabelSelector[] | undefined): string {
  return (sels ?? []).map((s) => describeLabelSelector(s, 'pool')).join(' or ') || 'none';
}

async function frontendLoadBalancer({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const svc = await getService(conn, ns, FRONTEND_LB);
  if (!svc) return fail(`Service ${ns}/${FRONTEND_LB} does not exist`);
  const shape = serviceShapeProblems(svc, 'LoadBalancer');
  if (shape.length) return fail(shape.join('; '));
  const ip = loadBalancerIp(svc);
  if (!ip) {
    const failures = await eventsFor(conn, { kind: 'Service', name: FRONTEND_LB, namespace: ns, uid: svc.metadata?.uid }, { type: 'Warning' });
    const last = failures[failures.length - 1];
    const pool = await getIpAddressPool(conn, POOL);
    const why = last?.message ? `: ${last.reason}: ${last.message}` : pool ? '' : `: MetalLB has no pool ${METALLB_NAMESPACE}/${POOL} to take it from`;
    return fail(`Service ${ns}/${FRONTEND_LB} has no external address yet (EXTERNAL-IP <pending>)${why}`);
  }
  const from = allocatedFromPool(svc);
  if (!addressInRange(ip, POOL_RANGE.first, POOL_RANGE.last) || (from !== undefined && from !== POOL)) {
    return fail(`Service ${ns}/${FRONTEND_LB} got ${ip}${from ? ` from pool ${from}` : ''}, expected an address of ${POOL} (${POOL_RANGE.first}-${POOL_RANGE.last}): request the pool with the annotation metallb.io/address-pool: ${POOL}, or remove the overlapping pool`);
  }
  const ready = (await serviceEndpoints(conn, ns, FRONTEND_LB)).filter((e) => e.ready);
  if (ready.length === 0) {
    return fail(`Service ${ns}/${FRONTEND_LB} has address ${ip} but no ready endpoint, so nothing answers on it`);
  }
  return pass(`Service ${FRONTEND_LB} has address ${ip} from ${POOL} and ${plural(ready.length, 'ready endpoint')}`);
}

async function machineHealthCheck({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const mhc = await getMachineHealthCheck(conn, MHC);
  if (!mhc) {
    const misplaced = await getMachineHealthCheck(conn, MHC, ns);
    if (misplaced) return fail(`MachineHealthCheck ${MHC} is in namespace ${ns}; it must be in ${MACHINE_API_NAMESPACE}, with the Machines it watches`);
    return fail(`MachineHealthCheck ${MACHINE_API_NAMESPACE}/${MHC} does not exist`);
  }
  const where = `MachineHealthCheck ${MACHINE_API_NAMESPACE}/${MHC}`;
  const problems: string[] = [];

  const { workers, selected, others: controlPlane, missed } = mhcCoverage(mhc, await listMachines(conn));
  const names = (ms: Machine[]): string => ms.map((m) => m.metadata.name).join(', ');
  const sel = describeLabelSelector(mhc.spec?.selector, 'machine');
  if (selected.length === 0) {
    problems.push(`${where} selects no machine with ${sel}; the worker machines carry labels such as machine.openshift.io/cluster-api-machine-role=worker`);
  } else {
    if (controlPlane.length) problems.push(`${where} also selects ${plural(controlPlane.length, 'control-plane machine')} (${names(controlPlane)}), which have no MachineSet to replace them: select the workers only`);
    if (missed.length) problems.push(`${where} misses ${plural(missed.length, 'worker machine')} (${names(missed)}) with ${sel}`);
  }

  for (const status of ['False', 'Unknown'] as const) {
    const c = unhealthyCondition(mhc, status);
    if (!c) {
      const why = status === 'Unknown' ? ' (a node whose kubelet stops reporting goes Unknown)' : '';
      problems.push(`${where} has no unhealthy condition for Ready=${status}${why}`);
      continue;
    }
    const seconds = durationSeconds(c.timeout);
    if (seconds !== MHC_TIMEOUT_SECONDS) {
      problems.push(`${where}'s Ready=${status} timeout is ${c.timeout}${seconds !== undefined ? ` (${seconds} s)` : ''}, expected 300s`);
    }
  }
  const max = mhc.spec?.maxUnhealthy;
  if (max !== undefined && (max === 0 || max === '0' || max === '0%')) {
    problems.push(`${where} has maxUnhealthy ${max}, which forbids every remediation`);
  }
  if (problems.length) return fail(problems.join('; '));
  return pass(`${where} watches the ${plural(workers.length, 'worker machine')} for 300 s of Ready False or Unknown`);
}

// ------------------------------------------------------------------ behavioural checks

async function readinessRemovesEndpoint({ conn, namespace: ns, signal }: CheckContext): Promise<Outcome> {
  const target = 'web1';
  const inService = (): Promise<boolean> => isReadyEndpoint(conn, ns, FRONTEND, target);
  if (!(await getService(conn, ns, FRONTEND))) return fail(`Service ${ns}/${FRONTEND} does not exist, so there is no endpoint for httpd's failure to remove`);
  if (!(await inService())) {
    return fail(`VMI ${target} must be a ready endpoint of Service ${ns}/${FRONTEND} before its httpd is stopped, and it is not: ${(await expectWebEndpoints(conn, ns, FRONTEND)).message ?? ''}`);
  }
  const vmi = await getVmi(conn, ns, target);
  const probe = vmi?.spec?.readinessProbe;
  if (!vmi || !probe) {
    return fail(`VMI ${ns}/${target} runs no readiness probe: with httpd stopped it would stay a ready endpoint of ${FRONTEND} and keep receiving traffic`);
  }
  const detect = probeFailureSeconds(probe) + 30;
  const recover = probeSuccessSeconds(probe) + 60;

  return withFault(conn, { type: 'ServiceStop', target: { kind: 'VirtualMachineInstance', name: target, namespace: ns }, service: 'httpd' }, async (fault) => {
    const removed = await waitFor(conn, async () => !(await inService()), {
      timeoutSeconds: detect, pollSeconds: 1, signal,
      what: `VMI ${target} to leave the ready endpoints of Service ${FRONTEND} after httpd stopped`,
      describe: async () => `it is still a ready endpoint; its readiness probe is ${describeProbe(probe)}`,
    });
    if (!removed.ok) return fail(removed.message);
    const seconds = secondsSince(conn, fault.activatedAt);
    await fault.clear();
    const back = await waitFor(conn, inService, {
      timeoutSeconds: recover, pollSeconds: 1, signal,
      what: `VMI ${target} to become a ready endpoint of ${FRONTEND} again after httpd restarted`,
      describe: async () => (await getVmi(conn, ns, target).then((v) => (v ? vmiReadinessProblem(conn, v) : `VMI ${target} is gone`))) ?? 'it is Ready but not yet a ready endpoint',
    });
    const measurements = [measured('endpoint-removal', seconds)];
    if (!back.ok) return fail(`VMI ${target} left ${FRONTEND}'s ready endpoints ${seconds} s after httpd stopped, but ${back.message}`, measurements);
    return pass(`VMI ${target} left ${FRONTEND}'s ready endpoints ${seconds} s after httpd stopped, and came back ${back.seconds} s after it restarted`, measurements);
  }, { signal });
}

async function watchdogRecoversDb({ conn, namespace: ns, signal }: CheckContext): Promise<Outcome> {
  const running = await runningVm(conn, ns, DB_VM, 'the grader can only hang the kernel of a running instance');
  if (isOutcome(running)) return running;
  const { vm, vmi } = running;
  const strategy = effectiveRunStrategy(vm);
  if (strategy !== 'Always' && strategy !== 'RerunOnFailure') {
    return fail(`${vmRef(ns, DB_VM)} has runStrategy ${strategy}: once the watchdog powers it off, nothing starts it again`);
  }
  const wd = vmi.spec?.domain?.devices?.watchdog;
  if (!wd) return fail(`VMI ${ns}/${DB_VM} runs without a watchdog device, so nothing notices when its kernel hangs`);
  const oldUid = vmi.metadata.uid;
  const oldPod = await launcherPod(conn, vmi);
  let oldEnded: string | undefined;

  return withFault(conn, { type: 'GuestKernelHang', target: { kind: 'VirtualMachineInstance', name: DB_VM, namespace: ns } }, async (fault) => {
    const back = await waitForNewInstance(conn, ns, DB_VM, oldUid, {
      timeoutSeconds: WATCHDOG_RECOVERY_SECONDS, pollSeconds: 2, signal,
      what: `a new ${DB_VM} instance to be Running after its kernel hung`,
      whileOld: (old) => {
        const phase = old.status?.phase ?? 'unknown';
        if (phase === 'Failed' || phase === 'Succeeded') oldEnded = phase;
        return `VMI ${DB_VM} is still the hung instance (phase ${phase})`;
      },
    });
    const seconds = secondsSince(conn, fault.activatedAt);
    const measurements = [measured('recovery', seconds)];
    if (!back.ok) return fail(`${back.message} (watchdog ${wd.i6300esb?.action ?? 'reset'} on the old instance)`, measurements);
    const node = back.value.status?.nodeName ? ` on ${back.value.status.nodeName}` : '';
    const ended = oldEnded ? ` (the hung instance ended ${oldEnded})` : '';
    // A liveness probe past its initial delay notices the hang too, and may end the instance before the watchdog's 60 s are up.
    const livenessFailed = oldPod?.metadata?.name
      ? (await eventsFor(conn, { kind: 'Pod', name: oldPod.metadata.name, namespace: ns, uid: oldPod.metadata.uid }, { reason: 'Unhealthy' }))
        .some((e) => (e.message ?? '').startsWith('Liveness probe failed'))
      : false;
    const first = livenessFailed ? '; its liveness probe on 3306 saw the hang too' : '';
    return pass(`db1 was Running again ${seconds} s after its kernel hung: a new instance${node} replaced the hung one${ended}${first}`, measurements);
  }, { signal });
}

export default defineGrader({
  lab: 'ha-review',
  checks: [
    check({ id: 'vms-running', title: 'web1, web2 and db1 run with runStrategy Always', points: 10, run: vmsRunning }),
    check({ id: 'frontend-service', title: 'Service frontend balances over web1 and web2', points: 10, run: frontendService }),
    check({ id: 'frontend-route', title: `Route frontend serves ${ROUTE_HOST}`, points: 8, run: frontendRoute }),
    check({ id: 'route-sticky-cookie', title: `The router keeps clients on one VM with cookie ${COOKIE_NAME}`, points: 8, run: routeStickyCookie }),
    check({ id: 'web-readiness-probes', title: 'web1 and web2 run a readiness probe GET :8080/health', points: 10, run: webReadinessProbes }),
    check({ id: 'db-liveness-probe', title: 'db1 runs a liveness probe TCP :3306', points: 8, run: dbLivenessProbe }),
    check({ id: 'db-watchdog', title: 'db1 runs an i6300esb watchdog with action poweroff', points: 8, run: dbWatchdog }),
    check({ id: 'web-eviction-strategy', title: 'web1 and web2 live-migrate on eviction', points: 8, run: webEvictionStrategy }),
    check({ id: 'metallb-pool', title: `IPAddressPool ${POOL} holds ${POOL_RANGE.first}-${POOL_RANGE.last}`, points: 6, run: metallbPool }),
    check({ id: 'metallb-l2advertisement', title: `An L2Advertisement announces ${POOL}`, points: 4, run: metallbL2Advertisement }),
    check({ id: 'frontend-loadbalancer', title: `Service frontend-lb has an address from ${POOL}`, points: 6, run: frontendLoadBalancer }),
    check({ id: 'machine-health-check', title: `MachineHealthCheck ${MHC} remediates unhealthy workers`, points: 8, run: machineHealthCheck }),
    check({
      id: 'readiness-removes-endpoint', title: 'Stopping httpd in web1 takes it out of frontend', points: 3,
      requires: ['faults'], behavioural: true, run: readinessRemovesEndpoint,
    }),
    check({
      id: 'watchdog-recovers-db', title: 'A hung db1 kernel is powered off and db1 runs again', points: 3,
      requires: ['faults'], behavioural: true, run: watchdogRecoversDb,
    }),
  ],
});
