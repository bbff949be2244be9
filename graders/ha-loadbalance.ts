// Grader for labs/ha-loadbalance, the guided exercise on Services, Routes and
// MetalLB in front of VMs. One check per step; the traffic checks go through
// the router from outside the cluster, as the student's curl does, and the
// failover check repeats the chapter's experiment (stop httpd in the VM a
// client is stuck to, expect the client moved with a new cookie).

import type { V1Service } from '@kubernetes/client-node';
import {
  all, check, defineGrader, describeProbe, describeVmRunning, eventsFor, expectReadyEndpoints, fail, getIpAddressPool,
  getRoute, getService, getVm, getVmi, isRouteAdmitted, isVmRunning, launcherPod, listL2Advertisements, listRoutes,
  loadBalancerIp, measured, METALLB_NAMESPACE, pass, probeHttp, readinessFacts, routeHost, serviceEndpoints, waitFor,
  withFault, vmiReadinessProblem,
  type CheckContext, type ClusterConnection, type CookieJar, type IPAddressPool, type L2Advertisement, type Outcome,
} from './sdk/index.ts';

const VMS = ['web1', 'web2'] as const;
const LABEL = { key: 'app', value: 'helloworld' } as const;
const SERVICE = 'helloworld';
const LB_SERVICE = 'helloworld-lb';
const SERVICE_PORT = 80;
const GUEST_HTTP_PORT = 8080;
const ROUTE = 'helloworld';
const HOST = 'hello-ha-loadbalance.apps.ocp4.example.com';
const ROUTE_URL = `http://${HOST}/`;
const COOKIE = 'hello';
const COOKIE_ANNOTATION = 'router.openshift.io/cookie_name';
/** New clients sent to find both VMs; with two ready backends, missing one of them 20 times in a row means it gets no traffic. */
const BALANCE_REQUESTS = 20;
const STICKY_REQUESTS = 5;
const POOL = 'hello-pool';
const POOL_FIRST = '192.168.50.10';
const POOL_LAST = '192.168.50.19';
const ALLOCATED_FROM_POOL = ['metallb.io/ip-allocated-from-pool', 'metallb.universe.tf/ip-allocated-from-pool'];

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
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

// ------------------------------------------------------------------ Services

/** Problems with the Service's type, selector and port 80 → 8080 (empty when right). */
function serviceProblems(svc: V1Service, type: 'ClusterIP' | 'LoadBalancer'): string[] {
  const where = `Service ${svc.metadata?.namespace}/${svc.metadata?.name}`;
  const out: string[] = [];
  const actual = svc.spec?.type ?? 'ClusterIP';
  if (actual !== type) out.push(`${where} has type ${actual}, expected ${type}`);
  const selector = svc.spec?.selector ?? {};
  if (selector[LABEL.key] !== LABEL.value) {
    const shown = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
    out.push(`${where} selects ${shown || 'nothing (no selector)'}, expected ${LABEL.key}=${LABEL.value}`);
  }
  const port = (svc.spec?.ports ?? []).find((p) => p.port === SERVICE_PORT);
  if (!port) out.push(`${where} has no port ${SERVICE_PORT}`);
  else if (String(port.targetPort ?? port.port) !== String(GUEST_HTTP_PORT)) {
    const target = port.targetPort ?? port.port;
    const defaulted = String(target) === String(port.port) ? ' (a targetPort left out equals the port)' : '';
    out.push(`${where} forwards port ${SERVICE_PORT} to ${target}${defaulted}, but httpd listens on ${GUEST_HTTP_PORT} in the guests`);
  }
  return out;
}

/** web1 and web2 are both ready endpoints of the Service; otherwise the SDK's explanation of who is missing and why. */
async function expectBothReady(conn: ClusterConnection, ns: string, service: string): Promise<Outcome> {
  const ready = new Set((await serviceEndpoints(conn, ns, service)).filter((e) => e.ready).map((e) => e.vmiName ?? e.address));
  const missing = VMS.filter((v) => !ready.has(v));
  if (missing.length === 0) return pass(`Service ${ns}/${service} has ready endpoints web1 and web2`);
  const explained = await expectReadyEndpoints(conn, ns, service, VMS.length);
  return explained.pass ? fail(`Service ${ns}/${service} has no ready endpoint for ${list(missing)}`) : explained;
}

