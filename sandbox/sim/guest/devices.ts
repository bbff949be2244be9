// The guest's /dev: the character device nodes devtmpfs makes at boot for the
// domain's virtual hardware. /dev/watchdog (the legacy misc node) and
// /dev/watchdog0 exist only when the VMI has a watchdog device, because the
// i6300esb driver binds only to a PCI device that is there.

export type DeviceKind = 'null' | 'tty' | 'watchdog';

export interface DeviceNode {
  path: string;
  kind: DeviceKind;
  major: number;
  minor: number;
  /** The nine permission characters ls prints after the type letter. */
  mode: string;
  owner: string;
  group: string;
}

const NODES: readonly DeviceNode[] = [
  { path: '/dev/console', kind: 'tty', major: 5, minor: 1, mode: 'rw--w----', owner: 'root', group: 'tty' },
  { path: '/dev/null', kind: 'null', major: 1, minor: 3, mode: 'rw-rw-rw-', owner: 'root', group: 'root' },
  { path: '/dev/tty', kind: 'tty', major: 5, minor: 0, mode: 'rw-rw-rw-', owner: 'root', group: 'tty' },
];

const WATCHDOG_NODES: readonly DeviceNode[] = [
  { path: '/dev/watchdog', kind: 'watchdog', major: 10, minor: 130, mode: 'rw-------', owner: 'root', group: 'root' },
  // The watchdog core's own node gets a dynamic major; 248 is what a small guest usually ends up with.
  { path: '/dev/watchdog0', kind: 'watchdog', major: 248, minor: 0, mode: 'rw-------', owner: 'root', group: 'root' },
];

/** The nodes of a guest with (or without) a watchdog device. */
export function deviceNodes(hardware: { watchdog: boolean }): DeviceNode[] {
  return [...NODES, ...(hardware.watchdog ? WATCHDOG_NODES : [])].map((n) => ({ ...n }));
}

/** Whether `user` may open the node for reading or writing (root always may; others by the "other" bits). */
export function mayOpenDevice(node: DeviceNode, user: string, access: 'r' | 'w'): boolean {
  if (user === 'root') return true;
  if (user === node.owner) return node.mode[access === 'r' ? 0 : 1] === access;
  return node.mode[access === 'r' ? 6 : 7] === access;
}
