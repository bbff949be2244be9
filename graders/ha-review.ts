// Grader for labs/ha-review: the chapter's review lab. Every requirement is
// checked on the running cluster (the instance, the endpoints, the router's
// answer, the assigned address), so a state that only looks right in the
// objects the student wrote fails with a message saying what is missing where.
// Two behavioural checks break web1's httpd and db1's kernel and watch the
// recovery, on clusters that can inject faults.

import type { V1Node, V1Service, V1ServicePort } from '@kubernetes/client-node';
import {
  all, check, conditionOf, defineGrader, describeProbe, describeVmRunning, effectiveRunStrategy, eventsFor, expectReadyEndpoints,
  fail, getIpAddressPool, getMachineHealthCheck, getRoute, getService, getVm, getVmi, isRouteAdmitted, isVmRunning,
  launcherPod, listIpAddressPools, listL2Advertisements, listMachines, listNodes, listRoutes, loadBalancerIp, measured, METALLB_NAMESPACE,
  MACHINE_API_NAMESPACE, pass, probeHttp, readinessFacts, routeHost, serviceEndpoints, templateVsInstance, vmiReadinessProblem,
  waitFor, withFault,
  type CheckContext, type ClusterConnection, type IPAddressPool, type L2Advertisement, type LabelSelector, type Machine,
  type Outcome, type Probe, type Route, type VirtualMachine, type VirtualMachineInstance,
} from './sdk/index.ts';

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
const ALLOCATED_FROM_POOL = ['metallb.io/ip-allocated-from-pool', 'metallb.universe.tf/ip-allocated-from-pool'];

const MHC = 'ha-review-workers';
const MHC_TIMEOUT_SECONDS = 300;
const MACHINESET_KIND = 'MachineSet';

/** Cluster seconds a new db1 instance has to be Running after the kernel hangs (watchdog 60 s + restart and boot). */
const WATCHDOG_RECOVERY_SECONDS = 300;

// ------------------------------------------------------------------ words

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function vmRef(ns: string, name: string): string {
  return `VM ${ns}/${name}`;
}

