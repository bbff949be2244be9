// Grader for labs/ha-loadbalance, the guided exercise on Services, Routes and
// MetalLB in front of VMs. One check per step; the traffic checks go through
// the router from outside the cluster, as the student's curl does, and the
// failover check repeats the chapter's experiment (stop httpd in the VM a
// client is stuck to, expect the client moved with a new cookie).

import type { V1Service } from '@kubernetes/client-node';
import {
  addressInRange, all, allocatedFromPool, andList, announcesPool, check, defineGrader, describeForwarding, describeProbe,
  describeRouteAdmission, describeServiceSelector, eventsFor, expectReadyBackends, fail, findRunningVm, findVm, forwardedPort, forwardsTo,
  getIpAddressPool, getRoute, getService, getVmi, ipv4ToNumber, isOutcome, isReadyEndpoint, isRouteAdmitted, launcherPod,
  listL2Advertisements, listRoutes, loadBalancerIp, measured, METALLB_NAMESPACE, pageText, pass, poolRanges, probeFailureSeconds,
  probeHttp, probeSuccessSeconds, routeHost, secondsSince, serviceEndpoints, vmiReadinessProblem, vmNameFromPage,
  waitFor, withFault,
  type CheckContext, type ClusterConnection, type CookieJar, type IPAddressPool, type Outcome,
} from './sdk/index.ts';

const LAB = 'ha-loadbalance';
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

/** The VM that answered (the web server's default page names it), else the page in one line. */
function answeredBy(body: string): string {
  return vmNameFromPage(body) ?? pageText(body);
}

// ------------------------------------------------------------------ Services

/** Problems with the Service's type, selector and port 80 → 8080 (empty when right). */
function serviceProblems(svc: V1Service, type: 'ClusterIP' | 'LoadBalancer'): string[] {
  const where = `Service ${svc.metadata?.namespace}/${svc.metadata?.name}`;
  const out: string[] = [];
  const actual = svc.spec?.type ?? 'ClusterIP';
  if (actual !== type) out.push(`${where} has type ${actual}, expected ${type}`);
  if (svc.spec?.selector?.[LABEL.key] !== LABEL.value) {
    out.push(`${where} selects ${describeServiceSelector(svc.spec?.selector)}, expected ${LABEL.key}=${LABEL.value}`);
  }
  const forwarding = forwardedPort(svc, SERVICE_PORT);
  if (!forwarding) out.push(`${where} has no port ${SERVICE_PORT}`);
  else if (!forwardsTo(forwarding, GUEST_HTTP_PORT)) out.push(`${where} ${describeForwarding(forwarding)}, but httpd listens on ${GUEST_HTTP_PORT} in the guests`);
  return out;
}

/** web1 and web2 are both ready endpoints of the Service; otherwise the SDK's explanation of who is missing and why. */
function expectBothReady(conn: ClusterConnection, ns: string, service: string): Promise<Outcome> {
  return expectReadyBackends(conn, ns, service, VMS);
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
    return fail(`GET ${ROUTE_URL} answered ${r.exchange.status}${r.exchange.body.trim() ? ` (${pageText(r.exchange.body)})` : ''}, expected 200 from web1 or web2`);
  }
  return { vm: answeredBy(r.exchange.body), cookie: jar?.cookies.get(COOKIE) };
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
    const vm = await findVm(conn, ns, name, { lab: LAB });
    if (isOutcome(vm)) return vm;
    const template = vm.spec?.template?.metadata?.labels ?? {};
    if (template[LABEL.key] !== LABEL.value) {
      const onVm = vm.metadata.labels?.[LABEL.key] === LABEL.value;
      return fail(onVm
        ? `VM ${ns}/${name} has ${LABEL.key}=${LABEL.value} in metadata.labels, which is never copied to its instances: put it under spec.template.metadata.labels`
        : `VM ${ns}/${name} has no label ${LABEL.key}=${LABEL.value} in spec.template.metadata.labels`);
    }
    const running = await findRunningVm(conn, ns, name, { lab: LAB });
    if (isOutcome(running)) return running;
    const { vmi } = running;
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
  const admission = describeRouteAdmission(route);
  if (admission) return fail(admission);
  return pass(`${where} serves ${HOST} with the cookie ${COOKIE}`);
}

