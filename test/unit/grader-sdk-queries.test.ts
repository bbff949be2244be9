// The grader SDK's reads and messages against the embedded cluster through
// @kubernetes/client-node: VMs, VMIs, launcher pods, Service endpoints mapped
// to VMIs, Events, Nodes, Machines, Routes and pools; the failure messages a
// student reads when a backend is not Ready or a template change has not
// reached the running VMI. Manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startSim, type Sim } from '../integration/harness.ts';
import { vmManifest } from '../scenarios/fixtures.ts';
import {
  eventsFor, expectReadyEndpoints, expectTemplateApplied, expectVmiProbe, expectVmRunning, getIpAddressPool, getMachine, getNode,
  getRoute, getService, getVm, getVmi, isNodeReady, launcherPod, launcherPods, listIpAddressPools, listMachines,
  listMachineSets, listMigrations, listNodes, listRoutes, listVmis, listVms, machineForNode, readyEndpoints, routeHost,
  serviceEndpoints, templateVsInstance, vmiReadinessProblem, type ClusterConnection,
} from '../../graders/sdk/index.ts';
import { simConnection } from './grader-sdk-connection.ts';

const NS = 'default';
const readiness = { httpGet: { port: 8080, path: '/health' }, periodSeconds: 5, failureThreshold: 2 };

