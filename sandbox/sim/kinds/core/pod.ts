// core/v1 Pod: schema, defaults (including the admission plugins that fill
// every pod: ServiceAccount, Priority, DefaultTolerationSeconds), QoS class,
// validation with the apiserver's messages, the immutable-spec rule and the
// graceful deletion period. PodSpec defaults and validation are shared with
// the workload kinds' pod templates.

import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { bool, dateTime, enumOf, int, obj, str } from '../schema.ts';
import {
  CORE, atomicList, conditionList, coreRef, mapList, objectMeta, resourceList,
} from './definitions.ts';
import {
  duplicate, dns1123Label, forbidden, invalid, nonNegative, notFound, notSupported, PORT_RANGE, portNameErrors,
  qualifiedNameErrors, labelValueErrors, required, validatePortNumOrName, validPortNumber, type FieldErrors,
} from './field-errors.ts';
import { podColumns, podIP } from './pod-printer.ts';
import { compareQuantities, parseQuantity } from './quantity.ts';
import { jsonEqual, record, records, text, type Json } from './table-cells.ts';
import { jsonClone } from '../../api/json-clone.ts';

// ---- schema --------------------------------------------------------------------

definitions.define(`${CORE}.PodCondition`, obj({
  type: str('Condition type: PodScheduled, Initialized, ContainersReady, Ready, DisruptionTarget, PodReadyToStartContainers or a readiness gate.'),
  status: str('True, False or Unknown.'),
  lastProbeTime: dateTime('When the condition was last probed.'),
  lastTransitionTime: dateTime('When the condition last changed status.'),
  reason: str('Machine-readable reason of the last transition.'),
  message: str('Human-readable details of the last transition.'),
}, { required: ['type', 'status'], description: 'One aspect of a pod\'s state.' }));

definitions.define(`${CORE}.PodIP`, obj({ ip: str('An IP address of the pod.') }, { required: ['ip'], description: 'One IP address of a pod.' }));
definitions.define(`${CORE}.HostIP`, obj({ ip: str('An IP address of the node.') }, { required: ['ip'], description: 'One IP address of the pod\'s node.' }));

definitions.define(`${CORE}.ContainerStateWaiting`, obj({
  reason: str('Why the container is not running yet: ContainerCreating, CrashLoopBackOff, ErrImagePull, ImagePullBackOff…'),
  message: str('Details of the wait.'),
}, { description: 'A container that is not running yet.' }));

definitions.define(`${CORE}.ContainerStateRunning`, obj({
  startedAt: dateTime('When the container last started.'),
}, { description: 'A running container.' }));

definitions.define(`${CORE}.ContainerStateTerminated`, obj({
  exitCode: int('Exit status of the last run.'),
  signal: int('Signal that ended the last run.'),
  reason: str('Why it ended: Completed, Error, OOMKilled…'),
  message: str('Details of the termination.'),
  startedAt: dateTime('When the last run started.'),
  finishedAt: dateTime('When the last run ended.'),
  containerID: str('Runtime ID of the container: <type>://<id>.'),
}, { description: 'A container that ran and exited.' }));

definitions.define(`${CORE}.ContainerState`, obj({
  waiting: coreRef('ContainerStateWaiting', 'Set while the container waits to run.'),
  running: coreRef('ContainerStateRunning', 'Set while the container runs.'),
  terminated: coreRef('ContainerStateTerminated', 'Set once the container has exited.'),
}, { description: 'The state of a container: exactly one of waiting, running or terminated.' }));

