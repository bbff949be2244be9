// What guest commands are written against: the guest they run in, the shell
// session (user, directory, variables) and the streams of one invocation.
//
// Commands are generators: they yield `{ wait }` when they take guest time
// (sleep, a connect that times out) and `{ read }` when they need a line of
// input (a password, dnf's confirmation); whoever drives them decides how.

import type { Timer } from '../clock.ts';
import type { GuestImage, PackageInfo } from './catalog.ts';
import type { GuestFs } from './filesystem.ts';
import type { ListenerReply } from './http.ts';
import type { ServiceManager } from './services.ts';
import type { GuestInfo, GuestNetwork } from './types.ts';

/** Everything the shell may touch in its guest. */
export interface ShellHost {
  readonly image: GuestImage;
  readonly fs: GuestFs;
  readonly units: ServiceManager;
  now(): number;
  hostname(): string;
  setHostname(name: string): void;
  /** Simulated seconds since the kernel started. */
  uptimeSeconds(): number;
  /** Real timestamp (ms) at which the kernel started. */
  bootTime(): number;
  /** Real timestamp (ms) at which `simSeconds` of simulated time from now will have passed. */
  realTimeIn(simSeconds: number): number;
  /** The guest's eth0 as DHCP configured it (10.0.2.2 behind masquerade, the pod IP with bridge). */
  nic(): { ip: string; prefix: number; gateway: string; mac: string; mtu: number; ipv6: string };
  /** Addresses that reach this guest itself. */
  selfAddresses(): string[];
  /** What this guest's own listener on `port` answers; undefined if nothing listens. */
  localRequest(port: number, method: string, path: string): ListenerReply | undefined;
  network(): GuestNetwork | undefined;
  info(): GuestInfo;
  /** A write to /proc/sysrq-trigger. */
  sysrq(key: string, comm: string): void;
  /** `poweroff` / `reboot` inside the guest (clean), optionally delayed like `shutdown +N`. */
  power(action: 'poweroff' | 'reboot', delaySeconds?: number): void;
  /** `shutdown -c`: true if something was scheduled. */
  cancelPower(): boolean;
  install(names: string[]): { installed: PackageInfo[]; present: PackageInfo[] };
  installed(): PackageInfo[];
  /** Guest-time delay. */
  after(seconds: number, fn: () => void): Timer;
  /** Users logged in on the console (for uptime/w). */
  loggedIn(): number;
  /** Userspace still runs (false once the kernel hangs or the system goes down). */
  alive(): boolean;
  /** Opens a device node (permissions already checked): the errno text if the driver refuses, e.g. a watchdog someone holds. */
  openDevice(path: string): string | undefined;
  /** Closes it after writing `written` (a watchdog stops only on the magic 'V'). */
  closeDevice(path: string, written: string): void;
}

export interface ShellSession {
  user: string;
  home: string;
  cwd: string;
  /** How the shell names itself in errors: `-bash`, `sh`, a script path. */
  name: string;
  /** A login shell (prints `logout` on exit). */
  login: boolean;
  /** Attached to the console (exit/su/sudo -i change the console's shell stack). */
  interactive: boolean;
  env: Record<string, string>;
  lastCode: number;
}

export type ShellYield = { wait: number } | { read: string; echo: boolean };
export type ShellControl = { kind: 'exit' } | { kind: 'push'; session: ShellSession } | { kind: 'clear' };
export type CmdGen = Generator<ShellYield, number, string | undefined>;

export interface ShellIo {
  out(text: string): void;
  err(text: string): void;
  control(c: ShellControl): void;
}

export interface CmdCtx {
  host: ShellHost;
  session: ShellSession;
  /** argv[0] as typed. */
  name: string;
  args: string[];
  stdin: string;
  out(text: string): void;
  err(text: string): void;
  control(c: ShellControl): void;
  /** Runs argv as a command in a (possibly different) session, with this context's streams. */
  exec(argv: string[], session?: ShellSession): CmdGen;
  /** Runs a command line in a (possibly different) session. */
  runLine(line: string, session?: ShellSession): CmdGen;
  /** Runs a script's text as `sh <path>` would. */
  runScript(body: string, path: string, session?: ShellSession): CmdGen;
  /** Whether this guest has a command by that name. */
  exists(name: string): boolean;
}

export type Command = (c: CmdCtx) => CmdGen | number;

/** `exit` unwinds the rest of a line. */
export class ShellExit {
  constructor(readonly code: number) {}
}

export function isRoot(s: ShellSession): boolean {
  return s.user === 'root';
}

export function newSession(user: string, opts: Partial<ShellSession> = {}): ShellSession {
  const home = user === 'root' ? '/root' : `/home/${user}`;
  return {
    user,
    home,
    cwd: home,
    name: '-bash',
    login: true,
    interactive: false,
    env: { HOME: home, USER: user, LOGNAME: user, SHELL: '/bin/bash', PATH: user === 'root' ? '/root/.local/bin:/root/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin' : `/home/${user}/.local/bin:/home/${user}/bin:/usr/local/bin:/usr/bin:/usr/local/sbin:/usr/sbin`, TERM: 'vt220', LANG: 'C.UTF-8' },
    lastCode: 0,
    ...opts,
  };
}

/** Paths a non-root user may create or write: their home and /tmp. */
export function userMayWrite(s: ShellSession, path: string): boolean {
  if (isRoot(s)) return true;
  return path === s.home || path.startsWith(s.home + '/') || path.startsWith('/tmp/') || path === '/tmp';
}

/** Paths a non-root user may not read. */
export function userMayRead(s: ShellSession, path: string): boolean {
  if (isRoot(s)) return true;
  return !(path === '/etc/shadow' || path === '/root' || path.startsWith('/root/') || path === '/etc/sudoers');
}
