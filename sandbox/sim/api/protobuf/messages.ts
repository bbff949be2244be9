// Declarative field tables for the Kubernetes protobuf messages that kubectl 1.32
// sends as request bodies. Field numbers and wire types follow the public
// k8s.io/api and k8s.io/apimachinery generated.proto definitions; JSON names and
// the `pointer` / `always` flags follow the Go struct tags, so the decoder can
// reproduce the JSON kubectl would have sent instead.
//
// Only fields listed here are decoded; any other field number is skipped, both
// for forward compatibility and because some rarely used sub-trees (affinity,
// lifecycle hooks, most volume plugins, managedFields) are deliberately left out.
//
// JSON presence rules applied by decode.ts (see FieldSpec):
// - A field absent from the wire is omitted, unless it is `always`.
// - A non-pointer scalar equal to its zero value is omitted (Go's `omitempty`),
//   because Go's generated marshallers write such fields even when empty.
// - Time: an empty message is Go's zero time and becomes `null`, which is what
//   kubectl's JSON shows for `metadata.creationTimestamp` on every create.

export type FieldKind =
  | 'string' | 'bytes' | 'int32' | 'int64' | 'bool'
  | 'message' | 'map'
  | 'time' | 'microtime' | 'quantity' | 'intorstring' | 'rawextension';

/** Map values: map keys are always strings in the Kubernetes API. */
export type MapValueKind = 'string' | 'bytes' | 'quantity' | 'message';

export interface FieldSpec {
  /** JSON field name. */
  readonly name: string;
  readonly kind: FieldKind;
  /** Nested message for kind 'message', or the value message for a 'map' with mapValue 'message'. */
  readonly message?: MessageSpec;
  readonly repeated?: boolean;
  /** Value type for kind 'map' (defaults to 'string'). */
  readonly mapValue?: MapValueKind;
  /** Go embedded struct with `json:",inline"`: its fields are merged into the parent object. */
  readonly inline?: boolean;
  /** Go pointer (*T): a present zero value is meaningful and kept. */
  readonly pointer?: boolean;
  /** Go JSON tag without omitempty: always in kubectl's JSON; when absent, Go's zero value (null for pointers, slices, maps). */
  readonly always?: boolean;
}

export type MessageSpec = { readonly [fieldNumber: number]: FieldSpec };

const str = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind: 'string', ...extra });
const strs = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind: 'string', repeated: true, ...extra });
const i32 = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind: 'int32', ...extra });
const i64 = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind: 'int64', ...extra });
const bool = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind: 'bool', ...extra });
const msg = (name: string, message: MessageSpec, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind: 'message', message, ...extra });
const msgs = (name: string, message: MessageSpec, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind: 'message', message, repeated: true, ...extra });
const strMap = (name: string): FieldSpec => ({ name, kind: 'map', mapValue: 'string' });
const P = { pointer: true } as const;
const A = { always: true } as const;

// ---- k8s.io/apimachinery/pkg/apis/meta/v1 ----

export const OwnerReference: MessageSpec = {
  1: str('kind', A),
  3: str('name', A),
  4: str('uid', A),
  5: str('apiVersion', A),
  6: bool('controller', P),
  7: bool('blockOwnerDeletion', P),
};

export const ObjectMeta: MessageSpec = {
  1: str('name'),
  2: str('generateName'),
  3: str('namespace'),
  4: str('selfLink'),
  5: str('uid'),
  6: str('resourceVersion'),
  7: i64('generation'),
  8: { name: 'creationTimestamp', kind: 'time' },
  9: { name: 'deletionTimestamp', kind: 'time', pointer: true },
  10: i64('deletionGracePeriodSeconds', P),
  11: strMap('labels'),
  12: strMap('annotations'),
  13: msgs('ownerReferences', OwnerReference),
  14: strs('finalizers'),
  // 17 managedFields: skipped, clients do not send it on create.
};

export const LabelSelectorRequirement: MessageSpec = {
  1: str('key', A),
  2: str('operator', A),
  3: strs('values'),
};

