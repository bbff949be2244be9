// The virt-launcher pod of a VMI, rendered the way virt-controller's template
// service does (reference §2.4, §3): pure, no client. The VMI controller
// creates what this returns.

import { createHash } from 'node:crypto';
import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { arr, obj, str, type Json } from '../../runtime/json-fields.ts';
import { parseQuantity } from '../../kinds/core/quantity.ts';
import { jsonClone } from '../../api/json-clone.ts';

/** The compute container's image (OpenShift Virtualization 4.19). */
export const LAUNCHER_IMAGE = 'registry.redhat.io/container-native-virtualization/virt-launcher-rhel9:v4.19.0';

export const Labels = {
  app: 'kubevirt.io',
  createdBy: 'kubevirt.io/created-by',
  vmName: 'vm.kubevirt.io/name',
  vmiId: 'vmi.kubevirt.io/id',
  nodeName: 'kubevirt.io/nodeName',
  schedulable: 'kubevirt.io/schedulable',
} as const;

export const LAUNCHER_LABEL_VALUE = 'virt-launcher';

export const Annotations = {
  domain: 'kubevirt.io/domain',
  defaultContainer: 'kubectl.kubernetes.io/default-container',
  migrationTransportUnix: 'kubevirt.io/migrationTransportUnix',
  evictOnly: 'descheduler.alpha.kubernetes.io/request-evict-only',
} as const;

/** Pod condition behind the launcher's readiness gate. */
export const UNPAUSED_CONDITION = 'kubevirt.io/virtual-machine-unpaused';
export const COMPUTE_CONTAINER = 'compute';
/** Padding KubeVirt adds to the VMI grace period for the pod (15 s twice). */
export const GRACE_PADDING_SECONDS = 30;
export const DEFAULT_VMI_GRACE_SECONDS = 30;
/** LibvirtStartupDelay: added to the initial delay of VMI probes. */
export const PROBE_INITIAL_DELAY_PADDING = 10;
/** UID (and GID) virt-launcher runs as without the Root feature gate. */
const LAUNCHER_UID = 107;

const MI = 2 ** 20;
/** Fixed per-VMI memory overhead: virt-launcher-monitor, virt-launcher, virtlogd, virtqemud, qemu. */
const FIXED_OVERHEAD = (25 + 100 + 25 + 40 + 30) * MI;
const PER_VCPU_OVERHEAD = 8 * MI;
const IOTHREAD_OVERHEAD = 8 * MI;
const VIDEO_RAM_OVERHEAD = 32 * MI;
/** vCPUs per physical CPU request (cpuAllocationRatio). */
const CPU_ALLOCATION_RATIO = 10;

/** Annotations of the VMI that are not copied to the pod. */
const SKIPPED_ANNOTATIONS = new Set(['kubevirt.io/latest-observed-api-version', 'kubevirt.io/storage-observed-api-version']);

/** The emptyDir volumes every launcher pod has, with where compute mounts them. */
const LAUNCHER_VOLUMES: { name: string; mountPath: string }[] = [
  { name: 'private', mountPath: '/var/run/kubevirt-private' },
  { name: 'public', mountPath: '/var/run/kubevirt' },
  { name: 'ephemeral-disks', mountPath: '/var/run/kubevirt-ephemeral-disks' },
  { name: 'container-disks', mountPath: '/var/run/kubevirt/container-disks' },
  { name: 'libvirt-runtime', mountPath: '/var/run/libvirt' },
  { name: 'sockets', mountPath: '/var/run/kubevirt/sockets' },
  { name: 'hotplug-disks', mountPath: '/var/run/kubevirt/hotplug-disks' },
  { name: 'virt-bin-share-dir', mountPath: '/var/run/kubevirt/virt-bin-share-dir' },
];

function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The VMI's grace period (spec.terminationGracePeriodSeconds, default 30 s). */
export function vmiGraceSeconds(vmi: KubeObject): number {
  const g = obj(vmi.spec).terminationGracePeriodSeconds;
  return typeof g === 'number' && g >= 0 ? g : DEFAULT_VMI_GRACE_SECONDS;
}

/** Hostname of the guest: spec.hostname or the VMI name, cut to a DNS label. */
export function vmiHostname(vmi: KubeObject): string {
  const h = str(obj(vmi.spec).hostname) || vmi.metadata.name!;
  return h.length > 63 ? h.slice(0, 63) : h;
}

/** vmi.kubevirt.io/id: the VMI name, or a hash of it when it does not fit a label value. */
export function vmiIdLabel(name: string): string {
  return name.length <= 63 ? name : createHash('sha256').update(name).digest('hex').slice(0, 63);
}