definitions.define(`${CORE}.ContainerStatus`, obj({
  name: str('Name of the container.'),
  state: coreRef('ContainerState', 'Current state.'),
  lastState: coreRef('ContainerState', 'State of the previous run, for containers that restarted.'),
  ready: bool('Whether the container passes its readiness probe.'),
  restartCount: int('How many times the container was restarted.'),
  image: str('Image the container runs.'),
  imageID: str('ID of that image.'),
  containerID: str('Runtime ID of the container: <type>://<id>.'),
  started: bool('Whether the container has started and passed its startup probe.'),
  allocatedResources: resourceList('Resources the node allocated to the container.'),
  resources: coreRef('ResourceRequirements', 'Resources actually applied to the running container.'),
  volumeMounts: mapList(obj({
    name: str('Name of the mounted volume.'),
    mountPath: str('Path of the mount.'),
    readOnly: bool('Whether the mount is read-only.'),
    recursiveReadOnly: str('Recursive read-only mode in effect.'),
  }, { required: ['name', 'mountPath'] }), ['mountPath'], 'Mounts as seen by the runtime.', { key: 'mountPath' }),
  user: obj({
    linux: obj({
      uid: int('UID of the first process.', 'int64'),
      gid: int('GID of the first process.', 'int64'),
      supplementalGroups: atomicList(int(undefined, 'int64'), 'Supplemental groups of the first process.'),
    }),
  }, { description: 'Identity of the container\'s first process.' }),
  allocatedResourcesStatus: mapList(obj({
    name: str('Resource name.'),
    resources: mapList(obj({ resourceID: str('Resource ID.'), health: str('Healthy, Unhealthy or Unknown.') }, { required: ['resourceID'] }), ['resourceID'], 'Health of each device.'),
  }, { required: ['name'] }), ['name'], 'Health of allocated devices.', { key: 'name' }),
}, { description: 'The observed state of one container.' }));

definitions.define(`${CORE}.PodStatus`, obj({
  phase: enumOf(['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'], 'Pending, Running, Succeeded, Failed or Unknown.'),
  conditions: conditionList(coreRef('PodCondition'), 'Current conditions of the pod.'),
  message: str('Why the pod is in this phase, for humans.'),
  reason: str('Why the pod is in this phase, e.g. Evicted or NodeLost.'),
  nominatedNodeName: str('Node the scheduler expects to place the pod on once preemption completes.'),
  hostIP: str('Primary IP of the node the pod runs on.'),
  hostIPs: { ...atomicList(coreRef('HostIP'), 'IPs of the node the pod runs on.'), 'x-kubernetes-patch-merge-key': 'ip', 'x-kubernetes-patch-strategy': 'merge' },
  podIP: str('Primary IP of the pod.'),
  podIPs: mapList(coreRef('PodIP'), ['ip'], 'IPs of the pod, one per address family.', { key: 'ip' }),
  startTime: dateTime('When the kubelet acknowledged the pod.'),
  initContainerStatuses: atomicList(coreRef('ContainerStatus'), 'Status of each init container.'),
  containerStatuses: atomicList(coreRef('ContainerStatus'), 'Status of each container.'),
  qosClass: enumOf(['BestEffort', 'Burstable', 'Guaranteed'], 'Quality of service class from the containers\' requests and limits: Guaranteed, Burstable or BestEffort.'),
  ephemeralContainerStatuses: atomicList(coreRef('ContainerStatus'), 'Status of each ephemeral container.'),
  resize: str('Progress of an in-place resize.'),
  resourceClaimStatuses: mapList(obj({ name: str('Claim name in the pod.'), resourceClaimName: str('Name of the generated claim.') }, { required: ['name'] }),
    ['name'], 'Generated resource claims.', { key: 'name', strategy: 'merge,retainKeys' }),
}, { description: 'The observed state of a pod; written by the kubelet and the scheduler.' }));

// Bodies of the pods/eviction and pods/binding subresources.
definitions.define('io.k8s.api.policy.v1.Eviction', {
  ...obj({
    apiVersion: str('policy/v1.'),
    kind: str('Eviction.'),
    metadata: objectMeta('Name and namespace of the pod to evict.'),
    deleteOptions: obj({
      apiVersion: str('API version of the options.'),
      kind: str('DeleteOptions.'),
      gracePeriodSeconds: int('Grace period for the deletion; the pod\'s own when unset.', 'int64'),
      preconditions: obj({ uid: str('Required UID of the pod.'), resourceVersion: str('Required resource version of the pod.') }),
      orphanDependents: bool('Deprecated; use propagationPolicy.'),
      propagationPolicy: str('Orphan, Background or Foreground.'),
      dryRun: atomicList(str(), 'All to run without persisting.'),
      ignoreStoreReadErrorWithClusterBreakingPotential: bool('Delete even when the object cannot be read back.'),
    }, { description: 'Options of the deletion the eviction performs.' }),
  }, { description: 'A request to evict a pod, subject to its disruption budgets. Posted to pods/<name>/eviction.' }),
  'x-kubernetes-group-version-kind': [{ group: 'policy', version: 'v1', kind: 'Eviction' }],
});