export const LabelSelector: MessageSpec = {
  1: strMap('matchLabels'),
  2: msgs('matchExpressions', LabelSelectorRequirement),
};

export const FieldSelectorRequirement: MessageSpec = {
  1: str('key', A),
  2: str('operator', A),
  3: strs('values'),
};

export const Preconditions: MessageSpec = {
  1: str('uid', P),
  2: str('resourceVersion', P),
};

export const DeleteOptions: MessageSpec = {
  1: i64('gracePeriodSeconds', P),
  2: msg('preconditions', Preconditions, P),
  3: bool('orphanDependents', P),
  4: str('propagationPolicy', P),
  5: strs('dryRun'),
  6: bool('ignoreStoreReadErrorWithClusterBreakingPotential', P),
};

// ---- k8s.io/api/core/v1 ----

export const NamespaceSpec: MessageSpec = { 1: strs('finalizers') };

export const NamespaceCondition: MessageSpec = {
  1: str('type', A),
  2: str('status', A),
  4: { name: 'lastTransitionTime', kind: 'time' },
  5: str('reason'),
  6: str('message'),
};

export const NamespaceStatus: MessageSpec = {
  1: str('phase'),
  2: msgs('conditions', NamespaceCondition),
};

export const Namespace: MessageSpec = {
  1: msg('metadata', ObjectMeta),
  2: msg('spec', NamespaceSpec),
  3: msg('status', NamespaceStatus),
};

export const ConfigMap: MessageSpec = {
  1: msg('metadata', ObjectMeta),
  2: strMap('data'),
  3: { name: 'binaryData', kind: 'map', mapValue: 'bytes' },
  4: bool('immutable', P),
};

export const Secret: MessageSpec = {
  1: msg('metadata', ObjectMeta),
  2: { name: 'data', kind: 'map', mapValue: 'bytes' },
  3: str('type'),
  4: strMap('stringData'),
  5: bool('immutable', P),
};

export const ObjectReference: MessageSpec = {
  1: str('kind'),
  2: str('namespace'),
  3: str('name'),
  4: str('uid'),
  5: str('apiVersion'),
  6: str('resourceVersion'),
  7: str('fieldPath'),
};

export const LocalObjectReference: MessageSpec = { 1: str('name') };

export const ServiceAccount: MessageSpec = {
  1: msg('metadata', ObjectMeta),
  2: msgs('secrets', ObjectReference),
  3: msgs('imagePullSecrets', LocalObjectReference),
  4: bool('automountServiceAccountToken', P),
};

export const KeyToPath: MessageSpec = {
  1: str('key', A),
  2: str('path', A),
  3: i32('mode', P),
  4: i64('user', P),
};

export const HostPathVolumeSource: MessageSpec = {
  1: str('path', A),
  2: str('type', P),
};

export const EmptyDirVolumeSource: MessageSpec = {
  1: str('medium'),
  2: { name: 'sizeLimit', kind: 'quantity', pointer: true },
  3: i32('mode', P),
};

export const SecretVolumeSource: MessageSpec = {
  1: str('secretName'),
  2: msgs('items', KeyToPath),
  3: i32('defaultMode', P),
  4: bool('optional', P),
  5: i64('defaultUser', P),
};

export const PersistentVolumeClaimVolumeSource: MessageSpec = {
  1: str('claimName', A),
  2: bool('readOnly'),
};

export const ConfigMapVolumeSource: MessageSpec = {
  1: msg('localObjectReference', LocalObjectReference, { inline: true }),
  2: msgs('items', KeyToPath),
  3: i32('defaultMode', P),
  4: bool('optional', P),
  5: i64('defaultUser', P),
};

export const VolumeSource: MessageSpec = {
  1: msg('hostPath', HostPathVolumeSource, P),
  2: msg('emptyDir', EmptyDirVolumeSource, P),
  6: msg('secret', SecretVolumeSource, P),
  10: msg('persistentVolumeClaim', PersistentVolumeClaimVolumeSource, P),
  19: msg('configMap', ConfigMapVolumeSource, P),
  // Other volume plugins (nfs, csi, projected, downwardAPI, ...) are skipped.
};

