// What a guest takes from its VMI: the boot disk's image, cloud-init user
// data, hostname, the watchdog device and how eth0 is bound to the pod.

import type { KubeObject } from '../api/object.ts';
import { nameHash } from './catalog.ts';
import type { BootOptions } from './types.ts';

export type WatchdogAction = 'reset' | 'poweroff' | 'shutdown';

export interface GuestSpec {
  uid: string;
  namespace: string;
  name: string;
  hostname: string;
  image?: string;
  /** The VMI carries a cloud-init disk (NoCloud or ConfigDrive). */
  cloudInit: boolean;
  userData?: string;
  watchdog?: { action: WatchdogAction };
  /** masquerade puts the guest behind NAT on 10.0.2.2; bridge hands it the pod IP. */
  binding: 'masquerade' | 'bridge';
  mac: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj).filter((x): x is Obj => !!x) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** libvirt's prefix for MACs it generates, with the rest derived from the VMI so it is stable. */
function derivedMac(uid: string): string {
  const h = nameHash(uid);
  return `52:54:00:${[(h >>> 16) & 255, (h >>> 8) & 255, h & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
}

export function readVmi(vmi: KubeObject, options: BootOptions = {}): GuestSpec {
  const spec = obj(vmi.spec) ?? {};
  const devices = obj(obj(spec.domain)?.devices) ?? {};
  const disks = arr(devices.disks);
  const volumes = arr(spec.volumes);
  const volume = (name: unknown) => volumes.find((v) => v.name === name);

  // The boot disk: lowest bootOrder, else the first disk listed, else the first volume.
  const ordered = disks.filter((d) => typeof d.bootOrder === 'number').sort((a, b) => (a.bootOrder as number) - (b.bootOrder as number));
  const bootVolume = volume((ordered[0] ?? disks[0])?.name) ?? volumes.find((v) => !v.cloudInitNoCloud && !v.cloudInitConfigDrive);
  let image = str(obj(bootVolume?.containerDisk)?.image);
  if (!image && !options.image) image = str(obj(volumes.find((v) => obj(v.containerDisk))?.containerDisk)?.image);
  image = options.image ?? image;

  const ciVolume = volumes.find((v) => obj(v.cloudInitNoCloud) || obj(v.cloudInitConfigDrive));
  const ci = obj(ciVolume?.cloudInitNoCloud) ?? obj(ciVolume?.cloudInitConfigDrive);
  let userData = options.userData ?? str(ci?.userData);
  if (userData === undefined && str(ci?.userDataBase64)) userData = Buffer.from(str(ci?.userDataBase64)!, 'base64').toString('utf8');

  const wd = obj(devices.watchdog);
  let watchdog: GuestSpec['watchdog'];
  if (wd) {
    const model = obj(wd.i6300esb) ?? obj(wd.diag288);
    const action = str(model?.action);
    watchdog = { action: action === 'poweroff' || action === 'shutdown' ? action : 'reset' };
  }

  const iface = arr(devices.interfaces)[0];
  const binding = iface && obj(iface.masquerade) ? 'masquerade' : 'bridge';
  const uid = vmi.metadata.uid ?? `${vmi.metadata.namespace}/${vmi.metadata.name}`;
  return {
    uid,
    namespace: vmi.metadata.namespace ?? 'default',
    name: vmi.metadata.name ?? '',
    hostname: str(spec.hostname) ?? vmi.metadata.name ?? 'localhost',
    image,
    cloudInit: !!ci,
    userData,
    watchdog,
    binding,
    mac: str(iface?.macAddress)?.toLowerCase() ?? derivedMac(uid),
  };
}

/** The IPv6 link-local address the kernel derives from a MAC (EUI-64). */
export function linkLocal(mac: string): string {
  const b = mac.split(':').map((x) => Number.parseInt(x, 16));
  const groups = [((b[0] ^ 2) << 8) | b[1], (b[2] << 8) | 0xff, (0xfe << 8) | b[3], (b[4] << 8) | b[5]];
  return `fe80::${groups.map((g) => g.toString(16)).join(':')}`;
}
