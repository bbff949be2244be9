// Shared helpers for the guest runtime tests: VMIs as virt-controller would
// hand them to virt-handler, a runtime on a manual clock, and a terminal that
// records what the serial console prints.

import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import { bootSeconds, resolveImage } from '../../sandbox/sim/guest/catalog.ts';
import { GuestRuntime } from '../../sandbox/sim/guest/runtime.ts';
import type { ConsoleSession, GuestNetwork, ProbeOutcome } from '../../sandbox/sim/guest/types.ts';

export interface VmiOptions {
  image?: string;
  userData?: string;
  watchdog?: 'reset' | 'poweroff' | 'shutdown';
  binding?: 'masquerade' | 'bridge';
  hostname?: string;
}

export function vmi(name: string, o: VmiOptions = {}): KubeObject {
  const volumes: Record<string, unknown>[] = [{ name: 'rootdisk', containerDisk: { image: o.image ?? 'quay.io/virtlab/webserver:latest' } }];
  const disks: Record<string, unknown>[] = [{ name: 'rootdisk', disk: { bus: 'virtio' } }];
  if (o.userData !== undefined) {
    volumes.push({ name: 'cloudinitdisk', cloudInitNoCloud: { userData: o.userData } });
    disks.push({ name: 'cloudinitdisk', disk: { bus: 'virtio' } });
  }
  const devices: Record<string, unknown> = { disks, interfaces: [{ name: 'default', [o.binding ?? 'masquerade']: {} }] };
  if (o.watchdog) devices.watchdog = { name: 'wd', i6300esb: { action: o.watchdog } };
  const spec: Record<string, unknown> = { domain: { devices }, networks: [{ name: 'default', pod: {} }], volumes };
  if (o.hostname) spec.hostname = o.hostname;
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name, namespace: 'ha-lab', uid: `uid-${name}` },
    spec,
  };
}

export function setup(network?: GuestNetwork): { clock: ManualClock; rt: GuestRuntime; changes: string[] } {
  const clock = new ManualClock();
  const rt = new GuestRuntime(clock, { network });
  const changes: string[] = [];
  rt.onChange((uid) => changes.push(uid));
  return { clock, rt, changes };
}

/** Seconds from boot() to bootedAt for this image and VMI name. */
export function bootTime(name: string, image = 'quay.io/virtlab/webserver:latest'): number {
  return bootSeconds(resolveImage(image), name);
}

export interface Terminal {
  session: ConsoleSession;
  /** Types raw keys and returns what the console printed in answer, with \r\n made \n. */
  type(keys: string): string;
  /** Types a command and Enter; returns the printed lines (the echoed command first, the next prompt last). */
  run(command: string): string[];
  /** Everything printed since the last type/run (output that arrives on its own, e.g. as time passes). */
  pending(): string;
}

export function terminal(rt: GuestRuntime, uid: string): Terminal {
  const session = rt.openConsole(uid);
  let buf = '';
  session.onData((d) => {
    buf += d;
  });
  const take = () => {
    const out = buf.replace(/\r\n/g, '\n');
    buf = '';
    return out;
  };
  return {
    session,
    type(keys) {
      take();
      session.write(keys);
      return take();
    },
    run(command) {
      take();
      session.write(`${command}\r`);
      return take().split('\n');
    },
    pending: take,
  };
}

/** Boots a guest, waits until it is up and logs in on the console as `user`. */
export function loggedIn(name: string, o: VmiOptions = {}, user = 'fedora', network?: GuestNetwork) {
  const env = setup(network);
  env.rt.boot(vmi(name, o), '10.128.2.15');
  env.clock.advance(bootTime(name, o.image));
  const term = terminal(env.rt, `uid-${name}`);
  term.type(`${user}\r`);
  term.type('any-password\r');
  return { ...env, term, uid: `uid-${name}` };
}

/** 'ok' or why a probe failed. */
export function outcome(o: ProbeOutcome): string {
  return o.ok ? 'ok' : o.reason;
}