definitions.define(`${CORE}.Binding`, {
  ...obj({
    apiVersion: str('v1.'),
    kind: str('Binding.'),
    metadata: objectMeta('Name and namespace of the pod to bind.'),
    target: coreRef('ObjectReference', 'The node to bind the pod to.'),
  }, { required: ['target'], description: 'Binds a pod to a node; how the scheduler places pods. Posted to pods/<name>/binding.' }),
  'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Binding' }],
});

// ---- defaults ------------------------------------------------------------------

/** Always for ":latest" or untagged images, IfNotPresent otherwise (including digests). */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (!image || image.includes('@')) return 'IfNotPresent';
  const tail = image.slice(image.lastIndexOf('/') + 1);
  const colon = tail.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return tail.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function unset(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

function defaultHttpGet(h: unknown): void {
  if (!h || typeof h !== 'object') return;
  const g = h as Json;
  if (unset(g.path)) g.path = '/';
  if (unset(g.scheme)) g.scheme = 'HTTP';
}

function defaultProbe(p: unknown): void {
  if (!p || typeof p !== 'object') return;
  const probe = p as Json;
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
  defaultHttpGet(probe.httpGet);
}

function defaultFieldRef(ref: unknown): void {
  if (ref && typeof ref === 'object' && unset((ref as Json).apiVersion)) (ref as Json).apiVersion = 'v1';
}

/** SetDefaults_Container: termination message, pull policy, ports, probes, env field refs. */
export function defaultContainer(c: Json): void {
  if (unset(c.terminationMessagePath)) c.terminationMessagePath = '/dev/termination-log';
  if (unset(c.terminationMessagePolicy)) c.terminationMessagePolicy = 'File';
  if (unset(c.imagePullPolicy)) c.imagePullPolicy = defaultPullPolicy(text(c.image));
  for (const p of Array.isArray(c.ports) ? c.ports : []) {
    if (p && typeof p === 'object' && unset((p as Json).protocol)) (p as Json).protocol = 'TCP';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  const lc = record(c.lifecycle);
  defaultHttpGet(record(lc.postStart).httpGet);
  defaultHttpGet(record(lc.preStop).httpGet);
  for (const e of Array.isArray(c.env) ? c.env : []) defaultFieldRef(record(record(e).valueFrom).fieldRef);
}

const DEFAULT_MODE = 420; // 0644

function defaultVolume(v: Json): void {
  const sources = Object.keys(v).filter((k) => k !== 'name');
  if (!sources.length) v.emptyDir = {};
  for (const k of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    const src = v[k];
    if (src && typeof src === 'object' && (src as Json).defaultMode === undefined) (src as Json).defaultMode = DEFAULT_MODE;
  }
  for (const item of records(record(v.downwardAPI).items)) defaultFieldRef(item.fieldRef);
  for (const src of records(record(v.projected).sources)) {
    const token = src.serviceAccountToken;
    if (token && typeof token === 'object' && (token as Json).expirationSeconds === undefined) (token as Json).expirationSeconds = 3600;
    for (const item of records(record(src.downwardAPI).items)) defaultFieldRef(item.fieldRef);
  }
  if (v.hostPath && typeof v.hostPath === 'object' && (v.hostPath as Json).type === undefined) (v.hostPath as Json).type = '';
}

/** SetDefaults_PodSpec and its children: applies to pods and to pod templates. */
export function defaultPodSpec(s: Json): void {
  if (unset(s.dnsPolicy)) s.dnsPolicy = 'ClusterFirst';
  if (unset(s.restartPolicy)) s.restartPolicy = 'Always';
  if (s.securityContext === undefined || s.securityContext === null) s.securityContext = {};
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null) s.terminationGracePeriodSeconds = 30;
  if (unset(s.schedulerName)) s.schedulerName = 'default-scheduler';
  // serviceAccount is the deprecated mirror of serviceAccountName.
  if (unset(s.serviceAccountName) && !unset(s.serviceAccount)) s.serviceAccountName = s.serviceAccount;
  if (!unset(s.serviceAccountName)) s.serviceAccount = s.serviceAccountName;
  for (const v of Array.isArray(s.volumes) ? s.volumes : []) if (v && typeof v === 'object') defaultVolume(v as Json);
  for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of Array.isArray(s[key]) ? s[key] as unknown[] : []) if (c && typeof c === 'object') defaultContainer(c as Json);
  }
}

const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

const SYSTEM_PRIORITIES: Record<string, number> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

