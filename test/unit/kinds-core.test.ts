import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { objectSchema } from '../../sandbox/sim/api/openapi.ts';
import { findUnknownFields, validateSchemaTypes } from '../../sandbox/sim/api/schema-check.ts';
import { coreKinds } from '../../sandbox/sim/kinds/core/index.ts';
import { qosClass, validatePodSpecUpdate } from '../../sandbox/sim/kinds/core/pod.ts';
import { summarizePod } from '../../sandbox/sim/kinds/core/pod-printer.ts';
import { nodeRolesCell, nodeStatusCell } from '../../sandbox/sim/kinds/core/node.ts';
import { serviceExternalIP, servicePorts } from '../../sandbox/sim/kinds/core/service.ts';
import { formatEndpoints } from '../../sandbox/sim/kinds/core/endpoints.ts';
import { selectorText } from '../../sandbox/sim/kinds/core/table-cells.ts';
import { parseQuantity } from '../../sandbox/sim/kinds/core/quantity.ts';
import { definitions } from '../../sandbox/sim/kinds/meta.ts';
import { KindRegistry } from '../../sandbox/sim/kinds/registry.ts';
import type { Schema } from '../../sandbox/sim/kinds/schema.ts';
import type { KindDef, StrategyContext } from '../../sandbox/sim/kinds/types.ts';

const NOW = Date.parse('2025-03-01T10:00:00Z');
const ctx: StrategyContext = { now: NOW, user: 'kube:admin', subresource: '' };
const ago = (ms: number): string => new Date(NOW - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const MIN = 60_000;

type J = Record<string, any>;

const registry = new KindRegistry(coreKinds);

function kind(group: string, plural: string): KindDef {
  const k = registry.resource(group, group === '' ? 'v1' : 'v1', plural);
  assert.ok(k, `${group}/${plural} registered`);
  return k;
}

const podKind = kind('', 'pods');
const nodeKind = kind('', 'nodes');
const serviceKind = kind('', 'services');

/** Runs the create pipeline hooks the API server runs: defaults, prepareForCreate, validate. */
function create(k: KindDef, obj: KubeObject): { obj: KubeObject; errs: string[] } {
  const o = structuredClone(obj);
  k.defaults?.(o);
  k.prepareForCreate?.(o, ctx);
  const errs = (k.validate?.(o, ctx) ?? []).map((e) => `${e.field}: ${e.type}${e.detail ? `: ${e.detail}` : ''}`);
  return { obj: o, errs };
}

function pod(spec: J, status?: J, meta: J = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'ha', creationTimestamp: ago(10 * MIN), ...meta }, spec, ...(status ? { status } : {}) };
}

function cells(k: KindDef, o: KubeObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of k.printerColumns) out[c.name] = c.cell ? c.cell(o, { now: NOW }) : undefined;
  return out;
}

// ---- registry and identity ----------------------------------------------------------

