// What virt-handler reads off a domain (the simulated guest) and writes into
// the VMI status: the phase for a domain state (calculateVmPhaseForStatusReason),
// the Stopped events, interfaces, guest OS info, volume status. Pure.

import { createHash } from 'node:crypto';
import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { arr, obj, str, type Json } from '../../runtime/json-fields.ts';
import type { GuestInfo, ShutoffReason } from '../../guest/types.ts';

export const Phase = {
  Scheduled: 'Scheduled',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
} as const;

export const Reason = {
  Started: 'Started',
  Stopped: 'Stopped',
  ShuttingDown: 'ShuttingDown',
} as const;

export const Message = {
  Started: 'VirtualMachineInstance started.',
  ShutDown: 'The VirtualMachineInstance was shut down.',
  Crashed: 'The VirtualMachineInstance crashed.',
  ShuttingDown: 'Signaled Graceful Shutdown',
} as const;

/** ACPI is on unless the VMI turns it off (the defaults enable it). */
export function acpiEnabled(vmi: KubeObject): boolean {
  return obj(obj(obj(obj(vmi.spec).domain).features).acpi).enabled !== false;
}

/** The final phase for a stopped domain: clean shutdown → Succeeded; crash, or destroy with ACPI → Failed. */
export function phaseForShutoff(reason: ShutoffReason | undefined, acpi: boolean): 'Succeeded' | 'Failed' {
  switch (reason) {
    case 'Shutdown': return Phase.Succeeded;
    case 'Destroyed': return acpi ? Phase.Failed : Phase.Succeeded;
    default: return Phase.Failed;
  }
}

/** True while the domain exists (any state but Shutoff). */
export function domainAlive(g: GuestInfo | undefined): g is GuestInfo {
  return g !== undefined && g.state !== 'Shutoff';
}

/**
 * The VMI phase virt-handler reports for a Scheduled or Running VMI:
 * Running once the domain runs, final once it is off; a Running VMI whose
 * domain vanished failed.
 */
export function domainPhase(current: string, guest: GuestInfo | undefined, acpi: boolean): string {
  if (current !== Phase.Scheduled && current !== Phase.Running) return current;
  if (!guest) return current === Phase.Running ? Phase.Failed : current;
  if (guest.state === 'Shutoff') return phaseForShutoff(guest.shutoffReason, acpi);
  return Phase.Running;
}

/** The event virt-handler records for a phase change, if any. */
export function phaseEvent(from: string, to: string): { type: 'Normal' | 'Warning'; reason: string; message: string } | undefined {
  if (from === to) return undefined;
  if (to === Phase.Running) return { type: 'Normal', reason: Reason.Started, message: Message.Started };
  if (to === Phase.Succeeded) return { type: 'Normal', reason: Reason.Stopped, message: Message.ShutDown };
  if (to === Phase.Failed) return { type: 'Warning', reason: Reason.Stopped, message: Message.Crashed };
  return undefined;
}

/** A stable locally administered MAC in libvirt's 52:54:00 range. */
export function derivedMac(vmiUid: string, iface: string): string {
  const h = createHash('sha256').update(`${vmiUid}/${iface}`).digest();
  return ['52', '54', '00', ...[0, 1, 2].map((i) => h[i].toString(16).padStart(2, '0'))].join(':');
}

/**
 * status.interfaces: the pod network with the launcher pod's IP (what the
 * domain and, once connected, the guest agent report), secondary networks
 * with their MAC only.
 */
export function interfaceStatuses(vmi: KubeObject, podIP: string | undefined, agentConnected: boolean): Json[] {
  const spec = obj(vmi.spec);
  const networks = arr(spec.networks);
  const ifaces = arr(obj(obj(spec.domain).devices).interfaces);
  const infoSource = agentConnected ? 'domain, guest-agent' : 'domain';
  return ifaces.map((iface, i) => {
    const name = str(iface.name);
    const isPod = networks.some((n) => n.name === name && n.pod !== undefined);
    const s: Json = { infoSource };
    if (agentConnected) s.interfaceName = `eth${i}`;
    if (isPod && podIP) {
      s.ipAddress = podIP;
      s.ipAddresses = [podIP];
    }
    s.linkState = 'up';
    s.mac = str(iface.macAddress) || derivedMac(vmi.metadata.uid ?? '', name);
    s.name = name;
    if (isPod) s.podInterfaceName = 'eth0';
    s.queueCount = 1;
    return s;
  });
}

/** guestOSInfo: what the guest agent reports; {} while no agent is connected. */
export function guestOsInfo(guest: GuestInfo | undefined, agentConnected: boolean): Json {
  if (!agentConnected || !guest?.os) return {};
  return { ...guest.os };
}

