// Services in front of VMs (reference §2.5, §3): the endpoints and
// EndpointSlice controllers list the virt-launcher pods a Service's selector
// matches through the VMI labels, ready or not as the readiness probe says;
// a stopped VM leaves, a migrated one follows its new pod. Real kubectl for
// what a student sees; manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from '../integration/harness.ts';
import { kubectlOk as kubectlOkIn, launcherPods as launcherPodsOf, vmManifest } from './fixtures.ts';

type J = Record<string, any>;
const VMIS = 'kubevirt.io/virtualmachineinstances';
const VMIMS = 'kubevirt.io/virtualmachineinstancemigrations';
const SLICES = 'discovery.k8s.io/endpointslices';

let sim: Sim;
const kubectlOk = (args: string[], input?: string): Promise<string> => kubectlOkIn(sim, args, input);
const vmi = (name: string): KubeObject | undefined => sim.cluster.store.get(VMIS, 'default', name);
const st = (o: KubeObject | undefined): J => (o?.status ?? {}) as J;
const endpoints = (name: string): KubeObject | undefined => sim.cluster.store.get('endpoints', 'default', name);
const slices = (svc: string): KubeObject[] => sim.cluster.store.list(SLICES, 'default').filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc);
/** The running (not finished) launcher pod of a VMI. */
const activePod = (name: string): KubeObject | undefined =>
  launcherPodsOf(sim, name).find((p) => !['Succeeded', 'Failed'].includes(st(p).phase) && !p.metadata.deletionTimestamp && st(p).podIP);
const ipOf = (name: string): string => st(activePod(name)).podIP;

const readyIPs = (ep: KubeObject | undefined): string[] => ((ep?.subsets ?? []) as J[]).flatMap((s) => (s.addresses ?? []).map((a: J) => a.ip)).sort();
const notReadyIPs = (ep: KubeObject | undefined): string[] => ((ep?.subsets ?? []) as J[]).flatMap((s) => (s.notReadyAddresses ?? []).map((a: J) => a.ip)).sort();
const sliceEndpoints = (svc: string): J[] => slices(svc).flatMap((s) => (s.endpoints ?? []) as J[]);

/** A web server VM labelled tier=frontend, with a readiness probe and its http port declared on the interface. */
function webVm(name: string): string {
  const vm = vmManifest(name, 'Always', {
    image: 'quay.io/virtlab/webserver:latest',
    evictionStrategy: 'LiveMigrate',
    extra: { readinessProbe: { httpGet: { port: 8080, path: '/health' }, periodSeconds: 5, failureThreshold: 3 }, subdomain: 'web' },
  }) as J;
  vm.spec.template.metadata.labels.tier = 'frontend';
  vm.spec.template.spec.domain.devices.interfaces[0].ports = [{ name: 'http', port: 8080 }];
  return JSON.stringify(vm);
}

function service(name: string, spec: J): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', labels: { app: 'shop' } }, spec });
}

async function until(what: string, cond: () => boolean, seconds = 120): Promise<void> {
  for (let i = 0; i < seconds && !cond(); i++) await sim.advance(1);
  assert.ok(cond(), `timed out waiting for ${what}`);
}

before(async () => { sim = await startSim({ workers: 3 }); });
after(async () => { await sim.close(); });

