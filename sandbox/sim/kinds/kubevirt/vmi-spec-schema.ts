// The VirtualMachineInstance spec and status, shared by the VMI kind and the
// VM's spec.template: the CRD-style (inline) schema, the defaults virt-api's
// mutating webhooks apply, and the spec checks of virt-api's validating
// webhooks (only messages confirmed against KubeVirt's admitters).

import { createHash } from 'node:crypto';
import type { StatusCause } from '../../api/errors.ts';
import { nameErrors } from '../../api/names.ts';
import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { parseQuantity } from '../core/quantity.ts';
import type { Schema } from '../schema.ts';
import { arr, bool, dateTime, freeform, int, mapOf, obj, quantity, str, stringMap } from '../schema.ts';
import type { AdmissionDenial } from '../types.ts';

// ---------------------------------------------------------------------------
// Cluster configuration the webhooks consult (the KubeVirt CR). The lead may
// change these at start-up; every function reads them when called.

export interface KubeVirtClusterConfig {
  /** spec.configuration.architectureConfiguration.defaultArchitecture */
  defaultArchitecture: string;
  /** Machine type given to VMIs and VM templates without one. */
  machineType: string;
  /** CPU model for VMIs without one. */
  cpuModel: string;
  /** Binding of the pod interface added to a VMI that declares no interfaces and no networks. */
  defaultNetworkInterface: 'bridge' | 'masquerade';
  /** spec.configuration.evictionStrategy; copied into VMIs that do not set one. */
  evictionStrategy?: 'None' | 'LiveMigrate' | 'LiveMigrateIfPossible' | 'External';
  /** developerConfiguration.featureGates */
  featureGates: Set<string>;
  /** Extra user names treated as KubeVirt's own service accounts. */
  serviceAccounts: Set<string>;
}

export const kubevirtClusterConfig: KubeVirtClusterConfig = {
  defaultArchitecture: 'amd64',
  machineType: 'q35',
  cpuModel: 'host-model',
  defaultNetworkInterface: 'bridge',
  evictionStrategy: undefined,
  featureGates: new Set<string>(),
  serviceAccounts: new Set<string>(),
};

/** Service-account namespaces KubeVirt runs in (upstream and OpenShift Virtualization). */
const KUBEVIRT_SA_PREFIXES = ['system:serviceaccount:kubevirt:', 'system:serviceaccount:openshift-cnv:'];

/**
 * Whether a request comes from KubeVirt itself (virt-controller, virt-handler,
 * virt-api). Such users may write VMI status and reserved labels.
 */
export function isKubeVirtServiceAccount(user: string): boolean {
  return kubevirtClusterConfig.serviceAccounts.has(user) || KUBEVIRT_SA_PREFIXES.some((p) => user.startsWith(p));
}

// ---------------------------------------------------------------------------
// Small helpers shared by the kubevirt kind files.

export type Json = Record<string, unknown>;

export function asObj(v: unknown): Json | undefined {
  return isPlainObject(v) ? v : undefined;
}

export function asArr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The object at `key`, created when missing (or not an object). */
export function ensureObj(parent: Json, key: string): Json {
  const cur = parent[key];
  if (isPlainObject(cur)) return cur;
  const fresh: Json = {};
  parent[key] = fresh;
  return fresh;
}

export function specOf(o: KubeObject): Json | undefined {
  return asObj(o.spec);
}

export function cause(reason: string, message: string, field?: string): StatusCause {
  return field === undefined ? { reason, message } : { reason, message, field };
}

/**
 * The denial a KubeVirt validating webhook sends for a list of causes
 * (pkg/util/webhooks ToAdmissionResponse): 422 Invalid, the first ten messages
 * joined by ", ", then ", and N more validation errors".
 */
export function kubevirtDenial(webhook: string, causes: StatusCause[]): AdmissionDenial {
  const shown = causes.slice(0, 10);
  let message = shown.map((c) => c.message ?? '').join(', ');
  if (causes.length > 10) message += `, and ${causes.length - 10} more validation errors`;
  return { webhook, code: 422, reason: 'Invalid', message, causes: shown };
}