test('registry builds and every kind has its upstream identity', () => {
  const expected: [string, string, string, string, boolean, string[]?, string[]?][] = [
    ['', 'Namespace', 'namespaces', 'namespace', false, ['ns']],
    ['', 'Node', 'nodes', 'node', false, ['no']],
    ['', 'Pod', 'pods', 'pod', true, ['po'], ['all']],
    ['', 'Service', 'services', 'service', true, ['svc'], ['all']],
    ['', 'Endpoints', 'endpoints', 'endpoints', true, ['ep']],
    ['', 'Event', 'events', 'event', true, ['ev']],
    ['', 'ConfigMap', 'configmaps', 'configmap', true, ['cm']],
    ['', 'Secret', 'secrets', 'secret', true],
    ['', 'ServiceAccount', 'serviceaccounts', 'serviceaccount', true, ['sa']],
    ['', 'PersistentVolumeClaim', 'persistentvolumeclaims', 'persistentvolumeclaim', true, ['pvc']],
    ['', 'PersistentVolume', 'persistentvolumes', 'persistentvolume', false, ['pv']],
    ['discovery.k8s.io', 'EndpointSlice', 'endpointslices', 'endpointslice', true],
    ['coordination.k8s.io', 'Lease', 'leases', 'lease', true],
    ['policy', 'PodDisruptionBudget', 'poddisruptionbudgets', 'poddisruptionbudget', true, ['pdb']],
    ['rbac.authorization.k8s.io', 'Role', 'roles', 'role', true],
    ['rbac.authorization.k8s.io', 'RoleBinding', 'rolebindings', 'rolebinding', true],
    ['rbac.authorization.k8s.io', 'ClusterRole', 'clusterroles', 'clusterrole', false],
    ['rbac.authorization.k8s.io', 'ClusterRoleBinding', 'clusterrolebindings', 'clusterrolebinding', false],
    ['apps', 'Deployment', 'deployments', 'deployment', true, ['deploy'], ['all']],
    ['apps', 'ReplicaSet', 'replicasets', 'replicaset', true, ['rs'], ['all']],
    ['apps', 'DaemonSet', 'daemonsets', 'daemonset', true, ['ds'], ['all']],
    ['apps', 'StatefulSet', 'statefulsets', 'statefulset', true, ['sts'], ['all']],
    ['authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', 'selfsubjectaccessreview', false],
    ['authentication.k8s.io', 'SelfSubjectReview', 'selfsubjectreviews', 'selfsubjectreview', false],
    ['apiextensions.k8s.io', 'CustomResourceDefinition', 'customresourcedefinitions', 'customresourcedefinition', false, ['crd', 'crds'], ['api-extensions']],
  ];
  assert.equal(coreKinds.length, expected.length);
  for (const [group, kindName, plural, singular, namespaced, shortNames, categories] of expected) {
    const k = registry.kind(group, 'v1', kindName);
    assert.ok(k, kindName);
    assert.equal(k.plural, plural);
    assert.equal(k.singular, singular);
    assert.equal(k.namespaced, namespaced, `${kindName} scope`);
    assert.deepEqual(k.shortNames ?? [], shortNames ?? [], `${kindName} short names`);
    assert.deepEqual(k.categories ?? [], categories ?? [], `${kindName} categories`);
    assert.equal(k.custom, false);
  }
  assert.deepEqual(kind('authorization.k8s.io', 'selfsubjectaccessreviews').verbs, ['create']);
  assert.deepEqual(kind('apiextensions.k8s.io', 'customresourcedefinitions').verbs, ['get', 'list', 'watch']);
  assert.equal(kind('', 'namespaces').nameValidation, 'label');
  assert.equal(serviceKind.nameValidation, 'label1035');
  for (const p of ['deployments', 'replicasets', 'statefulsets']) assert.ok(kind('apps', p).subresources?.scale, `${p} scale`);
  assert.equal(kind('apps', 'daemonsets').subresources?.scale, undefined);
  const sub = Object.fromEntries((podKind.extraSubresources ?? []).map((s) => [s.name, s]));
  assert.deepEqual(sub.eviction.kind, { group: 'policy', version: 'v1', kind: 'Eviction' });
  assert.deepEqual(sub.binding.verbs, ['create']);
  assert.deepEqual(sub.log.verbs, ['get']);
  assert.ok(sub.exec && sub.attach && sub.portforward);
  assert.deepEqual(kind('', 'serviceaccounts').extraSubresources?.[0]?.kind, { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' });
});

test('every $ref of every kind schema resolves through the definitions', () => {
  const seen = new Set<Schema>();
  const visit = (s: Schema | boolean | undefined, where: string): void => {
    if (!s || typeof s === 'boolean' || seen.has(s)) return;
    seen.add(s);
    if (s.$ref) {
      const target = definitions.resolve(s);
      assert.ok(target, `${where}: ${s.$ref}`);
      visit(target, s.$ref);
    }
    for (const [k, p] of Object.entries(s.properties ?? {})) visit(p, `${where}.${k}`);
    visit(s.items, `${where}[]`);
    visit(s.additionalProperties, `${where}{}`);
    for (const a of s.allOf ?? []) visit(a, where);
  };
  for (const k of coreKinds) {
    visit(objectSchema(k), k.kind);
    for (const name of definitions.closure([k.schema])) assert.ok(definitions.get(name), `${k.kind}: ${name}`);
  }
  assert.ok(definitions.get('io.k8s.api.policy.v1.Eviction'));
  assert.ok(definitions.get('io.k8s.api.core.v1.Binding'));
  assert.ok(definitions.get('io.k8s.api.authentication.v1.TokenRequest'));
});

test('list semantics match upstream (strategic merge keys and apply list types)', () => {
  const def = (name: string) => definitions.get(`io.k8s.api.core.v1.${name}`)!;
  const podSpec = def('PodSpec').properties!;
  assert.equal(podSpec.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(podSpec.initContainers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(podSpec.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(podSpec.imagePullSecrets['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(podSpec.tolerations['x-kubernetes-list-type'], 'atomic');
  assert.equal(podSpec.tolerations['x-kubernetes-patch-merge-key'], undefined);
  const container = def('Container').properties!;
  assert.equal(container.ports['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.deepEqual(container.ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(container.env['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(container.volumeMounts['x-kubernetes-patch-merge-key'], 'mountPath');
  assert.equal(container.command['x-kubernetes-list-type'], 'atomic');
  assert.equal(def('PodStatus').properties!.conditions['x-kubernetes-patch-merge-key'], 'type');
  const svcPorts = def('ServiceSpec').properties!.ports;
  assert.equal(svcPorts['x-kubernetes-patch-merge-key'], 'port');
  assert.deepEqual(svcPorts['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  // `kubectl taint` sends the whole list: taints are atomic upstream (no merge key).
  assert.equal(def('NodeSpec').properties!.taints['x-kubernetes-list-type'], 'atomic');
  assert.equal(def('NodeStatus').properties!.conditions['x-kubernetes-patch-merge-key'], 'type');
  assert.equal(def('NodeStatus').properties!.addresses['x-kubernetes-patch-merge-key'], 'type');
  assert.equal(definitions.get('io.k8s.api.apps.v1.DeploymentSpec')!.properties!.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
});

// ---- strict field validation of typical manifests --------------------------------------

function strictCheck(k: KindDef, body: J): void {
  const schema = objectSchema(k);
  assert.deepEqual(findUnknownFields(body, schema, definitions), [], `${k.kind}: unknown fields`);
  assert.deepEqual(validateSchemaTypes(body, schema, definitions), [], `${k.kind}: type errors`);
}

test('manifests students apply pass strict field validation', () => {
  const podSpec = {
    serviceAccountName: 'web', terminationGracePeriodSeconds: 10, nodeSelector: { 'kubernetes.io/os': 'linux' },
    affinity: {
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' } }] },
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } },
    },
    tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }],
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    imagePullSecrets: [{ name: 'pull' }],
    initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'true'] }],
    containers: [{
      name: 'web', image: 'quay.io/virtlab/web:1.0', imagePullPolicy: 'IfNotPresent', args: ['--port=8080'], workingDir: '/srv',
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      env: [{ name: 'A', value: '1' }, { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
      envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'db', optional: true } }],
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: 1, memory: '128Mi' } },
      volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'cfg', mountPath: '/etc/cfg', readOnly: true }],
      livenessProbe: { httpGet: { path: '/health', port: 'http', httpHeaders: [{ name: 'X', value: 'y' }] }, initialDelaySeconds: 5, periodSeconds: 5, failureThreshold: 3 },
      readinessProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 2 },
      startupProbe: { exec: { command: ['cat', '/tmp/ok'] } },
      lifecycle: { preStop: { sleep: { seconds: 5 } }, postStart: { exec: { command: ['true'] } } },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      stdin: true, tty: true, terminationMessagePolicy: 'FallbackToLogsOnError',
    }],
    volumes: [
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'a', path: 'a.conf' }] } },
      { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'sec', secret: { secretName: 'db', defaultMode: 256 } },
      { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
      { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }, { configMap: { name: 'cfg' } }] } },
      { name: 'nfs', nfs: { server: 'nfs.example.com', path: '/export' } },
    ],
  };
  strictCheck(podKind, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'web' } }, spec: podSpec });
  const template = { metadata: { labels: { app: 'web' } }, spec: podSpec };
  strictCheck(kind('apps', 'deployments'), {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } }, minReadySeconds: 5, template },
  });
  strictCheck(kind('apps', 'statefulsets'), {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
    spec: {
      serviceName: 'db', replicas: 2, selector: { matchLabels: { app: 'web' } }, template, podManagementPolicy: 'Parallel',
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '1Gi' } } } }],
    },
  });
  strictCheck(kind('apps', 'daemonsets'), { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'web' } }, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } } });
  strictCheck(serviceKind, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', annotations: { 'metallb.universe.tf/address-pool': 'lab' } },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', nodePort: 30080 }],
      externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } }, loadBalancerIP: '192.168.1.240', loadBalancerClass: 'metallb' },
    status: { loadBalancer: { ingress: [{ ip: '192.168.1.240', ipMode: 'VIP' }] } },
  });
  strictCheck(kind('policy', 'poddisruptionbudgets'), { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' } });
  strictCheck(kind('rbac.authorization.k8s.io', 'roles'), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get', 'list'] }] });
  strictCheck(kind('rbac.authorization.k8s.io', 'rolebindings'), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'ha' }] });
  strictCheck(kind('', 'configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: 'b' }, immutable: false });
  strictCheck(kind('', 'secrets'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, type: 'Opaque', stringData: { password: 'x' }, data: { user: 'YQ==' } });
  strictCheck(kind('', 'persistentvolumeclaims'), { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteMany'], volumeMode: 'Block', resources: { requests: { storage: '10Gi' } } } });
  strictCheck(nodeKind, {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', labels: { 'node-role.kubernetes.io/worker': '' } },
    spec: { podCIDR: '10.128.0.0/23', providerID: 'sim://worker-1', unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: ago(MIN) }] },
    status: {
      capacity: { cpu: '8', memory: '32Gi', pods: '250' }, allocatable: { cpu: '7500m', memory: '30Gi', pods: '250' },
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: ago(MIN), lastTransitionTime: ago(60 * MIN), reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      addresses: [{ type: 'InternalIP', address: '192.168.10.11' }, { type: 'Hostname', address: 'worker-1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: { machineID: 'm', systemUUID: 'u', bootID: 'b', kernelVersion: '5.14.0', osImage: 'RHCOS', containerRuntimeVersion: 'cri-o://1.32.0', kubeletVersion: 'v1.32.4', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
      images: [{ names: ['quay.io/virtlab/web:1.0'], sizeBytes: 1000 }],
    },
  });
  strictCheck(kind('', 'events'), {
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-1.1', namespace: 'ha' },
    involvedObject: { kind: 'Pod', namespace: 'ha', name: 'web-1', uid: 'u', apiVersion: 'v1', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled', message: 'ok', source: { component: 'kubelet', host: 'worker-1' }, firstTimestamp: ago(MIN), lastTimestamp: ago(MIN), count: 1, type: 'Normal',
    reportingComponent: 'kubelet', reportingInstance: 'worker-1',
  });
  strictCheck(kind('coordination.k8s.io', 'leases'), { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'worker-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'worker-1', leaseDurationSeconds: 40, renewTime: '2025-03-01T09:59:50.000000Z' } });
  strictCheck(kind('discovery.k8s.io', 'endpointslices'), {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abc' }, addressType: 'IPv4',
    endpoints: [{ addresses: ['10.128.0.5'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'worker-1', targetRef: { kind: 'Pod', name: 'web-1', namespace: 'ha' } }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  });
  // A typo is reported, as kubectl apply --validate=strict expects.
  assert.deepEqual(findUnknownFields({ spec: { containers: [{ name: 'a', image: 'b', imagePullPolicyy: 'Always' }] } }, objectSchema(podKind), definitions), ['spec.containers[0].imagePullPolicyy']);
});

// ---- Pod -------------------------------------------------------------------------------

test('pod defaults: spec, containers, probes, admission fields, status', () => {
  const { obj, errs } = create(podKind, pod({
    containers: [
      { name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], livenessProbe: { httpGet: { port: 80 } } },
      { name: 'side', image: 'quay.io/a/b:1.2', resources: { limits: { cpu: '500m', memory: '64Mi' } } },
    ],
  }));
  assert.deepEqual(errs, []);
  const s = obj.spec as J;
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.equal(s.serviceAccountName, 'default');
  assert.equal(s.serviceAccount, 'default');
  assert.equal(s.enableServiceLinks, true);
  assert.equal(s.priority, 0);
  assert.deepEqual(s.securityContext, {});
  const [web, side] = s.containers;
  assert.equal(web.imagePullPolicy, 'Always');
  assert.equal(side.imagePullPolicy, 'IfNotPresent');
  assert.equal(web.terminationMessagePath, '/dev/termination-log');
  assert.equal(web.terminationMessagePolicy, 'File');
  assert.equal(web.ports[0].protocol, 'TCP');
  assert.deepEqual(web.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(side.resources.requests, { cpu: '500m', memory: '64Mi' });
  assert.deepEqual(s.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  assert.deepEqual(obj.status, { phase: 'Pending', qosClass: 'Burstable' });
  // A toleration the pod already has is not added twice; defaults are idempotent.
  const again = structuredClone(obj);
  podKind.defaults!(again);
  assert.deepEqual(again, obj);
  const own = create(podKind, pod({ containers: [{ name: 'a', image: 'b:1' }], tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] })).obj;
  assert.deepEqual((own.spec as J).tolerations.map((t: J) => [t.key, t.tolerationSeconds]), [['node.kubernetes.io/unreachable', 10], ['node.kubernetes.io/not-ready', 300]]);
});

test('pod validation messages', () => {
  assert.deepEqual(create(podKind, pod({ containers: [] })).errs, ['spec.containers: Required']);
  assert.deepEqual(create(podKind, pod({ containers: [{ name: 'web' }] })).errs, ['spec.containers[0].image: Required']);
  assert.deepEqual(create(podKind, pod({ containers: [{ name: 'web', image: 'a' }, { name: 'web', image: 'b' }] })).errs, ['spec.containers[1].name: Duplicate']);
  assert.deepEqual(create(podKind, pod({ containers: [{ name: 'web', image: 'a' }], restartPolicy: 'Sometimes' })).errs,
    ['spec.restartPolicy: NotSupported: supported values: "Always", "OnFailure", "Never"']);
  assert.deepEqual(create(podKind, pod({ containers: [{ name: 'Web', image: 'a' }] })).errs.map((e) => e.split(':')[0]), ['spec.containers[0].name']);
  assert.deepEqual(create(podKind, pod({ containers: [{ name: 'w', image: 'a', ports: [{ containerPort: 70000 }] }] })).errs,
    ['spec.containers[0].ports[0].containerPort: Invalid: must be between 1 and 65535, inclusive']);
  assert.deepEqual(create(podKind, pod({ containers: [{ name: 'w', image: 'a', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] })).errs,
    ['spec.containers[0].volumeMounts[0].name: NotFound']);
  assert.deepEqual(create(podKind, pod({ containers: [{ name: 'w', image: 'a', livenessProbe: { periodSeconds: 5 } }] })).errs,
    ['spec.containers[0].livenessProbe: Required: must specify a handler type']);
  assert.deepEqual(create(podKind, pod({ containers: [{ name: 'w', image: 'a', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] })).errs,
    ['spec.containers[0].resources.requests: Invalid: must be less than or equal to cpu limit of 1']);
});

test('pod updates may only change images, deadlines and add tolerations', () => {
  const old = create(podKind, pod({ containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] })).obj;
  const image = structuredClone(old);
  (image.spec as J).containers[0].image = 'nginx:1.26';
  assert.deepEqual(podKind.validateUpdate!(image, old, ctx), []);
  const tol = structuredClone(old);
  (tol.spec as J).tolerations.push({ key: 'x', operator: 'Exists' });
  assert.deepEqual(podKind.validateUpdate!(tol, old, ctx), []);
  const port = structuredClone(old);
  (port.spec as J).containers[0].ports[0].containerPort = 8080;
  const errs = podKind.validateUpdate!(port, old, ctx);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].type, 'Forbidden');
  assert.equal(errs[0].field, 'spec');
  assert.ok(errs[0].detail!.startsWith('pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'));
  assert.match(errs[0].detail!, /containers\[0\]\.ports\[0\]\.containerPort: 80/);
  const removedTol = structuredClone(old);
  (removedTol.spec as J).tolerations = [];
  assert.equal(validatePodSpecUpdate(removedTol.spec, old.spec).length, 1);
});

test('pod QoS class', () => {
  assert.equal(qosClass({ containers: [{ name: 'a' }] }), 'BestEffort');
  assert.equal(qosClass({ containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }] }), 'Burstable');
  assert.equal(qosClass({ containers: [{ name: 'a', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } } }] }), 'Guaranteed');
  assert.equal(qosClass({ containers: [{ name: 'a', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } } }] }), 'Burstable');
  assert.equal(qosClass({ containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }, { name: 'b' }] }), 'Burstable');
  // Limits only: requests default to limits, so the pod is Guaranteed.
  const { obj } = create(podKind, pod({ containers: [{ name: 'a', image: 'b', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }));
  assert.equal((obj.status as J).qosClass, 'Guaranteed');
  assert.equal(parseQuantity('1Gi'), 2 ** 30);
  assert.equal(parseQuantity('250m'), 0.25);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.equal(parseQuantity('1GB'), undefined);
});