/** Pod-only defaults: requests from limits, service links, and the admission plugins' fields. */
function defaultPod(pod: KubeObject): void {
  if (!pod.spec || typeof pod.spec !== 'object') pod.spec = {};
  const s = pod.spec as Json;
  // Requests default to limits, container by container.
  for (const key of ['containers', 'initContainers']) {
    for (const c of records(s[key])) {
      const res = c.resources as Json | undefined;
      if (!res || typeof res !== 'object' || !res.limits || typeof res.limits !== 'object') continue;
      const requests = (res.requests && typeof res.requests === 'object' ? res.requests : {}) as Json;
      for (const [name, q] of Object.entries(res.limits as Json)) if (requests[name] === undefined) requests[name] = q;
      res.requests = requests;
    }
  }
  defaultPodSpec(s);
  if (s.enableServiceLinks === undefined || s.enableServiceLinks === null) s.enableServiceLinks = true;
  // ServiceAccount admission.
  if (unset(s.serviceAccountName)) {
    s.serviceAccountName = 'default';
    s.serviceAccount = 'default';
  }
  // Priority admission.
  if (s.priority === undefined || s.priority === null) s.priority = SYSTEM_PRIORITIES[text(s.priorityClassName)] ?? 0;
  if (unset(s.preemptionPolicy)) s.preemptionPolicy = 'PreemptLowerPriority';
  // DefaultTolerationSeconds admission.
  const tolerations = records(s.tolerations);
  const tolerates = (key: string): boolean => tolerations.some((t) =>
    (t.key === key || unset(t.key)) && (t.effect === 'NoExecute' || unset(t.effect)));
  const added: Json[] = [];
  for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
    if (!tolerates(key)) added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
  if (added.length) s.tolerations = [...(Array.isArray(s.tolerations) ? s.tolerations : []), ...added];
  // podIP/podIPs and hostIP/hostIPs are kept in step, like the v1 conversion does.
  if (pod.status && typeof pod.status === 'object') {
    const st = pod.status as Json;
    // The QoS class is fixed at creation; a status write that drops it gets it back.
    if (unset(st.qosClass)) st.qosClass = qosClass(s);
    for (const [single, plural] of [['podIP', 'podIPs'], ['hostIP', 'hostIPs']] as const) {
      const list = records(st[plural]);
      // The single field wins when both are set and disagree (older kubelets write only it).
      if (!unset(st[single]) && (!list.length || list[0].ip !== st[single])) st[plural] = [{ ip: st[single] }];
      else if (unset(st[single]) && list.length && !unset(list[0].ip)) st[single] = list[0].ip;
    }
  }
}

// ---- QoS -----------------------------------------------------------------------------

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'];