// ------------------------------------------------------------------ the router, from outside

interface Answer {
  /** The VM that answered (the web server answers / with its host name). */
  vm: string;
  cookie?: string;
}

/** One GET of the route's URL; a failing outcome when it does not answer 200. */
async function ask(conn: ClusterConnection, jar?: CookieJar): Promise<Answer | Outcome> {
  const r = await probeHttp(conn.http, ROUTE_URL, jar ? { jar } : {});
  if (!r.ok) return fail(r.error);
  if (r.exchange.status !== 200) {
    return fail(`GET ${ROUTE_URL} answered ${r.exchange.status}${r.exchange.body.trim() ? ` (${firstLine(r.exchange.body)})` : ''}, expected 200 from web1 or web2`);
  }
  return { vm: answeredBy(r.exchange.body), cookie: jar?.cookies.get(COOKIE) };
}

function isAnswer(x: Answer | Outcome): x is Answer {
  return 'vm' in x;
}

/** Undefined when Route helloworld is admitted (requests can go through it); else why they cannot. */
async function routeNotServing(conn: ClusterConnection, ns: string): Promise<Outcome | undefined> {
  const route = await getRoute(conn, ns, ROUTE);
  if (!route) return fail(`Route ${ns}/${ROUTE} does not exist, so ${HOST} leads nowhere (step 3 creates it)`);
  if (routeHost(route) !== HOST) return fail(`Route ${ns}/${ROUTE} has host ${routeHost(route) ?? '(none)'}, so nothing serves ${HOST}`);
  if (!isRouteAdmitted(route)) return fail(`Route ${ns}/${ROUTE} has not been admitted by the router, so nothing serves ${HOST}`);
  return undefined;
}

// ------------------------------------------------------------------ checks