test('pod graceful deletion period', () => {
  const bound = create(podKind, pod({ nodeName: 'worker-1', terminationGracePeriodSeconds: 45, containers: [{ name: 'a', image: 'b' }] })).obj;
  assert.equal(podKind.gracefulDeletionSeconds!(bound, undefined), 45);
  assert.equal(podKind.gracefulDeletionSeconds!(bound, 5), 5);
  assert.equal(podKind.gracefulDeletionSeconds!(bound, 0), 0);
  const unbound = create(podKind, pod({ containers: [{ name: 'a', image: 'b' }] })).obj;
  assert.equal(podKind.gracefulDeletionSeconds!(unbound, undefined), 0);
  const done = { ...bound, status: { phase: 'Succeeded' } };
  assert.equal(podKind.gracefulDeletionSeconds!(done, 30), 0);
});

const running = (name: string, ready = true, restartCount = 0, lastState: J = {}) =>
  ({ name, ready, restartCount, started: true, image: 'x', imageID: 'x', state: { running: { startedAt: ago(5 * MIN) } }, lastState });
const waiting = (name: string, reason: string, restartCount = 0, lastState: J = {}) =>
  ({ name, ready: false, restartCount, image: 'x', imageID: 'x', state: { waiting: { reason } }, lastState });
const terminated = (name: string, reason: string, exitCode: number) =>
  ({ name, ready: false, restartCount: 0, image: 'x', imageID: 'x', state: { terminated: { reason, exitCode } } });

