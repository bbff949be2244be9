// One domain and the guest inside it: power, kernel state, boot, cloud-init,
// shutdown, the i6300esb watchdog, and the host side of its shell, services
// and console. The runtime (runtime.ts) owns many of these and answers the API.

import type { Clock, Timer } from '../clock.ts';
import { baseFiles, bootSeconds, osInfo, packageInfo, resolveImage, type GuestImage, type PackageInfo } from './catalog.ts';
import { cloudFinalSeconds, commandLine, parseUserData, type CloudConfig } from './cloud-init.ts';
import { newSession, type ShellHost } from './commands.ts';
import { deviceNodes } from './devices.ts';
import { GuestFs } from './filesystem.ts';
import { serve, type ListenerReply } from './http.ts';
import { runCollected, runScript } from './interpreter.ts';
import * as msg from './messages.ts';
import { ServiceManager, type ServiceHost, type Unit, type UnitEvent } from './services.ts';
import { SerialConsole, type ConsoleHost } from './shell.ts';
import type { GuestSnapshot } from './snapshot.ts';
import { GuestTimers, type GuestTimer } from './timers.ts';
import type { DomainState, GuestInfo, GuestNetwork, ShutoffReason } from './types.ts';
import { guestResolvConf, linkLocal, type GuestSpec, type WatchdogAction } from './vmi.ts';
import { jsonClone } from '../api/json-clone.ts';

/** How long systemd takes from the ACPI power button (or `poweroff`) to the domain powering off. */
export const SHUTDOWN_SECONDS = 4;

type Kernel = 'booting' | 'up' | 'stopping' | 'hung';

interface WatchdogDevice {
  action: WatchdogAction;
  /** The timer runs: something opened /dev/watchdog and did not close it cleanly. */
  armed: boolean;
  timeoutSeconds: number;
}

export interface GuestDeps {
  clock: Clock;
  /** Called (at most once per batch of changes) when state, services or agent change. */
  changed(): void;
  network(): GuestNetwork | undefined;
}

export class Guest implements ShellHost, ServiceHost, ConsoleHost {
  readonly image: GuestImage;
  readonly fs: GuestFs;
  readonly units: ServiceManager;
  readonly timers: GuestTimers;
  readonly console: SerialConsole;
  readonly shell: ShellHost = this;
  private readonly cloud: CloudConfig;

  ip: string;
  /** The node the domain runs on, once a migration told (boot does not know it). */
  node?: string;
  private host: string;
  private powerState: 'on' | 'off' = 'off';
  private kernel: Kernel = 'booting';
  private paused = false;
  private shutoffReason?: ShutoffReason;
  private bootStartedAt = 0;
  private bootedAt?: number;
  private bootCount = 0;
  private cloudInitDone = false;
  private readonly packages = new Set<string>();
  private readonly device?: WatchdogDevice;
  private watchdogTimer?: GuestTimer;
  private pendingAcpi?: 'poweroff' | 'reboot';
  private scheduledPower?: Timer;
  private batchDepth = 0;
  private dirty = false;

  constructor(readonly spec: GuestSpec, ip: string, private readonly deps: GuestDeps) {
    this.ip = ip;
    this.image = resolveImage(spec.image);
    this.cloud = spec.cloudInit ? parseUserData(spec.userData) : parseUserData(undefined);
    // cloud-init's set_hostname wins over the hostname KubeVirt puts in meta-data.
    this.host = this.cloud.hostname ?? spec.hostname;
    this.timers = new GuestTimers(deps.clock);
    this.fs = new GuestFs(baseFiles(this.image, this.host));
    this.fs.write('/etc/resolv.conf', guestResolvConf(spec.namespace));
    this.units = new ServiceManager(this);
    for (const p of this.image.packages) this.addPackage(packageInfo(p), false);
    for (const [p, c] of Object.entries(this.image.files)) this.fs.write(p, c);
    for (const u of this.image.enabled) this.units.setEnabled(u, true);
    if (spec.watchdog) this.device = { action: spec.watchdog.action, armed: false, timeoutSeconds: 60 };
    this.fs.mknod(deviceNodes({ watchdog: !!this.device }));
    this.console = new SerialConsole(this);
  }

  // ------------------------------------------------------------ state