async function vmsLabelled({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const outcomes = await Promise.all(VMS.map(async (name): Promise<Outcome> => {
    const vm = await getVm(conn, ns, name);
    if (!vm) return fail(`VM ${ns}/${name} does not exist (lab start ha-loadbalance creates it)`);
    const template = vm.spec?.template?.metadata?.labels ?? {};
    if (template[LABEL.key] !== LABEL.value) {
      const onVm = vm.metadata.labels?.[LABEL.key] === LABEL.value;
      return fail(onVm
        ? `VM ${ns}/${name} has ${LABEL.key}=${LABEL.value} in metadata.labels, which is never copied to its instances: put it under spec.template.metadata.labels`
        : `VM ${ns}/${name} has no label ${LABEL.key}=${LABEL.value} in spec.template.metadata.labels`);
    }
    const vmi = await getVmi(conn, ns, name);
    if (!vmi || !isVmRunning(vm, vmi, { ready: false })) {
      return fail(describeVmRunning(vm, vmi, vmi ? await readinessFacts(conn, vmi) : {}));
    }
    const pod = await launcherPod(conn, vmi);
    if (vmi.metadata.labels?.[LABEL.key] !== LABEL.value || (pod && pod.metadata?.labels?.[LABEL.key] !== LABEL.value)) {
      return fail(`VMI ${ns}/${name} was started before its template had ${LABEL.key}=${LABEL.value}, so its virt-launcher pod lacks the label: restart the VM (virtctl restart ${name})`);
    }
    return pass();
  }));
  return all(outcomes, `web1 and web2 run with the label ${LABEL.key}=${LABEL.value} on their launcher pods`);
}

async function serviceEndpointsCheck({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const svc = await getService(conn, ns, SERVICE);
  if (!svc) return fail(`Service ${ns}/${SERVICE} does not exist`);
  const problems = serviceProblems(svc, 'ClusterIP');
  if (problems.length) return fail(problems.join('; '));
  return expectBothReady(conn, ns, SERVICE);
}

async function routeCookie({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const route = await getRoute(conn, ns, ROUTE);
  if (!route) {
    const others = (await listRoutes(conn, ns)).map((r) => r.metadata.name);
    return fail(`Route ${ns}/${ROUTE} does not exist${others.length ? ` (routes in ${ns}: ${others.join(', ')})` : ''}`);
  }
  const where = `Route ${ns}/${ROUTE}`;
  const problems: string[] = [];
  if (route.spec?.to?.name !== SERVICE) problems.push(`${where} sends traffic to Service ${route.spec?.to?.name ?? '(none)'}, expected ${SERVICE}`);
  const host = routeHost(route);
  if (host !== HOST) problems.push(`${where} has host ${host ?? '(none)'}, expected ${HOST}`);
  const cookie = route.metadata.annotations?.[COOKIE_ANNOTATION];
  if (cookie !== COOKIE) problems.push(cookie === undefined ? `${where} has no ${COOKIE_ANNOTATION} annotation` : `${where} names its cookie "${cookie}", expected "${COOKIE}"`);
  if (problems.length) return fail(problems.join('; '));
  if (!isRouteAdmitted(route)) {
    const rejected = (route.status?.ingress ?? []).flatMap((i) => i.conditions ?? []).find((c) => c.type === 'Admitted' && c.status === 'False');
    return fail(rejected ? `${where} was rejected by the router: ${rejected.reason ?? ''}${rejected.message ? `: ${rejected.message}` : ''}` : `${where} has not been admitted by the router yet`);
  }
  return pass(`${where} serves ${HOST} with the cookie ${COOKIE}`);
}

async function routeBalances({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const notServing = await routeNotServing(conn, ns);
  if (notServing) return notServing;
  const seen = new Map<string, number>();
  for (let i = 0; i < BALANCE_REQUESTS && seen.size < VMS.length; i++) {
    const a = await ask(conn);
    if (!isAnswer(a)) return a;
    seen.set(a.vm, (seen.get(a.vm) ?? 0) + 1);
  }
  const answered = [...seen.keys()];
  if (VMS.every((v) => seen.has(v))) return pass(`new clients of ${HOST} were answered by both web1 and web2`);
  const endpoints = await expectBothReady(conn, ns, SERVICE);
  const why = endpoints.pass ? '' : `: ${endpoints.message}`;
  return fail(`${BALANCE_REQUESTS} requests to ${ROUTE_URL} without a cookie were all answered by ${list(answered)}${why}`);
}

async function routeSticky({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const notServing = await routeNotServing(conn, ns);
  if (notServing) return notServing;
  const jar = conn.http.newJar();
  const first = await ask(conn, jar);
  if (!isAnswer(first)) return first;
  if (!first.cookie) {
    const names = [...jar.cookies.keys()];
    return fail(`GET ${ROUTE_URL} set ${names.length ? `the cookie ${names.join(', ')}` : 'no cookie'}, expected one named ${COOKIE}`);
  }
  const vms = [first.vm];
  for (let i = 0; i < STICKY_REQUESTS; i++) {
    const a = await ask(conn, jar);
    if (!isAnswer(a)) return a;
    vms.push(a.vm);
  }
  const distinct = [...new Set(vms)];
  if (distinct.length > 1) return fail(`with the ${COOKIE} cookie, ${vms.length} requests were answered by ${list(distinct)}: the client was not kept on one VM`);
  return pass(`with the ${COOKIE} cookie, ${vms.length} requests were all answered by ${first.vm}`);
}

async function stickyFailover({ conn, namespace: ns, signal }: CheckContext): Promise<Outcome> {
  const both = await expectBothReady(conn, ns, SERVICE);
  if (!both.pass) return fail(`both VMs must be ready before one is taken out: ${both.message}`);
  const notServing = await routeNotServing(conn, ns);
  if (notServing) return notServing;
  const jar = conn.http.newJar();
  const first = await ask(conn, jar);
  if (!isAnswer(first)) return first;
  if (!first.cookie) return fail(`GET ${ROUTE_URL} set no ${COOKIE} cookie, so there is no sticky client to move`);
  const stuck = first.vm;
  const other = VMS.find((v) => v !== stuck);
  if (!(VMS as readonly string[]).includes(stuck) || !other) return fail(`GET ${ROUTE_URL} was answered by "${stuck}", expected web1 or web2`);
  const vmi = await getVmi(conn, ns, stuck);
  const probe = vmi?.spec?.readinessProbe;
  if (!probe) return fail(`VMI ${ns}/${stuck} runs no readiness probe: with httpd stopped it would stay in the Service`);
  const period = probe.periodSeconds ?? 10;
  const detect = period * (probe.failureThreshold ?? 3) + (probe.timeoutSeconds ?? 1) + 30;
  const isReady = async (name: string): Promise<boolean> => (await serviceEndpoints(conn, ns, SERVICE)).some((e) => e.vmiName === name && e.ready);

  return withFault(conn, { type: 'ServiceStop', target: { kind: 'VirtualMachineInstance', name: stuck, namespace: ns }, service: 'httpd' }, async (fault) => {
    const out = await waitFor(conn, async () => !(await isReady(stuck)), {
      timeoutSeconds: detect, pollSeconds: 1, signal,
      what: `VMI ${stuck} to leave the ready endpoints of ${SERVICE} after httpd stopped`,
      describe: () => `its readiness probe ${describeProbe(probe)} has not failed enough times yet`,
    });
    if (!out.ok) return fail(out.message);
    const seconds = Math.round((conn.time.now() - fault.activatedAt) / 100) / 10;
    const after = await ask(conn, jar);
    await fault.clear();
    if (!isAnswer(after)) return fail(`after httpd stopped in ${stuck}, the sticky client got no answer: ${after.message}`);
    if (after.vm !== other) return fail(`after httpd stopped in ${stuck}, the sticky client was answered by ${after.vm}, expected ${other}`);
    if (!after.cookie || after.cookie === first.cookie) return fail(`after httpd stopped in ${stuck}, ${other} answered but the router did not give the client a new ${COOKIE} cookie`);
    const back = await waitFor(conn, () => isReady(stuck), {
      timeoutSeconds: period * (probe.successThreshold ?? 1) + 60, pollSeconds: 1, signal,
      what: `VMI ${stuck} to be ready again after httpd restarted`,
      describe: async () => (vmi ? await vmiReadinessProblem(conn, vmi) : undefined) ?? 'not yet',
    });
    const measurements = [measured('endpoint-removal', seconds)];
    if (!back.ok) return fail(`the client moved to ${other} as it should, but ${back.message}`, measurements);
    return pass(`${stuck} left the Service ${seconds} s after httpd stopped; its sticky client was moved to ${other} with a new ${COOKIE} cookie`, measurements);
  }, { signal });
}

// ------------------------------------------------------------------ MetalLB

function ipv4ToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.trim());
  if (!m) return undefined;
  const p = m.slice(1).map(Number);
  return p.some((x) => x > 255) ? undefined : ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}

/** The addresses of one pool entry (range or CIDR) as [first, last], or undefined when it is neither. */
function entryRange(entry: string): [number, number] | undefined {
  const text = entry.trim();
  if (text.includes('/')) {
    const [base, bits] = text.split('/');
    const start = ipv4ToInt(base ?? '');
    const b = Number(bits);
    if (start === undefined || !Number.isInteger(b) || b < 0 || b > 32) return undefined;
    const size = 2 ** (32 - b);
    const first = Math.floor(start / size) * size;
    return [first, first + size - 1];
  }
  const [a, z] = text.split('-');
  const first = ipv4ToInt(a ?? '');
  const last = z === undefined ? first : ipv4ToInt(z);
  return first === undefined || last === undefined || first > last ? undefined : [first, last];
}

/** True when the pool's entries together cover exactly first..last. */
function coversExactly(pool: IPAddressPool, first: string, last: string): boolean {
  const lo = ipv4ToInt(first)!;
  const hi = ipv4ToInt(last)!;
  const ranges = (pool.spec?.addresses ?? []).map(entryRange);
  if (ranges.length === 0 || ranges.some((r) => r === undefined)) return false;
  const sorted = (ranges as [number, number][]).sort((a, b) => a[0] - b[0]);
  let next = lo;
  for (const [a, z] of sorted) {
    if (a < lo || z > hi || a > next) return false;
    next = Math.max(next, z + 1);
  }
  return next === hi + 1;
}

/** Whether the advertisement covers the pool: by name, by a selector on the pool's labels, or (neither given) every pool. */
function announces(adv: L2Advertisement, pool: IPAddressPool): boolean {
  const names = adv.spec?.ipAddressPools ?? [];
  const selectors = adv.spec?.ipAddressPoolSelectors ?? [];
  if ((names.length === 0 && selectors.length === 0) || names.includes(pool.metadata.name)) return true;
  const labels = pool.metadata.labels ?? {};
  return selectors.some((s) => !s.matchExpressions?.length && Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v));
}

async function metallbPool({ conn }: CheckContext): Promise<Outcome> {
  const pool = await getIpAddressPool(conn, POOL);
  if (!pool) return fail(`IPAddressPool ${METALLB_NAMESPACE}/${POOL} does not exist`);
  if (!coversExactly(pool, POOL_FIRST, POOL_LAST)) {
    return fail(`IPAddressPool ${METALLB_NAMESPACE}/${POOL} has addresses ${(pool.spec?.addresses ?? []).join(', ') || '(none)'}, expected ${POOL_FIRST}-${POOL_LAST}`);
  }
  const ads = await listL2Advertisements(conn);
  const adv = ads.find((a) => announces(a, pool));
  if (!adv) {
    return fail(ads.length
      ? `no L2Advertisement in ${METALLB_NAMESPACE} lists ${POOL} (${ads.map((a) => `${a.metadata.name}: ${(a.spec?.ipAddressPools ?? []).join(', ')}`).join('; ')}): its addresses would be assigned but never announced`
      : `there is no L2Advertisement in ${METALLB_NAMESPACE}: addresses from ${POOL} would be assigned but never announced`);
  }
  return pass(`IPAddressPool ${POOL} holds ${POOL_FIRST}-${POOL_LAST} and L2Advertisement ${adv.metadata.name} announces it`);
}

async function lbService({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const svc = await getService(conn, ns, LB_SERVICE);
  if (!svc) return fail(`Service ${ns}/${LB_SERVICE} does not exist`);
  const problems = serviceProblems(svc, 'LoadBalancer');
  if (problems.length) return fail(problems.join('; '));
  const ip = loadBalancerIp(svc);
  if (!ip) {
    const warnings = await eventsFor(conn, { kind: 'Service', name: LB_SERVICE, namespace: ns, uid: svc.metadata?.uid }, { type: 'Warning' });
    const last = warnings[warnings.length - 1];
    return fail(`Service ${ns}/${LB_SERVICE} has no external address yet (EXTERNAL-IP <pending>)${last?.message ? `: ${last.reason}: ${last.message}` : ''}`);
  }
  const n = ipv4ToInt(ip);
  const from = ALLOCATED_FROM_POOL.map((k) => svc.metadata?.annotations?.[k]).find((v) => v !== undefined);
  if (n === undefined || n < ipv4ToInt(POOL_FIRST)! || n > ipv4ToInt(POOL_LAST)! || (from !== undefined && from !== POOL)) {
    return fail(`Service ${ns}/${LB_SERVICE} got ${ip}${from ? ` from pool ${from}` : ''}, expected an address of ${POOL} (${POOL_FIRST}-${POOL_LAST})`);
  }
  const ready = (await serviceEndpoints(conn, ns, LB_SERVICE)).filter((e) => e.ready);
  if (ready.length === 0) return fail(`Service ${ns}/${LB_SERVICE} has address ${ip} but no ready endpoint, so nothing answers on it`);
  return pass(`Service ${LB_SERVICE} has address ${ip} from ${POOL}`);
}

export default defineGrader({
  lab: 'ha-loadbalance',
  checks: [
    check({ id: 'vms-labelled', title: `web1 and web2 run with the label ${LABEL.key}=${LABEL.value}`, points: 10, run: vmsLabelled }),
    check({ id: 'service-endpoints', title: `Service ${SERVICE} has web1 and web2 as ready endpoints`, points: 15, run: serviceEndpointsCheck }),
    check({ id: 'route-cookie', title: `Route ${ROUTE} serves ${HOST} with cookie ${COOKIE}`, points: 15, run: routeCookie }),
    check({ id: 'route-balances', title: 'New clients are spread over both VMs', points: 10, run: routeBalances }),
    check({ id: 'route-sticky', title: `A client with the ${COOKIE} cookie stays on one VM`, points: 15, run: routeSticky }),
    check({
      id: 'sticky-failover', title: 'A sticky client moves when its VM stops being ready', points: 10,
      requires: ['faults'], behavioural: true, run: stickyFailover,
    }),
    check({ id: 'metallb-pool', title: `MetalLB announces pool ${POOL}`, points: 10, run: metallbPool }),
    check({ id: 'lb-service', title: `Service ${LB_SERVICE} has an address from ${POOL}`, points: 15, run: lbService }),
  ],
});