test('pod READY / STATUS / RESTARTS columns', () => {
  const one = { containers: [{ name: 'web', image: 'x' }] };
  const cases: [string, KubeObject, string, string, string][] = [
    ['running', pod(one, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running('web')] }), '1/1', 'Running', '0'],
    ['pending, no status yet', pod(one, { phase: 'Pending' }), '0/1', 'Pending', '0'],
    ['creating', pod(one, { phase: 'Pending', containerStatuses: [waiting('web', 'ContainerCreating')] }), '0/1', 'ContainerCreating', '0'],
    ['crash loop', pod(one, { phase: 'Running', containerStatuses: [waiting('web', 'CrashLoopBackOff', 3, { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * MIN) } })] }), '0/1', 'CrashLoopBackOff', '3 (5m ago)'],
    ['completed', pod({ ...one, restartPolicy: 'Never' }, { phase: 'Succeeded', containerStatuses: [terminated('web', 'Completed', 0)] }), '0/1', 'Completed', '0'],
    ['error', pod({ ...one, restartPolicy: 'Never' }, { phase: 'Failed', containerStatuses: [terminated('web', 'Error', 2)] }), '0/1', 'Error', '0'],
    ['terminating', pod(one, { phase: 'Running', containerStatuses: [running('web')] }, { deletionTimestamp: ago(-30_000) }), '1/1', 'Terminating', '0'],
    ['node lost', pod(one, { phase: 'Running', reason: 'NodeLost', containerStatuses: [running('web')] }, { deletionTimestamp: ago(0) }), '1/1', 'Unknown', '0'],
    ['evicted', pod(one, { phase: 'Failed', reason: 'Evicted' }), '0/1', 'Evicted', '0'],
    ['init waiting', pod({ ...one, initContainers: [{ name: 'init', image: 'x' }] }, { phase: 'Pending', initContainerStatuses: [waiting('init', 'PodInitializing')], containerStatuses: [waiting('web', 'PodInitializing')] }), '0/1', 'Init:0/1', '0'],
    ['init crash', pod({ ...one, initContainers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] }, { phase: 'Pending', initContainerStatuses: [terminated('a', 'Completed', 0), waiting('b', 'CrashLoopBackOff', 2)] }), '0/1', 'Init:CrashLoopBackOff', '2'],
    ['init failed', pod({ ...one, initContainers: [{ name: 'a', image: 'x' }] }, { phase: 'Failed', initContainerStatuses: [terminated('a', '', 3)] }), '0/1', 'Init:ExitCode:3', '0'],
    ['two containers, one not ready', pod({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] }, { phase: 'Running', containerStatuses: [running('a'), running('b', false)] }), '1/2', 'Running', '0'],
    ['completed sidecar next to a running one', pod({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] }, { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [running('a'), terminated('b', 'Completed', 0)] }), '1/2', 'NotReady', '0'],
    ['scheduling gated', pod(one, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), '0/1', 'SchedulingGated', '0'],
  ];
  for (const [label, p, ready, st, restarts] of cases) {
    assert.deepEqual(summarizePod(p, NOW), { ready, status: st, restarts }, label);
  }
});