  get isOn(): boolean {
    return this.powerState === 'on';
  }

  get state(): DomainState {
    if (this.powerState === 'off') return 'Shutoff';
    if (this.paused) return 'Paused';
    if (this.kernel === 'hung') return 'Hung';
    if (this.kernel === 'booting') return 'Booting';
    return 'Running';
  }

  /** The guest OS is up and running userspace (not booting, hung, paused or off). */
  get up(): boolean {
    return this.powerState === 'on' && !this.paused && (this.kernel === 'up' || this.kernel === 'stopping');
  }

  get agentConnected(): boolean {
    return this.powerState === 'on' && (this.kernel === 'up' || this.kernel === 'stopping') && this.units.isActive('qemu-guest-agent');
  }

  get isPaused(): boolean {
    return this.paused && this.powerState === 'on';
  }

  info(): GuestInfo {
    const info: GuestInfo = {
      vmiUid: this.spec.uid,
      namespace: this.spec.namespace,
      vmiName: this.spec.name,
      hostname: this.host,
      state: this.state,
      bootStartedAt: this.bootStartedAt,
      services: this.units.views(),
      agentConnected: this.agentConnected,
      ip: this.ip,
      image: this.image.ref,
      os: osInfo(this.image),
      bootCount: this.bootCount,
    };
    if (this.node !== undefined) info.node = this.node;
    if (this.powerState === 'off' && this.shutoffReason) info.shutoffReason = this.shutoffReason;
    if (this.bootedAt !== undefined) info.bootedAt = this.bootedAt;
    if (this.device) {
      info.watchdog = { action: this.device.action, armed: this.device.armed, timeoutSeconds: this.device.timeoutSeconds };
      const due = this.watchdogTimer?.dueAt();
      if (due !== undefined) info.watchdog.firesAt = due;
    }
    return info;
  }

  /** Runs fn and reports one change at the end, however many things changed inside. */
  batch<T>(fn: () => T): T {
    this.batchDepth++;
    try {
      return fn();
    } finally {
      if (--this.batchDepth === 0 && this.dirty) {
        this.dirty = false;
        this.deps.changed();
      }
    }
  }

  private change(): void {
    if (this.batchDepth > 0) this.dirty = true;
    else this.deps.changed();
  }

  // ------------------------------------------------------------ power

  /** Power-on or hard reset: a new boot of the same disk. */
  powerOn(): void {
    this.batch(() => {
      this.timers.clear();
      this.units.powerLoss(this.bootCount * 131 + (this.spec.name.length * 7));
      this.console.down();
      this.powerState = 'on';
      this.kernel = 'booting';
      this.paused = false;
      this.console.freeze(false);
      this.shutoffReason = undefined;
      this.bootStartedAt = this.now();
      this.bootedAt = undefined;
      this.bootCount++;
      this.pendingAcpi = undefined;
      this.scheduledPower = undefined;
      this.watchdogTimer = undefined;
      if (this.device) this.device.armed = false;
      this.fs.mknod(deviceNodes({ watchdog: !!this.device }));
      const total = bootSeconds(this.image, this.spec.name);
      this.console.print(msg.firmwareLines());
      this.timers.after(Math.min(2, total / 4), () => this.console.print(msg.kernelLines(this.image, Math.min(2, total / 4), !!this.device)));
      this.timers.after(total / 2, () => this.batch(() => this.earlyUserspace()));
      this.timers.after(total, () => this.batch(() => this.booted()));
      this.change();
    });
  }

  /** systemd and cloud-init's early stages: hostname, files, bootcmd. */
  private earlyUserspace(): void {
    this.console.print(msg.systemdWelcome(this.image, this.host));
    if (!this.spec.cloudInit) return;
    if (!this.cloudInitDone) {
      for (const f of this.cloud.writeFiles.filter((w) => !w.defer)) this.fs.write(f.path, f.content, f.append);
    }
    this.runCloudCommands(this.cloud.bootcmd, '/var/lib/cloud/instance/boothooks/bootcmd');
  }