/** A name-based (SHA-1, version 5) UUID, stable for the same namespace and name. */
export function stableUUID(namespace: string, name: string, salt = 'firmware'): string {
  const h = createHash('sha1').update(`virtlab.kubevirt/${salt}/${namespace}/${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The grace period KubeVirt uses when spec.terminationGracePeriodSeconds is unset (not written into the object). */
export const DEFAULT_GRACE_PERIOD_SECONDS = 30;

export function vmiTerminationGracePeriodSeconds(spec: Json | undefined): number {
  const g = spec?.terminationGracePeriodSeconds;
  return typeof g === 'number' ? g : DEFAULT_GRACE_PERIOD_SECONDS;
}

// ---------------------------------------------------------------------------
// Schema (inline, as KubeVirt's CRDs carry it).


/** KubeVirt's condition shape (VM, VMI, migration): no observedGeneration, with lastProbeTime. */
export function kubevirtConditions(description: string): Schema {
  return arr(obj({
    type: str('Kind of condition, e.g. Ready, LiveMigratable, Paused.'),
    status: str('True, False or Unknown.'),
    reason: str('One-word CamelCase reason for the last transition.'),
    message: str('Human-readable details about the last transition.'),
    lastProbeTime: { ...dateTime('When the condition was last checked.'), nullable: true },
    lastTransitionTime: { ...dateTime('When the condition last changed status.'), nullable: true },
  }, { required: ['status', 'type'] }), description);
}

function probeSchema(description: string): Schema {
  return obj({
    httpGet: obj({
      path: str('Path to request on the HTTP server.'),
      port: { 'x-kubernetes-int-or-string': true, description: 'Port number or name to connect to; for a VMI it is reached through the pod network.' },
      host: str('Host to connect to; defaults to the pod IP.'),
      scheme: str('HTTP or HTTPS. Defaults to HTTP.'),
      httpHeaders: arr(obj({
        name: str('Header name.'),
        value: str('Header value.'),
      }, { required: ['name', 'value'] }), 'Extra request headers.', { 'x-kubernetes-list-type': 'atomic' }),
    }, { description: 'Probe the guest with an HTTP GET; any status from 200 to 399 counts as success.', required: ['port'] }),
    tcpSocket: obj({
      port: { 'x-kubernetes-int-or-string': true, description: 'Port number or name to open a connection to.' },
      host: str('Host to connect to; defaults to the pod IP.'),
    }, { description: 'Probe the guest by opening a TCP connection.', required: ['port'] }),
    exec: obj({
      command: arr(str(), 'Command line to run inside the guest through the QEMU guest agent; exit status 0 is success.', { 'x-kubernetes-list-type': 'atomic' }),
    }, { description: 'Run a command in the guest (requires the QEMU guest agent).' }),
    guestAgentPing: obj({}, { description: 'Succeeds while the QEMU guest agent answers a ping.' }),
    initialDelaySeconds: int('Seconds to wait after the VMI starts before the first probe.'),
    timeoutSeconds: int('Seconds after which one probe attempt times out. Defaults to 1.'),
    periodSeconds: int('Seconds between probe attempts. Defaults to 10.'),
    successThreshold: int('Consecutive successes needed to count as healthy again after a failure. Defaults to 1.'),
    failureThreshold: int('Consecutive failures after which the probe counts as failed. Defaults to 3.'),
  }, { description });
}

const bootOrder = int('Boot priority of this device (1 is tried first). Devices without one are not booted from when another device has one.');

const diskSchema: Schema = obj({
  name: str('Name of the disk; must match the name of a volume.'),
  disk: obj({
    bus: str('Emulated bus: virtio, sata, scsi or usb. Defaults to sata on amd64.'),
    readonly: bool('Expose the disk read-only.'),
    pciAddress: str('PCI address for a virtio disk, e.g. 0000:81:01.10.'),
  }, { description: 'Attach the volume as a regular disk.' }),
  cdrom: obj({
    bus: str('Emulated bus: sata or scsi.'),
    readonly: bool('Read-only; defaults to true.'),
    tray: str('open or closed; defaults to closed.'),
  }, { description: 'Attach the volume as a CD-ROM drive.' }),
  lun: obj({
    bus: str('Emulated bus.'),
    readonly: bool('Expose the LUN read-only.'),
    reservation: bool('Allow SCSI persistent reservations.'),
  }, { description: 'Attach a block PVC or DataVolume as a SCSI LUN.' }),
  bootOrder,
  serial: str('Serial number reported to the guest.'),
  cache: str('Host cache mode: none, writethrough or writeback.'),
  io: str('I/O mode: native or threads.'),
  dedicatedIOThread: bool('Give this disk its own I/O thread.'),
  errorPolicy: str('What to do on I/O errors: stop, ignore, report or enospace.'),
  shareable: bool('Allow the disk to be shared between VMs.'),
  tag: str('Tag passed to the guest through the metadata service.'),
}, { required: ['name'] });

const interfaceSchema: Schema = obj({
  name: str('Name of the interface; must match the name of a network in spec.networks.'),
  masquerade: obj({}, { description: 'Connect through NAT behind the pod IP; the guest keeps its address across migrations.' }),
  bridge: obj({}, { description: 'Bridge the guest directly onto the pod network interface.' }),
  sriov: obj({}, { description: 'Pass an SR-IOV virtual function through to the guest.' }),
  passt: obj({}, { description: 'Discontinued passt binding (use binding: {name: passt}).' }),
  passtBinding: obj({}, { description: 'Built-in passt binding (feature gated).' }),
  binding: obj({ name: str('Name of a network binding plugin registered in the KubeVirt CR.') }, { description: 'Use a network binding plugin.', required: ['name'] }),
  model: str('NIC model shown to the guest: virtio, e1000, e1000e, igb, ne2k_pci, pcnet or rtl8139.'),
  macAddress: str('MAC address of the guest NIC.'),
  ports: arr(obj({
    name: str('Name of the port.'),
    port: int('Port number to forward (masquerade only).'),
    protocol: str('TCP or UDP. Defaults to TCP.'),
  }, { required: ['port'] }), 'Ports to forward into the guest; all ports when empty.'),
  bootOrder,
  pciAddress: str('PCI address of the NIC in the guest.'),
  tag: str('Tag passed to the guest through the metadata service.'),
  state: str('Link state: up, down or absent.'),
  dhcpOptions: freeform('Extra DHCP options offered to the guest.'),
}, { required: ['name'] });

const volumeSchema: Schema = obj({
  name: str('Name of the volume; disks refer to it by this name.'),
  containerDisk: obj({
    image: str('Container image holding the disk image (in /disk).'),
    imagePullPolicy: str('Always, IfNotPresent or Never. Defaults to Always for :latest or untagged images, IfNotPresent otherwise.'),
    imagePullSecret: str('Secret with registry credentials.'),
    path: str('Path of the disk image inside the container.'),
  }, { description: 'An ephemeral disk pulled from a container image; changes are lost when the VMI stops.', required: ['image'] }),
  cloudInitNoCloud: obj({
    userData: str('Inline cloud-init user data (#cloud-config ...), up to 2048 bytes.'),
    userDataBase64: str('Base64-encoded cloud-init user data.'),
    userDataSecretRef: obj({ name: str('Secret name.') }, { description: 'Secret holding the user data.' }),
    networkData: str('Inline cloud-init network configuration.'),
    networkDataBase64: str('Base64-encoded network configuration.'),
    networkDataSecretRef: obj({ name: str('Secret name.') }, { description: 'Secret holding the network data.' }),
  }, { description: 'A cloud-init NoCloud data source attached as a small disk.' }),
  cloudInitConfigDrive: obj({
    userData: str('Inline cloud-init user data.'),
    userDataBase64: str('Base64-encoded user data.'),
    userDataSecretRef: obj({ name: str('Secret name.') }, { description: 'Secret holding the user data.' }),
    networkData: str('Inline network configuration.'),
    networkDataBase64: str('Base64-encoded network configuration.'),
    networkDataSecretRef: obj({ name: str('Secret name.') }, { description: 'Secret holding the network data.' }),
  }, { description: 'A cloud-init ConfigDrive data source attached as a small disk.' }),
  persistentVolumeClaim: obj({
    claimName: str('Name of the PersistentVolumeClaim in the VMI namespace.'),
    readOnly: bool('Mount read-only.'),
    hotpluggable: bool('The volume may be attached and detached at run time.'),
  }, { description: 'Use a PersistentVolumeClaim as the disk.', required: ['claimName'] }),
  dataVolume: obj({
    name: str('Name of the DataVolume.'),
    hotpluggable: bool('The volume may be attached and detached at run time.'),
  }, { description: 'Use the PVC of a CDI DataVolume as the disk.', required: ['name'] }),
  emptyDisk: obj({
    capacity: quantity('Size of the blank disk.'),
  }, { description: 'A blank, ephemeral disk created when the VMI starts.', required: ['capacity'] }),
  ephemeral: freeform('A PVC used copy-on-write; writes are discarded when the VMI stops.'),
  hostDisk: freeform('A disk image file on the node (feature gated).'),
  configMap: freeform('A ConfigMap exposed to the guest as a disk or filesystem.'),
  secret: freeform('A Secret exposed to the guest as a disk or filesystem.'),
  serviceAccount: freeform('A service account token exposed to the guest.'),
  downwardAPI: freeform('Downward API data exposed to the guest.'),
  downwardMetrics: freeform('Host metrics exposed to the guest (feature gated).'),
  sysprep: freeform('A Windows sysprep answer file.'),
  memoryDump: freeform('Target PVC of a memory dump.'),
}, { required: ['name'] });

const networkSchema: Schema = obj({
  name: str('Name of the network; an interface with the same name connects to it.'),
  pod: obj({
    vmNetworkCIDR: str('Guest-side CIDR used with masquerade. Defaults to 10.0.2.0/24.'),
    vmIPv6NetworkCIDR: str('Guest-side IPv6 CIDR used with masquerade.'),
  }, { description: 'The default pod network of the launcher pod.' }),
  multus: obj({
    networkName: str('NetworkAttachmentDefinition to attach, as name or namespace/name.'),
    default: bool('Use this network instead of the pod network as the default.'),
  }, { description: 'A secondary network provided through Multus.', required: ['networkName'] }),
}, { required: ['name'] });

export const vmiSpecSchema: Schema = obj({
  domain: obj({
    cpu: obj({
      cores: int('Cores per socket.'),
      sockets: int('CPU sockets.'),
      threads: int('Threads per core.'),
      maxSockets: int('Upper bound for CPU hotplug.'),
      model: str('CPU model: host-model (default), host-passthrough or a named model.'),
      features: arr(obj({ name: str('CPU feature flag.'), policy: str('force, require, optional, disable or forbid.') }, { required: ['name'] }), 'CPU feature flags to adjust.'),
      dedicatedCpuPlacement: bool('Pin each vCPU to a dedicated host CPU.'),
      isolateEmulatorThread: bool('Give the emulator thread its own host CPU.'),
      numa: freeform('NUMA topology of the guest.'),
      realtime: freeform('Real-time tuning.'),
    }, { description: 'Virtual CPU topology and model.' }),
    memory: obj({
      guest: quantity('Memory visible to the guest. Defaults to the memory request.'),
      maxGuest: quantity('Upper bound for memory hotplug.'),
      hugepages: obj({ pageSize: str('Huge page size, e.g. 2Mi or 1Gi.') }, { description: 'Back guest memory with huge pages.' }),
    }, { description: 'Guest memory.' }),
    resources: obj({
      requests: mapOf(quantity(), 'Resources reserved for the virt-launcher pod (cpu, memory).'),
      limits: mapOf(quantity(), 'Upper bounds for the virt-launcher pod.'),
      overcommitGuestOverhead: bool('Do not add the virtualization overhead to the memory request.'),
    }, { description: 'Compute resources requested for the VMI.' }),
    devices: obj({
      disks: arr(diskSchema, 'Disks, CD-ROMs and LUNs, each backed by a volume of the same name.'),
      interfaces: arr(interfaceSchema, 'Network interfaces, each connected to the network of the same name.'),
      watchdog: obj({
        name: str('Name of the watchdog device.'),
        i6300esb: obj({
          action: str('What happens when the guest stops feeding the watchdog: poweroff (the VMI fails), reset (the guest reboots in place) or shutdown (graceful power-off). Defaults to reset.'),
        }, { description: 'Emulated Intel 6300ESB watchdog (x86).' }),
        diag288: obj({
          action: str('Action on expiry: poweroff, reset or shutdown.'),
        }, { description: 'Diag288 watchdog (s390x only).' }),
      }, { description: 'A watchdog device; its action fires when the guest OS hangs.', required: ['name'] }),
      rng: obj({}, { description: 'A virtio random number generator backed by the host.' }),
      autoattachPodInterface: bool('Add a pod network interface when none is declared. Defaults to true.'),
      autoattachGraphicsDevice: bool('Attach a VGA device for VNC. Defaults to true.'),
      autoattachSerialConsole: bool('Attach a serial console. Defaults to true.'),
      autoattachMemBalloon: bool('Attach a memory balloon device. Defaults to true.'),
      networkInterfaceMultiqueue: bool('Use one queue per vCPU on virtio NICs.'),
      blockMultiQueue: bool('Use multiple queues on virtio block devices.'),
      inputs: arr(obj({ name: str('Device name.'), type: str('tablet.'), bus: str('usb or virtio.') }, { required: ['name', 'type'] }), 'Input devices.'),
      filesystems: arr(obj({ name: str('Name of the volume to share.'), virtiofs: obj({}, { description: 'Share through virtiofs.' }) }, { required: ['name', 'virtiofs'] }), 'Volumes shared with the guest as filesystems.'),
      gpus: arr(freeform(), 'GPUs passed through to the guest.'),
      hostDevices: arr(freeform(), 'Host devices passed through to the guest.'),
    }, { description: 'Devices attached to the guest.' }),
    machine: obj({
      type: str('QEMU machine type, e.g. q35. Defaults to the cluster machine type.'),
    }, { description: 'Emulated machine.' }),
    firmware: obj({
      uuid: str('SMBIOS UUID of the guest; kept stable across restarts.'),
      serial: str('SMBIOS serial number.'),
      bootloader: obj({
        bios: obj({ useSerial: bool('Send BIOS output to the serial console.') }, { description: 'Boot with SeaBIOS.' }),
        efi: obj({ secureBoot: bool('Enable Secure Boot. Defaults to true.'), persistent: bool('Keep EFI variables across restarts.') }, { description: 'Boot with UEFI (OVMF).' }),
      }, { description: 'Boot loader.' }),
      kernelBoot: freeform('Boot a kernel and initrd from a container image.'),
      acpi: freeform('ACPI tables (SLIC, MSDM) for the guest.'),
    }, { description: 'Firmware settings.' }),
    features: freeform('Hypervisor features exposed to the guest (acpi, apic, smm, hyperv ...).'),
    clock: freeform('Guest clock and timers.'),
    chassis: freeform('SMBIOS chassis information.'),
    ioThreadsPolicy: str('How I/O threads are allocated: shared, auto or supplementalPool.'),
    launchSecurity: freeform('Confidential computing settings.'),
  }, { description: 'The virtual hardware of the VMI.', required: ['devices'] }),
  networks: arr(networkSchema, 'Networks the VMI connects to; each is used by the interface of the same name.'),
  volumes: arr(volumeSchema, 'Storage sources; each is exposed through the disk of the same name.'),
  readinessProbe: probeSchema('Periodic check of the guest; while it fails the VMI is not Ready and its launcher pod is removed from Service endpoints.'),
  livenessProbe: probeSchema('Periodic check of the guest; when it fails the VMI is stopped (phase Failed) and the run strategy decides whether it is restarted.'),
  evictionStrategy: str(
    'What happens when the node is drained or the launcher pod is evicted: None lets the VMI be shut down, LiveMigrate blocks the eviction and live-migrates the VMI, LiveMigrateIfPossible migrates when possible and otherwise lets it go, External blocks the eviction and leaves it to an external controller. Defaults to the cluster setting.'),
  startStrategy: str('Set to Paused to start the VMI paused.'),
  terminationGracePeriodSeconds: int('Seconds the guest gets to shut down after an ACPI power-off before it is forced off. Defaults to 30 when unset.', 'int64'),
  nodeSelector: stringMap('Node labels the VMI must be scheduled on.'),
  affinity: freeform('Scheduling affinity and anti-affinity, as for pods.'),
  tolerations: arr(obj({
    key: str('Taint key the toleration applies to.'),
    operator: str('Exists or Equal.'),
    value: str('Taint value for Equal.'),
    effect: str('NoSchedule, PreferNoSchedule or NoExecute.'),
    tolerationSeconds: int('How long a NoExecute taint is tolerated.', 'int64'),
  }), 'Taints the VMI tolerates.'),
  topologySpreadConstraints: arr(freeform(), 'How VMIs spread across topology domains.'),
  priorityClassName: str('Priority class of the launcher pod.'),
  schedulerName: str('Scheduler that places the launcher pod.'),
  serviceAccountName: str('Service account of the launcher pod.'),
  hostname: str('Host name of the guest. Defaults to the VMI name.'),
  subdomain: str('Subdomain, for a FQDN together with a headless Service of the same name.'),
  dnsPolicy: str('DNS policy of the launcher pod.'),
  dnsConfig: freeform('DNS settings of the launcher pod.'),
  accessCredentials: arr(freeform(), 'SSH keys and passwords injected into the guest.'),
  architecture: str('CPU architecture: amd64, arm64 or s390x. Defaults to the cluster architecture.'),
  resourceClaims: arr(freeform(), 'Dynamic resource claims.'),
}, { description: 'Specification of a virtual machine instance.', required: ['domain'] });

export const vmiStatusSchema: Schema = {
  ...obj({
    phase: str('Lifecycle phase: Pending, Scheduling, Scheduled, Running, Succeeded, Failed, WaitingForSync or Unknown.'),
    reason: str('Short CamelCase reason for the current state, e.g. NodeUnresponsive.'),
    nodeName: str('Node the VMI runs on.'),
    conditions: kubevirtConditions('Current conditions: Ready, LiveMigratable, AgentConnected, Paused, ...'),
    phaseTransitionTimestamps: arr(obj({
      phase: str('Phase entered.'),
      phaseTransitionTimestamp: dateTime('When it was entered.'),
    }), 'History of phase changes.'),
    interfaces: arr(obj({
      name: str('Name of the network.'),
      ipAddress: str('Primary IP address.'),
      ipAddresses: arr(str(), 'All IP addresses.'),
      mac: str('MAC address.'),
      interfaceName: str('Interface name inside the guest.'),
      podInterfaceName: str('Interface name in the launcher pod.'),
      infoSource: str('Where the information comes from: domain, guest-agent, multus-status.'),
      queueCount: int('Queues of the NIC.'),
      linkState: str('up or down.'),
    }), 'Network interfaces as reported by the guest and the launcher pod.'),
    guestOSInfo: freeform('Guest operating system, as reported by the guest agent.'),
    migrationState: freeform('State of the current or last live migration.'),
    migrationMethod: str('LiveMigration or BlockMigration.'),
    migrationTransport: str('Transport used for migrations.'),
    evacuationNodeName: str('Node the VMI must leave (set when its launcher pod is evicted).'),
    activePods: stringMap('Launcher pods of the VMI (pod UID to node name).'),
    qosClass: str('QoS class of the launcher pod.'),
    launcherContainerImageVersion: str('virt-launcher image the VMI runs with.'),
    volumeStatus: arr(freeform(), 'Per-volume status.'),
    runtimeUser: int('UID the launcher runs as.', 'int64'),
    currentCPUTopology: obj({ cores: int(), sockets: int(), threads: int() }, { description: 'vCPU topology in effect.' }),
    memory: obj({ guestAtBoot: quantity(), guestCurrent: quantity(), guestRequested: quantity() }, { description: 'Guest memory in effect.' }),
    machine: obj({ type: str('Machine type in effect.') }),
    selinuxContext: str('SELinux context of the launcher.'),
  }, { description: 'Observed state of the VMI; written by KubeVirt.' }),
  'x-kubernetes-preserve-unknown-fields': true,
};

// ---------------------------------------------------------------------------
// Defaults (virt-api mutating webhooks; pkg/defaults and api/core/v1/defaults.go).

/** ceil(value) of a CPU quantity, as resource.Quantity.Value(). */
function cpuCount(q: unknown): number | undefined {
  const v = parseQuantity(q);
  return v === undefined ? undefined : Math.ceil(v - 1e-9);
}

function isZeroQuantity(q: unknown): boolean {
  const v = parseQuantity(q);
  return v === undefined || v === 0;
}

/** The VM template defaults of the VM mutator: architecture and machine type. */
export function applyVmTemplateSpecDefaults(spec: Json): void {
  if (typeof spec.architecture !== 'string' || spec.architecture === '') spec.architecture = kubevirtClusterConfig.defaultArchitecture;
  const domain = ensureObj(spec, 'domain');
  const machine = ensureObj(domain, 'machine');
  if (typeof machine.type !== 'string' || machine.type === '') machine.type = kubevirtClusterConfig.machineType;
}

/** Probe defaults: values below 1 are replaced (initialDelaySeconds stays unset). */
export function applyProbeDefaults(probe: Json | undefined): void {
  if (!probe) return;
  const floor = (k: string, d: number): void => {
    const v = probe[k];
    if (typeof v !== 'number' || v < 1) probe[k] = d;
  };
  floor('timeoutSeconds', 1);
  floor('periodSeconds', 10);
  floor('successThreshold', 1);
  floor('failureThreshold', 3);
}

/** A watchdog without a model or action becomes an i6300esb with action reset (amd64). */
export function applyWatchdogDefaults(devices: Json): void {
  const wd = asObj(devices.watchdog);
  if (!wd) return;
  if (wd.diag288 !== undefined && wd.i6300esb === undefined) return;
  const esb = ensureObj(wd, 'i6300esb');
  if (typeof esb.action !== 'string' || esb.action === '') esb.action = 'reset';
}

/**
 * Everything the VMI mutating webhook fills into a new VMI spec
 * (SetDefaultVirtualMachineInstance). Used on a copy of a VM template before
 * validating it, too. Idempotent.
 */
export function applyVmiSpecDefaults(spec: Json, namespace: string, name: string): void {
  const cfg = kubevirtClusterConfig;
  if (typeof spec.architecture !== 'string' || spec.architecture === '') spec.architecture = cfg.defaultArchitecture;
  const domain = ensureObj(spec, 'domain');
  const machine = ensureObj(domain, 'machine');
  if (typeof machine.type !== 'string' || machine.type === '') machine.type = cfg.machineType;

  // Resources: a CPU limit without a request becomes the request too.
  const resources = asObj(domain.resources);
  const limits = asObj(resources?.limits);
  const requests = asObj(resources?.requests);
  if (resources && limits && !isZeroQuantity(limits.cpu) && (requests === undefined || isZeroQuantity(requests.cpu))) {
    ensureObj(resources, 'requests').cpu = limits.cpu;
  }

  // Guest memory from the memory request, else the limit, else the huge page size.
  const memory = asObj(domain.memory);
  if (!memory || memory.guest === undefined) {
    const req = asObj(asObj(domain.resources)?.requests);
    const lim = asObj(asObj(domain.resources)?.limits);
    const mem = ensureObj(domain, 'memory');
    if (req && !isZeroQuantity(req.memory)) mem.guest = req.memory;
    else if (lim && !isZeroQuantity(lim.memory)) mem.guest = lim.memory;
    else if (typeof asObj(mem.hugepages)?.pageSize === 'string') mem.guest = asObj(mem.hugepages)!.pageSize;
  }

  // CPU topology: one core and thread, sockets from the CPU limit or request.
  const cpu = asObj(domain.cpu);
  const unset = (v: unknown): boolean => typeof v !== 'number' || v === 0;
  if (!cpu || (unset(cpu.cores) && unset(cpu.sockets) && unset(cpu.threads))) {
    const c = ensureObj(domain, 'cpu');
    const res = asObj(domain.resources);
    const fromLimit = asObj(res?.limits)?.cpu !== undefined ? cpuCount(asObj(res?.limits)?.cpu) : undefined;
    const fromRequest = asObj(res?.requests)?.cpu !== undefined ? cpuCount(asObj(res?.requests)?.cpu) : undefined;
    c.sockets = fromLimit ?? fromRequest ?? 1;
    c.cores = 1;
    c.threads = 1;
  }

  // Container disks: pull policy from the tag.
  for (const v of asArr(spec.volumes)) {
    const cd = asObj(asObj(v)?.containerDisk);
    if (!cd || (typeof cd.imagePullPolicy === 'string' && cd.imagePullPolicy !== '')) continue;
    const image = typeof cd.image === 'string' ? cd.image : '';
    cd.imagePullPolicy = image.endsWith(':latest') || !/[:@]/.test(image) ? 'Always' : 'IfNotPresent';
  }

  if (spec.evictionStrategy === undefined && cfg.evictionStrategy) spec.evictionStrategy = cfg.evictionStrategy;

  const devices = ensureObj(domain, 'devices');
  // The pod network, when nothing at all is declared.
  if (devices.autoattachPodInterface !== false && asArr(spec.networks).length === 0 && asArr(devices.interfaces).length === 0) {
    devices.interfaces = [{ name: 'default', [cfg.defaultNetworkInterface]: {} }];
    spec.networks = [{ name: 'default', pod: {} }];
  }

  // A disk for every volume that has none.
  const diskNames = new Set<string>();
  for (const d of asArr(devices.disks)) if (typeof asObj(d)?.name === 'string') diskNames.add(asObj(d)!.name as string);
  for (const f of asArr(devices.filesystems)) if (typeof asObj(f)?.name === 'string') diskNames.add(asObj(f)!.name as string);
  for (const v of asArr(spec.volumes)) {
    const vn = asObj(v)?.name;
    if (typeof vn !== 'string' || diskNames.has(vn)) continue;
    if (!Array.isArray(devices.disks)) devices.disks = [];
    (devices.disks as unknown[]).push({ name: vn });
    diskNames.add(vn);
  }

  // Generated object defaults: firmware UUID, features, disk targets, probes.
  const firmware = ensureObj(domain, 'firmware');
  if (typeof firmware.uuid !== 'string' || firmware.uuid === '') firmware.uuid = stableUUID(namespace, name);
  const features = ensureObj(domain, 'features');
  const acpi = ensureObj(features, 'acpi');
  if (acpi.enabled === undefined) acpi.enabled = true;
  for (const k of ['apic', 'smm', 'pvspinlock']) {
    const f = asObj(features[k]);
    if (f && f.enabled === undefined) f.enabled = true;
  }
  for (const d of asArr(devices.disks)) {
    const disk = asObj(d);
    if (!disk) continue;
    if (disk.disk === undefined && disk.cdrom === undefined && disk.lun === undefined) disk.disk = {};
    const cdrom = asObj(disk.cdrom);
    if (cdrom) {
      if (cdrom.readonly === undefined) cdrom.readonly = true;
      if (cdrom.tray === undefined || cdrom.tray === '') cdrom.tray = 'closed';
    }
  }
  for (const i of asArr(devices.inputs)) {
    const input = asObj(i);
    if (!input) continue;
    if (!input.bus) input.bus = 'usb';
    if (!input.type) input.type = 'tablet';
  }
  applyProbeDefaults(asObj(spec.readinessProbe));
  applyProbeDefaults(asObj(spec.livenessProbe));

  // Architecture-specific defaults (amd64): disk bus and watchdog model.
  if (spec.architecture !== 'arm64' && spec.architecture !== 's390x') {
    for (const d of asArr(devices.disks)) {
      const disk = asObj(d);
      if (!disk) continue;
      for (const t of ['disk', 'cdrom', 'lun']) {
        const target = asObj(disk[t]);
        if (target && (typeof target.bus !== 'string' || target.bus === '')) target.bus = 'sata';
      }
    }
    applyWatchdogDefaults(devices);
  }
  const c = ensureObj(domain, 'cpu');
  if (typeof c.model !== 'string' || c.model === '') c.model = cfg.cpuModel;
}

// ---------------------------------------------------------------------------
// Spec validation (ValidateVirtualMachineInstanceSpec, the parts confirmed).

const VALID_BUSES = ['virtio', 'scsi', 'sata', 'usb'];
const VALID_NIC_MODELS = new Set(['e1000', 'e1000e', 'igb', 'ne2k_pci', 'pcnet', 'rtl8139', 'virtio']);
const VALID_EVICTION = new Set(['None', 'LiveMigrate', 'LiveMigrateIfPossible', 'External']);
const CLOUD_INIT_MAX = 2048;

function str_(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function isPodNetworkPresent(spec: Json): boolean {
  return asArr(spec.networks).some((n) => asObj(n)?.pod !== undefined && asObj(n)?.pod !== null);
}

/** Discontinued interface bindings, checked by the VM webhook on create (ValidateCreation). */
export function validateDiscontinuedBindings(spec: Json, f: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const devices = asObj(asObj(spec.domain)?.devices);
  asArr(devices?.interfaces).forEach((raw, i) => {
    const iface = asObj(raw) ?? {};
    const p = `${f}.domain.devices.interfaces[${i}]`;
    if (iface.slirp !== undefined) causes.push(cause('FieldValueInvalid', 'Slirp interface support has been discontinued since v1.3', `${p}.slirp`));
    if (iface.passt !== undefined) causes.push(cause('FieldValueInvalid', 'Passt network binding has been discontinued since v1.3', `${p}.passt`));
    if (iface.macvtap !== undefined) causes.push(cause('FieldValueInvalid', 'Macvtap network binding has been discontinued since v1.3', `${p}.macvtap`));
  });
  return causes;
}

function validateNetworks(spec: Json, f: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const devices = asObj(asObj(spec.domain)?.devices) ?? {};
  const networks = asArr(spec.networks).map((n) => asObj(n) ?? {});
  const interfaces = asArr(devices.interfaces).map((i) => asObj(i) ?? {});
  const netByName = new Map<string, Json>();
  for (const n of networks) if (!netByName.has(str_(n.name))) netByName.set(str_(n.name), n);

  const podNets = networks.filter((n) => n.pod !== undefined && n.pod !== null);
  if (podNets.length > 1) {
    causes.push(cause('FieldValueDuplicate', `more than one interface is connected to a pod network in ${f}.interfaces`, `${f}.interfaces`));
  }
  networks.forEach((n, i) => {
    const count = (n.pod !== undefined && n.pod !== null ? 1 : 0) + (n.multus !== undefined && n.multus !== null ? 1 : 0);
    if (count === 0) causes.push(cause('FieldValueRequired', 'should have a network type', `${f}.networks[${i}]`));
    else if (count > 1) causes.push(cause('FieldValueRequired', 'should have only one network type', `${f}.networks[${i}]`));
  });
  const multusIdx = networks.findIndex((n) => asObj(n.multus) !== undefined && str_(asObj(n.multus)!.networkName) === '');
  if (multusIdx >= 0) causes.push(cause('FieldValueRequired', 'CNI delegating plugin must have a networkName', `${f}.networks[${multusIdx}]`));

  interfaces.forEach((iface, i) => {
    const p = `${f}.domain.devices.interfaces[${i}]`;
    const bindings = ['bridge', 'masquerade', 'sriov', 'passtBinding', 'binding'].filter((k) => iface[k] !== undefined && iface[k] !== null).length;
    if (bindings !== 1) {
      causes.push(cause('FieldValueInvalid', `logical ${str_(iface.name)} interface must have exactly one binding method or binding plugin`, p));
    }
    const net = netByName.get(str_(iface.name));
    const netHasPod = net !== undefined && net.pod !== undefined && net.pod !== null;
    if (iface.masquerade !== undefined && iface.masquerade !== null && !netHasPod) {
      causes.push(cause('FieldValueInvalid', 'Masquerade interface only implemented with pod network', `${p}.name`));
    }
    if (iface.passtBinding !== undefined && iface.passtBinding !== null) {
      if (!kubevirtClusterConfig.featureGates.has('PasstBinding')) causes.push(cause('FieldValueInvalid', 'PasstBinding feature gate is not enabled', `${p}.name`));
      if (!netHasPod) causes.push(cause('FieldValueInvalid', 'PasstBinding interface only implemented with pod network', `${p}.name`));
    }
  });

  const seenNets = new Set<string>();
  networks.forEach((n, i) => {
    const nm = str_(n.name);
    if (seenNets.has(nm)) causes.push(cause('FieldValueDuplicate', `Network with name "${nm}" already exists, every network must have a unique name`, `${f}.networks[${i}].name`));
    seenNets.add(nm);
  });
  const ifaceNames = new Set(interfaces.map((i) => str_(i.name)));
  networks.forEach((n, i) => {
    if (!ifaceNames.has(str_(n.name))) {
      causes.push(cause('FieldValueRequired', `${f}.networks[${i}].name '${str_(n.name)}' not found.`, `${f}.networks[${i}].name`));
    }
  });
  const seenIfaces = new Set<string>();
  interfaces.forEach((iface, i) => {
    const nm = str_(iface.name);
    if (seenIfaces.has(nm)) causes.push(cause('FieldValueDuplicate', 'Only one interface can be connected to one specific network', `${f}.domain.devices.interfaces[${i}].name`));
    seenIfaces.add(nm);
  });
  interfaces.forEach((iface, i) => {
    if (!netByName.has(str_(iface.name))) {
      const fp = `${f}.domain.devices.interfaces[${i}].name`;
      causes.push(cause('FieldValueInvalid', `${fp} '${str_(iface.name)}' not found.`, fp));
    }
  });
  interfaces.forEach((iface, i) => {
    const p = `${f}.domain.devices.interfaces[${i}]`;
    if (!/^[A-Za-z0-9-_]+$/.test(str_(iface.name))) {
      causes.push(cause('FieldValueInvalid', 'Network interface name can only contain alphabetical characters, numbers, dashes (-) or underscores (_)', `${p}.name`));
    }
    if (typeof iface.model === 'string' && iface.model !== '' && !VALID_NIC_MODELS.has(iface.model)) {
      causes.push(cause('FieldValueNotSupported', `interface ${p}.name uses model ${iface.model} that is not supported.`, `${p}.model`));
    }
    const net = netByName.get(str_(iface.name));
    if (net && net.pod !== undefined && net.pod !== null && Array.isArray(iface.ports)) {
      const ports = iface.ports.map((x) => asObj(x) ?? {});
      const names = new Set<string>();
      ports.forEach((port, j) => {
        const nm = str_(port.name);
        if (nm === '') return;
        if (names.has(nm)) causes.push(cause('FieldValueDuplicate', `Duplicate name of the port: ${nm}`, `${p}.ports[${j}].name`));
        if (!validPortName(nm)) causes.push(cause('FieldValueInvalid', `Invalid name of the port: ${nm}`, `${p}.ports[${j}].name`));
        names.add(nm);
      });
      ports.forEach((port, j) => {
        const num = typeof port.port === 'number' ? port.port : 0;
        if (num === 0) causes.push(cause('FieldValueRequired', 'Port field is mandatory.', `${p}.ports[${j}].port`));
        if (num < 0 || num >= 65536) causes.push(cause('FieldValueInvalid', 'Port field must be in range 0 < x < 65536.', `${p}.ports[${j}].port`));
        const proto = str_(port.protocol);
        if (proto !== '' && proto !== 'TCP' && proto !== 'UDP') causes.push(cause('FieldValueInvalid', 'Unknown protocol, only TCP or UDP allowed', `${p}.ports[${j}].protocol`));
      });
    }
  });
  return causes;
}

/** apimachinery IsValidPortName: 1-15 chars of [a-z0-9-], a letter somewhere, no leading/trailing or double hyphen. */
function validPortName(s: string): boolean {
  return s.length >= 1 && s.length <= 15 && /^[-a-z0-9]+$/.test(s) && /[a-z]/.test(s) && !s.startsWith('-') && !s.endsWith('-') && !s.includes('--');
}

function validateProbe(probe: unknown, p: string): StatusCause[] {
  const pr = asObj(probe);
  if (!pr) return [];
  const handlers = ['httpGet', 'tcpSocket', 'exec', 'guestAgentPing'].filter((k) => pr[k] !== undefined && pr[k] !== null).length;
  if (handlers > 1) return [cause('FieldValueInvalid', `${p} must have exactly one probe type set`, p)];
  if (handlers < 1) return [cause('FieldValueRequired', `either ${p}.tcpSocket, ${p}.exec or ${p}.httpGet must be set if a ${p} is specified`, p)];
  return [];
}

function validateDisksAndBoot(spec: Json, f: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const devices = asObj(asObj(spec.domain)?.devices) ?? {};
  const disks = asArr(devices.disks).map((d) => asObj(d) ?? {});
  const volumes = new Map<string, Json>();
  for (const v of asArr(spec.volumes)) {
    const vo = asObj(v);
    if (vo && !volumes.has(str_(vo.name))) volumes.set(str_(vo.name), vo);
  }
  const bootOrders = new Set<number>();
  disks.forEach((disk, i) => {
    const p = `${f}.domain.devices.disks[${i}]`;
    const vol = volumes.get(str_(disk.name));
    if (!vol) {
      if (disk.cdrom === undefined) {
        causes.push(cause('FieldValueInvalid', `${p}.Name '${str_(disk.name)}' not found.`, `${p}.name`));
      } else if (!kubevirtClusterConfig.featureGates.has('DeclarativeHotplugVolumes')) {
        causes.push(cause('FieldValueInvalid', 'DeclarativeHotplugVolumes feature gate not enabled, cannot define an empty CD-ROM disk', `${p}.name`));
      }
    }
    if (disk.lun !== undefined && vol && vol.persistentVolumeClaim === undefined && vol.dataVolume === undefined) {
      causes.push(cause('FieldValueInvalid', `${p}.lun can only be mapped to a DataVolume or PersistentVolumeClaim volume.`, `${p}.lun`));
    }
    if (typeof disk.bootOrder === 'number') {
      if (bootOrders.has(disk.bootOrder)) {
        causes.push(cause('FieldValueInvalid', `Boot order for ${p}.bootOrder already set for a different device.`, `${p}.bootOrder`));
      }
      bootOrders.add(disk.bootOrder);
    }
  });
  asArr(devices.interfaces).forEach((raw, i) => {
    const iface = asObj(raw) ?? {};
    if (typeof iface.bootOrder !== 'number') return;
    if (iface.bootOrder < 1) {
      causes.push(cause('FieldValueInvalid', `${f}[${i}] must have a boot order > 0, if supplied`, `${f}[${i}].bootOrder`));
    } else {
      const p = `${f}.domain.devices.interfaces[${i}].bootOrder`;
      if (bootOrders.has(iface.bootOrder)) causes.push(cause('FieldValueInvalid', `Boot order for ${p} already set for a different device.`, p));
      bootOrders.add(iface.bootOrder);
    }
  });
  return causes;
}

function validateDisks(spec: Json, f: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const p = `${f}.domain.devices.disks`;
  const disks = asArr(asObj(asObj(spec.domain)?.devices)?.disks).map((d) => asObj(d) ?? {});
  disks.forEach((disk, i) => {
    for (let j = 0; j < i; j++) {
      if (str_(disks[j].name) === str_(disk.name)) {
        causes.push(cause('FieldValueInvalid', `${p}[${i}] and ${p}[${j}] must not have the same Name.`, `${p}[${i}].name`));
      }
    }
    const targets = ['disk', 'lun', 'cdrom'].filter((t) => disk[t] !== undefined && disk[t] !== null);
    if (targets.length > 1) causes.push(cause('FieldValueInvalid', `${p}[${i}] can only have a single target type defined`, `${p}[${i}]`));
    if (typeof disk.bootOrder === 'number' && disk.bootOrder < 1) {
      causes.push(cause('FieldValueInvalid', `${p}[${i}] must have a boot order > 0, if supplied`, `${p}[${i}].bootOrder`));
    }
    const type = targets[0];
    const bus = type ? str_(asObj(disk[type])?.bus) : '';
    if (bus !== '') {
      if (bus === 'ide') causes.push(cause('FieldValueInvalid', 'IDE bus is not supported', `${p}[${i}].${type}.bus`));
      else if (bus === 'virtio' && type === 'cdrom') causes.push(cause('FieldValueInvalid', `Bus type ${bus} is invalid for CD-ROM device`, `${p}[${i}].cdrom.bus`));
      else if (bus === 'sata' && type === 'disk' && asObj(disk.disk)?.readonly === true) causes.push(cause('FieldValueInvalid', `${bus} hard-disks do not support read-only.`, `${p}[${i}].disk.bus`));
      else if (!VALID_BUSES.includes(bus)) causes.push(cause('FieldValueInvalid', `${p}[${i}] is set with an unrecognized bus ${bus}, must be one of: [${VALID_BUSES.join(' ')}]`, `${p}[${i}].${type}.bus`));
    }
    for (const msg of nameErrors(str_(disk.name), 'label')) causes.push(cause('FieldValueInvalid', msg, `${p}[${i}].name`));
  });
  return causes;
}

function validateVolumes(spec: Json, f: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const p = `${f}.volumes`;
  const seen = new Map<string, number>();
  const sources = ['persistentVolumeClaim', 'sysprep', 'cloudInitNoCloud', 'cloudInitConfigDrive', 'containerDisk', 'ephemeral', 'emptyDisk', 'hostDisk', 'dataVolume', 'configMap', 'secret', 'downwardAPI', 'serviceAccount', 'downwardMetrics', 'memoryDump'];
  asArr(spec.volumes).forEach((raw, i) => {
    const vol = asObj(raw) ?? {};
    const nm = str_(vol.name);
    const other = seen.get(nm);
    if (other === undefined) seen.set(nm, i);
    else causes.push(cause('FieldValueInvalid', `${p}[${i}] and ${p}[${other}] must not have the same Name.`, `${p}[${i}].name`));
    const dv = asObj(vol.dataVolume);
    if (dv && str_(dv.name) === '') causes.push(cause('FieldValueRequired', "DataVolume 'name' must be set", `${p}[${i}].name`));
    const count = sources.filter((s) => vol[s] !== undefined && vol[s] !== null).length;
    if (count !== 1) causes.push(cause('FieldValueInvalid', `${p}[${i}] must have exactly one source type set`, `${p}[${i}]`));
    const ciType = vol.cloudInitNoCloud !== undefined ? 'cloudInitNoCloud' : vol.cloudInitConfigDrive !== undefined ? 'cloudInitConfigDrive' : undefined;
    if (ciType) {
      const ci = asObj(vol[ciType]) ?? {};
      const cp = `${p}[${i}].${ciType}`;
      let userSources = 0;
      let userLen = 0;
      if (str_(asObj(ci.userDataSecretRef)?.name) !== '') userSources++;
      if (str_(ci.userDataBase64) !== '') {
        userSources++;
        userLen = Buffer.from(str_(ci.userDataBase64), 'base64').length;
      }
      if (str_(ci.userData) !== '') {
        userSources++;
        userLen = Buffer.byteLength(str_(ci.userData));
      }
      if (userSources > 1) causes.push(cause('FieldValueInvalid', `${cp} must have only one userdatasource set.`, cp));
      if (userLen > CLOUD_INIT_MAX) causes.push(cause('FieldValueInvalid', `${cp} userdata exceeds ${CLOUD_INIT_MAX} byte limit. Should use UserDataSecretRef for larger data.`, cp));
      let netSources = 0;
      let netLen = 0;
      if (str_(asObj(ci.networkDataSecretRef)?.name) !== '') netSources++;
      if (str_(ci.networkDataBase64) !== '') {
        netSources++;
        netLen = Buffer.from(str_(ci.networkDataBase64), 'base64').length;
      }
      if (str_(ci.networkData) !== '') {
        netSources++;
        netLen = Buffer.byteLength(str_(ci.networkData));
      }
      if (netSources > 1) causes.push(cause('FieldValueInvalid', `${cp} must have only one networkdata source set.`, cp));
      if (netLen > CLOUD_INIT_MAX) causes.push(cause('FieldValueInvalid', `${cp} networkdata exceeds ${CLOUD_INIT_MAX} byte limit. Should use NetworkDataSecretRef for larger data.`, cp));
      if (userSources === 0 && netSources === 0) causes.push(cause('FieldValueInvalid', `${cp} must have at least one userdatasource or one networkdatasource set.`, cp));
    }
  });
  return causes;
}

/**
 * The spec checks shared by the VM and VMI webhooks, in KubeVirt's order.
 * `f` is the path of the spec: "spec" for a VMI, "spec.template.spec" for a VM.
 * Run on a spec that already has the VMI defaults applied.
 */
export function validateVmiSpec(spec: Json, f: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (typeof spec.hostname === 'string' && spec.hostname !== '') {
    const errs = nameErrors(spec.hostname, 'label');
    if (errs.length) causes.push(cause('FieldValueInvalid', `${f}.hostname does not conform to the kubernetes DNS_LABEL rules : ${errs.join(', ')}`, `${f}.hostname`));
  }
  if (typeof spec.subdomain === 'string' && spec.subdomain !== '') {
    const errs = nameErrors(spec.subdomain, 'subdomain');
    if (errs.length) causes.push(cause('FieldValueInvalid', `${f}.subdomain does not conform to the kubernetes DNS_SUBDOMAIN rules : ${errs.join(', ')}`, `${f}.subdomain`));
  }
  if (typeof spec.startStrategy === 'string') {
    if (spec.startStrategy !== 'Paused') {
      causes.push(cause('FieldValueInvalid', `${f}.startStrategy is set with an unrecognized option: ${spec.startStrategy}`, `${f}.startStrategy`));
    } else if (spec.livenessProbe !== undefined) {
      causes.push(cause('FieldValueInvalid', `either ${f}.startStrategy or ${f}.livenessProbe should be provided.Pausing VMI with LivenessProbe is not supported`, `${f}.startStrategy`));
    }
  }
  causes.push(...validateNetworks(spec, f));
  causes.push(...validateDisksAndBoot(spec, f));
  causes.push(...validateProbe(spec.readinessProbe, `${f}.readinessProbe`));
  causes.push(...validateProbe(spec.livenessProbe, `${f}.livenessProbe`));
  if (!isPodNetworkPresent(spec)) {
    for (const which of ['readinessProbe', 'livenessProbe']) {
      const pr = asObj(spec[which]);
      if (!pr) continue;
      for (const h of ['httpGet', 'tcpSocket']) {
        if (pr[h] !== undefined && pr[h] !== null) {
          causes.push(cause('FieldValueInvalid', `${f}.${which}.${h} is only allowed if the Pod Network is attached`, `${f}.${which}.${h}`));
        }
      }
    }
  }
  causes.push(...validateDisks(spec, f));
  causes.push(...validateVolumes(spec, f));
  const eviction = spec.evictionStrategy ?? kubevirtClusterConfig.evictionStrategy;
  if (eviction !== undefined && !VALID_EVICTION.has(String(eviction))) {
    causes.push(cause('FieldValueInvalid', `${f}.evictionStrategy is set with an unrecognized option: ${String(spec.evictionStrategy)}`, `${f}.evictionStrategy`));
  }
  return causes;
}

/** The amd64 watchdog rule (ValidateVirtualMachineInstanceAmd64Setting). */
export function validateArchSettings(spec: Json, f: string): StatusCause[] {
  const arch = str_(spec.architecture) || kubevirtClusterConfig.defaultArchitecture;
  const wd = asObj(asObj(asObj(spec.domain)?.devices)?.watchdog);
  if (!wd) return [];
  if (arch === 'amd64' && !(wd.i6300esb !== undefined && wd.diag288 === undefined)) {
    return [cause('FieldValueInvalid', 'amd64 only supports I6300ESB watchdog device', `${f}.domain.devices.watchdog`)];
  }
  if (arch === 's390x' && !(wd.diag288 !== undefined && wd.i6300esb === undefined)) {
    return [cause('FieldValueInvalid', 's390x only supports Diag288 watchdog device', `${f}.domain.devices.watchdog`)];
  }
  if (arch === 'arm64') return [cause('FieldValueInvalid', 'Arm64 not support Watchdog device', `${f}.domain.devices.watchdog`)];
  return [];
}

/** Labels only KubeVirt may set on a VMI (and a VM template). */
export const RESERVED_VMI_LABELS = new Set([
  'kubevirt.io/created-by', 'kubevirt.io/migrationJobUID', 'kubevirt.io/nodeName',
  'kubevirt.io/migrationTargetNodeName', 'kubevirt.io/schedulable', 'kubevirt.io/install-strategy',
]);

export function reservedLabels(labels: unknown): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(asObj(labels) ?? {})) if (RESERVED_VMI_LABELS.has(k)) out[k] = v;
  return out;
}

/** ValidateVirtualMachineInstanceMetadata: reserved labels on create (VMI) or in a VM template. */
export function validateVmiMetadata(metadata: Json | undefined, f: string, user: string): StatusCause[] {
  if (isKubeVirtServiceAccount(user)) return [];
  if (Object.keys(reservedLabels(metadata?.labels)).length === 0) return [];
  return [cause('FieldValueNotSupported', 'creation of the following reserved kubevirt.io/ labels on a VMI object is prohibited', `${f}.labels`)];
}

/** Deep JSON equality (objects compared key by key, arrays in order). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}