test('pod table row, wide columns and selectable fields', () => {
  const p = pod({ nodeName: 'worker-1', readinessGates: [{ conditionType: 'kubevirt.io/ready' }], containers: [{ name: 'web', image: 'x' }] },
    { phase: 'Running', podIP: '10.128.0.7', conditions: [{ type: 'Ready', status: 'True' }, { type: 'kubevirt.io/ready', status: 'True' }], containerStatuses: [running('web', true, 1, { terminated: { exitCode: 137, finishedAt: ago(90 * MIN) } })] });
  podKind.defaults!(p);
  assert.deepEqual(cells(podKind, p), {
    Ready: '1/1', Status: 'Running', Restarts: '1 (90m ago)', Age: '10m', IP: '10.128.0.7', Node: 'worker-1', 'Nominated Node': '<none>', 'Readiness Gates': '1/1',
  });
  assert.deepEqual((p.status as J).podIPs, [{ ip: '10.128.0.7' }]);
  assert.deepEqual(podKind.printerColumns.map((c) => [c.name, c.priority ?? 0]), [
    ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]]);
  const sel = podKind.selectableFields!;
  assert.equal(sel['spec.nodeName'](p), 'worker-1');
  assert.equal(sel['status.phase'](p), 'Running');
  assert.equal(sel['status.podIP'](p), '10.128.0.7');
  assert.equal(sel['spec.serviceAccountName'](p), 'default');
  assert.equal(cells(podKind, pod({ containers: [] }))['Readiness Gates'], '<none>');
});