export const Volume: MessageSpec = {
  1: str('name', A),
  2: msg('volumeSource', VolumeSource, { inline: true }),
};

export const ContainerPort: MessageSpec = {
  1: str('name'),
  2: i32('hostPort'),
  3: i32('containerPort', A),
  4: str('protocol'),
  5: str('hostIP'),
};

// Service (kubectl create service <type>, kubectl expose through the typed client).

export const ServicePort: MessageSpec = {
  1: str('name'),
  2: str('protocol'),
  6: str('appProtocol', P),
  3: i32('port', A),
  4: { name: 'targetPort', kind: 'intorstring', always: true },
  5: i32('nodePort'),
};

export const ClientIPConfig: MessageSpec = { 1: i32('timeoutSeconds', P) };

export const SessionAffinityConfig: MessageSpec = { 1: msg('clientIP', ClientIPConfig, P) };

export const ServiceSpec: MessageSpec = {
  1: msgs('ports', ServicePort),
  2: strMap('selector'),
  3: str('clusterIP'),
  18: strs('clusterIPs'),
  4: str('type'),
  5: strs('externalIPs'),
  7: str('sessionAffinity'),
  8: str('loadBalancerIP'),
  9: strs('loadBalancerSourceRanges'),
  10: str('externalName'),
  11: str('externalTrafficPolicy'),
  12: i32('healthCheckNodePort'),
  13: bool('publishNotReadyAddresses'),
  14: msg('sessionAffinityConfig', SessionAffinityConfig, P),
  19: strs('ipFamilies'),
  17: str('ipFamilyPolicy', P),
  20: bool('allocateLoadBalancerNodePorts', P),
  21: str('loadBalancerClass', P),
  22: str('internalTrafficPolicy', P),
  23: str('trafficDistribution', P),
};

export const PortStatus: MessageSpec = {
  1: i32('port', A),
  2: str('protocol', A),
  3: str('error', P),
};

export const LoadBalancerIngress: MessageSpec = {
  1: str('ip'),
  2: str('hostname'),
  3: str('ipMode', P),
  4: msgs('ports', PortStatus),
};

export const LoadBalancerStatus: MessageSpec = { 1: msgs('ingress', LoadBalancerIngress) };

export const ServiceStatus: MessageSpec = {
  1: msg('loadBalancer', LoadBalancerStatus),
  // 2 conditions: skipped, clients do not send status.
};

export const Service: MessageSpec = {
  1: msg('metadata', ObjectMeta),
  2: msg('spec', ServiceSpec),
  3: msg('status', ServiceStatus),
};

export const ObjectFieldSelector: MessageSpec = {
  1: str('apiVersion'),
  2: str('fieldPath', A),
};

export const ResourceFieldSelector: MessageSpec = {
  1: str('containerName'),
  2: str('resource', A),
  3: { name: 'divisor', kind: 'quantity' },
};

export const ConfigMapKeySelector: MessageSpec = {
  1: msg('localObjectReference', LocalObjectReference, { inline: true }),
  2: str('key', A),
  3: bool('optional', P),
};

export const SecretKeySelector: MessageSpec = {
  1: msg('localObjectReference', LocalObjectReference, { inline: true }),
  2: str('key', A),
  3: bool('optional', P),
};

export const EnvVarSource: MessageSpec = {
  1: msg('fieldRef', ObjectFieldSelector, P),
  2: msg('resourceFieldRef', ResourceFieldSelector, P),
  3: msg('configMapKeyRef', ConfigMapKeySelector, P),
  4: msg('secretKeyRef', SecretKeySelector, P),
};

export const EnvVar: MessageSpec = {
  1: str('name', A),
  2: str('value'),
  3: msg('valueFrom', EnvVarSource, P),
};

