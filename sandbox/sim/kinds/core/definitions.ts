// Shared schema definitions of the built-in kinds, under their upstream OpenAPI
// names (io.k8s.api.core.v1.PodSpec…). Field sets and list semantics follow
// k8s.io/api v0.32; descriptions are our own. Kind-specific types (ServiceSpec,
// NodeStatus…) live in the kind's own file.

import { definitions, META } from '../meta.ts';
import {
  arr, bool, dateTime, enumOf, freeform, int, intOrString, mapOf, obj, quantity, ref, str, stringMap,
  type Schema,
} from '../schema.ts';

export const CORE = 'io.k8s.api.core.v1';

// ---- list and map shapes ---------------------------------------------------

/** A list replaced as a whole by patches and apply. */
export function atomicList(items: Schema, description?: string): Schema {
  return { ...arr(items, description), 'x-kubernetes-list-type': 'atomic' };
}

/** A list of unique scalars (apply merges by value). */
export function setList(items: Schema, description?: string, patchStrategy?: string): Schema {
  return {
    ...arr(items, description), 'x-kubernetes-list-type': 'set',
    ...(patchStrategy ? { 'x-kubernetes-patch-strategy': patchStrategy } : {}),
  };
}

/**
 * A list-map: apply identifies items by `keys`; strategic merge patch merges
 * by `mergeKey` when one is given (some upstream lists have map keys for apply
 * but no patch merge key).
 */
export function mapList(items: Schema, keys: string[], description?: string, merge?: { key: string; strategy?: string }): Schema {
  const s: Schema = { ...arr(items, description), 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys };
  if (merge) {
    s['x-kubernetes-patch-merge-key'] = merge.key;
    s['x-kubernetes-patch-strategy'] = merge.strategy ?? 'merge';
  }
  return s;
}

/** Conditions keyed by type, merged by type. */
export function conditionList(items: Schema, description = 'Latest observations of the object\'s state, one per condition type.'): Schema {
  return mapList(items, ['type'], description, { key: 'type' });
}

/** A map of resource names (cpu, memory, storage…) to quantities. */
export function resourceList(description?: string): Schema {
  return mapOf(quantity(), description);
}

export function labelSelector(description: string): Schema {
  return ref(`${META}.LabelSelector`, description);
}

export function objectMeta(description = 'Standard object metadata.'): Schema {
  return ref(`${META}.ObjectMeta`, description);
}

export function microTime(description?: string): Schema {
  return { type: 'string', format: 'date-time', ...(description ? { description } : {}) };
}

function core(name: string, schema: Schema): Schema {
  return definitions.define(`${CORE}.${name}`, schema);
}

export function coreRef(name: string, description?: string): Schema {
  return ref(`${CORE}.${name}`, description);
}

// ---- references --------------------------------------------------------------