// ---- Node ------------------------------------------------------------------------------

function node(ready: string | undefined, unschedulable = false, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', creationTimestamp: ago(3 * 24 * 60 * MIN), labels },
    spec: unschedulable ? { unschedulable: true } : {},
    status: {
      ...(ready ? { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: ready }] } : {}),
      addresses: [{ type: 'InternalIP', address: '192.168.10.11' }],
      nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Red Hat Enterprise Linux CoreOS', kernelVersion: '5.14.0-427', containerRuntimeVersion: 'cri-o://1.32.0' },
    },
  };
}

test('node STATUS, ROLES and wide columns', () => {
  assert.equal(nodeStatusCell(node('True')), 'Ready');
  assert.equal(nodeStatusCell(node('False')), 'NotReady');
  assert.equal(nodeStatusCell(node('Unknown')), 'NotReady');
  assert.equal(nodeStatusCell(node(undefined)), 'Unknown');
  assert.equal(nodeStatusCell(node('True', true)), 'Ready,SchedulingDisabled');
  assert.equal(nodeStatusCell(node('Unknown', true)), 'NotReady,SchedulingDisabled');
  assert.equal(nodeRolesCell(node('True', false, { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '' })), 'control-plane,worker');
  assert.equal(nodeRolesCell(node('True')), '<none>');
  assert.deepEqual(cells(nodeKind, node('True', true, { 'node-role.kubernetes.io/worker': '' })), {
    Status: 'Ready,SchedulingDisabled', Roles: 'worker', Age: '3d', Version: 'v1.32.4', 'Internal-IP': '192.168.10.11', 'External-IP': '<none>',
    'OS-Image': 'Red Hat Enterprise Linux CoreOS', 'Kernel-Version': '5.14.0-427', 'Container-Runtime': 'cri-o://1.32.0',
  });
  assert.equal(nodeKind.selectableFields!['spec.unschedulable'](node('True', true)), 'true');
  assert.equal(nodeKind.selectableFields!['spec.unschedulable'](node('True')), 'false');
  const dup = node('True');
  dup.spec = { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }, { key: 'b', effect: 'Sometimes' }] };
  assert.deepEqual(nodeKind.validate!(dup, ctx).map((e) => `${e.field}: ${e.type}`), ['spec.taints[1]: Duplicate', 'spec.taints[2].effect: NotSupported']);
});

// ---- Service ---------------------------------------------------------------------------

function svc(spec: J, status: J = {}): KubeObject {
  const o: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ha', creationTimestamp: ago(2 * MIN) }, spec, status };
  serviceKind.defaults!(o);
  return o;
}

test('service defaults and validation', () => {
  const { obj, errs } = create(serviceKind, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  assert.deepEqual(errs, []);
  assert.deepEqual(obj.spec, {
    selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], sessionAffinity: 'None', type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
  });
  assert.deepEqual(obj.status, { loadBalancer: {} });
  const lb = create(serviceKind, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 8080 }] } }).obj.spec as J;
  assert.equal(lb.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.allocateLoadBalancerNodePorts, true);
  assert.deepEqual(create(serviceKind, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' } } }).errs, ['spec.ports: Required']);
  assert.deepEqual(create(serviceKind, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: 'None', selector: { app: 'web' } } }).errs, []);
  assert.deepEqual(create(serviceKind, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }, { port: 443 }] } }).errs,
    ['spec.ports[0].name: Required', 'spec.ports[1].name: Required']);
  assert.deepEqual(create(serviceKind, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80, nodePort: 30080 }] } }).errs,
    ['spec.ports[0].nodePort: Forbidden: may not be used when `type` is \'ClusterIP\'']);
  // An update that leaves the allocated cluster IP and node port out keeps them.
  const old = svc({ type: 'NodePort', clusterIP: '172.30.0.10', ports: [{ port: 80, nodePort: 30080 }] });
  const next = svc({ type: 'NodePort', ports: [{ port: 80 }] });
  serviceKind.prepareForUpdate!(next, old, ctx);
  assert.equal((next.spec as J).clusterIP, '172.30.0.10');
  assert.deepEqual((next.spec as J).clusterIPs, ['172.30.0.10']);
  assert.equal((next.spec as J).ports[0].nodePort, 30080);
  assert.deepEqual(serviceKind.validateUpdate!(next, old, ctx), []);
  const moved = svc({ type: 'NodePort', clusterIP: '172.30.0.11', ports: [{ port: 80 }] });
  assert.equal(serviceKind.validateUpdate!(moved, old, ctx)[0].field, 'spec.clusterIPs[0]');
});