/**
 * The boot image when the VMI has no containerDisk (the guest runtime reads
 * containerDisks itself): the registry or HTTP source of a DataVolume template
 * of the owning VM, or the import endpoint annotated on a PVC.
 */
export function bootImage(vmi: KubeObject, vm: KubeObject | undefined, pvc: (claim: string) => KubeObject | undefined): string | undefined {
  const volumes = arr(obj(vmi.spec).volumes);
  if (volumes.some((v) => v.containerDisk !== undefined)) return undefined;
  for (const v of volumes) {
    const dv = str(obj(v.dataVolume).name);
    if (dv) {
      const tpl = arr(obj(vm?.spec).dataVolumeTemplates).find((t) => obj(t.metadata).name === dv);
      const source = obj(obj(tpl?.spec).source);
      const url = str(obj(source.registry).url) || str(obj(source.http).url);
      if (url) return url.replace(/^docker:\/\//, '');
    }
    const claim = str(obj(v.persistentVolumeClaim).claimName) || dv;
    const endpoint = claim ? pvc(claim)?.metadata.annotations?.['cdi.kubevirt.io/storage.import.endpoint'] : undefined;
    if (endpoint) return endpoint.replace(/^docker:\/\//, '');
  }
  return undefined;
}

/** cloud-init user data kept in a Secret (userDataSecretRef), which boot() cannot read itself. */
export function userDataSecretName(vmi: KubeObject): string | undefined {
  for (const v of arr(obj(vmi.spec).volumes)) {
    for (const k of ['cloudInitNoCloud', 'cloudInitConfigDrive']) {
      const name = str(obj(obj(v[k]).userDataSecretRef).name);
      if (name) return name;
    }
  }
  return undefined;
}

/** The user data in such a Secret (key userdata or userData, base64 in .data). */
export function userDataFromSecret(secret: KubeObject | undefined): string | undefined {
  const data = obj(secret?.data);
  const b64 = str(data.userdata) || str(data.userData);
  if (b64) return Buffer.from(b64, 'base64').toString('utf8');
  const plain = obj(secret?.stringData);
  return str(plain.userdata) || str(plain.userData) || undefined;
}

/** The disk target names libvirt assigns, per bus prefix, in disk order. */
function diskTargets(vmi: KubeObject): Map<string, string> {
  const counters = new Map<string, number>();
  const out = new Map<string, string>();
  for (const d of arr(obj(obj(obj(vmi.spec).domain).devices).disks)) {
    const kind = ['disk', 'cdrom', 'lun'].find((k) => d[k] !== undefined) ?? 'disk';
    const bus = str(obj(d[kind]).bus) || 'virtio';
    const prefix = bus === 'virtio' ? 'vd' : 'sd';
    const n = counters.get(prefix) ?? 0;
    counters.set(prefix, n + 1);
    out.set(str(d.name), prefix + String.fromCharCode(97 + (n % 26)));
  }
  return out;
}

/** status.volumeStatus once the domain runs. */
export function volumeStatuses(vmi: KubeObject, pvc: (claim: string) => KubeObject | undefined): Json[] {
  const targets = diskTargets(vmi);
  return arr(obj(vmi.spec).volumes).map((v) => {
    const name = str(v.name);
    const s: Json = { name, target: targets.get(name) ?? '' };
    if (v.cloudInitNoCloud !== undefined || v.cloudInitConfigDrive !== undefined) s.size = 1048576;
    const claim = str(obj(v.persistentVolumeClaim).claimName) || str(obj(v.dataVolume).name);
    if (claim) {
      const p = pvc(claim);
      const ps = obj(p?.spec);
      const pst = obj(p?.status);
      s.persistentVolumeClaimInfo = {
        claimName: claim,
        ...(Array.isArray(ps.accessModes) ? { accessModes: ps.accessModes } : {}),
        ...(isPlainObject(pst.capacity) ? { capacity: pst.capacity } : {}),
        filesystemOverhead: '0.055',
        ...(isPlainObject(obj(ps.resources).requests) ? { requests: obj(ps.resources).requests } : {}),
        volumeMode: str(ps.volumeMode) || 'Filesystem',
      };
    }
    return s;
  });
}

/** status.machine: the versioned machine type libvirt expands the VMI's to. */
export function machineStatus(vmi: KubeObject): Json {
  const type = str(obj(obj(obj(vmi.spec).domain).machine).type) || 'q35';
  return { type: type === 'q35' ? 'pc-q35-rhel9.6.0' : type };
}
