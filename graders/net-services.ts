// Grader for labs/net-services, the guided exercise on Services and cluster
// DNS in front of VMs. Each check reads a Service the way the data plane uses
// it (its type, cluster IP, selector, ports and ready endpoints, each mapped to
// its VMI), so a Service that looks right but reaches the wrong VMs, or none,
// fails with a message naming what it reaches. The Route check goes through
// the router from outside the cluster, as the student's curl does.

import type { V1Service } from '@kubernetes/client-node';
import {
  andList, check, defineGrader, describeForwarding, describeRouteAdmission, describeServicePorts, describeServiceSelector,
  expectReadyBackends, fail, findVm, forwardedPort, forwardsTo, getRoute, getService, getVm, isOutcome, listRoutes, pageText, pass,
  probeHttp, readyEndpointsByBackend, routeHost, vmNameFromPage,
  type CheckContext, type ClusterConnection, type Outcome,
} from './sdk/index.ts';

const BACKENDS = ['backend1', 'backend2'] as const;
const TIER = { key: 'tier', value: 'backend' } as const;
const SERVICE_PORT = 80;
const GUEST_HTTP_PORT = 8080;

const CLUSTER_IP_SERVICE = 'backend';
const HEADLESS_SERVICE = 'backend-pods';
const EXPOSED = { service: 'backend1', vm: 'backend1', other: 'backend2' } as const;
const NODEPORT = { service: 'backend2-nodeport', vm: 'backend2', other: 'backend1' } as const;
const ROUTE = 'backend';

/** Labels virtctl expose leaves out of a selector (KubeVirt sets them per instance or pool revision). */
const NOT_SELECTED_BY_EXPOSE = ['kubevirt.io/vm-pool-revision-name'];

// ------------------------------------------------------------------ words

// ------------------------------------------------------------------ Services

function serviceRef(ns: string, name: string): string {
  return `Service ${ns}/${name}`;
}

/** The port clients use and where it leads; `targetPort` left out means the same number. */
function portProblems(where: string, svc: V1Service, port: number, targetPort: number, why: string): string[] {
  const forwarding = forwardedPort(svc, port);
  if (!forwarding) {
    const have = describeServicePorts(svc);
    return [`${where} has no port ${port}${have ? ` (it has ${have})` : ''}`];
  }
  return forwardsTo(forwarding, targetPort) ? [] : [`${where} ${describeForwarding(forwarding)}, but ${why}`];
}

/**
 * The Service's ready endpoints are exactly the VMIs in `want`: a missing one
 * is explained (not Ready, stopped, not selected), an extra one is named.
 */
async function expectEndpointsExactly(conn: ClusterConnection, ns: string, service: string, want: readonly string[]): Promise<Outcome> {
  const backends = await expectReadyBackends(conn, ns, service, want);
  if (!backends.pass) return backends;
  const ready = await readyEndpointsByBackend(conn, ns, service);
  const extra = [...ready.keys()].filter((v) => !want.includes(v));
  if (extra.length) {
    return fail(`${serviceRef(ns, service)} also sends traffic to ${andList(extra)}, expected only ${andList(want)}: its selector ${describeServiceSelector((await getService(conn, ns, service))?.spec?.selector)} is too wide`);
  }
  const addresses = want.map((v) => `${v} (${ready.get(v)!.address})`);
  return pass(`${serviceRef(ns, service)} has ready endpoint${want.length === 1 ? '' : 's'} ${andList(addresses)}`);
}

// ------------------------------------------------------------------ checks

async function backendService({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const svc = await getService(conn, ns, CLUSTER_IP_SERVICE);
  const where = serviceRef(ns, CLUSTER_IP_SERVICE);
  if (!svc) return fail(`${where} does not exist`);
  const problems: string[] = [];
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type !== 'ClusterIP') problems.push(`${where} has type ${type}, expected ClusterIP`);
  if (svc.spec?.clusterIP === 'None') {
    problems.push(`${where} is headless (clusterIP: None), so it has no virtual IP to balance over the VMs: a cluster IP can only be chosen when a Service is created, so delete it and create it again without clusterIP`);
  }
  if (svc.spec?.selector?.[TIER.key] !== TIER.value) problems.push(`${where} selects ${describeServiceSelector(svc.spec?.selector)}, expected ${TIER.key}=${TIER.value}`);
  problems.push(...portProblems(where, svc, SERVICE_PORT, GUEST_HTTP_PORT, `httpd listens on ${GUEST_HTTP_PORT} in the guests`));
  if (problems.length) return fail(problems.join('; '));
  const endpoints = await expectEndpointsExactly(conn, ns, CLUSTER_IP_SERVICE, BACKENDS);
  if (!endpoints.pass) return endpoints;
  return pass(`${where} has cluster IP ${svc.spec?.clusterIP ?? '(none yet)'} and balances port ${SERVICE_PORT} over ${andList([...BACKENDS])}`);
}