test('service EXTERNAL-IP and PORT(S) columns', () => {
  assert.equal(serviceExternalIP(svc({ ports: [{ port: 80 }] })), '<none>');
  assert.equal(serviceExternalIP(svc({ externalIPs: ['1.2.3.4'], ports: [{ port: 80 }] })), '1.2.3.4');
  assert.equal(serviceExternalIP(svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }, { loadBalancer: {} })), '<pending>');
  assert.equal(serviceExternalIP(svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }, { loadBalancer: { ingress: [{ ip: '192.168.1.241' }, { ip: '192.168.1.240' }] } })), '192.168.1.240,192.168.1.241');
  assert.equal(serviceExternalIP(svc({ type: 'LoadBalancer', externalIPs: ['9.9.9.9'], ports: [{ port: 80 }] }, { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } })), 'lb.example.com,9.9.9.9');
  assert.equal(serviceExternalIP(svc({ type: 'ExternalName', externalName: 'db.example.com' })), 'db.example.com');
  assert.equal(servicePorts(svc({ ports: [{ port: 80 }] })), '80/TCP');
  assert.equal(servicePorts(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }, { port: 53, protocol: 'UDP', name: 'dns' }] })), '80:30080/TCP,53/UDP');
  assert.equal(servicePorts(svc({ clusterIP: 'None' })), '<none>');
  assert.deepEqual(cells(serviceKind, svc({ type: 'LoadBalancer', clusterIP: '172.30.12.4', selector: { app: 'web', tier: 'fe' }, ports: [{ port: 80, nodePort: 31000 }] }, { loadBalancer: { ingress: [{ ip: '192.168.1.240' }] } })), {
    Type: 'LoadBalancer', 'Cluster-IP': '172.30.12.4', 'External-IP': '192.168.1.240', 'Port(s)': '80:31000/TCP', Age: '2m', Selector: 'app=web,tier=fe',
  });
  assert.equal(cells(serviceKind, svc({ ports: [{ port: 80 }] }))['Cluster-IP'], '<none>');
});

// ---- other kinds ---------------------------------------------------------------------

