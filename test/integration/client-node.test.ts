// @kubernetes/client-node 1.4 against the embedded cluster: typed and custom
// object APIs, every patch type, errors as ApiException with a Status body, watch.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startSim, type Sim } from './harness.ts';

describe('@kubernetes/client-node against the embedded cluster', () => {
  let sim: Sim;
  let kc: k8s.KubeConfig;
  before(async () => {
    sim = await startSim();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(sim.kubeconfig);
  });
  after(async () => { await sim.close(); });

  it('lists nodes and namespaces with typed objects', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const nodes = await core.listNode();
    assert.ok(nodes.items.length >= 4);
    assert.ok(nodes.items[0].metadata?.creationTimestamp instanceof Date);
    const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    assert.equal(ready.length, nodes.items.length);
    const ns = await core.listNamespace({ labelSelector: 'kubernetes.io/metadata.name in (default,kube-system)' });
    assert.deepEqual(ns.items.map((n) => n.metadata?.name).sort(), ['default', 'kube-system']);
  });

  it('creates, reads and patches pods (json patch by default, strategic and merge on request)', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const created = await core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'cn-pod', labels: { app: 'cn' } }, spec: { nodeName: 'worker-0', containers: [{ name: 'main', image: 'nginx:1.27' }] } },
    });
    assert.equal(created.metadata?.name, 'cn-pod');
    assert.equal(created.spec?.restartPolicy, 'Always');
    assert.equal(created.status?.phase, 'Pending');
    const patched = await core.patchNamespacedPod({ namespace: 'default', name: 'cn-pod', body: [{ op: 'add', path: '/metadata/labels/tier', value: 'a' }] });
    assert.equal(patched.metadata?.labels?.tier, 'a');
    const smp = await core.patchNamespacedPod({ namespace: 'default', name: 'cn-pod', body: { metadata: { labels: { tier: null, kind: 'smp' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
    assert.deepEqual(smp.metadata?.labels, { app: 'cn', kind: 'smp' });
    await assert.rejects(core.readNamespacedPod({ namespace: 'default', name: 'nope' }), (e: unknown) => {
      assert.ok(e instanceof k8s.ApiException);
      assert.equal(e.code, 404);
      const body = JSON.parse(String(e.body));
      assert.equal(body.kind, 'Status');
      assert.equal(body.reason, 'NotFound');
      assert.equal(body.message, 'pods "nope" not found');
      return true;
    });
  });

  it('creates and merge-patches custom objects; a bad runStrategy is a 422 with causes', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const vm = {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'cn-vm' },
      spec: { runStrategy: 'Halted', template: { spec: { domain: { devices: {} } } } },
    };
    await custom.createNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'default', plural: 'virtualmachines', body: vm });
    const list = await custom.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'default', plural: 'virtualmachines' }) as { items: { metadata: { name: string } }[] };
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['cn-vm']);
    const patched = await custom.patchNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'default', plural: 'virtualmachines', name: 'cn-vm', body: { spec: { runStrategy: 'Manual' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)) as { spec: { runStrategy: string } };
    assert.equal(patched.spec.runStrategy, 'Manual');
    await assert.rejects(custom.patchNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'default', plural: 'virtualmachines', name: 'cn-vm', body: { spec: { runStrategy: 'Later' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)), (e: unknown) => {
      assert.ok(e instanceof k8s.ApiException);
      assert.equal(e.code, 422);
      const body = JSON.parse(String(e.body));
      assert.equal(body.details.causes[0].field, 'spec.runStrategy');
      assert.equal(body.details.causes[0].message, 'Invalid RunStrategy (Later)');
      return true;
    });
  });

  it('watches pods: ADDED, MODIFIED as the kubelet starts the pod, DELETED', async () => {
    const watch = new k8s.Watch(kc);
    const events: string[] = [];
    let seen: () => void = () => {};
    const wanted = new Promise<void>((resolve) => { seen = resolve; });
    const req = await watch.watch('/api/v1/namespaces/default/pods', { allowWatchBookmarks: true, labelSelector: 'app=watched' }, (type, obj: k8s.V1Pod) => {
      events.push(`${type} ${obj.metadata?.name} ${obj.status?.phase ?? ''}`.trim());
      if (type === 'DELETED') seen();
    }, () => {});
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'w-pod', labels: { app: 'watched' } }, spec: { nodeName: 'worker-1', containers: [{ name: 'main', image: 'nginx:1.27' }] } } });
    await sim.advance(5);
    await core.deleteNamespacedPod({ namespace: 'default', name: 'w-pod', gracePeriodSeconds: 0 });
    await wanted;
    req.abort();
    assert.equal(events[0], 'ADDED w-pod Pending');
    assert.ok(events.includes('MODIFIED w-pod Running'), events.join('\n'));
    assert.equal(events[events.length - 1].startsWith('DELETED w-pod'), true);
  });

  it('lists with an informer-style list+watch and sees later objects', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
    const added = new Promise<string>((resolve) => informer.on('add', (o: k8s.V1ConfigMap) => { if (o.metadata?.name === 'late') resolve(o.metadata.name); }));
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'late' }, data: { a: 'b' } } });
    assert.equal(await added, 'late');
    await informer.stop();
  });
});
