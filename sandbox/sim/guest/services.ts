// systemd as far as the labs see it: units that packages ship, enabled or not,
// started at boot in order, stopped, killed, restarted by policy, their ports,
// and `systemctl status` text shaped like systemd 255's.

import type { Timer } from '../clock.ts';
import type { GuestFs } from './filesystem.ts';
import type { ServicesSnapshot } from './snapshot.ts';
import type { GuestServiceStatus } from './types.ts';

export type UnitKind = 'httpd' | 'nginx' | 'mariadb' | 'sshd' | 'watchdog' | 'agent' | 'plain';

export interface UnitDef {
  name: string;
  description: string;
  kind: UnitKind;
  execStart: string;
  /** Process name (ps, ss, journal identifier). */
  comm: string;
  docs?: string;
  /** Start order at boot (systemd's dependency order, flattened). */
  order: number;
  preset: 'enabled' | 'disabled';
  restart?: { policy: 'always' | 'on-failure'; seconds: number };
  /** Plumbing units a lab never looks at: not listed in GuestInfo.services. */
  hidden?: boolean;
  tasks: number;
  memory: string;
}

export const UNITS: Record<string, UnitDef> = {
  NetworkManager: { name: 'NetworkManager', description: 'Network Manager', kind: 'plain', execStart: '/usr/sbin/NetworkManager --no-daemon', comm: 'NetworkManager', docs: 'man:NetworkManager(8)', order: 5, preset: 'enabled', hidden: true, tasks: 3, memory: '9.8M' },
  'qemu-guest-agent': { name: 'qemu-guest-agent', description: 'QEMU Guest Agent', kind: 'agent', execStart: '/usr/bin/qemu-ga --method=virtio-serial --path=/dev/virtio-ports/org.qemu.guest_agent.0', comm: 'qemu-ga', docs: 'http://wiki.qemu.org/Features/GuestAgent', order: 10, preset: 'enabled', restart: { policy: 'always', seconds: 1 }, tasks: 2, memory: '1.4M' },
  chronyd: { name: 'chronyd', description: 'NTP client/server', kind: 'plain', execStart: '/usr/sbin/chronyd -F 2', comm: 'chronyd', docs: 'man:chronyd(8) man:chrony.conf(5)', order: 20, preset: 'enabled', hidden: true, tasks: 1, memory: '1.2M' },
  sshd: { name: 'sshd', description: 'OpenSSH server daemon', kind: 'sshd', execStart: 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', comm: 'sshd', docs: 'man:sshd(8) man:sshd_config(5)', order: 30, preset: 'enabled', restart: { policy: 'on-failure', seconds: 42 }, tasks: 1, memory: '2.3M' },
  watchdog: { name: 'watchdog', description: 'watchdog daemon', kind: 'watchdog', execStart: '/usr/sbin/watchdog', comm: 'watchdog', docs: 'man:watchdog(8)', order: 40, preset: 'disabled', tasks: 1, memory: '1.1M' },
  mariadb: { name: 'mariadb', description: 'MariaDB 10.11 database server', kind: 'mariadb', execStart: '/usr/libexec/mariadbd --basedir=/usr', comm: 'mariadbd', docs: 'man:mariadbd(8)', order: 55, preset: 'disabled', tasks: 9, memory: '88.4M' },
  httpd: { name: 'httpd', description: 'The Apache HTTP Server', kind: 'httpd', execStart: '/usr/sbin/httpd -DFOREGROUND', comm: 'httpd', docs: 'man:httpd.service(8)', order: 60, preset: 'disabled', tasks: 177, memory: '13.9M' },
  nginx: { name: 'nginx', description: 'The nginx HTTP and reverse proxy server', kind: 'nginx', execStart: 'nginx: master process /usr/sbin/nginx', comm: 'nginx', order: 61, preset: 'disabled', tasks: 3, memory: '4.2M' },
};

export type ActiveState = 'inactive' | 'active' | 'failed';

interface JournalLine {
  at: number;
  host: string;
  ident: string;
  text: string;
}

export interface Unit {
  def: UnitDef;
  enabled: boolean;
  state: ActiveState;
  /** When the current state was entered (undefined: never ran this boot). */
  since?: number;
  pid?: number;
  /** What the last run ended with, for the failed/inactive lines. */
  ended?: { how: 'exited' | 'killed'; status: string; result: 'success' | 'exit-code' | 'signal' };
  /** Ports bound while active. */
  ports: number[];
  /** The watchdog daemon only: whether it opened /dev/watchdog (and with which timeout). */
  feeds?: { timeoutSeconds: number };
  journal: JournalLine[];
  restartTimer?: Timer;
  restarts: number;
}

export type UnitEvent = 'started' | 'stopped' | 'killed' | 'failed';

/** What units need from their guest. */
export interface ServiceHost {
  now(): number;
  /** Guest-time delay (stops while the domain is paused). */
  after(seconds: number, fn: () => void): Timer;
  readonly fs: GuestFs;
  hostname(): string;
  /** Whether the VMI has a watchdog device for the daemon to open. */
  hasWatchdogDevice(): boolean;
  /** Every change of unit state, for the runtime's bookkeeping (watchdog arming, agent, listeners). */
  unitEvent(unit: Unit, event: UnitEvent): void;
}

export type StartResult = { ok: true } | { ok: false; message: string };

export function unitName(arg: string): string {
  return arg.replace(/\.service$/, '');
}

/** Ports a unit's configuration makes it listen on. */
export function configuredPorts(kind: UnitKind, fs: GuestFs): number[] {
  const ports = new Set<number>();
  const scan = (files: string[], re: RegExp) => {
    for (const f of files) {
      for (const line of (fs.read(f) ?? '').split('\n')) {
        const m = re.exec(line);
        if (m) ports.add(Number(m[1]));
      }
    }
  };
  switch (kind) {
    case 'httpd':
      // `Listen 80`, `Listen 0.0.0.0:8080`, `Listen [::]:80`: the port is after the last colon.
      scan(['/etc/httpd/conf/httpd.conf', ...fs.glob('/etc/httpd/conf.d', '.conf')], /^\s*Listen\s+(?:\S*:)?(\d+)\b/i);
      break;
    case 'nginx':
      scan(['/etc/nginx/nginx.conf', ...fs.glob('/etc/nginx/conf.d', '.conf')], /^\s*listen\s+(?:\S*:)?(\d+)\b/);
      break;
    case 'mariadb':
      scan(['/etc/my.cnf', ...fs.glob('/etc/my.cnf.d', '.cnf')], /^\s*port\s*=\s*(\d+)/);
      if (!ports.size) ports.add(3306);
      break;
    case 'sshd':
      scan(['/etc/ssh/sshd_config'], /^\s*Port\s+(\d+)/);
      if (!ports.size) ports.add(22);
      break;
    default:
      break;
  }
  return [...ports];
}

/** The watchdog daemon's reading of /etc/watchdog.conf. */
export function watchdogConfig(fs: GuestFs): { device: boolean; timeoutSeconds: number } {
  let device = false;
  let timeoutSeconds = 60;
  for (const line of (fs.read('/etc/watchdog.conf') ?? '').split('\n')) {
    if (/^\s*watchdog-device\s*=\s*\S+/.test(line)) device = true;
    const t = /^\s*watchdog-timeout\s*=\s*(\d+)/.exec(line);
    if (t) timeoutSeconds = Number(t[1]);
  }
  return { device, timeoutSeconds };
}

export class ServiceManager {
  private readonly units = new Map<string, Unit>();
  private nextPid = 600;

  constructor(private readonly host: ServiceHost) {}

  /** Registers the units a package ships (disabled unless their preset says otherwise). */
  addUnits(names: string[], usePreset = true): void {
    for (const n of names) {
      const def = UNITS[n];
      if (!def || this.units.has(n)) continue;
      this.units.set(n, { def, enabled: usePreset && def.preset === 'enabled', state: 'inactive', ports: [], journal: [], restarts: 0 });
    }
  }

  get(name: string): Unit | undefined {
    return this.units.get(unitName(name));
  }

  all(): Unit[] {
    return [...this.units.values()].sort((a, b) => a.def.order - b.def.order);
  }

  isActive(name: string): boolean {
    return this.get(name)?.state === 'active';
  }

  /** Active listeners by port. */
  listeners(): Map<number, Unit> {
    const m = new Map<number, Unit>();
    for (const u of this.all()) if (u.state === 'active') for (const p of u.ports) m.set(p, u);
    return m;
  }

  views(): GuestServiceStatus[] {
    return this.all().filter((u) => !u.def.hidden).map((u) => {
      const v: GuestServiceStatus = { name: u.def.name, active: u.state === 'active', enabled: u.enabled };
      if (u.state === 'active' && u.ports.length) v.port = u.ports[0];
      return v;
    });
  }

  setEnabled(name: string, enabled: boolean): boolean {
    const u = this.get(name);
    if (!u) return false;
    u.enabled = enabled;
    return true;
  }

  private log(u: Unit, ident: string, text: string): void {
    u.journal.push({ at: this.host.now(), host: this.host.hostname(), ident, text });
    if (u.journal.length > 30) u.journal.shift();
  }

  private title(u: Unit): string {
    return `${u.def.name}.service - ${u.def.description}`;
  }

  private fail(u: Unit, reason: string): StartResult {
    const pid = this.nextPid++;
    this.log(u, `${u.def.comm}[${pid}]`, reason);
    this.log(u, 'systemd[1]', `${u.def.name}.service: Control process exited, code=exited, status=1/FAILURE`);
    this.log(u, 'systemd[1]', `${u.def.name}.service: Failed with result 'exit-code'.`);
    this.log(u, 'systemd[1]', `Failed to start ${this.title(u)}.`);
    u.state = 'failed';
    u.since = this.host.now();
    u.pid = pid;
    u.ports = [];
    u.ended = { how: 'exited', status: '1/FAILURE', result: 'exit-code' };
    this.host.unitEvent(u, 'failed');
    return {
      ok: false,
      message: `Job for ${u.def.name}.service failed because the control process exited with error code.\nSee "systemctl status ${u.def.name}.service" and "journalctl -xeu ${u.def.name}.service" for details.`,
    };
  }

  start(name: string): StartResult {
    const u = this.get(name);
    if (!u) return { ok: false, message: `Failed to start ${unitName(name)}.service: Unit ${unitName(name)}.service not found.` };
    if (u.state === 'active') return { ok: true };
    u.restartTimer?.cancel();
    u.restartTimer = undefined;
    this.log(u, 'systemd[1]', `Starting ${this.title(u)}...`);
    const ports = configuredPorts(u.def.kind, this.host.fs);
    const taken = this.listeners();
    for (const p of ports) {
      const other = taken.get(p);
      if (other && other !== u) return this.fail(u, bindError(u.def.kind, p));
    }
    let feeds: Unit['feeds'];
    if (u.def.kind === 'watchdog') {
      const conf = watchdogConfig(this.host.fs);
      if (conf.device) {
        if (!this.host.hasWatchdogDevice()) return this.fail(u, "cannot open /dev/watchdog (errno = 2 = 'No such file or directory')");
        feeds = { timeoutSeconds: conf.timeoutSeconds };
      }
    }
    const pid = this.nextPid++;
    u.state = 'active';
    u.since = this.host.now();
    u.pid = pid;
    u.ports = ports;
    u.feeds = feeds;
    u.ended = undefined;
    const ident = `${u.def.comm}[${pid}]`;
    if (u.def.kind === 'httpd' && ports.length) this.log(u, ident, `Server configured, listening on: ${ports.map((p) => `port ${p}`).join(', ')}`);
    if (u.def.kind === 'watchdog') {
      this.log(u, ident, 'starting daemon (5.16):');
      this.log(u, ident, 'int=1s realtime=yes sync=no load=0,0,0 soft=no');
      if (feeds) {
        this.log(u, ident, 'hardware watchdog identity: i6300ESB timer');
        this.log(u, ident, `hardware watchdog timeout: ${feeds.timeoutSeconds} seconds`);
      } else {
        this.log(u, ident, 'no watchdog device configured');
      }
    }
    if (u.def.kind === 'mariadb') this.log(u, ident, `/usr/libexec/mariadbd: ready for connections.`);
    this.log(u, 'systemd[1]', `Started ${this.title(u)}.`);
    this.host.unitEvent(u, 'started');
    return { ok: true };
  }

  /** A clean stop (systemctl stop, SIGTERM, shutdown). */
  stop(name: string): boolean {
    const u = this.get(name);
    if (!u) return false;
    u.restartTimer?.cancel();
    u.restartTimer = undefined;
    if (u.state !== 'active') {
      if (u.state === 'failed') {
        u.state = 'inactive';
        this.host.unitEvent(u, 'stopped');
      }
      return true;
    }
    this.log(u, 'systemd[1]', `Stopping ${this.title(u)}...`);
    if (u.def.kind === 'watchdog') this.log(u, `${u.def.comm}[${u.pid}]`, 'stopping daemon (5.16)');
    this.log(u, 'systemd[1]', `${u.def.name}.service: Deactivated successfully.`);
    this.log(u, 'systemd[1]', `Stopped ${this.title(u)}.`);
    u.state = 'inactive';
    u.since = this.host.now();
    u.ports = [];
    u.ended = { how: 'exited', status: '0/SUCCESS', result: 'success' };
    this.host.unitEvent(u, 'stopped');
    return true;
  }

  /**
   * A signal to the main process from outside systemctl. TERM is a clean exit
   * (a watchdog daemon disarms the device on the way out); KILL leaves no
   * chance to clean up, so an armed device stays armed and starves.
   */
  kill(name: string, signal: 'TERM' | 'KILL' = 'KILL'): boolean {
    const u = this.get(name);
    if (!u || u.state !== 'active') return false;
    if (signal === 'TERM') {
      if (u.def.kind === 'watchdog') this.log(u, `${u.def.comm}[${u.pid}]`, 'stopping daemon (5.16)');
      this.log(u, 'systemd[1]', `${u.def.name}.service: Deactivated successfully.`);
      u.state = 'inactive';
      u.ended = { how: 'exited', status: '0/SUCCESS', result: 'success' };
    } else {
      this.log(u, 'systemd[1]', `${u.def.name}.service: Main process exited, code=killed, status=9/KILL`);
      this.log(u, 'systemd[1]', `${u.def.name}.service: Failed with result 'signal'.`);
      u.state = 'failed';
      u.ended = { how: 'killed', status: 'KILL', result: 'signal' };
    }
    u.since = this.host.now();
    u.ports = [];
    this.host.unitEvent(u, signal === 'TERM' ? 'stopped' : 'killed');
    const r = u.def.restart;
    if (r && (r.policy === 'always' || signal === 'KILL')) {
      u.restartTimer = this.host.after(r.seconds, () => {
        u.restartTimer = undefined;
        u.restarts++;
        this.log(u, 'systemd[1]', `${u.def.name}.service: Scheduled restart job, restart counter is at ${u.restarts}.`);
        this.start(u.def.name);
      });
    }
    return true;
  }

  /** The unit whose main process has this PID, if it runs. */
  byPid(pid: number): Unit | undefined {
    return this.all().find((u) => u.state === 'active' && u.pid === pid);
  }

  /** journalctl lines of one unit (or all units, merged by time). */
  journal(name?: string): string[] {
    const units = name ? [this.get(name)].filter((u): u is Unit => !!u) : this.all();
    const all = units.flatMap((u) => u.journal).sort((a, b) => a.at - b.at);
    return all.map((j) => `${journalDate(j.at)} ${j.host} ${j.ident}: ${j.text}`);
  }

  restart(name: string): StartResult {
    const u = this.get(name);
    if (!u) return { ok: false, message: `Failed to restart ${unitName(name)}.service: Unit ${unitName(name)}.service not found.` };
    this.stop(name);
    return this.start(name);
  }

  /** Boot: every enabled unit starts, in order. */
  startEnabled(): void {
    for (const u of this.all()) if (u.enabled && u.state !== 'active') this.start(u.def.name);
  }

  /** Clean shutdown: active units stop in reverse order. */
  stopAll(): void {
    for (const u of this.all().reverse()) {
      u.restartTimer?.cancel();
      u.restartTimer = undefined;
      if (u.state === 'active') this.stop(u.def.name);
    }
  }

  /** Power is gone (reset, destroy, crash): every process vanishes, nothing is logged. */
  powerLoss(pidSeed: number): void {
    for (const u of this.units.values()) {
      u.restartTimer?.cancel();
      u.restartTimer = undefined;
      u.state = 'inactive';
      u.since = undefined;
      u.pid = undefined;
      u.ports = [];
      u.feeds = undefined;
      u.ended = undefined;
      u.journal = [];
      u.restarts = 0;
    }
    this.nextPid = 500 + (pidSeed % 300);
  }

  /** Unit states (not restart timers), for a guest snapshot. */
  snapshot(): ServicesSnapshot {
    return {
      nextPid: this.nextPid,
      units: [...this.units.values()].map((u) => ({
        name: u.def.name, enabled: u.enabled, state: u.state, ports: [...u.ports], journal: u.journal.map((j) => ({ ...j })), restarts: u.restarts,
        ...(u.since !== undefined ? { since: u.since } : {}),
        ...(u.pid !== undefined ? { pid: u.pid } : {}),
        ...(u.ended ? { ended: { ...u.ended } } : {}),
        ...(u.feeds ? { feeds: { ...u.feeds } } : {}),
      })),
    };
  }

  /** Puts units back as a snapshot had them: registered, enabled and running alike (no events: nothing changed for the guest). */
  restore(snap: ServicesSnapshot): void {
    this.addUnits(snap.units.map((u) => u.name), false);
    for (const s of snap.units) {
      const u = this.units.get(s.name);
      if (!u) continue;
      u.enabled = s.enabled;
      u.state = s.state;
      u.since = s.since;
      u.pid = s.pid;
      u.ended = s.ended ? { ...s.ended } : undefined;
      u.ports = [...s.ports];
      u.feeds = s.feeds ? { ...s.feeds } : undefined;
      u.journal = s.journal.map((j) => ({ ...j }));
      u.restarts = s.restarts;
    }
    this.nextPid = snap.nextPid;
  }

  /** `systemctl status <unit>` text and exit code. */
  status(name: string, now: number): { text: string; code: number } {
    const n = unitName(name);
    const u = this.get(n);
    if (!u) return { text: `Unit ${n}.service could not be found.`, code: 4 };
    const lines: string[] = [];
    const mark = u.state === 'active' ? '●' : u.state === 'failed' ? '×' : '○';
    lines.push(`${mark} ${this.title(u)}`);
    lines.push(`     Loaded: loaded (/usr/lib/systemd/system/${n}.service; ${u.enabled ? 'enabled' : 'disabled'}; preset: ${u.def.preset})`);
    const since = u.since !== undefined ? ` since ${systemdDate(u.since)}; ${ago(now - u.since)}` : '';
    if (u.state === 'active') lines.push(`     Active: active (running)${since}`);
    else if (u.state === 'failed') lines.push(`     Active: failed (Result: ${u.ended?.result ?? 'exit-code'})${since}`);
    else lines.push(`     Active: inactive (dead)${since}`);
    if (u.def.docs) {
      const docs = u.def.docs.split(' ');
      lines.push(`       Docs: ${docs[0]}`);
      for (const d of docs.slice(1)) lines.push(`             ${d}`);
    }
    if (u.state === 'active') {
      lines.push(`   Main PID: ${u.pid} (${u.def.comm})`);
      if (u.def.kind === 'httpd' && u.ports.length) lines.push(`     Status: "Started, listening on: ${u.ports.map((p) => `port ${p}`).join(', ')}"`);
      lines.push(`      Tasks: ${u.def.tasks} (limit: 4630)`);
      lines.push(`     Memory: ${u.def.memory}`);
      lines.push(`     CGroup: /system.slice/${n}.service`);
      lines.push(`             └─${u.pid} ${u.def.execStart}`);
    } else if (u.pid !== undefined && u.ended) {
      const what = u.ended.how === 'killed' ? `code=killed, signal=${u.ended.status}` : `code=exited, status=${u.ended.status}`;
      if (u.ended.result === 'exit-code') lines.push(`    Process: ${u.pid} ExecStart=${u.def.execStart.split(' ')[0]} (${what})`);
      else lines.push(`   Main PID: ${u.pid} (${what})`);
    }
    const journal = u.journal.slice(-10);
    if (journal.length) {
      lines.push('');
      for (const j of journal) lines.push(`${journalDate(j.at)} ${j.host} ${j.ident}: ${j.text}`);
    }
    return { text: lines.join('\n'), code: u.state === 'active' ? 0 : 3 };
  }
}

function bindError(kind: UnitKind, port: number): string {
  switch (kind) {
    case 'httpd': return `(98)Address already in use: AH00072: make_sock: could not bind to address 0.0.0.0:${port}`;
    case 'nginx': return `nginx: [emerg] bind() to 0.0.0.0:${port} failed (98: Address already in use)`;
    case 'mariadb': return `[ERROR] Can't start server: Bind on TCP/IP port. Got error: 98: Address already in use`;
    default: return `error: Bind to port ${port} on 0.0.0.0 failed: Address already in use.`;
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `Thu 2026-01-01 00:00:25 UTC` (guests run in UTC). */
export function systemdDate(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${clockTime(ms)} UTC`;
}

/** `Jan 01 00:00:25`, the journal's short timestamp. */
export function journalDate(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${clockTime(ms)}`;
}

export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** systemd's relative time: `5s ago`, `1min 5s ago`, `2h 3min ago`, `1 day 2h ago`. */
export function ago(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.floor(ms))}ms ago`;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) return `${d} day${d > 1 ? 's' : ''} ${h}h ago`;
  if (h) return `${h}h ${m}min ago`;
  if (m) return sec ? `${m}min ${sec}s ago` : `${m}min ago`;
  return `${sec}s ago`;
}