test('namespace: Active with the kubernetes finalizer, Terminating on delete', () => {
  const ns = kind('', 'namespaces');
  const { obj, errs } = create(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ha' } });
  assert.deepEqual(errs, []);
  assert.deepEqual(obj.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(obj.status, { phase: 'Active' });
  assert.equal(obj.metadata.labels?.['kubernetes.io/metadata.name'], 'ha');
  assert.equal(ns.deletionPending!(obj), true);
  ns.markDeleting!(obj);
  assert.equal(cells(ns, obj).Status, 'Terminating');
  const edited = { ...structuredClone(obj), spec: { finalizers: [] } };
  ns.prepareForUpdate!(edited, obj, ctx);
  assert.deepEqual(edited.spec, { finalizers: ['kubernetes'] });
  assert.equal(ns.selectableFields!['status.phase'](obj), 'Terminating');
});

test('deployment defaults, validation and columns', () => {
  const deploy = kind('apps', 'deployments');
  const base: KubeObject = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', creationTimestamp: ago(5 * MIN) },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }] } } },
  };
  const { obj, errs } = create(deploy, base);
  assert.deepEqual(errs, []);
  const s = obj.spec as J;
  assert.equal(s.replicas, 1);
  assert.deepEqual(s.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(s.revisionHistoryLimit, 10);
  assert.equal(s.progressDeadlineSeconds, 600);
  assert.equal(s.template.spec.restartPolicy, 'Always');
  assert.equal(s.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(s.template.spec.serviceAccountName, undefined, 'pod-only admission defaults stay off templates');
  assert.equal(s.template.spec.tolerations, undefined);
  assert.deepEqual(obj.status, {});
  obj.status = { readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 };
  assert.deepEqual(cells(deploy, obj), { Ready: '1/1', 'Up-to-date': 1, Available: 1, Age: '5m', Containers: 'web,log', Images: 'nginx:1.25,busybox', Selector: 'app=web' });
  const mismatch = structuredClone(base);
  (mismatch.spec as J).template.metadata.labels = { app: 'db' };
  assert.deepEqual(create(deploy, mismatch).errs, ['spec.template.metadata.labels: Invalid: `selector` does not match template `labels`']);
  const never = structuredClone(base);
  (never.spec as J).template.spec.restartPolicy = 'Never';
  assert.deepEqual(create(deploy, never).errs, ['spec.template.spec.restartPolicy: NotSupported: supported values: "Always"']);
  const moved = structuredClone(obj);
  (moved.spec as J).selector = { matchLabels: { app: 'web2' } };
  assert.equal(deploy.validateUpdate!(moved, obj, ctx)[0].detail, 'field is immutable');
});

test('workload and other columns', () => {
  const rs = kind('apps', 'replicasets');
  const r = create(rs, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', creationTimestamp: ago(MIN) }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'w', image: 'i' }] } } } }).obj;
  assert.deepEqual(cells(rs, r), { Desired: 2, Current: 0, Ready: 0, Age: '60s', Containers: 'w', Images: 'i', Selector: 'app=web' });
  const sts = kind('apps', 'statefulsets');
  const st = create(sts, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', creationTimestamp: ago(MIN) }, spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'mariadb:11' }] } } } });
  assert.deepEqual(st.errs, []);
  assert.deepEqual(cells(sts, st.obj), { Ready: '0/3', Age: '60s', Containers: 'db', Images: 'mariadb:11' });
  const ds = kind('apps', 'daemonsets');
  const d = create(ds, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', creationTimestamp: ago(MIN) }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'i' }] } } } }).obj;
  assert.deepEqual(cells(ds, d), { Desired: 0, Current: 0, Ready: 0, 'Up-to-date': 0, Available: 0, 'Node Selector': 'kubernetes.io/os=linux', Age: '60s', Containers: 'a', Images: 'i', Selector: 'app=a' });
  const pdb = kind('policy', 'poddisruptionbudgets');
  const b = create(pdb, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', creationTimestamp: ago(MIN) }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } }).obj;
  assert.deepEqual(cells(pdb, b), { 'Min Available': '1', 'Max Unavailable': 'N/A', 'Allowed Disruptions': 0, Age: '60s' });
  assert.deepEqual(create(pdb, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'x' }, spec: { minAvailable: 1, maxUnavailable: '50%' } }).errs,
    ['spec.minAvailable: Invalid: minAvailable and maxUnavailable cannot be both set']);
  const cm = kind('', 'configmaps');
  assert.deepEqual(cells(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', creationTimestamp: ago(MIN) }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), { Data: 3, Age: '60s' });
  const role = kind('rbac.authorization.k8s.io', 'roles');
  assert.deepEqual(cells(role, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', creationTimestamp: '2025-02-28T09:08:07Z' } }), { 'Created At': '2025-02-28T09:08:07Z' });
  const rb = kind('rbac.authorization.k8s.io', 'rolebindings');
  const binding = create(rb, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', creationTimestamp: ago(MIN) }, roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'web', namespace: 'ha' }, { kind: 'User', name: 'bob' }] });
  assert.deepEqual(binding.errs, []);
  assert.deepEqual(cells(rb, binding.obj), { Role: 'ClusterRole/view', Age: '60s', Users: 'alice, bob', Groups: 'devs', ServiceAccounts: 'ha/web' });
  const lease = kind('coordination.k8s.io', 'leases');
  assert.deepEqual(cells(lease, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'w', creationTimestamp: ago(MIN) }, spec: { holderIdentity: 'worker-1' } }), { Holder: 'worker-1', Age: '60s' });
  const pvc = kind('', 'persistentvolumeclaims');
  const claim = create(pvc, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', creationTimestamp: ago(MIN) }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '1Gi' } } } });
  assert.deepEqual(claim.errs, []);
  assert.deepEqual(cells(pvc, claim.obj), { Status: 'Pending', Volume: '', Capacity: '', 'Access Modes': '', StorageClass: 'standard', VolumeAttributesClass: '<unset>', Age: '60s', VolumeMode: 'Filesystem' });
  (claim.obj.spec as J).volumeName = 'pv-1';
  claim.obj.status = { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'] };
  assert.equal(cells(pvc, claim.obj).Capacity, '1Gi');
  assert.equal(cells(pvc, claim.obj)['Access Modes'], 'RWO,RWX');
  const grown = structuredClone(claim.obj);
  (grown.spec as J).resources.requests.storage = '2Gi';
  assert.deepEqual(pvc.validateUpdate!(grown, claim.obj, ctx), []);
  (grown.spec as J).accessModes = ['ReadWriteMany'];
  assert.equal(pvc.validateUpdate!(grown, claim.obj, ctx)[0].detail, 'spec is immutable after creation except resources.requests for bound claims');
});

test('events: kubectl get events columns and field selectors', () => {
  const ev = kind('', 'events');
  const e: KubeObject = {
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-1.17a', namespace: 'ha' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'ha', uid: 'u-1', fieldPath: 'spec.containers{web}' },
    reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503\n', type: 'Warning',
    source: { component: 'kubelet', host: 'worker-1' }, firstTimestamp: ago(10 * MIN), lastTimestamp: ago(2 * MIN), count: 4,
  };
  assert.deepEqual(cells(ev, e), {
    'Last Seen': '2m', Type: 'Warning', Reason: 'Unhealthy', Object: 'pod/web-1', Subobject: 'spec.containers{web}', Source: 'kubelet, worker-1',
    Message: 'Readiness probe failed: HTTP probe failed with statuscode: 503', 'First Seen': '10m', Count: 4, Name: 'web-1.17a',
  });
  assert.deepEqual(ev.printerColumns.filter((c) => !c.priority).map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
  const node: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'n', namespace: 'default' }, involvedObject: { kind: 'Node', name: 'worker-1', uid: 'worker-1' }, reason: 'NodeNotReady', eventTime: '2025-03-01T09:59:00.000000Z' };
  assert.equal(cells(ev, node)['Last Seen'], '60s');
  assert.equal(cells(ev, node).Count, 1);
  assert.equal(ev.selectableFields!['involvedObject.namespace'](node), '');
  assert.equal(ev.selectableFields!['involvedObject.uid'](e), 'u-1');
  assert.equal(ev.selectableFields!.source(e), 'kubelet');
  assert.deepEqual(ev.validate!(node, ctx), []);
  assert.deepEqual(ev.validate!({ ...e, metadata: { name: 'x', namespace: 'other' } }, ctx).map((x) => x.field), ['involvedObject.namespace']);
});

test('endpoints and selector text', () => {
  const ep = (subsets: J[]): KubeObject => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web' }, subsets });
  assert.equal(formatEndpoints(ep([])), '<none>');
  assert.equal(formatEndpoints(ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 8080 }] }])), '10.0.0.1:8080,10.0.0.2:8080');
  assert.equal(formatEndpoints(ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }])), '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...');
  assert.equal(formatEndpoints(ep([{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }])), '');
  assert.equal(selectorText({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }, { key: 'd', operator: 'DoesNotExist' }] }), 'a=1,b=2,c in (x,y),!d');
  assert.equal(selectorText(undefined), '');
});

test('secrets: stringData is merged into data; types need their keys', () => {
  const sec = kind('', 'secrets');
  const { obj, errs } = create(sec, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', creationTimestamp: ago(MIN) }, data: { a: 'eA==' }, stringData: { b: 'hello' } });
  assert.deepEqual(errs, []);
  assert.equal(obj.type, 'Opaque');
  assert.deepEqual(obj.data, { a: 'eA==', b: 'aGVsbG8=' });
  assert.equal(obj.stringData, undefined);
  assert.deepEqual(cells(sec, obj), { Type: 'Opaque', Data: 2, Age: '60s' });
  assert.deepEqual(create(sec, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 't' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }).errs, ['data[tls.key]: Required']);
  assert.deepEqual(sec.validateUpdate!({ ...obj, type: 'kubernetes.io/tls' }, obj, ctx).map((e) => e.detail), ['field is immutable']);
});