core('ObjectReference', {
  ...obj({
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent.'),
    namespace: str('Namespace of the referent.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
    resourceVersion: str('Version of the referent this reference was made against.'),
    fieldPath: str('A part of the referent, e.g. "spec.containers{web}" for one container of a pod.'),
  }, { description: 'Points at another object, possibly at one field of it.' }),
  'x-kubernetes-map-type': 'atomic',
});

core('LocalObjectReference', {
  ...obj({ name: str('Name of the referent in the same namespace.', { default: '' }) },
    { description: 'Names an object in the same namespace.' }),
  'x-kubernetes-map-type': 'atomic',
});

core('TypedLocalObjectReference', {
  ...obj({
    apiGroup: str('API group of the referent; empty for the core group.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
  }, { required: ['kind', 'name'], description: 'Names an object of a given kind in the same namespace.' }),
  'x-kubernetes-map-type': 'atomic',
});

core('TypedObjectReference', obj({
  apiGroup: str('API group of the referent; empty for the core group.'),
  kind: str('Kind of the referent.'),
  name: str('Name of the referent.'),
  namespace: str('Namespace of the referent, when it is not the referring object\'s.'),
}, { required: ['kind', 'name'], description: 'Names an object of a given kind, possibly in another namespace.' }));

core('SecretReference', {
  ...obj({
    name: str('Name of the secret.'),
    namespace: str('Namespace of the secret.'),
  }, { description: 'Names a secret in any namespace.' }),
  'x-kubernetes-map-type': 'atomic',
});

// ---- environment -------------------------------------------------------------

core('ObjectFieldSelector', {
  ...obj({
    apiVersion: str('Version of the schema fieldPath is written in; defaults to "v1".'),
    fieldPath: str('Path of the field to select, e.g. metadata.name or status.podIP.'),
  }, { required: ['fieldPath'], description: 'Selects a field of the pod.' }),
  'x-kubernetes-map-type': 'atomic',
});

core('ResourceFieldSelector', {
  ...obj({
    containerName: str('Container whose resources are read; required for volumes.'),
    resource: str('Resource to read: limits.cpu, limits.memory, requests.cpu, requests.memory…'),
    divisor: quantity('Unit the value is expressed in; defaults to 1.'),
  }, { required: ['resource'], description: 'Selects a resource limit or request of a container.' }),
  'x-kubernetes-map-type': 'atomic',
});

core('ConfigMapKeySelector', {
  ...obj({
    name: str('Name of the ConfigMap.', { default: '' }),
    key: str('Key to read.'),
    optional: bool('Whether the ConfigMap or key may be missing.'),
  }, { required: ['key'], description: 'Selects one key of a ConfigMap.' }),
  'x-kubernetes-map-type': 'atomic',
});

core('SecretKeySelector', {
  ...obj({
    name: str('Name of the Secret.', { default: '' }),
    key: str('Key to read.'),
    optional: bool('Whether the Secret or key may be missing.'),
  }, { required: ['key'], description: 'Selects one key of a Secret.' }),
  'x-kubernetes-map-type': 'atomic',
});

core('EnvVarSource', obj({
  fieldRef: coreRef('ObjectFieldSelector', 'A field of the pod: metadata.name, metadata.namespace, metadata.labels[\'<KEY>\'], spec.nodeName, status.podIP…'),
  resourceFieldRef: coreRef('ResourceFieldSelector', 'A resource limit or request of a container.'),
  configMapKeyRef: coreRef('ConfigMapKeySelector', 'A key of a ConfigMap in the pod\'s namespace.'),
  secretKeyRef: coreRef('SecretKeySelector', 'A key of a Secret in the pod\'s namespace.'),
}, { description: 'Where an environment variable takes its value from.' }));

core('EnvVar', obj({
  name: str('Name of the variable.'),
  value: str('Literal value; $(VAR) references to earlier variables are expanded. Defaults to "".'),
  valueFrom: coreRef('EnvVarSource', 'Takes the value from the pod, a ConfigMap or a Secret. Cannot be used together with value.'),
}, { required: ['name'], description: 'An environment variable of a container.' }));

core('ConfigMapEnvSource', obj({
  name: str('Name of the ConfigMap.', { default: '' }),
  optional: bool('Whether the ConfigMap may be missing.'),
}, { description: 'Exposes every key of a ConfigMap as an environment variable.' }));

core('SecretEnvSource', obj({
  name: str('Name of the Secret.', { default: '' }),
  optional: bool('Whether the Secret may be missing.'),
}, { description: 'Exposes every key of a Secret as an environment variable.' }));

core('EnvFromSource', obj({
  prefix: str('Prefix prepended to every variable name.'),
  configMapRef: coreRef('ConfigMapEnvSource', 'The ConfigMap to import.'),
  secretRef: coreRef('SecretEnvSource', 'The Secret to import.'),
}, { description: 'A set of environment variables imported from a ConfigMap or Secret.' }));

// ---- resources, ports, mounts ----------------------------------------------

core('ContainerPort', obj({
  name: str('IANA service name of the port, unique in the pod; Services can refer to it.'),
  containerPort: int('Port number on the pod\'s IP address (1-65535).'),
  protocol: enumOf(['SCTP', 'TCP', 'UDP'], 'UDP, TCP or SCTP. Defaults to TCP.'),
  hostPort: int('Port number to expose on the node as well; rarely needed.'),
  hostIP: str('Node IP the host port binds to.'),
}, { required: ['containerPort'], description: 'A network port a container listens on.' }));

core('ResourceClaim', obj({
  name: str('Name of an entry of spec.resourceClaims of the pod.'),
  request: str('Name of one request of the claim; empty means all of it.'),
}, { required: ['name'], description: 'A reference to one dynamic resource claim of the pod.' }));

core('ResourceRequirements', obj({
  limits: resourceList('Maximum amount of each resource the container may use.'),
  requests: resourceList('Amount of each resource reserved for the container when scheduling; defaults to limits when only limits are set.'),
  claims: mapList(coreRef('ResourceClaim'), ['name'], 'Dynamic resource claims used by the container.'),
}, { description: 'Compute resources (cpu, memory…) requested and limited for a container.' }));

core('VolumeResourceRequirements', obj({
  limits: resourceList('Maximum storage the volume may have.'),
  requests: resourceList('Minimum storage the volume must have, e.g. storage: 10Gi.'),
}, { description: 'Storage requested for a persistent volume claim.' }));

core('ContainerResizePolicy', obj({
  resourceName: str('Resource this policy applies to: cpu or memory.'),
  restartPolicy: str('What happens to the container when the resource is resized: NotRequired or RestartContainer.'),
}, { required: ['resourceName', 'restartPolicy'], description: 'How a container reacts to an in-place resize of one resource.' }));

core('VolumeMount', obj({
  name: str('Name of a volume of the pod.'),
  mountPath: str('Path in the container where the volume is mounted; must not contain ":".'),
  readOnly: bool('Mount read-only. Defaults to false.'),
  recursiveReadOnly: str('Whether read-only mounts are read-only recursively: Disabled, IfPossible or Enabled.'),
  subPath: str('Path inside the volume to mount instead of its root.'),
  subPathExpr: str('Like subPath, with $(VAR) references to the container\'s environment expanded.'),
  mountPropagation: str('How mounts propagate between host and container: None, HostToContainer or Bidirectional.'),
}, { required: ['name', 'mountPath'], description: 'Where a volume appears inside a container.' }));

core('VolumeDevice', obj({
  name: str('Name of a persistent volume claim of the pod.'),
  devicePath: str('Path of the block device inside the container.'),
}, { required: ['name', 'devicePath'], description: 'A raw block device mapped into a container.' }));

// ---- probes and lifecycle ----------------------------------------------------

core('ExecAction', obj({
  command: atomicList(str(), 'Command run inside the container, without a shell; exit status 0 means healthy.'),
}, { description: 'Runs a command in the container.' }));

core('HTTPHeader', obj({
  name: str('Header name.'),
  value: str('Header value.'),
}, { required: ['name', 'value'], description: 'An HTTP header sent by a probe.' }));

core('HTTPGetAction', obj({
  path: str('Path to request. Defaults to "/".'),
  port: intOrString('Port number or name of a container port.'),
  host: str('Host to connect to; defaults to the pod IP.'),
  scheme: enumOf(['HTTP', 'HTTPS'], 'HTTP or HTTPS. Defaults to HTTP.'),
  httpHeaders: atomicList(coreRef('HTTPHeader'), 'Extra request headers.'),
}, { required: ['port'], description: 'An HTTP GET request; a status from 200 to 399 means success.' }));

core('TCPSocketAction', obj({
  port: intOrString('Port number or name of a container port.'),
  host: str('Host to connect to; defaults to the pod IP.'),
}, { required: ['port'], description: 'Opens a TCP connection; success when it connects.' }));

core('GRPCAction', obj({
  port: int('Port of the gRPC health service.'),
  service: str('Service name sent in the health check request; empty checks the server as a whole.', { default: '' }),
}, { required: ['port'], description: 'Calls the standard gRPC health checking service.' }));

core('SleepAction', obj({
  seconds: int('How long to sleep.', 'int64'),
}, { required: ['seconds'], description: 'Waits for a number of seconds.' }));

core('Probe', obj({
  exec: coreRef('ExecAction', 'Run a command in the container.'),
  httpGet: coreRef('HTTPGetAction', 'Send an HTTP GET request.'),
  tcpSocket: coreRef('TCPSocketAction', 'Open a TCP connection.'),
  grpc: coreRef('GRPCAction', 'Call the gRPC health service.'),
  initialDelaySeconds: int('Seconds after the container starts before the first probe.'),
  timeoutSeconds: int('Seconds before a probe attempt times out. Defaults to 1.'),
  periodSeconds: int('Seconds between probe attempts. Defaults to 10.'),
  successThreshold: int('Consecutive successes needed after a failure. Defaults to 1; must be 1 for liveness and startup probes.'),
  failureThreshold: int('Consecutive failures before the probe counts as failed. Defaults to 3.'),
  terminationGracePeriodSeconds: int('Grace period used when a failed liveness or startup probe kills the container; overrides the pod\'s.', 'int64'),
}, { description: 'A periodic health check of a container: exactly one of exec, httpGet, tcpSocket or grpc.' }));

core('LifecycleHandler', obj({
  exec: coreRef('ExecAction', 'Run a command in the container.'),
  httpGet: coreRef('HTTPGetAction', 'Send an HTTP GET request.'),
  tcpSocket: coreRef('TCPSocketAction', 'Deprecated; accepted but not run.'),
  sleep: coreRef('SleepAction', 'Wait for a while.'),
}, { description: 'An action run at a point of the container\'s lifecycle.' }));

core('Lifecycle', obj({
  postStart: coreRef('LifecycleHandler', 'Runs right after the container is created; the container is restarted if it fails.'),
  preStop: coreRef('LifecycleHandler', 'Runs before the container is stopped, within the termination grace period.'),
}, { description: 'Actions run when a container starts and before it stops.' }));

// ---- security ------------------------------------------------------------------

core('Capabilities', obj({
  add: atomicList(str(), 'Capabilities to add.'),
  drop: atomicList(str(), 'Capabilities to drop.'),
}, { description: 'Linux capabilities added to or dropped from the container runtime\'s default set.' }));

core('SELinuxOptions', obj({
  user: str('SELinux user label.'),
  role: str('SELinux role label.'),
  type: str('SELinux type label.'),
  level: str('SELinux level label.'),
}, { description: 'SELinux labels applied to a container.' }));

core('SeccompProfile', obj({
  type: enumOf(['Localhost', 'RuntimeDefault', 'Unconfined'], 'Which profile: Localhost, RuntimeDefault or Unconfined.'),
  localhostProfile: str('Profile file on the node, for type Localhost.'),
}, { required: ['type'], description: 'The seccomp profile of a pod or container.' }));

core('AppArmorProfile', obj({
  type: enumOf(['Localhost', 'RuntimeDefault', 'Unconfined'], 'Which profile: Localhost, RuntimeDefault or Unconfined.'),
  localhostProfile: str('Profile loaded on the node, for type Localhost.'),
}, { required: ['type'], description: 'The AppArmor profile of a pod or container.' }));

core('WindowsSecurityContextOptions', obj({
  gmsaCredentialSpecName: str('Name of the GMSA credential spec to use.'),
  gmsaCredentialSpec: str('Contents of the GMSA credential spec.'),
  runAsUserName: str('Windows user to run the entrypoint as.'),
  hostProcess: bool('Run as a Windows host process container.'),
}, { description: 'Windows-specific security options.' }));

core('SecurityContext', obj({
  capabilities: coreRef('Capabilities', 'Capabilities to add or drop.'),
  privileged: bool('Run the container privileged (like root on the host).'),
  seLinuxOptions: coreRef('SELinuxOptions', 'SELinux context of the container.'),
  windowsOptions: coreRef('WindowsSecurityContextOptions', 'Windows-specific options.'),
  runAsUser: int('UID the entrypoint runs as.', 'int64'),
  runAsGroup: int('GID the entrypoint runs as.', 'int64'),
  runAsNonRoot: bool('Refuse to start the container if it would run as UID 0.'),
  readOnlyRootFilesystem: bool('Mount the container\'s root filesystem read-only.'),
  allowPrivilegeEscalation: bool('Whether a process may gain more privileges than its parent.'),
  procMount: str('Kind of /proc mount: Default or Unmasked.'),
  seccompProfile: coreRef('SeccompProfile', 'Seccomp profile of the container.'),
  appArmorProfile: coreRef('AppArmorProfile', 'AppArmor profile of the container.'),
}, { description: 'Security options of one container; they override the pod\'s security context.' }));

core('Sysctl', obj({
  name: str('Name of the kernel parameter.'),
  value: str('Value to set.'),
}, { required: ['name', 'value'], description: 'A namespaced kernel parameter.' }));

core('PodSecurityContext', obj({
  seLinuxOptions: coreRef('SELinuxOptions', 'SELinux context of all containers.'),
  windowsOptions: coreRef('WindowsSecurityContextOptions', 'Windows-specific options.'),
  runAsUser: int('UID the containers\' entrypoints run as.', 'int64'),
  runAsGroup: int('GID the containers\' entrypoints run as.', 'int64'),
  runAsNonRoot: bool('Refuse to start containers that would run as UID 0.'),
  supplementalGroups: atomicList(int(undefined, 'int64'), 'Extra groups of the first process of every container.'),
  supplementalGroupsPolicy: str('How supplemental groups are computed: Merge or Strict.'),
  fsGroup: int('Group that owns the pod\'s volumes and is added to every container.', 'int64'),
  sysctls: atomicList(coreRef('Sysctl'), 'Namespaced kernel parameters for the pod.'),
  fsGroupChangePolicy: str('When volume ownership is changed: OnRootMismatch or Always.'),
  seccompProfile: coreRef('SeccompProfile', 'Seccomp profile of all containers.'),
  appArmorProfile: coreRef('AppArmorProfile', 'AppArmor profile of all containers.'),
  seLinuxChangePolicy: str('How the SELinux label is applied to volumes: MountOption or Recursive.'),
}, { description: 'Security options shared by all containers of a pod.' }));

// ---- containers --------------------------------------------------------------

function containerProperties(kindOf: string): Record<string, Schema> {
  return {
    name: str(`Name of the ${kindOf}, a DNS label unique in the pod.`),
    image: str('Container image name, e.g. quay.io/org/web:1.2.'),
    command: atomicList(str(), 'Entrypoint, replacing the image\'s ENTRYPOINT; not run in a shell. $(VAR) references are expanded.'),
    args: atomicList(str(), 'Arguments, replacing the image\'s CMD. $(VAR) references are expanded.'),
    workingDir: str('Working directory; defaults to the image\'s.'),
    ports: mapList(coreRef('ContainerPort'), ['containerPort', 'protocol'], 'Ports the container listens on (informational; every port of the pod is reachable).', { key: 'containerPort' }),
    envFrom: atomicList(coreRef('EnvFromSource'), 'ConfigMaps and Secrets whose keys become environment variables; explicit env entries win.'),
    env: mapList(coreRef('EnvVar'), ['name'], 'Environment variables.', { key: 'name' }),
    resources: coreRef('ResourceRequirements', 'Compute resources requested and limited.'),
    resizePolicy: atomicList(coreRef('ContainerResizePolicy'), 'How resources are resized in place.'),
    restartPolicy: str('Only for init containers: Always makes it a sidecar that keeps running alongside the main containers.'),
    volumeMounts: mapList(coreRef('VolumeMount'), ['mountPath'], 'Volumes mounted into the container\'s filesystem.', { key: 'mountPath' }),
    volumeDevices: mapList(coreRef('VolumeDevice'), ['devicePath'], 'Block devices mapped into the container.', { key: 'devicePath' }),
    livenessProbe: coreRef('Probe', 'Restarts the container when it fails.'),
    readinessProbe: coreRef('Probe', 'Removes the pod from service endpoints while it fails.'),
    startupProbe: coreRef('Probe', 'Holds off the other probes until it succeeds once; the container is restarted if it fails.'),
    lifecycle: coreRef('Lifecycle', 'Hooks run after start and before stop.'),
    terminationMessagePath: str('File whose contents become the termination message. Defaults to /dev/termination-log.'),
    terminationMessagePolicy: enumOf(['File', 'FallbackToLogsOnError'], 'File, or FallbackToLogsOnError to use the log tail when the file is empty. Defaults to File.'),
    imagePullPolicy: enumOf(['Always', 'IfNotPresent', 'Never'], 'Always, Never or IfNotPresent. Defaults to Always for :latest or untagged images, IfNotPresent otherwise.'),
    securityContext: coreRef('SecurityContext', 'Security options of this container.'),
    stdin: bool('Keep a stdin buffer open for attach.'),
    stdinOnce: bool('Close stdin after the first attach session ends.'),
    tty: bool('Allocate a TTY; needs stdin.'),
  };
}

core('Container', obj(containerProperties('container'), { required: ['name'], description: 'One container of a pod.' }));

core('EphemeralContainer', obj({
  ...containerProperties('ephemeral container'),
  targetContainerName: str('Container whose namespaces the debug container joins.'),
}, { required: ['name'], description: 'A temporary container added to a running pod for debugging.' }));

// ---- volumes -------------------------------------------------------------------

core('KeyToPath', obj({
  key: str('Key to project.'),
  path: str('Relative path of the file the key is written to.'),
  mode: int('File mode bits (octal 0644 is 420).'),
}, { required: ['key', 'path'], description: 'Maps one key of a ConfigMap or Secret to a file.' }));

core('EmptyDirVolumeSource', obj({
  medium: str('"" for the node\'s disk or Memory for a tmpfs.'),
  sizeLimit: quantity('Maximum size of the directory.'),
}, { description: 'An empty directory that lives as long as the pod.' }));

core('ConfigMapVolumeSource', obj({
  name: str('Name of the ConfigMap.', { default: '' }),
  items: atomicList(coreRef('KeyToPath'), 'Keys to project; all keys when empty.'),
  defaultMode: int('Mode bits of the files. Defaults to 0644 (420).'),
  optional: bool('Whether the ConfigMap may be missing.'),
}, { description: 'Files from the keys of a ConfigMap.' }));

core('SecretVolumeSource', obj({
  secretName: str('Name of the Secret.'),
  items: atomicList(coreRef('KeyToPath'), 'Keys to project; all keys when empty.'),
  defaultMode: int('Mode bits of the files. Defaults to 0644 (420).'),
  optional: bool('Whether the Secret may be missing.'),
}, { description: 'Files from the keys of a Secret.' }));

core('PersistentVolumeClaimVolumeSource', obj({
  claimName: str('Name of the claim in the pod\'s namespace.'),
  readOnly: bool('Mount read-only.'),
}, { required: ['claimName'], description: 'The volume bound to a persistent volume claim.' }));

core('HostPathVolumeSource', obj({
  path: str('Path on the node.'),
  type: str('Expected type of the path: "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice.'),
}, { required: ['path'], description: 'A file or directory of the node; mostly for system agents.' }));

core('DownwardAPIVolumeFile', obj({
  path: str('Relative path of the file.'),
  fieldRef: coreRef('ObjectFieldSelector', 'A field of the pod.'),
  resourceFieldRef: coreRef('ResourceFieldSelector', 'A resource limit or request of a container.'),
  mode: int('File mode bits.'),
}, { required: ['path'], description: 'One file with information about the pod.' }));

core('DownwardAPIVolumeSource', obj({
  items: atomicList(coreRef('DownwardAPIVolumeFile'), 'Files to create.'),
  defaultMode: int('Mode bits of the files. Defaults to 0644 (420).'),
}, { description: 'Files with information about the pod itself.' }));

core('SecretProjection', obj({
  name: str('Name of the Secret.', { default: '' }),
  items: atomicList(coreRef('KeyToPath'), 'Keys to project; all keys when empty.'),
  optional: bool('Whether the Secret may be missing.'),
}, { description: 'Keys of a Secret in a projected volume.' }));

core('ConfigMapProjection', obj({
  name: str('Name of the ConfigMap.', { default: '' }),
  items: atomicList(coreRef('KeyToPath'), 'Keys to project; all keys when empty.'),
  optional: bool('Whether the ConfigMap may be missing.'),
}, { description: 'Keys of a ConfigMap in a projected volume.' }));

core('DownwardAPIProjection', obj({
  items: atomicList(coreRef('DownwardAPIVolumeFile'), 'Files to create.'),
}, { description: 'Pod information in a projected volume.' }));

core('ServiceAccountTokenProjection', obj({
  audience: str('Intended audience of the token.'),
  expirationSeconds: int('Requested validity of the token. Defaults to one hour.', 'int64'),
  path: str('Relative path of the token file.'),
}, { required: ['path'], description: 'A service account token in a projected volume.' }));

core('VolumeProjection', obj({
  secret: coreRef('SecretProjection', 'Keys of a Secret.'),
  configMap: coreRef('ConfigMapProjection', 'Keys of a ConfigMap.'),
  downwardAPI: coreRef('DownwardAPIProjection', 'Pod information.'),
  serviceAccountToken: coreRef('ServiceAccountTokenProjection', 'A service account token.'),
  clusterTrustBundle: freeform('Certificates of ClusterTrustBundle objects.'),
}, { description: 'One source of a projected volume.' }));

core('ProjectedVolumeSource', obj({
  sources: atomicList(coreRef('VolumeProjection'), 'Sources merged into the directory.'),
  defaultMode: int('Mode bits of the files. Defaults to 0644 (420).'),
}, { description: 'Several sources (secrets, config maps, pod information, tokens) in one directory.' }));

const rareVolumeSources = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs',
  'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO',
  'storageos', 'csi', 'ephemeral', 'image',
];

core('Volume', obj({
  name: str('Name of the volume, a DNS label unique in the pod; containers mount it by this name.'),
  emptyDir: coreRef('EmptyDirVolumeSource', 'A scratch directory that lives as long as the pod.'),
  configMap: coreRef('ConfigMapVolumeSource', 'Files from a ConfigMap.'),
  secret: coreRef('SecretVolumeSource', 'Files from a Secret.'),
  persistentVolumeClaim: coreRef('PersistentVolumeClaimVolumeSource', 'A persistent volume claimed in the same namespace.'),
  hostPath: coreRef('HostPathVolumeSource', 'A path on the node.'),
  downwardAPI: coreRef('DownwardAPIVolumeSource', 'Files with information about the pod.'),
  projected: coreRef('ProjectedVolumeSource', 'Several sources in one directory.'),
  ...Object.fromEntries(rareVolumeSources.map((k) => [k, freeform(`A ${k} volume (not simulated; accepted as given).`)])),
}, { required: ['name'], description: 'A named volume that containers of the pod can mount; exactly one source is set.' }));

// ---- scheduling ----------------------------------------------------------------

core('NodeSelectorRequirement', obj({
  key: str('Label key.'),
  operator: str('In, NotIn, Exists, DoesNotExist, Gt or Lt.'),
  values: atomicList(str(), 'Values for In and NotIn; one integer for Gt and Lt; empty for Exists and DoesNotExist.'),
}, { required: ['key', 'operator'], description: 'A condition on a node label or field.' }));

core('NodeSelectorTerm', {
  ...obj({
    matchExpressions: atomicList(coreRef('NodeSelectorRequirement'), 'Conditions on node labels, all of which must hold.'),
    matchFields: atomicList(coreRef('NodeSelectorRequirement'), 'Conditions on node fields (metadata.name), all of which must hold.'),
  }, { description: 'A set of node conditions that must all hold.' }),
  'x-kubernetes-map-type': 'atomic',
});

core('NodeSelector', {
  ...obj({
    nodeSelectorTerms: atomicList(coreRef('NodeSelectorTerm'), 'Terms of which at least one must match.'),
  }, { required: ['nodeSelectorTerms'], description: 'Nodes matching any of the terms.' }),
  'x-kubernetes-map-type': 'atomic',
});

core('PreferredSchedulingTerm', obj({
  weight: int('Weight of the preference, 1-100.'),
  preference: coreRef('NodeSelectorTerm', 'The nodes preferred.'),
}, { required: ['weight', 'preference'], description: 'A weighted node preference.' }));

core('NodeAffinity', obj({
  requiredDuringSchedulingIgnoredDuringExecution: coreRef('NodeSelector', 'Nodes the pod may only be scheduled onto.'),
  preferredDuringSchedulingIgnoredDuringExecution: atomicList(coreRef('PreferredSchedulingTerm'), 'Nodes the scheduler prefers, by weight.'),
}, { description: 'Rules that tie the pod to nodes by their labels.' }));

core('PodAffinityTerm', obj({
  labelSelector: labelSelector('Pods this term is about.'),
  namespaces: atomicList(str(), 'Namespaces of those pods; the pod\'s own when empty (and no namespaceSelector).'),
  namespaceSelector: labelSelector('Namespaces of those pods, by label.'),
  topologyKey: str('Node label whose value defines "the same place", e.g. kubernetes.io/hostname.'),
  matchLabelKeys: atomicList(str(), 'Label keys of the incoming pod added to labelSelector with their values.'),
  mismatchLabelKeys: atomicList(str(), 'Label keys of the incoming pod added to labelSelector as "not equal" conditions.'),
}, { required: ['topologyKey'], description: 'A set of pods and the topology domain they are counted in.' }));

core('WeightedPodAffinityTerm', obj({
  weight: int('Weight of the preference, 1-100.'),
  podAffinityTerm: coreRef('PodAffinityTerm', 'The term.'),
}, { required: ['weight', 'podAffinityTerm'], description: 'A weighted pod (anti-)affinity preference.' }));

core('PodAffinity', obj({
  requiredDuringSchedulingIgnoredDuringExecution: atomicList(coreRef('PodAffinityTerm'), 'Terms that must hold for the pod to be scheduled.'),
  preferredDuringSchedulingIgnoredDuringExecution: atomicList(coreRef('WeightedPodAffinityTerm'), 'Terms the scheduler prefers, by weight.'),
}, { description: 'Schedule the pod near other pods.' }));

core('PodAntiAffinity', obj({
  requiredDuringSchedulingIgnoredDuringExecution: atomicList(coreRef('PodAffinityTerm'), 'Terms that must hold for the pod to be scheduled.'),
  preferredDuringSchedulingIgnoredDuringExecution: atomicList(coreRef('WeightedPodAffinityTerm'), 'Terms the scheduler prefers, by weight.'),
}, { description: 'Keep the pod away from other pods.' }));

core('Affinity', obj({
  nodeAffinity: coreRef('NodeAffinity', 'Node affinity rules.'),
  podAffinity: coreRef('PodAffinity', 'Rules that co-locate the pod with other pods.'),
  podAntiAffinity: coreRef('PodAntiAffinity', 'Rules that spread the pod away from other pods.'),
}, { description: 'Scheduling constraints relative to nodes and other pods.' }));

core('Toleration', obj({
  key: str('Taint key matched; empty with operator Exists matches every taint.'),
  operator: enumOf(['Equal', 'Exists'], 'Exists or Equal. Defaults to Equal.'),
  value: str('Taint value matched with operator Equal.'),
  effect: enumOf(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], 'Taint effect matched: NoSchedule, PreferNoSchedule or NoExecute; empty matches all.'),
  tolerationSeconds: int('For NoExecute: how long the pod stays bound after the taint appears; unset means forever.', 'int64'),
}, { description: 'Lets the pod be scheduled onto, or stay on, nodes with a matching taint.' }));