function webVm(name: string, runStrategy = 'Always'): Record<string, unknown> {
  const vm = vmManifest(name, runStrategy, { image: 'quay.io/virtlab/webserver:latest', extra: { readinessProbe: readiness } });
  const template = (vm.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
  template.metadata.labels.tier = 'frontend';
  return vm;
}

describe('grader SDK queries and messages', () => {
  let sim: Sim;
  let conn: ClusterConnection;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let discovery: DiscoveryV1Api;

  /**
   * Plays the EndpointSlice controller for Service frontend (the embedded
   * cluster gets its own with the networking work): one slice from the
   * launcher pods the selector matches, ready as the pods are.
   */
  async function syncSlice(): Promise<void> {
    const existing = await discovery.listNamespacedEndpointSlice({ namespace: NS, labelSelector: 'kubernetes.io/service-name=frontend' });
    if (existing.items.some((s) => s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] !== 'grader-sdk-test')) return;
    const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'tier=frontend' })).items
      .filter((p) => p.status?.podIP && p.status.phase === 'Running' && !p.metadata?.deletionTimestamp);
    const body = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
      metadata: { name: 'frontend-test', namespace: NS, labels: { 'kubernetes.io/service-name': 'frontend', 'endpointslice.kubernetes.io/managed-by': 'grader-sdk-test' } },
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: pods.map((p) => ({
        addresses: [p.status!.podIP!],
        conditions: { ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false },
        nodeName: p.spec?.nodeName,
        targetRef: { kind: 'Pod', name: p.metadata!.name!, namespace: NS, uid: p.metadata!.uid! },
      })),
    };
    if (existing.items.length) await discovery.replaceNamespacedEndpointSlice({ namespace: NS, name: 'frontend-test', body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.items[0].metadata?.resourceVersion } } });
    else await discovery.createNamespacedEndpointSlice({ namespace: NS, body });
  }

  before(async () => {
    sim = await startSim({ workers: 2 });
    conn = simConnection(sim);
    core = conn.kubeConfig.makeApiClient(CoreV1Api);
    custom = conn.kubeConfig.makeApiClient(CustomObjectsApi);
    discovery = conn.kubeConfig.makeApiClient(DiscoveryV1Api);
    for (const vm of [webVm('web1'), webVm('web2'), webVm('web3', 'Halted')]) {
      await custom.createNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: NS, plural: 'virtualmachines', body: vm });
    }
    await core.createNamespacedService({ namespace: NS, body: { metadata: { name: 'frontend' }, spec: { selector: { tier: 'frontend' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } });
    await sim.advance(70);
    await syncSlice();
  });
  after(async () => { await sim.close(); });

  it('reads VMs and VMIs, undefined when absent, lists by label', async () => {
    const vm = await getVm(conn, NS, 'web1');
    assert.equal(vm?.status?.printableStatus, 'Running');
    assert.equal(vm?.spec.template.spec.readinessProbe?.httpGet?.port, 8080);
    assert.equal(await getVm(conn, NS, 'nope'), undefined);
    assert.equal(await getVmi(conn, NS, 'web3'), undefined);
    assert.deepEqual((await listVms(conn, NS, { labelSelector: { app: 'web2' } })).map((v) => v.metadata.name), ['web2']);
    assert.deepEqual((await listVmis(conn, NS)).map((v) => [v.metadata.name, v.status?.phase]), [['web1', 'Running'], ['web2', 'Running']]);
    assert.deepEqual((await listVmis(conn, undefined, { labelSelector: 'tier=frontend' })).map((v) => v.metadata.name), ['web1', 'web2']);
  });

  it('finds the virt-launcher pod that runs a VMI', async () => {
    const vmi = (await getVmi(conn, NS, 'web1'))!;
    const pod = await launcherPod(conn, vmi);
    assert.match(pod?.metadata?.name ?? '', /^virt-launcher-web1-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(pod?.spec?.nodeName, vmi.status?.nodeName);
    assert.equal(pod?.metadata?.labels?.['kubevirt.io/created-by'], vmi.metadata.uid);
    const byName = await launcherPods(conn, { ...vmi, metadata: { ...vmi.metadata, uid: undefined } });
    assert.deepEqual(byName.map((p) => p.metadata?.name), [pod?.metadata?.name], 'found by vm.kubevirt.io/name without the uid');
  });

  it('maps Service endpoints to VMIs and counts the ready ones', async () => {
    const eps = await serviceEndpoints(conn, NS, 'frontend');
    assert.deepEqual(eps.map((e) => [e.vmiName, e.ready]), [['web1', true], ['web2', true]]);
    assert.match(eps[0].podName ?? '', /^virt-launcher-web1-/);
    assert.deepEqual(eps[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.equal((await readyEndpoints(conn, NS, 'frontend')).length, 2);
    assert.deepEqual(await expectReadyEndpoints(conn, NS, 'frontend', 2), { pass: true, message: 'Service default/frontend has 2 ready endpoints (VMI web1, VMI web2)' });
    assert.equal((await getService(conn, NS, 'frontend'))?.spec?.selector?.tier, 'frontend');
    assert.deepEqual(await expectReadyEndpoints(conn, NS, 'backend', 1), { pass: false, message: 'Service default/backend does not exist' });
  });

  it('explains a missing endpoint: the VMI whose readiness probe fails, and the stopped VM', async () => {
    await custom.createClusterCustomObject({
      group: 'sim.virtlab.dev', version: 'v1alpha1', plural: 'faults',
      body: { apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name: 'web2-httpd' }, spec: { type: 'ServiceStop', target: { name: 'web2', namespace: NS }, service: 'httpd' } },
    });
    await sim.advance(15);
    await syncSlice();
    const vmi = (await getVmi(conn, NS, 'web2'))!;
    const ip = vmi.status?.interfaces?.[0]?.ipAddress;
    assert.ok(ip);
    const problem = await vmiReadinessProblem(conn, vmi);
    assert.match(problem ?? '', new RegExp(`^VMI web2 is not Ready: readiness probe GET :8080/health failed \\d+ times: Get "http://${ip.replace(/\./g, '\\.')}:8080/health": dial tcp [\\d.:]+: connect: connection refused$`));
    const r = await expectReadyEndpoints(conn, NS, 'frontend', 3);
    assert.equal(r.pass, false);
    assert.match(r.pass ? '' : r.message, new RegExp(
      '^Service default/frontend has 1 ready endpoint, expected 3 \\(ready: VMI web1\\): '
      + 'VMI web2 is not Ready \\(readiness probe GET :8080/health failed \\d+ times: Get "http://[\\d.]+:8080/health": dial tcp [\\d.:]+: connect: connection refused\\); '
      + 'VM default/web3 is Stopped \\(runStrategy Halted\\): start it \\(virtctl start web3\\) or set spec.runStrategy: Always$'));
    const vmRun = await expectVmRunning(conn, NS, 'web2');
    assert.match(vmRun.pass ? '' : vmRun.message, /^VM default\/web2 is Running on worker-\d but not Ready: readiness probe GET :8080\/health failed \d+ times: /);
    assert.deepEqual(await expectVmRunning(conn, NS, 'web2', { ready: false }), { pass: true, message: `VM default/web2 is Running on ${vmi.status?.nodeName} but not Ready: ${problem?.replace(/^VMI web2 is not Ready: /, '')}` });
    await custom.deleteClusterCustomObject({ group: 'sim.virtlab.dev', version: 'v1alpha1', plural: 'faults', name: 'web2-httpd' });
    await sim.advance(15);
    await syncSlice();
    assert.equal((await readyEndpoints(conn, NS, 'frontend')).length, 2);
  });

  it('reads the Events of an object, oldest first, by reason', async () => {
    const vm = (await getVm(conn, NS, 'web1'))!;
    const events = await eventsFor(conn, vm);
    assert.ok(events.length >= 1);
    assert.equal(events[0].reason, 'SuccessfulCreate');
    assert.equal(events[0].message, 'Started the virtual machine by creating the new virtual machine instance web1');
    const vmi = (await getVmi(conn, NS, 'web2'))!;
    const pod = (await launcherPod(conn, vmi))!;
    const unhealthy = await eventsFor(conn, { kind: 'Pod', name: pod.metadata!.name!, namespace: NS }, { reason: 'Unhealthy', type: 'Warning' });
    assert.ok(unhealthy.length >= 1);
    assert.ok(unhealthy.every((e) => e.reason === 'Unhealthy' && e.message?.startsWith('Readiness probe failed: ')));
    await assert.rejects(eventsFor(conn, { kind: 'Pod', name: '' }), /needs the kind and name/);
  });

  it('says when a probe added to the template has not reached the running VMI, until the VM restarts', async () => {
    const liveness = { tcpSocket: { port: 8080 }, initialDelaySeconds: 30, periodSeconds: 10 };
    await custom.patchNamespacedCustomObject({
      group: 'kubevirt.io', version: 'v1', namespace: NS, plural: 'virtualmachines', name: 'web1',
      body: { spec: { template: { spec: { livenessProbe: liveness } } } },
    }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await sim.advance(1);
    const stale = 'VM default/web1: the VM template has a livenessProbe but the running VMI web1 was started before it was added: restart the VM (virtctl restart web1)';
    assert.deepEqual(await expectVmiProbe(conn, NS, 'web1', 'livenessProbe'), { pass: false, message: stale });
    assert.deepEqual(await expectTemplateApplied(conn, NS, 'web1', 'livenessProbe'), { pass: false, message: stale });
    assert.deepEqual(await expectVmiProbe(conn, NS, 'web1', 'livenessProbe', { tcpSocket: { port: 3306 } }),
      { pass: false, message: 'VM default/web1 has livenessProbe TCP :8080 in spec.template.spec: livenessProbe.tcpSocket.port is 8080, expected 3306' });
    assert.deepEqual(await expectVmiProbe(conn, NS, 'web2', 'livenessProbe'), { pass: false, message: 'VM default/web2 has no livenessProbe in spec.template.spec' });
    assert.deepEqual(await expectVmiProbe(conn, NS, 'web3', 'readinessProbe'),
      { pass: false, message: 'VM default/web3 is Stopped (runStrategy Halted): start it (virtctl start web3) or set spec.runStrategy: Always: the readinessProbe only runs in a running VMI' });
    // The VM controller replaces a deleted VMI from the current template (what virtctl restart amounts to).
    await custom.deleteNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: NS, plural: 'virtualmachineinstances', name: 'web1' });
    await sim.advance(90);
    const vm = (await getVm(conn, NS, 'web1'))!;
    assert.equal(templateVsInstance(vm, await getVmi(conn, NS, 'web1'), 'livenessProbe'), undefined);
    assert.deepEqual(await expectVmiProbe(conn, NS, 'web1', 'livenessProbe', { tcpSocket: { port: 8080 } }), { pass: true, message: 'VMI web1 runs livenessProbe TCP :8080' });
    assert.deepEqual(await expectTemplateApplied(conn, NS, 'web1', 'livenessProbe'), { pass: true });
    assert.deepEqual(await expectVmRunning(conn, NS, 'nope'), { pass: false, message: 'VM default/nope does not exist' });
  });

  it('lists migrations of a VMI', async () => {
    await custom.createNamespacedCustomObject({
      group: 'kubevirt.io', version: 'v1', namespace: NS, plural: 'virtualmachineinstancemigrations',
      body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'move-web2' }, spec: { vmiName: 'web2' } },
    });
    await sim.advance(1);
    assert.deepEqual((await listMigrations(conn, NS, { vmiName: 'web2' })).map((m) => m.metadata.name), ['move-web2']);
    assert.deepEqual(await listMigrations(conn, NS, { vmiName: 'web1' }), []);
  });

  it('reads Nodes and the Machines behind them', async () => {
    const nodes = await listNodes(conn, { labelSelector: 'node-role.kubernetes.io/worker' });
    assert.deepEqual(nodes.map((n) => n.metadata?.name), ['worker-0', 'worker-1']);
    assert.ok(isNodeReady(await getNode(conn, 'worker-0')));
    assert.equal(await getNode(conn, 'worker-9'), undefined);
    const machine = await machineForNode(conn, 'worker-0');
    assert.equal(machine?.status?.nodeRef?.name, 'worker-0');
    assert.equal((await getMachine(conn, machine!.metadata.name))?.metadata.uid, machine?.metadata.uid);
    assert.ok((await listMachines(conn)).length >= 3);
    assert.equal((await listMachineSets(conn)).length, 1);
  });

  it('reads Routes and MetalLB pools', async () => {
    await custom.createNamespacedCustomObject({
      group: 'route.openshift.io', version: 'v1', namespace: NS, plural: 'routes',
      body: { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'frontend' }, spec: { host: 'frontend.apps.example.com', to: { kind: 'Service', name: 'frontend' } } },
    });
    await custom.createNamespacedCustomObject({
      group: 'metallb.io', version: 'v1beta1', namespace: 'metallb-system', plural: 'ipaddresspools',
      body: { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lab-pool' }, spec: { addresses: ['192.168.10.240-192.168.10.250'] } },
    });
    const route = await getRoute(conn, NS, 'frontend');
    assert.equal(route?.spec.to.name, 'frontend');
    assert.equal(routeHost(route), 'frontend.apps.example.com');
    assert.deepEqual((await listRoutes(conn, NS)).map((r) => r.metadata.name), ['frontend']);
    assert.deepEqual((await getIpAddressPool(conn, 'lab-pool'))?.spec.addresses, ['192.168.10.240-192.168.10.250']);
    assert.deepEqual((await listIpAddressPools(conn)).map((p) => p.metadata.name), ['lab-pool']);
  });

  it('names what it was reading when the API refuses', async () => {
    await assert.rejects(listRoutes({ ...conn, kubeConfig: brokenToken(conn) }, NS), (e: Error) => {
      assert.equal(e.name, 'ClusterReadError');
      assert.match(e.message, /^cannot read routes\.route\.openshift\.io in namespace default: Unauthorized \(HTTP 401\)$/);
      return true;
    });
  });
});

function brokenToken(conn: ClusterConnection): ClusterConnection['kubeConfig'] {
  const kc = conn.kubeConfig;
  const copy = new (kc.constructor as new () => typeof kc)();
  const exported = kc.exportConfig();
  assert.match(exported, /"token":"[^"]+"/);
  copy.loadFromString(exported.replace(/"token":"[^"]+"/, '"token":"not-a-valid-token"'));
  return copy;
}