async function routeBalances({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const notServing = await routeNotServing(conn, ns);
  if (notServing) return notServing;
  const seen = new Map<string, number>();
  for (let i = 0; i < BALANCE_REQUESTS && seen.size < VMS.length; i++) {
    const a = await ask(conn);
    if (isOutcome(a)) return a;
    seen.set(a.vm, (seen.get(a.vm) ?? 0) + 1);
  }
  const answered = [...seen.keys()];
  if (VMS.every((v) => seen.has(v))) return pass(`new clients of ${HOST} were answered by both web1 and web2`);
  const endpoints = await expectBothReady(conn, ns, SERVICE);
  const why = endpoints.pass ? '' : `: ${endpoints.message}`;
  return fail(`${BALANCE_REQUESTS} requests to ${ROUTE_URL} without a cookie were all answered by ${andList(answered)}${why}`);
}

async function routeSticky({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const notServing = await routeNotServing(conn, ns);
  if (notServing) return notServing;
  const jar = conn.http.newJar();
  const first = await ask(conn, jar);
  if (isOutcome(first)) return first;
  if (!first.cookie) {
    const names = [...jar.cookies.keys()];
    return fail(`GET ${ROUTE_URL} set ${names.length ? `the cookie ${names.join(', ')}` : 'no cookie'}, expected one named ${COOKIE}`);
  }
  const vms = [first.vm];
  for (let i = 0; i < STICKY_REQUESTS; i++) {
    const a = await ask(conn, jar);
    if (isOutcome(a)) return a;
    vms.push(a.vm);
  }
  const distinct = [...new Set(vms)];
  if (distinct.length > 1) return fail(`with the ${COOKIE} cookie, ${vms.length} requests were answered by ${andList(distinct)}: the client was not kept on one VM`);
  return pass(`with the ${COOKIE} cookie, ${vms.length} requests were all answered by ${first.vm}`);
}

async function stickyFailover({ conn, namespace: ns, signal }: CheckContext): Promise<Outcome> {
  const both = await expectBothReady(conn, ns, SERVICE);
  if (!both.pass) return fail(`both VMs must be ready before one is taken out: ${both.message}`);
  const notServing = await routeNotServing(conn, ns);
  if (notServing) return notServing;
  const jar = conn.http.newJar();
  const first = await ask(conn, jar);
  if (isOutcome(first)) return first;
  if (!first.cookie) return fail(`GET ${ROUTE_URL} set no ${COOKIE} cookie, so there is no sticky client to move`);
  const stuck = first.vm;
  const other = VMS.find((v) => v !== stuck);
  if (!(VMS as readonly string[]).includes(stuck) || !other) return fail(`GET ${ROUTE_URL} was answered by "${stuck}", expected web1 or web2`);
  const vmi = await getVmi(conn, ns, stuck);
  const probe = vmi?.spec?.readinessProbe;
  if (!probe) return fail(`VMI ${ns}/${stuck} runs no readiness probe: with httpd stopped it would stay in the Service`);
  const detect = probeFailureSeconds(probe) + 30;
  const isReady = (name: string): Promise<boolean> => isReadyEndpoint(conn, ns, SERVICE, name);

  return withFault(conn, { type: 'ServiceStop', target: { kind: 'VirtualMachineInstance', name: stuck, namespace: ns }, service: 'httpd' }, async (fault) => {
    const out = await waitFor(conn, async () => !(await isReady(stuck)), {
      timeoutSeconds: detect, pollSeconds: 1, signal,
      what: `VMI ${stuck} to leave the ready endpoints of ${SERVICE} after httpd stopped`,
      describe: () => `its readiness probe ${describeProbe(probe)} has not failed enough times yet`,
    });
    if (!out.ok) return fail(out.message);
    const seconds = secondsSince(conn, fault.activatedAt);
    const after = await ask(conn, jar);
    await fault.clear();
    if (isOutcome(after)) return fail(`after httpd stopped in ${stuck}, the sticky client got no answer: ${after.message}`);
    if (after.vm !== other) return fail(`after httpd stopped in ${stuck}, the sticky client was answered by ${after.vm}, expected ${other}`);
    if (!after.cookie || after.cookie === first.cookie) return fail(`after httpd stopped in ${stuck}, ${other} answered but the router did not give the client a new ${COOKIE} cookie`);
    const back = await waitFor(conn, () => isReady(stuck), {
      timeoutSeconds: probeSuccessSeconds(probe) + 60, pollSeconds: 1, signal,
      what: `VMI ${stuck} to be ready again after httpd restarted`,
      describe: async () => (vmi ? await vmiReadinessProblem(conn, vmi) : undefined) ?? 'not yet',
    });
    const measurements = [measured('endpoint-removal', seconds)];
    if (!back.ok) return fail(`the client moved to ${other} as it should, but ${back.message}`, measurements);
    return pass(`${stuck} left the Service ${seconds} s after httpd stopped; its sticky client was moved to ${other} with a new ${COOKIE} cookie`, measurements);
  }, { signal });
}

// ------------------------------------------------------------------ MetalLB

/** True when the pool's entries together cover exactly first..last. */
function coversExactly(pool: IPAddressPool, first: string, last: string): boolean {
  const { ranges, invalid } = poolRanges(pool);
  return invalid.length === 0 && ranges.length === 1 && ranges[0].first === ipv4ToNumber(first) && ranges[0].last === ipv4ToNumber(last);
}

async function metallbPool({ conn }: CheckContext): Promise<Outcome> {
  const pool = await getIpAddressPool(conn, POOL);
  if (!pool) return fail(`IPAddressPool ${METALLB_NAMESPACE}/${POOL} does not exist`);
  if (!coversExactly(pool, POOL_FIRST, POOL_LAST)) {
    return fail(`IPAddressPool ${METALLB_NAMESPACE}/${POOL} has addresses ${(pool.spec?.addresses ?? []).join(', ') || '(none)'}, expected ${POOL_FIRST}-${POOL_LAST}`);
  }
  const ads = await listL2Advertisements(conn);
  const adv = ads.find((a) => announcesPool(a, POOL, pool));
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
  const from = allocatedFromPool(svc);
  if (!addressInRange(ip, POOL_FIRST, POOL_LAST) || (from !== undefined && from !== POOL)) {
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