/** The pod's QoS class from its containers' requests and limits (after defaulting). */
export function qosClass(podSpec: unknown): QosClass {
  const s = record(podSpec);
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const c of [...records(s.containers), ...records(s.initContainers)]) {
    const res = record(c.resources);
    for (const [name, q] of Object.entries(record(res.requests))) {
      const v = parseQuantity(q) ?? 0;
      if (QOS_RESOURCES.includes(name) && v > 0) requests.set(name, (requests.get(name) ?? 0) + v);
    }
    const found = new Set<string>();
    for (const [name, q] of Object.entries(record(res.limits))) {
      const v = parseQuantity(q) ?? 0;
      if (QOS_RESOURCES.includes(name) && v > 0) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0) + v);
      }
    }
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (!requests.size && !limits.size) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (lim === undefined || compareQuantities(lim, req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

// ---- validation ----------------------------------------------------------------------

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateHandler(h: Json, path: string): FieldErrors {
  const errs: FieldErrors = [];
  let count = 0;
  for (const k of ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep']) {
    if (h[k] === undefined || h[k] === null) continue;
    if (count > 0) {
      errs.push(forbidden(`${path}.${k}`, 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    const a = record(h[k]);
    if (k === 'exec' && !(Array.isArray(a.command) && a.command.length)) errs.push(required(`${path}.exec.command`));
    if (k === 'httpGet') {
      if (unset(a.path)) errs.push(required(`${path}.httpGet.path`));
      errs.push(...validatePortNumOrName(a.port, `${path}.httpGet.port`));
      if (!unset(a.scheme) && a.scheme !== 'HTTP' && a.scheme !== 'HTTPS') errs.push(notSupported(`${path}.httpGet.scheme`, a.scheme, ['HTTP', 'HTTPS']));
    }
    if (k === 'tcpSocket') errs.push(...validatePortNumOrName(a.port, `${path}.tcpSocket.port`));
    if (k === 'grpc' && !validPortNumber(a.port)) errs.push(invalid(`${path}.grpc.port`, a.port ?? 0, PORT_RANGE));
  }
  if (count === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(p: unknown, path: string, mustSucceedOnce: boolean): FieldErrors {
  if (!p || typeof p !== 'object') return [];
  const probe = p as Json;
  const errs = validateHandler(probe, path);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(probe[k], `${path}.${k}`));
  }
  if (mustSucceedOnce && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(invalid(`${path}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  return errs;
}

function validateResources(res: Json, path: string): FieldErrors {
  const errs: FieldErrors = [];
  const limits = record(res.limits);
  const requests = record(res.requests);
  for (const [name, q] of Object.entries(limits)) {
    const v = parseQuantity(q);
    if (v === undefined) errs.push(invalid(`${path}.limits[${name}]`, q, 'quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\''));
    else if (v < 0) errs.push(invalid(`${path}.limits[${name}]`, q, 'must be greater than or equal to 0'));
  }
  for (const [name, q] of Object.entries(requests)) {
    const v = parseQuantity(q);
    if (v === undefined) {
      errs.push(invalid(`${path}.requests[${name}]`, q, 'quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\''));
      continue;
    }
    if (v < 0) errs.push(invalid(`${path}.requests[${name}]`, q, 'must be greater than or equal to 0'));
    if (limits[name] !== undefined && parseQuantity(limits[name]) !== undefined && compareQuantities(q, limits[name]) > 0) {
      errs.push(invalid(`${path}.requests`, String(q), `must be less than or equal to ${name} limit of ${String(limits[name])}`));
    }
  }
  return errs;
}

function validateContainer(c: Json, path: string, volumes: Set<string>, opts: { init: boolean }): FieldErrors {
  const errs: FieldErrors = [];
  const name = text(c.name);
  if (!name) errs.push(required(`${path}.name`));
  else errs.push(...dns1123Label(name, `${path}.name`));
  if (!text(c.image)) errs.push(required(`${path}.image`));
  if (!unset(c.imagePullPolicy) && !PULL_POLICIES.includes(text(c.imagePullPolicy))) {
    errs.push(notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  }
  if (!unset(c.terminationMessagePolicy) && !TERMINATION_MESSAGE_POLICIES.includes(text(c.terminationMessagePolicy))) {
    errs.push(notSupported(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  // Ports.
  const portNames = new Set<string>();
  records(c.ports).forEach((p, i) => {
    const pp = `${path}.ports[${i}]`;
    if (!unset(p.name)) {
      const msgs = portNameErrors(text(p.name));
      if (msgs.length) errs.push(...msgs.map((m) => invalid(`${pp}.name`, p.name, m)));
      else if (portNames.has(text(p.name))) errs.push(duplicate(`${pp}.name`, p.name));
      else portNames.add(text(p.name));
    }
    if (p.containerPort === undefined || p.containerPort === 0) errs.push(required(`${pp}.containerPort`));
    else if (!validPortNumber(p.containerPort)) errs.push(invalid(`${pp}.containerPort`, p.containerPort, PORT_RANGE));
    if (p.hostPort !== undefined && p.hostPort !== 0 && !validPortNumber(p.hostPort)) errs.push(invalid(`${pp}.hostPort`, p.hostPort, PORT_RANGE));
    if (unset(p.protocol)) errs.push(required(`${pp}.protocol`));
    else if (!PROTOCOLS.includes(text(p.protocol))) errs.push(notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
  });
  // Environment.
  records(c.env).forEach((e, i) => {
    const ep = `${path}.env[${i}]`;
    if (!text(e.name)) errs.push(required(`${ep}.name`));
    else if (!/^[\x20-\x7e]+$/.test(text(e.name)) || text(e.name).includes('=')) {
      errs.push(invalid(`${ep}.name`, e.name, 'a valid environment variable name must consist only of printable ASCII characters other than \'=\''));
    }
    if (e.valueFrom && typeof e.valueFrom === 'object') {
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => record(e.valueFrom)[k] !== undefined);
      if (sources.length > 1) errs.push(invalid(`${ep}.valueFrom`, '', 'may not have more than one field specified at a time'));
      else if (sources.length === 0) errs.push(invalid(`${ep}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      if (!unset(e.value) && sources.length) errs.push(invalid(`${ep}.valueFrom`, '', 'may not be specified when `value` is not empty'));
      const fieldRef = record(record(e.valueFrom).fieldRef);
      if (record(e.valueFrom).fieldRef !== undefined && !text(fieldRef.fieldPath)) errs.push(required(`${ep}.valueFrom.fieldRef.fieldPath`));
      for (const k of ['configMapKeyRef', 'secretKeyRef']) {
        const sel = record(e.valueFrom)[k];
        if (sel !== undefined && !text(record(sel).key)) errs.push(required(`${ep}.valueFrom.${k}.key`));
      }
    }
  });
  // Volume mounts.
  const mountPaths = new Set<string>();
  records(c.volumeMounts).forEach((m, i) => {
    const mp = `${path}.volumeMounts[${i}]`;
    const volName = text(m.name);
    if (!volName) errs.push(required(`${mp}.name`));
    else if (!volumes.has(volName)) errs.push(notFound(`${mp}.name`, volName));
    const mountPath = text(m.mountPath);
    if (!mountPath) errs.push(required(`${mp}.mountPath`));
    else if (mountPaths.has(mountPath)) errs.push(invalid(`${mp}.mountPath`, mountPath, 'must be unique'));
    else mountPaths.add(mountPath);
  });
  // Probes and lifecycle.
  if (opts.init && c.restartPolicy !== 'Always') {
    for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle']) {
      if (c[k] !== undefined) errs.push(forbidden(`${path}.${k}`, `may not be set for init containers without restartPolicy=Always`));
    }
  } else {
    errs.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`, true));
    errs.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`, false));
    errs.push(...validateProbe(c.startupProbe, `${path}.startupProbe`, true));
    const lc = record(c.lifecycle);
    for (const k of ['postStart', 'preStop']) if (lc[k] !== undefined) errs.push(...validateHandler(record(lc[k]), `${path}.lifecycle.${k}`));
  }
  if (!unset(c.restartPolicy)) {
    if (!opts.init) errs.push(forbidden(`${path}.restartPolicy`, 'may not be set for non-init containers'));
    else if (c.restartPolicy !== 'Always') errs.push(notSupported(`${path}.restartPolicy`, c.restartPolicy, ['Always']));
  }
  if (c.resources && typeof c.resources === 'object') errs.push(...validateResources(c.resources as Json, `${path}.resources`));
  return errs;
}

function validateVolumes(s: Json, path: string): { errs: FieldErrors; names: Set<string> } {
  const errs: FieldErrors = [];
  const names = new Set<string>();
  records(s.volumes).forEach((v, i) => {
    const vp = `${path}.volumes[${i}]`;
    const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
    if (sources.length === 0) errs.push(required(vp, 'must specify a volume type'));
    for (const extra of sources.slice(1)) errs.push(forbidden(`${vp}.${extra}`, 'may not specify more than 1 volume type'));
    const src = record(v[sources[0]]);
    switch (sources[0]) {
      case 'persistentVolumeClaim': if (!text(src.claimName)) errs.push(required(`${vp}.persistentVolumeClaim.claimName`)); break;
      case 'configMap': if (!text(src.name)) errs.push(required(`${vp}.configMap.name`)); break;
      case 'secret': if (!text(src.secretName)) errs.push(required(`${vp}.secret.secretName`)); break;
      case 'hostPath': if (!text(src.path)) errs.push(required(`${vp}.hostPath.path`)); break;
      default: break;
    }
    const name = text(v.name);
    if (!name) errs.push(required(`${vp}.name`));
    else errs.push(...dns1123Label(name, `${vp}.name`));
    if (names.has(name)) errs.push(duplicate(`${vp}.name`, name));
    names.add(name);
  });
  return { errs, names };
}

function validateTolerations(list: unknown, path: string): FieldErrors {
  const errs: FieldErrors = [];
  records(list).forEach((t, i) => {
    const tp = `${path}[${i}]`;
    const key = text(t.key);
    if (key) errs.push(...qualifiedNameErrors(key).map((d) => invalid(`${tp}.key`, key, d)));
    if (!key && t.operator !== 'Exists') {
      errs.push(invalid(`${tp}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalid(`${tp}.effect`, t.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
    }
    switch (t.operator ?? '') {
      case 'Equal': case '': {
        const msgs = labelValueErrors(text(t.value));
        if (msgs.length) errs.push(invalid(`${tp}.operator`, t.value, msgs.join(';')));
        break;
      }
      case 'Exists':
        if (!unset(t.value)) errs.push(invalid(`${tp}.operator`, t, 'value must be empty when `operator` is \'Exists\''));
        break;
      default:
        errs.push(notSupported(`${tp}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (!unset(t.effect) && !TAINT_EFFECTS.includes(text(t.effect))) errs.push(notSupported(`${tp}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

/**
 * ValidatePodSpec, for pods and pod templates (`path` is "spec" or
 * "spec.template.spec"). Values are validated after defaulting.
 */
export function validatePodSpec(podSpec: unknown, path: string): FieldErrors {
  const s = record(podSpec);
  const { errs, names: volumes } = validateVolumes(s, path);
  const containers = records(s.containers);
  const initContainers = records(s.initContainers);
  const names = new Set<string>();
  if (!containers.length) errs.push(required(`${path}.containers`));
  containers.forEach((c, i) => {
    errs.push(...validateContainer(c, `${path}.containers[${i}]`, volumes, { init: false }));
    const n = text(c.name);
    if (n && names.has(n)) errs.push(duplicate(`${path}.containers[${i}].name`, n));
    names.add(n);
  });
  initContainers.forEach((c, i) => {
    errs.push(...validateContainer(c, `${path}.initContainers[${i}]`, volumes, { init: true }));
    const n = text(c.name);
    if (n && names.has(n)) errs.push(duplicate(`${path}.initContainers[${i}].name`, n));
    names.add(n);
  });
  const restartPolicy = text(s.restartPolicy);
  if (!restartPolicy) errs.push(required(`${path}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(restartPolicy)) errs.push(notSupported(`${path}.restartPolicy`, restartPolicy, RESTART_POLICIES));
  const dnsPolicy = text(s.dnsPolicy);
  if (!dnsPolicy) errs.push(required(`${path}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(dnsPolicy)) errs.push(notSupported(`${path}.dnsPolicy`, dnsPolicy, DNS_POLICIES));
  for (const [k, v] of Object.entries(record(s.nodeSelector))) {
    errs.push(...qualifiedNameErrors(k).map((d) => invalid(`${path}.nodeSelector`, k, d)));
    errs.push(...labelValueErrors(text(v)).map((d) => invalid(`${path}.nodeSelector`, v, d)));
  }
  records(s.imagePullSecrets).forEach((r, i) => {
    if (!text(r.name)) errs.push(required(`${path}.imagePullSecrets[${i}].name`));
  });
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null
    && (typeof s.activeDeadlineSeconds !== 'number' || s.activeDeadlineSeconds <= 0 || s.activeDeadlineSeconds > 2147483647)) {
    errs.push(invalid(`${path}.activeDeadlineSeconds`, s.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  for (const k of ['hostname', 'subdomain']) {
    if (!unset(s[k])) errs.push(...dns1123Label(text(s[k]), `${path}.${k}`));
  }
  errs.push(...validateTolerations(s.tolerations, `${path}.tolerations`));
  return errs;
}

// ---- updates -------------------------------------------------------------------------

const UPDATABLE_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** Paths where two JSON trees differ, with both values (for the Forbidden message). */
function differences(a: unknown, b: unknown, path: string, out: string[]): void {
  if (jsonEqual(a, b)) return;
  const bothObjects = typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && Array.isArray(a) === Array.isArray(b);
  if (bothObjects && Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => differences(x, b[i], `${path}[${i}]`, out));
    return;
  }
  if (bothObjects && !Array.isArray(a)) {
    const keys = new Set([...Object.keys(a as Json), ...Object.keys(b as Json)]);
    for (const k of keys) differences((a as Json)[k], (b as Json)[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (a !== undefined) out.push(`- \t${path}: ${JSON.stringify(a)}`);
  if (b !== undefined) out.push(`+ \t${path}: ${JSON.stringify(b)}`);
}

function tolerationsOnlyAdded(oldList: Json[], newList: Json[]): boolean {
  return oldList.every((o) => newList.some((n) => jsonEqual(n, o)
    || (o.effect === 'NoExecute' && typeof o.tolerationSeconds === 'number' && typeof n.tolerationSeconds === 'number'
      && n.tolerationSeconds <= o.tolerationSeconds
      && jsonEqual({ ...n, tolerationSeconds: 0 }, { ...o, tolerationSeconds: 0 }))));
}

/** ValidatePodUpdate: the spec is immutable except images, deadlines, added tolerations and gate removals. */
export function validatePodSpecUpdate(newSpec: unknown, oldSpec: unknown): FieldErrors {
  const oldS = record(oldSpec);
  const munged = jsonClone(record(newSpec));
  for (const key of ['containers', 'initContainers']) {
    const oldList = records(oldS[key]);
    const newList = records(munged[key]);
    if (oldList.length === newList.length) newList.forEach((c, i) => { c.image = oldList[i].image; });
  }
  const errs: FieldErrors = [];
  const oldDeadline = oldS.activeDeadlineSeconds;
  const newDeadline = munged.activeDeadlineSeconds;
  if (typeof newDeadline === 'number' && (oldDeadline === undefined || oldDeadline === null || (typeof oldDeadline === 'number' && newDeadline <= oldDeadline))) {
    munged.activeDeadlineSeconds = oldDeadline;
    if (oldDeadline === undefined) delete munged.activeDeadlineSeconds;
  }
  if (tolerationsOnlyAdded(records(oldS.tolerations), records(munged.tolerations))) {
    munged.tolerations = oldS.tolerations;
    if (oldS.tolerations === undefined) delete munged.tolerations;
  }
  if (typeof oldS.terminationGracePeriodSeconds === 'number' && oldS.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldS.terminationGracePeriodSeconds;
  }
  const oldGates = records(oldS.schedulingGates);
  const newGates = records(munged.schedulingGates);
  if (newGates.every((g) => oldGates.some((o) => jsonEqual(o, g)))) {
    munged.schedulingGates = oldS.schedulingGates;
    if (oldS.schedulingGates === undefined) delete munged.schedulingGates;
  }
  if (!jsonEqual(munged, oldS)) {
    const diff: string[] = [];
    differences(oldS, munged, '', diff);
    errs.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_FIELDS.join(',')}\n  core.PodSpec{\n${diff.map((l) => `  ${l}`).join('\n')}\n  }\n`));
  }
  return errs;
}

// ---- the kind --------------------------------------------------------------------------

function phaseOf(pod: KubeObject): string {
  return text(record(pod.status).phase);
}

export const podKind: KindDef = {
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true,
  shortNames: ['po'], categories: ['all'], custom: false,
  subresources: { status: true },
  extraSubresources: [
    { name: 'eviction', kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
    { name: 'log', kind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
    { name: 'exec', kind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] },
    { name: 'attach', kind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: ['create', 'get'] },
    { name: 'portforward', kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: ['create', 'get'] },
    { name: 'binding', kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
  ],
  schemaName: `${CORE}.Pod`,
  schema: obj({
    spec: coreRef('PodSpec', 'Desired state of the pod: containers, volumes, scheduling.'),
    status: coreRef('PodStatus', 'Observed state of the pod; read-only for users.'),
  }),
  description: 'A group of containers scheduled together onto one node, sharing network and volumes. Usually created by a controller (Deployment, StatefulSet, KubeVirt\'s virt-launcher).',
  printerColumns: podColumns,
  selectableFields: {
    'spec.nodeName': (o) => text(record(o.spec).nodeName),
    'spec.restartPolicy': (o) => text(record(o.spec).restartPolicy),
    'spec.schedulerName': (o) => text(record(o.spec).schedulerName),
    'spec.serviceAccountName': (o) => text(record(o.spec).serviceAccountName),
    'spec.hostNetwork': (o) => String(record(o.spec).hostNetwork === true),
    'status.phase': (o) => phaseOf(o),
    'status.podIP': (o) => podIP(o),
    'status.nominatedNodeName': (o) => text(record(o.status).nominatedNodeName),
  },
  defaults: defaultPod,
  prepareForCreate(obj) {
    const s = record(obj.spec);
    const st: Json = { phase: 'Pending', qosClass: qosClass(s) };
    if (records(s.schedulingGates).length) {
      st.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' }];
    }
    obj.status = st;
  },
  validate(obj) {
    return validatePodSpec(obj.spec, 'spec');
  },
  validateUpdate(obj, old) {
    return validatePodSpecUpdate(obj.spec, old.spec);
  },
  gracefulDeletionSeconds(obj, requested) {
    const s = record(obj.spec);
    let period = requested ?? (typeof s.terminationGracePeriodSeconds === 'number' ? s.terminationGracePeriodSeconds : 30);
    if (!text(s.nodeName)) period = 0;
    const phase = phaseOf(obj);
    if (phase === 'Succeeded' || phase === 'Failed') period = 0;
    if (period < 0) period = 1;
    return period;
  },
};