/** A body in one short line for a message: the text of an HTML page, whitespace collapsed. */
function firstLine(text: string): string {
  const line = text.replace(/<(head|script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** The VM that answered: the web server's default page says "Hello from <host name>" (the short name is the VM's). */
function answeredBy(body: string): string {
  const m = /Hello from ([^<\s]+)/.exec(body);
  return m ? m[1].split('.')[0] : firstLine(body);
}

// ------------------------------------------------------------------ VMs

interface RunningVm {
  vm: VirtualMachine;
  vmi: VirtualMachineInstance;
}

/** The VM and its running VMI, or a failing outcome that says which of the two is missing or stopped. */
async function runningVm(conn: ClusterConnection, ns: string, name: string, purpose: string): Promise<RunningVm | Outcome> {
  const vm = await getVm(conn, ns, name);
  if (!vm) return fail(`${vmRef(ns, name)} does not exist (lab start ha-review creates it)`);
  const vmi = await getVmi(conn, ns, name);
  if (!vmi || !isVmRunning(vm, vmi)) {
    const facts = vmi ? await readinessFacts(conn, vmi) : {};
    return fail(`${describeVmRunning(vm, vmi, facts)}: ${purpose}`);
  }
  return { vm, vmi };
}

function isOutcome(x: RunningVm | Outcome): x is Outcome {
  return 'pass' in x;
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
  const vm = await getVm(conn, ns, name);
  if (!vm) return fail(`${vmRef(ns, name)} does not exist (lab start ha-review creates it)`);
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

function describePort(p: V1ServicePort): string {
  return `${p.port}→${p.targetPort ?? p.port}`;
}

/** Problems with a Service's type, selector and port (empty when it is as the lab asks). */
function serviceShapeProblems(svc: V1Service, type: 'ClusterIP' | 'LoadBalancer'): string[] {
  const ns = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const where = `Service ${ns}/${name}`;
  const out: string[] = [];
  const actualType = svc.spec?.type ?? 'ClusterIP';
  if (actualType !== type) out.push(`${where} has type ${actualType}, expected ${type}`);
  const selector = svc.spec?.selector ?? {};
  if (selector[FRONTEND_SELECTOR.key] !== FRONTEND_SELECTOR.value) {
    const shown = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
    out.push(`${where} selects ${shown || 'nothing (no selector)'}, expected ${FRONTEND_SELECTOR.key}=${FRONTEND_SELECTOR.value}`);
  }
  const ports = svc.spec?.ports ?? [];
  const port = ports.find((p) => p.port === SERVICE_PORT);
  if (!port) {
    out.push(`${where} has no port ${SERVICE_PORT} (ports: ${ports.map(describePort).join(', ') || 'none'})`);
  } else {
    const target = port.targetPort ?? port.port;
    if (String(target) !== String(GUEST_HTTP_PORT)) {
      const defaulted = String(target) === String(port.port) ? ' (a targetPort left out equals the port)' : '';
      out.push(`${where} forwards port ${SERVICE_PORT} to ${target}${defaulted}, but httpd listens on ${GUEST_HTTP_PORT} in the guests: set targetPort: ${GUEST_HTTP_PORT}`);
    }
    if (port.protocol && port.protocol !== 'TCP') out.push(`${where} port ${SERVICE_PORT} uses ${port.protocol}, expected TCP`);
  }
  return out;
}

/** web1 and web2, and nothing else, are the Service's ready endpoints. */
async function expectWebEndpoints(conn: ClusterConnection, ns: string, service: string): Promise<Outcome> {
  const endpoints = await serviceEndpoints(conn, ns, service);
  const ready = new Set(endpoints.filter((e) => e.ready).map((e) => e.vmiName ?? e.podName ?? e.address));
  const extra = [...ready].filter((n) => !(WEB_VMS as readonly string[]).includes(n));
  if (extra.length) {
    return fail(`Service ${ns}/${service} also sends traffic to ${list(extra)}: its selector must match the web servers only (${FRONTEND_SELECTOR.key}=${FRONTEND_SELECTOR.value})`);
  }
  const missing = WEB_VMS.filter((n) => !ready.has(n));
  if (missing.length === 0) return pass(`Service ${ns}/${service} has ready endpoints web1 and web2`);
  // The SDK explains each missing backend (VMI not Ready and why, VM stopped, selector matching nothing).
  const explained = await expectReadyEndpoints(conn, ns, service, WEB_VMS.length);
  if (!explained.pass) return explained;
  return fail(`Service ${ns}/${service} has no ready endpoint for ${list(missing)}`);
}

// ------------------------------------------------------------------ addresses

function ipv4ToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

interface AddressRange {
  first: number;
  last: number;
}

/** One IPAddressPool entry as an IPv4 range, or why it is not one. */
function parsePoolEntry(entry: string): AddressRange | string {
  const text = entry.trim();
  if (text.includes('/')) {
    const [base, bits] = text.split('/');
    const b = Number(bits);
    const start = ipv4ToInt(base ?? '');
    if (start === undefined || !Number.isInteger(b) || b < 0 || b > 32) return `"${entry}" is not an IPv4 CIDR`;
    const size = 2 ** (32 - b);
    const first = Math.floor(start / size) * size;
    return { first, last: first + size - 1 };
  }
  const [a, z] = text.split('-').map((s) => s.trim());
  const first = ipv4ToInt(a ?? '');
  const last = z === undefined ? first : ipv4ToInt(z);
  if (first === undefined || last === undefined) return `"${entry}" is not an IPv4 address range`;
  if (first > last) return `"${entry}" starts after it ends`;
  return { first, last };
}

/** Merged, sorted ranges. */
function merge(ranges: AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => a.first - b.first);
  const out: AddressRange[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && r.first <= prev.last + 1) prev.last = Math.max(prev.last, r.last);
    else out.push({ ...r });
  }
  return out;
}

function rangeText(r: AddressRange): string {
  return r.first === r.last ? intToIpv4(r.first) : `${intToIpv4(r.first)}-${intToIpv4(r.last)}`;
}

/** Problems with a pool's addresses compared with exactly first..last (empty when they match). */
function poolAddressProblems(pool: IPAddressPool, want: { first: string; last: string }): string[] {
  const where = `IPAddressPool ${pool.metadata.namespace ?? METALLB_NAMESPACE}/${pool.metadata.name}`;
  const wanted: AddressRange = { first: ipv4ToInt(want.first)!, last: ipv4ToInt(want.last)! };
  const entries = pool.spec?.addresses ?? [];
  if (entries.length === 0) return [`${where} has no addresses, expected ${rangeText(wanted)}`];
  const ranges: AddressRange[] = [];
  const bad: string[] = [];
  for (const e of entries) {
    const r = parsePoolEntry(e);
    if (typeof r === 'string') bad.push(r);
    else ranges.push(r);
  }
  if (bad.length) return [`${where}: ${bad.join('; ')}; expected ${rangeText(wanted)}`];
  const have = merge(ranges);
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
  if (missing.length) why.push(`it lacks ${missing.map(rangeText).join(', ')}`);
  if (extra.length) why.push(`it also covers ${extra.map(rangeText).join(', ')}`);
  return [`${where} covers ${have.map(rangeText).join(', ')}, expected exactly ${rangeText(wanted)}: ${why.join(' and ')}`];
}

function inRange(ip: string | undefined, want: { first: string; last: string }): boolean {
  const n = ip === undefined ? undefined : ipv4ToInt(ip);
  return n !== undefined && n >= ipv4ToInt(want.first)! && n <= ipv4ToInt(want.last)!;
}

// ------------------------------------------------------------------ selectors and durations

/** Kubernetes label selector semantics (matchLabels and matchExpressions). */
function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': if (!has || !values.includes(l[e.key])) return false; break;
      case 'NotIn': if (has && values.includes(l[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

function selectorText(sel: LabelSelector | undefined): string {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) parts.push(`${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(',')})` : ''}`);
  return parts.length ? parts.join(',') : '(empty: every machine)';
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** A Go duration ("300s", "5m", "5m0s") in seconds, or undefined. */
function durationSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === '0') return 0;
  const re = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? Math.round(total * 1000) / 1000 : undefined;
}

// ------------------------------------------------------------------ route helpers

function cookieNameOf(route: Route): string | undefined {
  return route.metadata.annotations?.[COOKIE_ANNOTATION];
}

function routeAdmissionProblem(route: Route): string | undefined {
  if (isRouteAdmitted(route)) return undefined;
  const where = `Route ${route.metadata.namespace}/${route.metadata.name}`;
  const rejected = (route.status?.ingress ?? []).flatMap((i) => (i.conditions ?? []).filter((c) => c.type === 'Admitted' && c.status === 'False'));
  if (rejected.length) {
    const c = rejected[0];
    return `${where} was rejected by the router: ${c.reason ?? 'not admitted'}${c.message ? `: ${c.message}` : ''}`;
  }
  return `${where} has not been admitted by the router yet (no Admitted condition in status.ingress)`;
}

// ------------------------------------------------------------------ checks

async function vmsRunning({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const outcomes = await Promise.all(ALL_VMS.map(async (name): Promise<Outcome> => {
    const vm = await getVm(conn, ns, name);
    if (!vm) return fail(`${vmRef(ns, name)} does not exist (lab start ha-review creates it)`);
    const strategy = effectiveRunStrategy(vm);
    if (strategy !== 'Always') {
      return fail(`${vmRef(ns, name)} has runStrategy ${strategy}, expected Always${strategy === 'Halted' ? ' (virtctl start sets it)' : ''}`);
    }
    const vmi = await getVmi(conn, ns, name);
    if (!isVmRunning(vm, vmi)) return fail(describeVmRunning(vm, vmi, vmi ? await readinessFacts(conn, vmi) : {}));
    return pass();
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
  const admission = routeAdmissionProblem(route);
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
  const admission = routeAdmissionProblem(route);
  if (admission) return fail(admission);
  const url = `http://${ROUTE_HOST}/`;
  const jar = conn.http.newJar();
  const first = await probeHttp(conn.http, url, { jar });
  if (!first.ok) return fail(`${first.error}`);
  if (first.exchange.status !== 200) {
    return fail(`GET ${url} answered ${first.exchange.status}${first.exchange.body.trim() ? ` (${firstLine(first.exchange.body)})` : ''}, expected 200 from a web server: are web1 and web2 ready endpoints of Service ${FRONTEND}?`);
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
    return fail(`with the ${COOKIE_NAME} cookie, ${plural(servedBy.length, 'request')} to ${url} were answered by ${list(distinct)}: the router did not keep the client on one VM`);
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
  const vm = await getVm(conn, ns, DB_VM);
  if (!vm) return fail(`${vmRef(ns, DB_VM)} does not exist (lab start ha-review creates it)`);
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
    const vm = await getVm(conn, ns, name);
    if (!vm) return fail(`${vmRef(ns, name)} does not exist (lab start ha-review creates it)`);
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

/** Whether an L2Advertisement announces the pool: by name, by selector, or (neither given) every pool. */
function advertises(adv: L2Advertisement, pool: IPAddressPool | undefined, poolName: string): boolean {
  const names = adv.spec?.ipAddressPools ?? [];
  const selectors = adv.spec?.ipAddressPoolSelectors ?? [];
  if (names.length === 0 && selectors.length === 0) return true;
  if (names.includes(poolName)) return true;
  return pool !== undefined && selectors.some((s) => selectorMatches(s, pool.metadata.labels));
}

async function metallbL2Advertisement({ conn }: CheckContext): Promise<Outcome> {
  const pool = await getIpAddressPool(conn, POOL);
  const ads = await listL2Advertisements(conn);
  const covering = ads.filter((a) => advertises(a, pool, POOL));
  if (covering.length === 0) {
    if (ads.length === 0) return fail(`there is no L2Advertisement in ${METALLB_NAMESPACE}: addresses from ${POOL} would be assigned but never announced`);
    const what = ads.map((a) => `${a.metadata.name} (pools: ${(a.spec?.ipAddressPools ?? []).join(', ') || selectorTextList(a.spec?.ipAddressPoolSelectors)})`);
    return fail(`no L2Advertisement in ${METALLB_NAMESPACE} announces ${POOL}: ${what.join('; ')}`);
  }
  const nodes = await listNodes(conn);
  const announcing = covering.filter((a) => (a.spec?.nodeSelectors ?? []).length === 0
    || nodes.some((n: V1Node) => (a.spec?.nodeSelectors ?? []).some((s) => selectorMatches(s, n.metadata?.labels))));
  if (announcing.length === 0) {
    return fail(`L2Advertisement ${covering.map((a) => a.metadata.name).join(', ')} announces ${POOL} only from nodes matching its nodeSelectors, and no node matches them`);
  }
  return pass(`L2Advertisement ${announcing[0].metadata.name} announces ${POOL}`);
}

function selectorTextList(sels: LabelSelector[] | undefined): string {
  return (sels ?? []).map((s) => selectorText(s)).join(' or ') || 'none';
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
  const from = ALLOCATED_FROM_POOL.map((k) => svc.metadata?.annotations?.[k]).find((v) => v !== undefined);
  if (!inRange(ip, POOL_RANGE) || (from !== undefined && from !== POOL)) {
    return fail(`Service ${ns}/${FRONTEND_LB} got ${ip}${from ? ` from pool ${from}` : ''}, expected an address of ${POOL} (${POOL_RANGE.first}-${POOL_RANGE.last}): request the pool with the annotation metallb.io/address-pool: ${POOL}, or remove the overlapping pool`);
  }
  const ready = (await serviceEndpoints(conn, ns, FRONTEND_LB)).filter((e) => e.ready);
  if (ready.length === 0) {
    return fail(`Service ${ns}/${FRONTEND_LB} has address ${ip} but no ready endpoint, so nothing answers on it`);
  }
  return pass(`Service ${FRONTEND_LB} has address ${ip} from ${POOL} and ${plural(ready.length, 'ready endpoint')}`);
}

function isWorkerMachine(m: Machine): boolean {
  return (m.metadata.ownerReferences ?? []).some((r) => r.kind === MACHINESET_KIND && r.controller !== false);
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

  const machines = (await listMachines(conn)).filter((m) => !m.metadata.deletionTimestamp);
  const workers = machines.filter(isWorkerMachine);
  const selected = machines.filter((m) => selectorMatches(mhc.spec?.selector, m.metadata.labels));
  const names = (ms: Machine[]): string => ms.map((m) => m.metadata.name).join(', ');
  const controlPlane = selected.filter((m) => !isWorkerMachine(m));
  const missed = workers.filter((w) => !selected.includes(w));
  const sel = selectorText(mhc.spec?.selector);
  if (selected.length === 0) {
    problems.push(`${where} selects no machine with ${sel}; the worker machines carry labels such as machine.openshift.io/cluster-api-machine-role=worker`);
  } else {
    if (controlPlane.length) problems.push(`${where} also selects ${plural(controlPlane.length, 'control-plane machine')} (${names(controlPlane)}), which have no MachineSet to replace them: select the workers only`);
    if (missed.length) problems.push(`${where} misses ${plural(missed.length, 'worker machine')} (${names(missed)}) with ${sel}`);
  }

  const conditions = mhc.spec?.unhealthyConditions ?? [];
  for (const status of ['False', 'Unknown'] as const) {
    const c = conditions.find((u) => u.type === 'Ready' && u.status === status);
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
  const isReadyEndpoint = (eps: { vmiName?: string; ready: boolean }[]): boolean => eps.some((e) => e.vmiName === target && e.ready);
  if (!(await getService(conn, ns, FRONTEND))) return fail(`Service ${ns}/${FRONTEND} does not exist, so there is no endpoint for httpd's failure to remove`);
  if (!isReadyEndpoint(await serviceEndpoints(conn, ns, FRONTEND))) {
    return fail(`VMI ${target} must be a ready endpoint of Service ${ns}/${FRONTEND} before its httpd is stopped, and it is not: ${(await expectWebEndpoints(conn, ns, FRONTEND)).message ?? ''}`);
  }
  const vmi = await getVmi(conn, ns, target);
  const probe = vmi?.spec?.readinessProbe;
  if (!vmi || !probe) {
    return fail(`VMI ${ns}/${target} runs no readiness probe: with httpd stopped it would stay a ready endpoint of ${FRONTEND} and keep receiving traffic`);
  }
  const period = probe.periodSeconds ?? 10;
  const detect = period * (probe.failureThreshold ?? 3) + (probe.timeoutSeconds ?? 1) + 30;
  const recover = period * (probe.successThreshold ?? 1) + 60;

  return withFault(conn, { type: 'ServiceStop', target: { kind: 'VirtualMachineInstance', name: target, namespace: ns }, service: 'httpd' }, async (fault) => {
    const removed = await waitFor(conn, async () => !isReadyEndpoint(await serviceEndpoints(conn, ns, FRONTEND)), {
      timeoutSeconds: detect, pollSeconds: 1, signal,
      what: `VMI ${target} to leave the ready endpoints of Service ${FRONTEND} after httpd stopped`,
      describe: async () => `it is still a ready endpoint; its readiness probe is ${describeProbe(probe)}`,
    });
    if (!removed.ok) return fail(removed.message);
    const seconds = Math.round((conn.time.now() - fault.activatedAt) / 100) / 10;
    await fault.clear();
    const back = await waitFor(conn, async () => isReadyEndpoint(await serviceEndpoints(conn, ns, FRONTEND)), {
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
  let lastSeen = `VMI ${DB_VM} is still the hung instance (phase ${vmi.status?.phase ?? 'unknown'})`;
  let oldEnded: string | undefined;

  return withFault(conn, { type: 'GuestKernelHang', target: { kind: 'VirtualMachineInstance', name: DB_VM, namespace: ns } }, async (fault) => {
    const back = await waitFor(conn, async () => {
      const now = await getVmi(conn, ns, DB_VM);
      if (!now) {
        lastSeen = `there is no VMI ${DB_VM}`;
        return false;
      }
      if (now.metadata.uid === oldUid) {
        const phase = now.status?.phase ?? 'unknown';
        if (phase === 'Failed' || phase === 'Succeeded') oldEnded = phase;
        lastSeen = `VMI ${DB_VM} is still the hung instance (phase ${phase})`;
        return false;
      }
      lastSeen = `a new VMI ${DB_VM} is ${now.status?.phase || 'Pending'}`;
      return now.status?.phase === 'Running' ? now : false;
    }, {
      timeoutSeconds: WATCHDOG_RECOVERY_SECONDS, pollSeconds: 2, signal,
      what: `a new ${DB_VM} instance to be Running after its kernel hung`,
      describe: () => lastSeen,
    });
    const seconds = Math.round((conn.time.now() - fault.activatedAt) / 100) / 10;
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