describe('a Service in front of two VMs', () => {
  it('has no endpoints before the VMs exist: <none> and an empty slice', async () => {
    await kubectlOk(['apply', '-f', '-'], service('front', { selector: { tier: 'frontend' }, ports: [{ name: 'web', port: 80, targetPort: 8080 }] }));
    await sim.advance(1);
    const out = await kubectlOk(['get', 'endpoints', 'front']);
    assert.match(out, /^NAME\s+ENDPOINTS\s+AGE\n/);
    assert.match(out, /\nfront\s+<none>\s+\d+s\n$/);
    assert.equal(slices('front').length, 1, 'a placeholder slice');
    assert.deepEqual(slices('front')[0].endpoints, []);
  });

  it('lists the launcher pods not ready while the guests boot, then ready', async () => {
    await kubectlOk(['apply', '-f', '-'], webVm('web-1'));
    await kubectlOk(['apply', '-f', '-'], webVm('web-2'));
    await until('both launcher pods to have an IP', () => !!activePod('web-1') && !!activePod('web-2'));
    await sim.advance(1);
    const booting = endpoints('front');
    assert.deepEqual(readyIPs(booting), [], 'the readiness probe has not passed yet');
    assert.deepEqual(notReadyIPs(booting), [ipOf('web-1'), ipOf('web-2')].sort());

    await until('both VMIs Ready', () => ['web-1', 'web-2'].every((n) => (st(vmi(n)).conditions ?? []).some((c: J) => c.type === 'Ready' && c.status === 'True')));
    await sim.advance(1);
    const ep = endpoints('front')!;
    const ips = [ipOf('web-1'), ipOf('web-2')].sort();
    assert.deepEqual(readyIPs(ep), ips);
    assert.deepEqual(notReadyIPs(ep), []);
    const subset = (ep.subsets as J[])[0];
    assert.deepEqual(subset.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(subset.addresses.map((a: J) => a.targetRef.name).sort(), [activePod('web-1')!.metadata.name, activePod('web-2')!.metadata.name].sort());
    assert.ok(subset.addresses.every((a: J) => /^worker-\d$/.test(a.nodeName) && a.targetRef.kind === 'Pod'));
    assert.equal(ep.metadata.labels?.app, 'shop', 'the Service labels are copied');
    assert.equal(ep.metadata.labels?.['service.kubernetes.io/headless'], undefined, 'the Service has a cluster IP');
    assert.match(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    const [slice] = slices('front');
    assert.equal(slices('front').length, 1);
    assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.deepEqual(slice.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.controller]), [['Service', 'front', true]]);
    assert.deepEqual(sliceEndpoints('front').map((e) => [e.addresses[0], e.conditions.ready]).sort(), ips.map((ip) => [ip, true]));
    for (const e of sliceEndpoints('front')) {
      const node = sim.cluster.store.get('nodes', undefined, e.nodeName)!;
      assert.equal(e.zone, node.metadata.labels?.['topology.kubernetes.io/zone'], 'the zone of the endpoint\'s node');
      assert.ok(e.zone);
    }

    const out = await kubectlOk(['get', 'endpoints', 'front']);
    assert.match(out, new RegExp(`\\nfront\\s+${ips.map((ip) => `${ip.replace(/\./g, '\\.')}:8080`).join(',')}\\s+\\d+[sm]`));
    const es = await kubectlOk(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=front']);
    assert.match(es, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\n/);
    assert.match(es, new RegExp(`\\n${slice.metadata.name}\\s+IPv4\\s+8080\\s+(${ips.join('|').replace(/\./g, '\\.')}),(${ips.join('|').replace(/\./g, '\\.')})\\s+\\d+`));
  });

  it('a guest whose httpd stops turns not ready, and ready again once it runs', async () => {
    const uid = vmi('web-1')!.metadata.uid!;
    const ip = ipOf('web-1');
    sim.cluster.guests.stopService(uid, 'httpd');
    await sim.advance(20);
    assert.deepEqual(notReadyIPs(endpoints('front')), [ip]);
    assert.deepEqual(readyIPs(endpoints('front')), [ipOf('web-2')]);
    const e = sliceEndpoints('front').find((x) => x.addresses[0] === ip)!;
    assert.deepEqual(e.conditions, { ready: false, serving: false, terminating: false });
    const out = await kubectlOk(['get', 'endpoints', 'front']);
    assert.match(out, new RegExp(`\\nfront\\s+${ipOf('web-2').replace(/\./g, '\\.')}:8080\\s`));

    sim.cluster.guests.startService(uid, 'httpd');
    await sim.advance(10);
    assert.deepEqual(readyIPs(endpoints('front')), [ip, ipOf('web-2')].sort());
    assert.deepEqual(notReadyIPs(endpoints('front')), []);
  });

  it('a named targetPort resolves to the port the VMI declares; an undeclared name resolves nowhere', async () => {
    await kubectlOk(['apply', '-f', '-'], service('named', { selector: { tier: 'frontend' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] }));
    await kubectlOk(['apply', '-f', '-'], service('unnamed', { selector: { tier: 'frontend' }, ports: [{ port: 9100, targetPort: 'metrics' }] }));
    await sim.advance(1);
    const named = endpoints('named')!;
    assert.deepEqual((named.subsets as J[]).map((s) => s.ports), [[{ name: 'web', port: 8080, protocol: 'TCP' }]]);
    assert.deepEqual(readyIPs(named), [ipOf('web-1'), ipOf('web-2')].sort());
    assert.equal(endpoints('unnamed')!.subsets, undefined);
    const out = await kubectlOk(['get', 'endpoints', 'unnamed']);
    assert.match(out, /\nunnamed\s+<none>\s/);
    // The slice still lists the pods, with no ports (upstream does the same).
    assert.deepEqual(slices('unnamed').map((s) => s.ports), [[]]);
  });

  it('a headless Service publishes the guests\' hostnames under its name', async () => {
    await kubectlOk(['apply', '-f', '-'], service('web', { clusterIP: 'None', selector: { tier: 'frontend' }, ports: [{ port: 8080 }] }));
    await sim.advance(1);
    const ep = endpoints('web')!;
    assert.equal(ep.metadata.labels?.['service.kubernetes.io/headless'], '');
    assert.deepEqual((ep.subsets as J[])[0].addresses.map((a: J) => [a.hostname, a.ip]).sort(),
      [['web-1', ipOf('web-1')], ['web-2', ipOf('web-2')]].sort());
    const [slice] = slices('web');
    assert.equal(slice.metadata.labels?.['service.kubernetes.io/headless'], '');
    assert.deepEqual(((slice.endpoints ?? []) as J[]).map((e) => e.hostname).sort(), ['web-1', 'web-2']);
    // The other Services are not named by the pods' subdomain: no hostnames there.
    assert.ok(((endpoints('front')!.subsets as J[])[0].addresses as J[]).every((a) => a.hostname === undefined));
  });

  it('leaves a Service without a selector to its hand-made Endpoints', async () => {
    await kubectlOk(['apply', '-f', '-'], service('external-db', { ports: [{ port: 3306 }] }));
    await kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'external-db', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '192.168.50.10' }], ports: [{ port: 3306 }] }],
    }));
    const rv = endpoints('external-db')!.metadata.resourceVersion;
    await sim.advance(5);
    assert.equal(endpoints('external-db')!.metadata.resourceVersion, rv);
    assert.deepEqual(slices('external-db'), []);
    const out = await kubectlOk(['get', 'endpoints', 'external-db']);
    assert.match(out, /\nexternal-db\s+192\.168\.50\.10:3306\s/);
  });

  it('a live migration moves the endpoint to the new pod and its IP', async () => {
    const before = activePod('web-2')!;
    const oldIP = st(before).podIP;
    await kubectlOk(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration',
      metadata: { name: 'move-web-2', namespace: 'default' }, spec: { vmiName: 'web-2' },
    }));
    await until('the migration to succeed', () => st(sim.cluster.store.get(VMIMS, 'default', 'move-web-2')).phase === 'Succeeded');
    await until('the new pod to be Ready', () => (st(activePod('web-2')).conditions ?? []).some((c: J) => c.type === 'Ready' && c.status === 'True'));
    await sim.advance(1);
    const after = activePod('web-2')!;
    assert.notEqual(after.metadata.name, before.metadata.name);
    const newIP = st(after).podIP;
    assert.notEqual(newIP, oldIP);
    assert.deepEqual(readyIPs(endpoints('front')), [ipOf('web-1'), newIP].sort());
    assert.ok(!notReadyIPs(endpoints('front')).includes(oldIP), 'the source pod is gone from the endpoints');
    const e = sliceEndpoints('front').find((x) => x.targetRef.name === after.metadata.name)!;
    assert.deepEqual([e.addresses, e.conditions.ready, e.nodeName], [[newIP], true, st(vmi('web-2')).nodeName]);
    assert.ok(!sliceEndpoints('front').some((x) => x.addresses[0] === oldIP));
  });

  it('a stopped VM leaves the endpoints', async () => {
    const ip = ipOf('web-1');
    await kubectlOk(['patch', 'vm', 'web-1', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Halted"}}']);
    await until('the VMI of web-1 to be gone', () => !vmi('web-1'));
    await sim.advance(1);
    assert.deepEqual(readyIPs(endpoints('front')), [ipOf('web-2')]);
    assert.deepEqual(notReadyIPs(endpoints('front')), []);
    assert.ok(!sliceEndpoints('front').some((e) => e.addresses[0] === ip));
    const out = await kubectlOk(['get', 'endpoints', 'front']);
    assert.match(out, new RegExp(`\\nfront\\s+${ipOf('web-2').replace(/\./g, '\\.')}:8080\\s`));
  });

  it('a deleted Service takes its Endpoints and slices along', async () => {
    await kubectlOk(['delete', 'service', 'front']);
    await sim.advance(1);
    assert.equal(endpoints('front'), undefined);
    assert.deepEqual(slices('front'), []);
    assert.deepEqual(sim.cluster.runner.errors.filter((e) => /endpoint/.test(e.controller)), [], 'no failed syncs along the way');
  });
});