  private booted(): void {
    this.kernel = 'up';
    this.bootedAt = this.now();
    this.units.startEnabled();
    this.console.print(msg.startedLines(this.image, this.units.all().filter((u) => !u.def.hidden)));
    this.console.getty();
    if (this.spec.cloudInit && !this.cloudInitDone) {
      this.timers.after(cloudFinalSeconds(this.cloud), () => this.batch(() => this.cloudFinal()));
    }
    const pending = this.pendingAcpi;
    if (pending) this.acpi(pending);
    this.change();
  }

  /** cloud-init's final stage, once per VMI: packages, deferred files, runcmd or the user-data script. */
  private cloudFinal(): void {
    if (this.kernel !== 'up') return;
    this.cloudInitDone = true;
    const log: string[] = [];
    if (this.cloud.error) log.push(`${this.cloud.error}`);
    if (this.cloud.packages.length) {
      if (this.image.packageManager) {
        const { installed } = this.install(this.cloud.packages);
        if (installed.length) log.push(`Installed: ${installed.map((p) => p.name).join(' ')}`, 'Complete!');
      } else {
        log.push('Failed to install packages: no package manager found');
      }
    }
    for (const f of this.cloud.writeFiles.filter((w) => w.defer)) this.fs.write(f.path, f.content, f.append);
    if (log.length) this.fs.write('/var/log/cloud-init-output.log', log.join('\n') + '\n', true);
    this.runCloudCommands(this.cloud.runcmd, '/var/lib/cloud/instance/scripts/runcmd');
    if (this.cloud.script) this.runCloudScript(this.cloud.script, '/var/lib/cloud/instance/scripts/part-001');
    if (this.powerState !== 'on' || this.kernel !== 'up') return;
    this.console.print(msg.cloudInitFinished(this.uptimeSeconds(), this.now(), 900 + (this.bootCount % 50)));
    this.change();
  }

  private runCloudCommands(cmds: CloudConfig['runcmd'], path: string): void {
    if (!cmds.length) return;
    this.runCloudScript(['#!/bin/sh', ...cmds.map(commandLine)].join('\n') + '\n', path);
  }