/** Number of vCPUs: sockets × cores × threads (defaults give 1). */
export function vcpuCount(vmi: KubeObject): number {
  const cpu = obj(obj(obj(vmi.spec).domain).cpu);
  const n = (k: string): number => (typeof cpu[k] === 'number' && (cpu[k] as number) > 0 ? cpu[k] as number : 1);
  return n('sockets') * n('cores') * n('threads');
}

/** Guest memory in bytes (spec.domain.memory.guest, else the memory request). */
export function guestMemoryBytes(vmi: KubeObject): number {
  const domain = obj(obj(vmi.spec).domain);
  return parseQuantity(obj(domain.memory).guest) ?? parseQuantity(obj(obj(domain.resources).requests).memory) ?? 0;
}

/** What virt-launcher and QEMU need beyond the guest's RAM (GetMemoryOverhead, amd64). */
export function memoryOverheadBytes(vmi: KubeObject): number {
  const devices = obj(obj(obj(vmi.spec).domain).devices);
  let overhead = Math.ceil(guestMemoryBytes(vmi) / 512); // page tables
  overhead += FIXED_OVERHEAD;
  overhead += PER_VCPU_OVERHEAD * vcpuCount(vmi);
  overhead += IOTHREAD_OVERHEAD;
  if (devices.autoattachGraphicsDevice !== false) overhead += VIDEO_RAM_OVERHEAD;
  return overhead;
}

/** A byte count as a canonical binary quantity ("1294Mi", "1048580Ki", or plain bytes). */
export function formatBytes(bytes: number): string {
  for (const [suffix, unit] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', MI], ['Ki', 1024]] as const) {
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}

/** The compute container's resources from the VMI's. */
export function computeResources(vmi: KubeObject): Json {
  const resources = obj(obj(obj(vmi.spec).domain).resources);
  const vmiRequests = obj(resources.requests);
  const vmiLimits = obj(resources.limits);
  const overhead = memoryOverheadBytes(vmi);
  const requests: Json = {};
  const limits: Json = {};
  requests.cpu = vmiRequests.cpu !== undefined ? vmiRequests.cpu : `${Math.round((1000 * vcpuCount(vmi)) / CPU_ALLOCATION_RATIO)}m`;
  if (vmiLimits.cpu !== undefined) limits.cpu = vmiLimits.cpu;
  requests.memory = formatBytes(guestMemoryBytes(vmi) + overhead);
  const memLimit = parseQuantity(vmiLimits.memory);
  if (memLimit !== undefined && memLimit > 0) limits.memory = formatBytes(memLimit + overhead);
  // The KVM device plugin resource; the nodes advertise devices.kubevirt.io/kvm.
  requests['devices.kubevirt.io/kvm'] = '1';
  limits['devices.kubevirt.io/kvm'] = '1';
  return { limits, requests };
}

/** A VMI probe as the compute container's probe (§3): +10 s initial delay, exec through virt-probe. */
export function renderProbe(vmi: KubeObject, probe: unknown): Json | undefined {
  if (!isPlainObject(probe)) return undefined;
  const p = jsonClone(probe) as Json;
  const timeout = typeof p.timeoutSeconds === 'number' && p.timeoutSeconds >= 1 ? p.timeoutSeconds : 1;
  const out: Json = {};
  const domainName = `${vmi.metadata.namespace}_${vmi.metadata.name}`;
  const virtProbe = ['virt-probe', '--domainName', domainName, '--timeoutSeconds', String(timeout)];
  if (isPlainObject(p.exec)) {
    const argv = Array.isArray(p.exec.command) ? (p.exec.command as unknown[]).map(String) : [];
    const command = [...virtProbe];
    if (argv.length) {
      command.push('--command', argv[0]);
      if (argv.length > 1) command.push('--', ...argv.slice(1));
    }
    out.exec = { command };
  } else if (p.guestAgentPing !== undefined) {
    out.exec = { command: [...virtProbe, '--guestAgentPing'] };
  } else if (isPlainObject(p.httpGet)) {
    out.httpGet = p.httpGet;
  } else if (isPlainObject(p.tcpSocket)) {
    out.tcpSocket = p.tcpSocket;
  } else {
    return undefined;
  }
  const wrapped = out.exec !== undefined;
  out.initialDelaySeconds = (typeof p.initialDelaySeconds === 'number' ? p.initialDelaySeconds : 0) + PROBE_INITIAL_DELAY_PADDING;
  out.timeoutSeconds = wrapped ? timeout + 1 : timeout;
  for (const k of ['periodSeconds', 'successThreshold', 'failureThreshold']) if (typeof p[k] === 'number') out[k] = p[k];
  return out;
}

/**
 * The container ports declared for the ports the VMI's interfaces list
 * (protocol TCP by default), so a Service's named targetPort resolves on the
 * launcher pod; undefined when no interface lists any.
 */
export function computePorts(vmi: KubeObject): Json[] | undefined {
  const ports: Json[] = [];
  for (const iface of arr(obj(obj(obj(vmi.spec).domain).devices).interfaces)) {
    for (const p of arr(iface.ports)) {
      ports.push({ ...(str(p.name) ? { name: p.name } : {}), containerPort: p.port, protocol: str(p.protocol) || 'TCP' });
    }
  }
  return ports.length ? ports : undefined;
}

/** The sidecar that serves a containerDisk volume's image to the launcher. */
function containerDiskContainer(vmi: KubeObject, volume: Json, index: number): Json {
  const cd = obj(volume.containerDisk);
  const name = `volume${str(volume.name)}`;
  return {
    name,
    image: str(cd.image),
    imagePullPolicy: str(cd.imagePullPolicy) || 'IfNotPresent',
    command: ['/init/usr/bin/container-disk'],
    args: ['--copy-path', `/var/run/kubevirt-ephemeral-disks/container-disk-data/${vmi.metadata.uid}/disk_${index}`],
    resources: { limits: { cpu: '10m', memory: '40M' }, requests: { cpu: '1m', memory: '1M' } },
    securityContext: containerSecurityContext(false),
    terminationMessagePolicy: 'File',
    volumeMounts: [
      { name: 'container-disks', mountPath: `/var/run/kubevirt-ephemeral-disks/container-disk-data/${vmi.metadata.uid}` },
      { name: 'virt-bin-share-dir', mountPath: '/init/usr/bin' },
    ],
  };
}

function containerSecurityContext(netBind: boolean): Json {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { ...(netBind ? { add: ['NET_BIND_SERVICE'] } : {}), drop: ['ALL'] },
    privileged: false,
    runAsGroup: LAUNCHER_UID,
    runAsNonRoot: true,
    runAsUser: LAUNCHER_UID,
  };
}