core('PodReadinessGate', obj({
  conditionType: str('A pod condition type that must be True for the pod to be ready.'),
}, { required: ['conditionType'], description: 'An extra condition the pod\'s readiness depends on.' }));

core('TopologySpreadConstraint', obj({
  maxSkew: int('Largest allowed difference in matching pods between two domains.'),
  topologyKey: str('Node label that defines the domains, e.g. topology.kubernetes.io/zone.'),
  whenUnsatisfiable: enumOf(['DoNotSchedule', 'ScheduleAnyway'], 'DoNotSchedule or ScheduleAnyway.'),
  labelSelector: labelSelector('Pods counted in each domain.'),
  minDomains: int('Minimum number of eligible domains.'),
  nodeAffinityPolicy: str('Whether node affinity is honoured when counting: Honor or Ignore.'),
  nodeTaintsPolicy: str('Whether node taints are honoured when counting: Honor or Ignore.'),
  matchLabelKeys: atomicList(str(), 'Label keys of the incoming pod added to labelSelector with their values.'),
}, { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'], description: 'How matching pods spread over a topology.' }));

core('PodSchedulingGate', obj({
  name: str('Name of the gate.'),
}, { required: ['name'], description: 'A gate that keeps the pod from being scheduled until removed.' }));

core('HostAlias', obj({
  ip: str('IP address of the entry.'),
  hostnames: atomicList(str(), 'Host names for that address.'),
}, { required: ['ip'], description: 'An extra /etc/hosts entry of the pod.' }));

core('PodDNSConfigOption', obj({
  name: str('Resolver option name.'),
  value: str('Option value.'),
}, { description: 'A resolver option.' }));

core('PodDNSConfig', obj({
  nameservers: atomicList(str(), 'Extra DNS server addresses.'),
  searches: atomicList(str(), 'Extra search domains.'),
  options: atomicList(coreRef('PodDNSConfigOption'), 'Extra resolver options.'),
}, { description: 'DNS settings merged into the pod\'s resolv.conf.' }));

core('PodOS', obj({
  name: str('linux or windows.'),
}, { required: ['name'], description: 'The operating system the pod needs.' }));

core('PodResourceClaim', obj({
  name: str('Name of the claim inside the pod.'),
  resourceClaimName: str('An existing ResourceClaim.'),
  resourceClaimTemplateName: str('A ResourceClaimTemplate a claim is created from.'),
}, { required: ['name'], description: 'A dynamic resource claim available to the pod\'s containers.' }));

core('PodSpec', obj({
  volumes: mapList(coreRef('Volume'), ['name'], 'Volumes the containers can mount.', { key: 'name', strategy: 'merge,retainKeys' }),
  initContainers: mapList(coreRef('Container'), ['name'], 'Containers run to completion, in order, before the main containers start.', { key: 'name' }),
  containers: mapList(coreRef('Container'), ['name'], 'The containers of the pod. At least one. Cannot be added or removed after creation.', { key: 'name' }),
  ephemeralContainers: mapList(coreRef('EphemeralContainer'), ['name'], 'Debug containers added to a running pod (through the ephemeralcontainers subresource).', { key: 'name' }),
  restartPolicy: enumOf(['Always', 'OnFailure', 'Never'], 'When containers are restarted: Always, OnFailure or Never. Defaults to Always.'),
  terminationGracePeriodSeconds: int('Seconds between the stop signal and the kill on deletion. Defaults to 30.', 'int64'),
  activeDeadlineSeconds: int('Seconds the pod may be active before it is failed.', 'int64'),
  dnsPolicy: enumOf(['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'], 'ClusterFirst, ClusterFirstWithHostNet, Default or None. Defaults to ClusterFirst.'),
  nodeSelector: { ...stringMap('Node labels the pod requires.'), 'x-kubernetes-map-type': 'atomic' },
  serviceAccountName: str('ServiceAccount the pod runs as. Defaults to "default".'),
  serviceAccount: str('Deprecated alias of serviceAccountName.'),
  automountServiceAccountToken: bool('Whether the service account token is mounted.'),
  nodeName: str('Node the pod is bound to; set by the scheduler, or by the user to bypass it.'),
  hostNetwork: bool('Use the node\'s network namespace.'),
  hostPID: bool('Use the node\'s PID namespace.'),
  hostIPC: bool('Use the node\'s IPC namespace.'),
  shareProcessNamespace: bool('Share one PID namespace between the pod\'s containers.'),
  securityContext: coreRef('PodSecurityContext', 'Security options of the pod. Defaults to empty.'),
  imagePullSecrets: mapList(coreRef('LocalObjectReference'), ['name'], 'Secrets used to pull images from private registries.', { key: 'name' }),
  hostname: str('Host name of the pod; defaults to the pod name.'),
  subdomain: str('With a headless Service of this name, gives the pod the DNS name <hostname>.<subdomain>.<namespace>.svc.'),
  affinity: coreRef('Affinity', 'Scheduling constraints relative to nodes and other pods.'),
  schedulerName: str('Scheduler that places the pod. Defaults to default-scheduler.'),
  tolerations: atomicList(coreRef('Toleration'), 'Taints the pod tolerates.'),
  hostAliases: mapList(coreRef('HostAlias'), ['ip'], 'Extra /etc/hosts entries.', { key: 'ip' }),
  priorityClassName: str('PriorityClass of the pod.'),
  priority: int('Priority value, filled from the priority class by admission.'),
  dnsConfig: coreRef('PodDNSConfig', 'Extra DNS settings.'),
  readinessGates: atomicList(coreRef('PodReadinessGate'), 'Extra conditions that must be True for the pod to be ready.'),
  runtimeClassName: str('RuntimeClass used to run the pod.'),
  enableServiceLinks: bool('Inject Service environment variables (Docker links style). Defaults to true.'),
  preemptionPolicy: str('Whether the pod may preempt lower-priority pods: PreemptLowerPriority or Never.'),
  overhead: resourceList('Resources the pod sandbox consumes, set by RuntimeClass admission.'),
  topologySpreadConstraints: mapList(coreRef('TopologySpreadConstraint'), ['topologyKey', 'whenUnsatisfiable'], 'How the pods of a group spread over failure domains.', { key: 'topologyKey' }),
  setHostnameAsFQDN: bool('Use the fully qualified domain name as the host name.'),
  os: coreRef('PodOS', 'Operating system the pod needs.'),
  hostUsers: bool('Use the host\'s user namespace. Defaults to true.'),
  schedulingGates: mapList(coreRef('PodSchedulingGate'), ['name'], 'Gates that must all be removed before the pod is scheduled.', { key: 'name' }),
  resourceClaims: mapList(coreRef('PodResourceClaim'), ['name'], 'Dynamic resource claims of the pod.', { key: 'name', strategy: 'merge,retainKeys' }),
  resources: coreRef('ResourceRequirements', 'Pod-level resources (alpha).'),
}, { required: ['containers'], description: 'The desired state of a pod: its containers, volumes and scheduling constraints.' }));

core('PodTemplateSpec', obj({
  metadata: objectMeta('Metadata of the pods created from this template; labels must match the owner\'s selector.'),
  spec: coreRef('PodSpec', 'Specification of the pods.'),
}, { description: 'The template of the pods a controller creates.' }));

// ---- persistent volume claims (also embedded in StatefulSets) ------------------

core('PersistentVolumeClaimSpec', obj({
  accessModes: atomicList(str(), 'Access modes wanted: ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.'),
  selector: labelSelector('Persistent volumes that may be bound.'),
  resources: coreRef('VolumeResourceRequirements', 'Storage requested.'),
  volumeName: str('Persistent volume bound to the claim.'),
  storageClassName: str('StorageClass of the claim; the cluster default when unset, none when "".'),
  volumeMode: enumOf(['Block', 'Filesystem'], 'Filesystem or Block. Defaults to Filesystem.'),
  dataSource: coreRef('TypedLocalObjectReference', 'A snapshot or claim to populate the volume from.'),
  dataSourceRef: coreRef('TypedObjectReference', 'Any object to populate the volume from.'),
  volumeAttributesClassName: str('VolumeAttributesClass of the claim.'),
}, { description: 'The storage a claim asks for.' }));

core('PersistentVolumeClaimCondition', obj({
  type: str('Condition type, e.g. Resizing or FileSystemResizePending.'),
  status: str('True, False or Unknown.'),
  lastProbeTime: dateTime('When the condition was last probed.'),
  lastTransitionTime: dateTime('When the condition last changed status.'),
  reason: str('Machine-readable reason.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of a claim\'s state.' }));

core('ModifyVolumeStatus', obj({
  targetVolumeAttributesClassName: str('VolumeAttributesClass being applied.'),
  status: str('Pending, InProgress or Infeasible.'),
}, { required: ['status'], description: 'Progress of a volume attributes change.' }));

core('PersistentVolumeClaimStatus', obj({
  phase: enumOf(['Bound', 'Lost', 'Pending'], 'Pending, Bound or Lost.'),
  accessModes: atomicList(str(), 'Access modes of the bound volume.'),
  capacity: resourceList('Actual resources of the bound volume.'),
  conditions: conditionList(coreRef('PersistentVolumeClaimCondition'), 'Current conditions of the claim.'),
  allocatedResources: resourceList('Resources allocated to the claim (resize tracking).'),
  allocatedResourceStatuses: { ...stringMap('Status of resize operations per resource.'), 'x-kubernetes-map-type': 'granular' },
  currentVolumeAttributesClassName: str('VolumeAttributesClass currently applied.'),
  modifyVolumeStatus: coreRef('ModifyVolumeStatus', 'Progress of a volume attributes change.'),
}, { description: 'The observed state of a claim.' }));

// ---- RBAC (shared by Role/ClusterRole and the two bindings) ------------------

export const RBAC = 'io.k8s.api.rbac.v1';

definitions.define(`${RBAC}.PolicyRule`, obj({
  verbs: atomicList(str(), 'Verbs allowed: get, list, watch, create, update, patch, delete, deletecollection, or * for all.'),
  apiGroups: atomicList(str(), 'API groups of the resources; "" is the core group, * all groups.'),
  resources: atomicList(str(), 'Resources the rule applies to, e.g. pods or pods/log; * for all.'),
  resourceNames: atomicList(str(), 'Names of the objects the rule is limited to; all when empty.'),
  nonResourceURLs: atomicList(str(), 'Non-resource paths such as /healthz (cluster roles only).'),
}, { required: ['verbs'], description: 'One set of actions a role allows.' }));

definitions.define(`${RBAC}.Subject`, {
  ...obj({
    kind: str('User, Group or ServiceAccount.'),
    apiGroup: str('"" for service accounts, rbac.authorization.k8s.io for users and groups.'),
    name: str('Name of the subject.'),
    namespace: str('Namespace of a service account.'),
  }, { required: ['kind', 'name'], description: 'Who a binding grants the role to.' }),
  'x-kubernetes-map-type': 'atomic',
});

definitions.define(`${RBAC}.RoleRef`, {
  ...obj({
    apiGroup: str('rbac.authorization.k8s.io.'),
    kind: str('Role or ClusterRole.'),
    name: str('Name of the role.'),
  }, { required: ['kind', 'name'], description: 'The role a binding grants. Cannot be changed.' }),
  'x-kubernetes-map-type': 'atomic',
});