export const ConfigMapEnvSource: MessageSpec = {
  1: msg('localObjectReference', LocalObjectReference, { inline: true }),
  2: bool('optional', P),
};

export const SecretEnvSource: MessageSpec = {
  1: msg('localObjectReference', LocalObjectReference, { inline: true }),
  2: bool('optional', P),
};

export const EnvFromSource: MessageSpec = {
  1: str('prefix'),
  2: msg('configMapRef', ConfigMapEnvSource, P),
  3: msg('secretRef', SecretEnvSource, P),
};

export const ResourceClaim: MessageSpec = {
  1: str('name', A),
  2: str('request'),
};

export const ResourceRequirements: MessageSpec = {
  1: { name: 'limits', kind: 'map', mapValue: 'quantity' },
  2: { name: 'requests', kind: 'map', mapValue: 'quantity' },
  3: msgs('claims', ResourceClaim),
};

export const VolumeMount: MessageSpec = {
  1: str('name', A),
  2: bool('readOnly'),
  3: str('mountPath', A),
  4: str('subPath'),
  5: str('mountPropagation', P),
  6: str('subPathExpr'),
  7: str('recursiveReadOnly', P),
  8: strs('bindMountOptions'),
};

export const ExecAction: MessageSpec = { 1: strs('command') };

export const HTTPHeader: MessageSpec = {
  1: str('name', A),
  2: str('value', A),
};

export const HTTPGetAction: MessageSpec = {
  1: str('path'),
  2: { name: 'port', kind: 'intorstring', always: true },
  3: str('host'),
  4: str('scheme'),
  5: msgs('httpHeaders', HTTPHeader),
};

export const TCPSocketAction: MessageSpec = {
  1: { name: 'port', kind: 'intorstring', always: true },
  2: str('host'),
};

export const GRPCAction: MessageSpec = {
  1: i32('port', A),
  2: str('service', { pointer: true, always: true }),
};

export const ProbeHandler: MessageSpec = {
  1: msg('exec', ExecAction, P),
  2: msg('httpGet', HTTPGetAction, P),
  3: msg('tcpSocket', TCPSocketAction, P),
  4: msg('grpc', GRPCAction, P),
};

export const Probe: MessageSpec = {
  1: msg('handler', ProbeHandler, { inline: true }),
  2: i32('initialDelaySeconds'),
  3: i32('timeoutSeconds'),
  4: i32('periodSeconds'),
  5: i32('successThreshold'),
  6: i32('failureThreshold'),
  7: i64('terminationGracePeriodSeconds', P),
};

export const Capabilities: MessageSpec = {
  1: strs('add'),
  2: strs('drop'),
};

// Only the scalar parts of the security contexts; SELinux, seccomp, AppArmor
// and Windows options are skipped.
export const SecurityContext: MessageSpec = {
  1: msg('capabilities', Capabilities, P),
  2: bool('privileged', P),
  4: i64('runAsUser', P),
  5: bool('runAsNonRoot', P),
  6: bool('readOnlyRootFilesystem', P),
  7: bool('allowPrivilegeEscalation', P),
  8: i64('runAsGroup', P),
  9: str('procMount', P),
};

export const PodSecurityContext: MessageSpec = {
  2: i64('runAsUser', P),
  3: bool('runAsNonRoot', P),
  4: { name: 'supplementalGroups', kind: 'int64', repeated: true },
  5: i64('fsGroup', P),
  6: i64('runAsGroup', P),
  9: str('fsGroupChangePolicy', P),
  12: str('supplementalGroupsPolicy', P),
  13: str('seLinuxChangePolicy', P),
};