async function headlessService({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const svc = await getService(conn, ns, HEADLESS_SERVICE);
  const where = serviceRef(ns, HEADLESS_SERVICE);
  if (!svc) return fail(`${where} does not exist`);
  const clusterIP = svc.spec?.clusterIP;
  if (clusterIP !== 'None') {
    const ip = clusterIP ? `cluster IP ${clusterIP}` : 'a cluster IP';
    return fail(`${where} has ${ip}, so it is not headless: a Service's cluster IP cannot be changed after it is created, so delete it and create it again with spec.clusterIP: None`);
  }
  const problems: string[] = [];
  if (svc.spec?.selector?.[TIER.key] !== TIER.value) problems.push(`${where} selects ${describeServiceSelector(svc.spec?.selector)}, expected ${TIER.key}=${TIER.value}`);
  if (!forwardedPort(svc, GUEST_HTTP_PORT)) {
    const have = describeServicePorts(svc);
    problems.push(`${where} has no port ${GUEST_HTTP_PORT}${have ? ` (it has ${have})` : ''}: clients of a headless Service connect straight to the VMs, on the port httpd listens on`);
  } else {
    problems.push(...portProblems(where, svc, GUEST_HTTP_PORT, GUEST_HTTP_PORT, `httpd listens on ${GUEST_HTTP_PORT}, and a headless Service translates no ports`));
  }
  if (problems.length) return fail(problems.join('; '));
  const endpoints = await expectEndpointsExactly(conn, ns, HEADLESS_SERVICE, BACKENDS);
  if (!endpoints.pass) return endpoints;
  const ready = await readyEndpointsByBackend(conn, ns, HEADLESS_SERVICE);
  const answers = BACKENDS.map((v) => ready.get(v)!.address);
  return pass(`${where} is headless: its name resolves to the VMs' own addresses ${andList(answers)}`);
}

/**
 * A Service for one VM as `virtctl expose vm` builds it: its selector is taken
 * from that VM's template labels, so it selects that VM only.
 */
async function singleVmService(
  conn: ClusterConnection, ns: string, target: { service: string; vm: string; other: string }, type: 'ClusterIP' | 'NodePort', command: string,
): Promise<{ svc: V1Service } | Outcome> {
  const where = serviceRef(ns, target.service);
  const svc = await getService(conn, ns, target.service);
  if (!svc) return fail(`${where} does not exist (${command} creates it)`);
  const vm = await findVm(conn, ns, target.vm, { lab: 'net-services' });
  if (isOutcome(vm)) return vm;
  const problems: string[] = [];
  const actual = svc.spec?.type ?? 'ClusterIP';
  if (actual !== type) problems.push(`${where} has type ${actual}, expected ${type}`);
  const selector = svc.spec?.selector ?? {};
  const labels = vm.spec?.template?.metadata?.labels ?? {};
  const foreign = Object.entries(selector).filter(([k, v]) => labels[k] !== v || NOT_SELECTED_BY_EXPOSE.includes(k));
  const other = await getVm(conn, ns, target.other);
  const otherLabels = other?.spec?.template?.metadata?.labels ?? {};
  const alsoOther = Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => otherLabels[k] === v);
  if (Object.keys(selector).length === 0) {
    problems.push(`${where} has no selector: ${command} copies the labels of ${target.vm}'s template (${describeServiceSelector(labels)})`);
  } else if (foreign.length) {
    problems.push(`${where} selects ${describeServiceSelector(selector)}, but ${target.vm}'s template has no ${foreign.map(([k, v]) => `${k}=${v}`).join(', ')}: ${command} copies the template's labels (${describeServiceSelector(labels)})`);
  } else if (alsoOther) {
    problems.push(`${where} selects ${describeServiceSelector(selector)}, which ${target.other} carries too, so it balances over both VMs; ${command} copies every label of ${target.vm}'s template, including kubevirt.io/domain=${target.vm}, and selects ${target.vm} only`);
  }
  problems.push(...portProblems(where, svc, SERVICE_PORT, GUEST_HTTP_PORT, `httpd listens on ${GUEST_HTTP_PORT} in ${target.vm}`));
  if (problems.length) return fail(problems.join('; '));
  const endpoints = await expectEndpointsExactly(conn, ns, target.service, [target.vm]);
  return endpoints.pass ? { svc } : endpoints;
}