/** The pod volume backing a VMI volume, if it needs one (PVCs and DataVolumes). */
function podVolumeFor(volume: Json): Json | undefined {
  const name = str(volume.name);
  const pvc = obj(volume.persistentVolumeClaim);
  if (str(pvc.claimName)) return { name, persistentVolumeClaim: { claimName: pvc.claimName, ...(pvc.readOnly ? { readOnly: true } : {}) } };
  const dv = obj(volume.dataVolume);
  if (str(dv.name)) return { name, persistentVolumeClaim: { claimName: dv.name } };
  return undefined;
}

/** The virt-launcher pod of a VMI, ready to create. */
export function renderLauncherPod(vmi: KubeObject): KubeObject {
  const spec = obj(vmi.spec);
  const name = vmi.metadata.name!;
  const namespace = vmi.metadata.namespace!;
  const uid = vmi.metadata.uid!;
  const grace = vmiGraceSeconds(vmi);

  const labels = sortedRecord({
    ...(vmi.metadata.labels ?? {}),
    [Labels.app]: LAUNCHER_LABEL_VALUE,
    [Labels.createdBy]: uid,
    [Labels.vmName]: vmiHostname(vmi),
    [Labels.vmiId]: vmiIdLabel(name),
  });

  const copied = Object.fromEntries(Object.entries(vmi.metadata.annotations ?? {})
    .filter(([k]) => !k.startsWith('kubectl.kubernetes.io/') && !SKIPPED_ANNOTATIONS.has(k)));
  const freezer = (flag: string): string => JSON.stringify(['/usr/bin/virt-freezer', flag, '--name', name, '--namespace', namespace]);
  const annotations = sortedRecord({
    ...copied,
    [Annotations.domain]: name,
    [Annotations.defaultContainer]: COMPUTE_CONTAINER,
    [Annotations.migrationTransportUnix]: 'true',
    'post.hook.backup.velero.io/command': freezer('--unfreeze'),
    'post.hook.backup.velero.io/container': COMPUTE_CONTAINER,
    'pre.hook.backup.velero.io/command': freezer('--freeze'),
    'pre.hook.backup.velero.io/container': COMPUTE_CONTAINER,
  });

  const volumes = arr(spec.volumes);
  const ports = computePorts(vmi);
  const compute: Json = {
    name: COMPUTE_CONTAINER,
    image: LAUNCHER_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    command: [
      '/usr/bin/virt-launcher-monitor',
      '--qemu-timeout', '321s',
      '--name', name,
      '--uid', uid,
      '--namespace', namespace,
      '--kubevirt-share-dir', '/var/run/kubevirt',
      '--ephemeral-disk-dir', '/var/run/kubevirt-ephemeral-disks',
      '--container-disk-dir', '/var/run/kubevirt/container-disks',
      '--grace-period-seconds', String(grace + 15),
      '--hook-sidecars', '0',
      '--ovmf-path', '/usr/share/OVMF',
      '--run-as-nonroot',
    ],
    ...(ports ? { ports } : {}),
    env: [
      { name: 'XDG_CACHE_HOME', value: '/var/run/kubevirt-private' },
      { name: 'XDG_CONFIG_HOME', value: '/var/run/kubevirt-private' },
      { name: 'XDG_RUNTIME_DIR', value: '/var/run' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    ],
    resources: computeResources(vmi),
    securityContext: containerSecurityContext(true),
    terminationMessagePolicy: 'File',
    volumeMounts: [
      ...LAUNCHER_VOLUMES.map((v) => ({ name: v.name, mountPath: v.mountPath, ...(v.name === 'hotplug-disks' ? { mountPropagation: 'HostToContainer' } : {}) })),
      ...volumes.map(podVolumeFor).filter((v): v is Json => v !== undefined)
        .map((v) => ({ name: v.name, mountPath: `/var/run/kubevirt-private/vmi-disks/${str(v.name)}` })),
    ],
  };
  const readiness = renderProbe(vmi, spec.readinessProbe);
  const liveness = renderProbe(vmi, spec.livenessProbe);
  if (readiness) compute.readinessProbe = readiness;
  if (liveness) compute.livenessProbe = liveness;

  const containers: Json[] = [compute];
  volumes.forEach((v, i) => {
    if (isPlainObject(v.containerDisk)) containers.push(containerDiskContainer(vmi, v, i));
  });

  const podSpec: Json = {
    automountServiceAccountToken: false,
    containers,
    dnsPolicy: 'ClusterFirst',
    enableServiceLinks: false,
    hostname: vmiHostname(vmi),
    nodeSelector: sortedRecord({ ...(obj(spec.nodeSelector) as Record<string, string>), [Labels.schedulable]: 'true' }),
    readinessGates: [{ conditionType: UNPAUSED_CONDITION }],
    restartPolicy: 'Never',
    securityContext: { fsGroup: LAUNCHER_UID, runAsGroup: LAUNCHER_UID, runAsNonRoot: true, runAsUser: LAUNCHER_UID },
    terminationGracePeriodSeconds: grace + GRACE_PADDING_SECONDS,
    volumes: [
      ...LAUNCHER_VOLUMES.map((v) => ({ name: v.name, emptyDir: {} })),
      ...volumes.map(podVolumeFor).filter((v): v is Json => v !== undefined),
    ],
  };
  if (str(spec.subdomain)) podSpec.subdomain = spec.subdomain;
  for (const k of ['affinity', 'tolerations', 'topologySpreadConstraints', 'priorityClassName', 'schedulerName', 'dnsConfig', 'dnsPolicy']) {
    if (spec[k] !== undefined && spec[k] !== null && spec[k] !== '') podSpec[k] = jsonClone(spec[k]);
  }

  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `virt-launcher-${name}-`,
      namespace,
      labels,
      annotations,
      ownerReferences: [{
        apiVersion: vmi.apiVersion || 'kubevirt.io/v1',
        kind: 'VirtualMachineInstance',
        name,
        uid,
        controller: true,
        blockOwnerDeletion: true,
      }],
    },
    spec: podSpec,
  };
}

/** Whether a pod is a virt-launcher pod controlled by the VMI with this UID. */
export function isLauncherPodOf(pod: KubeObject, vmiUid: string | undefined): boolean {
  return vmiUid !== undefined && (pod.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === vmiUid && r.kind === 'VirtualMachineInstance');
}

/** The VMI name a launcher pod belongs to (its controller owner), if it is one. */
export function launcherOwnerName(pod: KubeObject): string | undefined {
  if (pod.metadata.labels?.[Labels.app] !== LAUNCHER_LABEL_VALUE) return undefined;
  return (pod.metadata.ownerReferences ?? []).find((r) => r.controller === true && r.kind === 'VirtualMachineInstance')?.name;
}