  /** Runs a script as root the way cloud-init does, appending its output to cloud-init-output.log. */
  private runCloudScript(body: string, path: string): void {
    this.fs.write(path, body);
    const session = newSession('root', { cwd: '/', name: path });
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), control: () => {} };
    const gen = runScript(this, session, body, path, io);
    for (let r = gen.next(); !r.done; r = gen.next(undefined)) {
      // cloud-init has no terminal: waits pass at once (in guest time they are short) and reads see EOF.
    }
    if (out.length) this.fs.write('/var/log/cloud-init-output.log', out.join(''), true);
  }

  /**
   * The power button (ACPI), `poweroff` or `reboot` in the guest: systemd stops
   * units in reverse order, then the domain powers off or restarts. A hung
   * kernel ignores it; a booting or paused guest handles it once it can.
   */
  acpi(action: 'poweroff' | 'reboot'): void {
    this.batch(() => {
      if (this.powerState === 'off' || this.kernel === 'hung' || this.kernel === 'stopping') return;
      if (this.paused || this.kernel === 'booting') {
        this.pendingAcpi = action;
        return;
      }
      this.pendingAcpi = undefined;
      this.scheduledPower?.cancel();
      this.scheduledPower = undefined;
      this.kernel = 'stopping';
      const stopping = this.units.all().filter((u) => u.state === 'active' && !u.def.hidden).reverse();
      this.console.down();
      this.console.print(msg.shutdownLines(stopping));
      this.units.stopAll();
      this.timers.after(SHUTDOWN_SECONDS, () => {
        this.console.print(msg.powerOffLine(this.uptimeSeconds(), action === 'reboot'));
        if (action === 'reboot') this.powerOn();
        else this.off('Shutdown');
      });
      this.change();
    });
  }

  /** The domain stops existing as a running thing. */
  off(reason: ShutoffReason): void {
    this.batch(() => {
      if (this.powerState === 'off') return;
      this.timers.clear();
      this.units.powerLoss(0);
      this.console.down();
      this.console.freeze(false);
      this.console.closeAll();
      this.powerState = 'off';
      this.paused = false;
      this.shutoffReason = reason;
      this.pendingAcpi = undefined;
      this.watchdogTimer = undefined;
      if (this.device) this.device.armed = false;
      this.change();
    });
  }

  pause(): void {
    this.batch(() => {
      if (this.powerState === 'off' || this.paused) return;
      this.paused = true;
      this.timers.pause();
      this.console.freeze(true);
      this.change();
    });
  }

  unpause(): void {
    this.batch(() => {
      if (this.powerState === 'off' || !this.paused) return;
      this.paused = false;
      this.timers.resume();
      this.console.freeze(false);
      const pending = this.pendingAcpi;
      if (pending && this.kernel === 'up') this.acpi(pending);
      this.change();
    });
  }

  /** The kernel stops: a panic (sysrq c) or an injected hang. Nothing runs, nothing feeds the watchdog. */
  hang(cause: 'sysrq' | 'fault', comm = 'swapper/0'): void {
    this.batch(() => {
      if (this.powerState === 'off' || this.kernel === 'hung') return;
      const uptime = this.uptimeSeconds();
      // Every guest-side timer (boot steps, restarts, a scheduled shutdown) dies with the kernel.
      this.timers.clear();
      this.watchdogTimer = undefined;
      this.scheduledPower = undefined;
      this.pendingAcpi = undefined;
      this.kernel = 'hung';
      this.console.down();
      this.console.print(msg.panicTrace(this.image, uptime, comm, cause === 'sysrq' ? 1301 : 0, cause));
      this.recomputeWatchdog();
      this.change();
    });
  }

  /** Re-evaluates whether the armed device is starving and runs or stops its countdown. */
  private recomputeWatchdog(): void {
    const d = this.device;
    if (!d) return;
    const fed = this.kernel !== 'hung' && this.daemonHoldsWatchdog();
    const starving = this.powerState === 'on' && d.armed && !fed;
    if (starving && !this.watchdogTimer) {
      this.watchdogTimer = this.timers.after(d.timeoutSeconds, () => this.batch(() => this.watchdogFires()));
    } else if (!starving && this.watchdogTimer) {
      this.watchdogTimer.cancel();
      this.watchdogTimer = undefined;
    }
  }

  /** The watchdog daemon runs and has /dev/watchdog open (the device allows one opener). */
  private daemonHoldsWatchdog(): boolean {
    const wd = this.units.get('watchdog');
    return wd?.state === 'active' && !!wd.feeds;
  }

  /** The open starts (or pings) the countdown, like the daemon's first write. */
  openDevice(path: string): string | undefined {
    const d = this.device;
    if (!d || this.fs.device(path)?.kind !== 'watchdog') return undefined;
    if (this.daemonHoldsWatchdog()) return 'Device or resource busy';
    this.batch(() => {
      this.pingWatchdog();
      d.armed = true;
      this.recomputeWatchdog();
      this.change();
    });
    return undefined;
  }

  /** A close without the magic 'V' written leaves the device counting, and the kernel says so. */
  closeDevice(path: string, written: string): void {
    const d = this.device;
    if (!d || !d.armed || this.fs.device(path)?.kind !== 'watchdog' || this.daemonHoldsWatchdog()) return;
    this.batch(() => {
      if (written.includes('V')) d.armed = false;
      else {
        if (written) this.pingWatchdog();
        this.console.print(`${msg.stamp(this.uptimeSeconds())} watchdog: watchdog0: watchdog did not stop!\n`);
      }
      this.recomputeWatchdog();
      this.change();
    });
  }

  /** A keepalive: the countdown starts over from the full timeout. */
  private pingWatchdog(): void {
    this.watchdogTimer?.cancel();
    this.watchdogTimer = undefined;
  }

  private watchdogFires(): void {
    this.watchdogTimer = undefined;
    const d = this.device;
    if (!d || this.powerState === 'off') return;
    // QEMU resets the i6300esb after acting: it stays quiet until something in a guest opens it again.
    d.armed = false;
    switch (d.action) {
      case 'reset':
        this.powerOn();
        break;
      case 'poweroff':
        this.off('Destroyed');
        break;
      case 'shutdown':
        // Only the ACPI power button: a guest that still runs shuts down cleanly, a hung kernel ignores it and stays hung.
        this.acpi('poweroff');
        break;
      default:
    }
    this.change();
  }

  // ------------------------------------------------------------ ServiceHost

  now(): number {
    return this.deps.clock.now();
  }

  after(seconds: number, fn: () => void): Timer {
    return this.timers.after(seconds, () => this.batch(fn));
  }

  hostname(): string {
    return this.host;
  }

  hasWatchdogDevice(): boolean {
    return !!this.device;
  }

  unitEvent(unit: Unit, event: UnitEvent): void {
    const d = this.device;
    if (d && unit.def.kind === 'watchdog') {
      if (event === 'started' && unit.feeds) {
        d.armed = true;
        d.timeoutSeconds = unit.feeds.timeoutSeconds;
      } else if (event === 'stopped' && unit.feeds) {
        // A clean exit writes the magic close character: the device stops counting.
        d.armed = false;
        unit.feeds = undefined;
      }
    }
    this.recomputeWatchdog();
    this.change();
  }

  // ------------------------------------------------------------ ShellHost

  setHostname(name: string): void {
    this.host = name;
    this.fs.write('/etc/hostname', `${name}\n`);
    this.change();
  }

  uptimeSeconds(): number {
    return Math.max(0, this.deps.clock.elapsed(this.bootStartedAt) / 1000);
  }

  bootTime(): number {
    return this.bootStartedAt;
  }

  realTimeIn(simSeconds: number): number {
    return this.deps.clock.deadline(this.now(), simSeconds);
  }

  nic(): { ip: string; prefix: number; gateway: string; mac: string; mtu: number; ipv6: string } {
    const mac = this.spec.mac;
    if (this.spec.binding === 'masquerade') return { ip: '10.0.2.2', prefix: 24, gateway: '10.0.2.1', mac, mtu: 1400, ipv6: linkLocal(mac) };
    const o = this.ip.split('.').map(Number);
    const gw = o.length === 4 ? `${o[0]}.${o[1]}.${o[2] & 0xfe}.1` : '';
    return { ip: this.ip, prefix: 23, gateway: gw, mac, mtu: 1400, ipv6: linkLocal(mac) };
  }

  selfAddresses(): string[] {
    const h = this.host;
    return ['localhost', 'localhost.localdomain', '127.0.0.1', '::1', '0.0.0.0', h, h.split('.')[0], this.nic().ip, this.ip];
  }

  localRequest(port: number, method: string, path: string): ListenerReply | undefined {
    if (!this.up) return undefined;
    const unit = this.units.listeners().get(port);
    if (!unit) return undefined;
    return serve(unit, method, path, { hostname: this.host, now: this.now(), image: this.image, fs: this.fs });
  }

  network(): GuestNetwork | undefined {
    return this.deps.network();
  }

  sysrq(key: string, comm: string): void {
    switch (key) {
      case 'c':
        this.hang('sysrq', comm);
        break;
      case 'b':
        this.console.print(`${msg.stamp(this.uptimeSeconds())} sysrq: Resetting\n`);
        this.powerOn();
        break;
      case 'o':
        this.console.print(`${msg.stamp(this.uptimeSeconds())} sysrq: Power Off\n`);
        this.off('Shutdown');
        break;
      case 's':
        this.console.print(`${msg.stamp(this.uptimeSeconds())} sysrq: Emergency Sync\n`);
        break;
      case 'u':
        this.console.print(`${msg.stamp(this.uptimeSeconds())} sysrq: Emergency Remount R/O\n`);
        break;
      default:
    }
  }

  power(action: 'poweroff' | 'reboot', delaySeconds = 0): void {
    if (delaySeconds > 0) {
      this.scheduledPower?.cancel();
      this.scheduledPower = this.timers.after(delaySeconds, () => this.acpi(action));
      return;
    }
    this.acpi(action);
  }

  cancelPower(): boolean {
    if (!this.scheduledPower) return false;
    this.scheduledPower.cancel();
    this.scheduledPower = undefined;
    return true;
  }

  private addPackage(p: PackageInfo, runtime: boolean): void {
    this.packages.add(p.name);
    for (const [path, content] of Object.entries(p.files?.(this.image) ?? {})) this.fs.writeIfMissing(path, content);
    this.units.addUnits(p.units, runtime);
  }

  install(names: string[]): { installed: PackageInfo[]; present: PackageInfo[] } {
    const installed: PackageInfo[] = [];
    const present: PackageInfo[] = [];
    for (const n of names) {
      const p = packageInfo(n);
      if (this.packages.has(n)) present.push(p);
      else {
        this.addPackage(p, true);
        installed.push(p);
      }
    }
    if (installed.length) this.change();
    return { installed, present };
  }

  installed(): PackageInfo[] {
    return [...this.packages].sort().map(packageInfo);
  }

  loggedIn(): number {
    return this.console.loggedIn();
  }

  alive(): boolean {
    return this.powerState === 'on' && (this.kernel === 'up' || this.kernel === 'booting');
  }

  // ------------------------------------------------------------ API helpers

  /** A command through the guest agent (guest-exec): argv, as root, no terminal. */
  agentExec(argv: string[]): ReturnType<typeof runCollected> {
    return this.batch(() => runCollected(this, newSession('root', { cwd: '/', name: 'qemu-ga' }), argv));
  }

  stopService(name: string): void {
    this.batch(() => {
      if (this.up) this.units.stop(name);
    });
  }

  startService(name: string): void {
    this.batch(() => {
      if (this.up && this.kernel === 'up') this.units.start(name);
    });
  }

  killService(name: string): void {
    this.batch(() => {
      if (this.up) this.units.kill(name, 'KILL');
    });
  }

  // ------------------------------------------------------------ snapshots

  /** The guest as plain data (see snapshot.ts). */
  snapshot(): GuestSnapshot {
    const image = new Set(this.image.packages);
    return {
      spec: jsonClone(this.spec),
      ip: this.ip,
      ...(this.node !== undefined ? { node: this.node } : {}),
      hostname: this.host,
      power: this.powerState,
      kernel: this.kernel,
      paused: this.paused,
      ...(this.shutoffReason ? { shutoffReason: this.shutoffReason } : {}),
      bootStartedAt: this.bootStartedAt,
      ...(this.bootedAt !== undefined ? { bootedAt: this.bootedAt } : {}),
      bootCount: this.bootCount,
      cloudInitDone: this.cloudInitDone,
      packages: [...this.packages].filter((p) => !image.has(p)),
      fs: this.fs.snapshot(),
      services: this.units.snapshot(),
      ...(this.device ? { watchdog: { armed: this.device.armed, timeoutSeconds: this.device.timeoutSeconds } } : {}),
    };
  }

  /**
   * A guest rebuilt from a snapshot without rebooting it: a running guest
   * keeps its processes, files and uptime. What only timers held comes back
   * from the state: a booting guest starts its boot over, pending cloud-init
   * runs, a starving watchdog counts down again, a guest that was shutting
   * down is off.
   */
  static restore(snap: GuestSnapshot, deps: GuestDeps): Guest {
    const g = new Guest(snap.spec, snap.ip, deps);
    for (const p of snap.packages) if (!g.packages.has(p)) g.addPackage(packageInfo(p), true);
    g.fs.restore(snap.fs);
    g.units.restore(snap.services);
    g.host = snap.hostname;
    if (snap.node !== undefined) g.node = snap.node;
    g.cloudInitDone = snap.cloudInitDone;
    g.bootStartedAt = snap.bootStartedAt;
    g.bootedAt = snap.bootedAt;
    g.bootCount = snap.bootCount;
    g.shutoffReason = snap.shutoffReason;
    if (g.device && snap.watchdog) {
      g.device.armed = snap.watchdog.armed;
      g.device.timeoutSeconds = snap.watchdog.timeoutSeconds;
    }
    if (snap.power === 'off') return g;
    if (snap.kernel === 'booting') {
      g.powerOn();
      g.bootCount = snap.bootCount;
    } else if (snap.kernel === 'stopping') {
      g.powerState = 'on';
      g.kernel = 'up';
      g.off('Shutdown');
      return g;
    } else {
      g.powerState = 'on';
      g.kernel = snap.kernel;
      if (snap.kernel === 'up') {
        g.console.getty();
        if (g.spec.cloudInit && !g.cloudInitDone) g.timers.after(cloudFinalSeconds(g.cloud), () => g.batch(() => g.cloudFinal()));
      }
      g.recomputeWatchdog();
    }
    if (snap.paused) g.pause();
    return g;
  }
}