async function exposedService({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const r = await singleVmService(conn, ns, EXPOSED, 'ClusterIP', `virtctl expose vm ${EXPOSED.vm} --name ${EXPOSED.service} --port ${SERVICE_PORT} --target-port ${GUEST_HTTP_PORT}`);
  if (isOutcome(r)) return r;
  return pass(`Service ${EXPOSED.service} selects ${describeServiceSelector(r.svc.spec?.selector)} and reaches ${EXPOSED.vm} only, at ${r.svc.spec?.clusterIP}:${SERVICE_PORT}`);
}

async function nodePortService({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const command = `virtctl expose vm ${NODEPORT.vm} --name ${NODEPORT.service} --type NodePort --port ${SERVICE_PORT} --target-port ${GUEST_HTTP_PORT}`;
  const r = await singleVmService(conn, ns, NODEPORT, 'NodePort', command);
  if (isOutcome(r)) return r;
  const nodePort = (r.svc.spec?.ports ?? []).find((p) => p.port === SERVICE_PORT)?.nodePort;
  if (!nodePort) return fail(`Service ${ns}/${NODEPORT.service} has no node port for port ${SERVICE_PORT} yet`);
  return pass(`Service ${NODEPORT.service} opens port ${nodePort} on every node's address and sends it to ${NODEPORT.vm}:${GUEST_HTTP_PORT}`);
}

async function routeBackend({ conn, namespace: ns }: CheckContext): Promise<Outcome> {
  const route = await getRoute(conn, ns, ROUTE);
  const where = `Route ${ns}/${ROUTE}`;
  if (!route) {
    const toBackend = (await listRoutes(conn, ns)).filter((r) => r.spec?.to?.name === CLUSTER_IP_SERVICE).map((r) => r.metadata.name);
    const note = toBackend.length ? ` (${andList(toBackend.map((n) => `Route ${n}`))} leads to Service ${CLUSTER_IP_SERVICE}, but the Route must be named ${ROUTE})` : '';
    return fail(`${where} does not exist (oc expose service ${CLUSTER_IP_SERVICE} creates it)${note}`);
  }
  const to = route.spec?.to;
  if (to?.name !== CLUSTER_IP_SERVICE || (to.kind && to.kind !== 'Service')) {
    return fail(`${where} sends traffic to ${to?.kind ?? 'Service'} ${to?.name ?? '(none)'}, expected Service ${CLUSTER_IP_SERVICE}`);
  }
  const admission = describeRouteAdmission(route);
  if (admission) return fail(admission);
  const host = routeHost(route);
  if (!host) return fail(`${where} has no host`);
  const url = `http://${host}/`;
  const r = await probeHttp(conn.http, url);
  if (!r.ok) return fail(r.error);
  if (r.exchange.status !== 200) {
    const body = r.exchange.body.trim() ? ` (${pageText(r.exchange.body)})` : '';
    return fail(`GET ${url} from outside the cluster answered ${r.exchange.status}${body}, expected 200 from backend1 or backend2: are they ready endpoints of Service ${CLUSTER_IP_SERVICE}?`);
  }
  const vm = vmNameFromPage(r.exchange.body);
  if (!vm || !(BACKENDS as readonly string[]).includes(vm)) {
    return fail(`GET ${url} answered 200, but not from backend1 or backend2: ${pageText(r.exchange.body) || '(empty page)'}`);
  }
  return pass(`GET ${url} from outside the cluster was answered by ${vm}`);
}

export default defineGrader({
  lab: 'net-services',
  checks: [
    check({ id: 'backend-service', title: `ClusterIP Service ${CLUSTER_IP_SERVICE} balances port 80 over backend1 and backend2`, points: 20, run: backendService }),
    check({ id: 'headless-service', title: `Headless Service ${HEADLESS_SERVICE} lists backend1 and backend2`, points: 20, run: headlessService }),
    check({ id: 'exposed-service', title: `Service ${EXPOSED.service}, made by virtctl expose, reaches VM ${EXPOSED.vm} only`, points: 20, run: exposedService }),
    check({ id: 'route-backend', title: `Route ${ROUTE} answers from outside the cluster`, points: 20, requires: ['routes'], run: routeBackend }),
    check({ id: 'nodeport-service', title: `NodePort Service ${NODEPORT.service} reaches VM ${NODEPORT.vm}`, points: 20, run: nodePortService }),
  ],
});