export const Container: MessageSpec = {
  1: str('name', A),
  2: str('image'),
  3: strs('command'),
  4: strs('args'),
  5: str('workingDir'),
  6: msgs('ports', ContainerPort),
  7: msgs('env', EnvVar),
  8: msg('resources', ResourceRequirements),
  9: msgs('volumeMounts', VolumeMount),
  10: msg('livenessProbe', Probe, P),
  11: msg('readinessProbe', Probe, P),
  13: str('terminationMessagePath'),
  14: str('imagePullPolicy'),
  15: msg('securityContext', SecurityContext, P),
  16: bool('stdin'),
  17: bool('stdinOnce'),
  18: bool('tty'),
  19: msgs('envFrom', EnvFromSource),
  20: str('terminationMessagePolicy'),
  22: msg('startupProbe', Probe, P),
  24: str('restartPolicy', P),
  // 12 lifecycle, 21 volumeDevices, 23 resizePolicy, 25 restartPolicyRules: skipped.
};

export const Toleration: MessageSpec = {
  1: str('key'),
  2: str('operator'),
  3: str('value'),
  4: str('effect'),
  5: i64('tolerationSeconds', P),
};

export const PodSpec: MessageSpec = {
  1: msgs('volumes', Volume),
  2: msgs('containers', Container, A),
  3: str('restartPolicy'),
  4: i64('terminationGracePeriodSeconds', P),
  5: i64('activeDeadlineSeconds', P),
  6: str('dnsPolicy'),
  7: strMap('nodeSelector'),
  8: str('serviceAccountName'),
  9: str('serviceAccount'),
  10: str('nodeName'),
  11: bool('hostNetwork'),
  12: bool('hostPID'),
  13: bool('hostIPC'),
  14: msg('securityContext', PodSecurityContext, P),
  15: msgs('imagePullSecrets', LocalObjectReference),
  16: str('hostname'),
  17: str('subdomain'),
  19: str('schedulerName'),
  20: msgs('initContainers', Container),
  21: bool('automountServiceAccountToken', P),
  22: msgs('tolerations', Toleration),
  24: str('priorityClassName'),
  25: i32('priority', P),
  27: bool('shareProcessNamespace', P),
  29: str('runtimeClassName', P),
  30: bool('enableServiceLinks', P),
  31: str('preemptionPolicy', P),
  35: bool('setHostnameAsFQDN', P),
  37: bool('hostUsers', P),
  // 18 affinity, 23 hostAliases, 26 dnsConfig, 28 readinessGates, 33 topologySpreadConstraints,
  // 34 ephemeralContainers, 36 os, 38+ scheduling gates / resource claims: skipped.
};

export const PodTemplateSpec: MessageSpec = {
  1: msg('metadata', ObjectMeta),
  2: msg('spec', PodSpec),
};

// ---- k8s.io/api/apps/v1 ----

export const RollingUpdateDeployment: MessageSpec = {
  1: { name: 'maxUnavailable', kind: 'intorstring', pointer: true },
  2: { name: 'maxSurge', kind: 'intorstring', pointer: true },
};

export const DeploymentStrategy: MessageSpec = {
  1: str('type'),
  2: msg('rollingUpdate', RollingUpdateDeployment, P),
};

export const DeploymentSpec: MessageSpec = {
  1: i32('replicas', P),
  2: msg('selector', LabelSelector, { pointer: true, always: true }),
  3: msg('template', PodTemplateSpec, A),
  4: msg('strategy', DeploymentStrategy),
  5: i32('minReadySeconds'),
  6: i32('revisionHistoryLimit', P),
  7: bool('paused'),
  9: i32('progressDeadlineSeconds', P),
};

export const DeploymentCondition: MessageSpec = {
  1: str('type', A),
  2: str('status', A),
  4: str('reason'),
  5: str('message'),
  6: { name: 'lastUpdateTime', kind: 'time' },
  7: { name: 'lastTransitionTime', kind: 'time' },
};

export const DeploymentStatus: MessageSpec = {
  1: i64('observedGeneration'),
  2: i32('replicas'),
  3: i32('updatedReplicas'),
  4: i32('availableReplicas'),
  5: i32('unavailableReplicas'),
  6: msgs('conditions', DeploymentCondition),
  7: i32('readyReplicas'),
  8: i32('collisionCount', P),
  9: i32('terminatingReplicas', P),
};

export const Deployment: MessageSpec = {
  1: msg('metadata', ObjectMeta),
  2: msg('spec', DeploymentSpec),
  3: msg('status', DeploymentStatus),
};

// ---- k8s.io/api/authorization/v1 ----

export const FieldSelectorAttributes: MessageSpec = {
  1: str('rawSelector'),
  2: msgs('requirements', FieldSelectorRequirement),
};

export const LabelSelectorAttributes: MessageSpec = {
  1: str('rawSelector'),
  2: msgs('requirements', LabelSelectorRequirement),
};

export const ResourceAttributes: MessageSpec = {
  1: str('namespace'),
  2: str('verb'),
  3: str('group'),
  4: str('version'),
  5: str('resource'),
  6: str('subresource'),
  7: str('name'),
  8: msg('fieldSelector', FieldSelectorAttributes, P),
  9: msg('labelSelector', LabelSelectorAttributes, P),
};

export const NonResourceAttributes: MessageSpec = {
  1: str('path'),
  2: str('verb'),
};

export const SelfSubjectAccessReviewSpec: MessageSpec = {
  1: msg('resourceAttributes', ResourceAttributes, P),
  2: msg('nonResourceAttributes', NonResourceAttributes, P),
};

export const SubjectAccessReviewStatus: MessageSpec = {
  1: bool('allowed', A),
  2: str('reason'),
  3: str('evaluationError'),
  4: bool('denied'),
};

export const SelfSubjectAccessReview: MessageSpec = {
  1: msg('metadata', ObjectMeta),
  2: msg('spec', SelfSubjectAccessReviewSpec, A),
  3: msg('status', SubjectAccessReviewStatus),
};

// ---- k8s.io/api/authentication/v1 ----

export const UserInfo: MessageSpec = {
  1: str('username'),
  2: str('uid'),
  3: strs('groups'),
  // 4 extra (map of string lists): skipped, clients leave it empty.
};

export const SelfSubjectReviewStatus: MessageSpec = {
  1: msg('userInfo', UserInfo),
};

/** authentication/v1 SelfSubjectReview has no spec on the wire: only metadata and status. */
export const SelfSubjectReview: MessageSpec = {
  1: msg('metadata', ObjectMeta),
  2: msg('status', SelfSubjectReviewStatus),
};

export const BoundObjectReference: MessageSpec = {
  1: str('kind'),
  2: str('apiVersion'),
  3: str('name'),
  4: str('uid'),
};

export const TokenRequestSpec: MessageSpec = {
  1: strs('audiences', A),
  3: msg('boundObjectRef', BoundObjectReference, { pointer: true, always: true }),
  4: i64('expirationSeconds', { pointer: true, always: true }),
  // 5 attestations: skipped.
};

export const TokenRequestStatus: MessageSpec = {
  1: str('token', A),
  2: { name: 'expirationTimestamp', kind: 'time', always: true },
};

export const TokenRequest: MessageSpec = {
  1: msg('metadata', ObjectMeta),
  2: msg('spec', TokenRequestSpec, A),
  3: msg('status', TokenRequestStatus),
};

/**
 * Top-level kinds by "apiVersion/Kind" (core group: "v1/Kind").
 * DeleteOptions is registered in every group version, so it is matched by kind alone (see decode.ts).
 */
export const TOP_LEVEL_KINDS: ReadonlyMap<string, MessageSpec> = new Map([
  ['v1/Namespace', Namespace],
  ['v1/ConfigMap', ConfigMap],
  ['v1/Secret', Secret],
  ['v1/ServiceAccount', ServiceAccount],
  ['v1/Service', Service],
  ['apps/v1/Deployment', Deployment],
  ['authorization.k8s.io/v1/SelfSubjectAccessReview', SelfSubjectAccessReview],
  ['authentication.k8s.io/v1/SelfSubjectReview', SelfSubjectReview],
  ['authentication.k8s.io/v1/TokenRequest', TokenRequest],
]);
