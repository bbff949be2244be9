// Everyday commands: files and text, users and privileges (sudo, su), the
// shell's own builtins. Messages follow coreutils/bash wording.

import { mayOpenDevice, type DeviceNode } from './devices.ts';
import { GuestFs } from './filesystem.ts';
import { clockTime } from './services.ts';
import { ShellExit, isRoot, newSession, userMayRead, userMayWrite, type CmdCtx, type CmdGen, type Command, type ShellSession } from './commands.ts';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Thu Jan  1 00:01:23 UTC 2026`, date(1)'s default. */
export function dateText(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${clockTime(ms)} UTC ${d.getUTCFullYear()}`;
}

export function resolve(c: CmdCtx, p: string): string {
  return GuestFs.resolve(p, c.session.cwd, c.session.home);
}

/** Splits `-abc` style flags from operands; `--` ends flags. */
export function flags(args: string[], withValue: string[] = []): { set: Set<string>; values: Map<string, string>; rest: string[] } {
  const set = new Set<string>();
  const values = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) values.set(a.slice(0, eq), a.slice(eq + 1));
      else set.add(a);
    } else if (a.startsWith('-') && a.length > 1 && !/^-\d+$/.test(a)) {
      for (let j = 1; j < a.length; j++) {
        const f = `-${a[j]}`;
        if (withValue.includes(f)) {
          values.set(f, a.slice(j + 1) || args[++i] || '');
          break;
        }
        set.add(f);
      }
    } else {
      rest.push(a);
    }
  }
  return { set, values, rest };
}

/** Text of a readable path, including the few dynamic /proc and /sys files labs look at. */
export function readPath(c: CmdCtx, path: string): { text?: string; error?: string } {
  const h = c.host;
  switch (path) {
    case '/proc/uptime': {
      const up = h.uptimeSeconds();
      return { text: `${up.toFixed(2)} ${(up * 0.93).toFixed(2)}\n` };
    }
    case '/proc/sys/kernel/hostname': return { text: `${h.hostname()}\n` };
    case '/proc/sys/kernel/sysrq': return { text: '16\n' };
    case '/proc/cmdline': return { text: `BOOT_IMAGE=/vmlinuz-${h.image.kernelRelease} root=LABEL=root ro console=tty1 console=ttyS0,115200n8\n` };
    case '/proc/loadavg': return { text: '0.00 0.01 0.00 1/180 1234\n' };
    case '/sys/class/net/eth0/address': return { text: `${h.nic().mac}\n` };
    case '/proc/sysrq-trigger': return { error: 'Input/output error' };
    default: break;
  }
  const node = h.fs.device(path);
  if (node) return readDevice(c, node);
  if (!userMayRead(c.session, path)) return { error: 'Permission denied' };
  if (h.fs.isDir(path)) return { error: 'Is a directory' };
  const text = h.fs.read(path);
  return text === undefined ? { error: 'No such file or directory' } : { text };
}

/** open, read, close of a device node. */
function readDevice(c: CmdCtx, node: DeviceNode): { text?: string; error?: string } {
  if (!mayOpenDevice(node, c.session.user, 'r')) return { error: 'Permission denied' };
  const refused = c.host.openDevice(node.path);
  if (refused) return { error: refused };
  if (node.kind === 'watchdog') {
    // The driver has no read(): the open started the countdown, the read fails, the close leaves it counting.
    c.host.closeDevice(node.path, '');
    return { error: 'Invalid argument' };
  }
  // /dev/null and the terminals: end of file at once.
  return { text: '' };
}

function cat(c: CmdCtx): number {
  const { rest } = flags(c.args);
  if (!rest.length || (rest.length === 1 && rest[0] === '-')) {
    c.out(c.stdin);
    return 0;
  }
  let code = 0;
  for (const f of rest) {
    const r = readPath(c, resolve(c, f));
    if (r.error) {
      c.err(`cat: ${f}: ${r.error}\n`);
      code = 1;
    } else c.out(r.text ?? '');
  }
  return code;
}

function echo(c: CmdCtx): number {
  let args = c.args;
  let newline = true;
  let escapes = false;
  while (args.length && /^-[neE]+$/.test(args[0])) {
    if (args[0].includes('n')) newline = false;
    if (args[0].includes('e')) escapes = true;
    args = args.slice(1);
  }
  let text = args.join(' ');
  if (escapes) text = text.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\\\/g, '\\');
  c.out(text + (newline ? '\n' : ''));
  return 0;
}

function printf(c: CmdCtx): number {
  if (!c.args.length) {
    c.err('printf: usage: printf [-v var] format [arguments]\n');
    return 2;
  }
  const [fmt, ...rest] = c.args;
  const unescape = (s: string) => s.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\\\/g, '\\');
  let args = rest;
  let out = '';
  do {
    let used = 0;
    out += unescape(fmt).replace(/%([sd%])/g, (_m, k: string) => {
      if (k === '%') return '%';
      const v = args[used++] ?? '';
      return k === 'd' ? String(Number.parseInt(v, 10) || 0) : v;
    });
    args = args.slice(used);
    if (!used) break;
  } while (args.length);
  c.out(out);
  return 0;
}

function tee(c: CmdCtx): number {
  const { set, rest } = flags(c.args);
  let code = 0;
  for (const f of rest) {
    const path = resolve(c, f);
    if (!userMayWrite(c.session, path)) {
      c.err(`tee: ${f}: Permission denied\n`);
      code = 1;
      continue;
    }
    if (path === '/proc/sysrq-trigger') {
      const key = c.stdin.trim()[0];
      c.out(c.stdin);
      if (key) c.host.sysrq(key, 'tee');
      return code;
    }
    if (c.host.fs.device(path)) {
      const refused = c.host.openDevice(path);
      if (refused) {
        c.err(`tee: ${f}: ${refused}\n`);
        code = 1;
      } else c.host.closeDevice(path, c.stdin);
      continue;
    }
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    if (!path.startsWith('/proc/') && !path.startsWith('/dev/') && !c.host.fs.isDir(parent)) {
      c.err(`tee: ${f}: No such file or directory\n`);
      code = 1;
      continue;
    }
    if (!path.startsWith('/proc/') && !path.startsWith('/dev/')) c.host.fs.write(path, c.stdin, set.has('-a') || set.has('--append'));
  }
  c.out(c.stdin);
  return code;
}

function evalTest(c: CmdCtx, a: string[]): boolean | 'error' {
  if (a[0] === '!') {
    const r = evalTest(c, a.slice(1));
    return r === 'error' ? r : !r;
  }
  if (a.length === 0) return false;
  if (a.length === 1) return a[0] !== '';
  if (a.length === 2) {
    const p = resolve(c, a[1]);
    switch (a[0]) {
      case '-f': return c.host.fs.isFile(p);
      case '-d': return c.host.fs.isDir(p);
      case '-c': return c.host.fs.device(p) !== undefined;
      case '-e': case '-r': case '-w': case '-x': return c.host.fs.exists(p);
      case '-s': return (c.host.fs.read(p) ?? '').length > 0;
      case '-z': return a[1] === '';
      case '-n': return a[1] !== '';
      default: return 'error';
    }
  }
  if (a.length === 3) {
    const [l, op, r] = a;
    const n = (x: string) => Number.parseInt(x, 10);
    switch (op) {
      case '=': case '==': return l === r;
      case '!=': return l !== r;
      case '-eq': return n(l) === n(r);
      case '-ne': return n(l) !== n(r);
      case '-lt': return n(l) < n(r);
      case '-le': return n(l) <= n(r);
      case '-gt': return n(l) > n(r);
      case '-ge': return n(l) >= n(r);
      default: return 'error';
    }
  }
  return 'error';
}

function test(c: CmdCtx): number {
  let args = c.args;
  if (c.name === '[') {
    if (args.at(-1) !== ']') {
      c.err(`${c.session.name}: [: missing \`]'\n`);
      return 2;
    }
    args = args.slice(0, -1);
  }
  const r = evalTest(c, args);
  if (r === 'error') {
    c.err(`${c.session.name}: ${c.name}: ${args[0] ?? ''}: unary operator expected\n`);
    return 2;
  }
  return r ? 0 : 1;
}

function* sleep(c: CmdCtx): CmdGen {
  if (!c.args.length) {
    c.err("sleep: missing operand\nTry 'sleep --help' for more information.\n");
    return 1;
  }
  let total = 0;
  for (const a of c.args) {
    const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(a);
    if (!m) {
      c.err(`sleep: invalid time interval ‘${a}’\nTry 'sleep --help' for more information.\n`);
      return 1;
    }
    total += Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]];
  }
  if (total > 0) yield { wait: total };
  return 0;
}

function hostname(c: CmdCtx): number {
  const { set, rest } = flags(c.args);
  if (set.has('-I') || set.has('--all-ip-addresses')) {
    c.out(`${c.host.nic().ip} \n`);
    return 0;
  }
  if (set.has('-i')) {
    c.out(`${c.host.nic().ip}\n`);
    return 0;
  }
  if (rest.length) {
    if (!isRoot(c.session)) {
      c.err('hostname: you must be root to change the host name\n');
      return 1;
    }
    c.host.setHostname(rest[0]);
    return 0;
  }
  const h = c.host.hostname();
  c.out(`${set.has('-s') ? h.split('.')[0] : h}\n`);
  return 0;
}

function* hostnamectl(c: CmdCtx): CmdGen {
  const [verb = 'status', name] = c.args.filter((a) => !a.startsWith('-'));
  if (verb === 'hostname' && !name) {
    c.out(`${c.host.hostname()}\n`);
    return 0;
  }
  if (verb === 'set-hostname' || (verb === 'hostname' && name)) {
    if (!name) {
      c.err('Too few arguments.\n');
      return 1;
    }
    if (!isRoot(c.session)) {
      c.err(`==== AUTHENTICATING FOR org.freedesktop.hostname1.set-static-hostname ====\nAuthentication is required to set the statically configured local hostname, as well as the pretty hostname.\nAuthenticating as: ${c.session.user}\n`);
      const pw = yield { read: 'Password: ', echo: false };
      if (pw === undefined) return 1;
      c.err('==== AUTHENTICATION COMPLETE ====\n');
    }
    c.host.setHostname(name);
    return 0;
  }
  if (verb !== 'status') {
    c.err(`Unknown command verb '${verb}'.\n`);
    return 1;
  }
  const img = c.host.image;
  c.out([
    ` Static hostname: ${c.host.hostname()}`,
    '       Icon name: computer-vm',
    '         Chassis: vm',
    '  Virtualization: kvm',
    `Operating System: ${img.os.prettyName}`,
    `          Kernel: Linux ${img.kernelRelease}`,
    '    Architecture: x86-64',
    ' Hardware Vendor: KubeVirt',
    '  Hardware Model: None',
    '',
  ].join('\n'));
  return 0;
}

function whoami(c: CmdCtx): number {
  c.out(`${c.session.user}\n`);
  return 0;
}

function id(c: CmdCtx): number {
  const { set } = flags(c.args);
  const root = isRoot(c.session);
  const uid = root ? 0 : 1000;
  const u = c.session.user;
  if (set.has('-u')) {
    c.out(set.has('-n') ? `${u}\n` : `${uid}\n`);
    return 0;
  }
  if (set.has('-g')) {
    c.out(set.has('-n') ? `${u}\n` : `${uid}\n`);
    return 0;
  }
  const groups = root ? '0(root)' : `${uid}(${u}),4(adm),10(wheel),190(systemd-journal)`;
  const ctx = c.host.image.init === 'systemd' ? ' context=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023' : '';
  c.out(`uid=${uid}(${u}) gid=${uid}(${u}) groups=${groups}${ctx}\n`);
  return 0;
}

function pwd(c: CmdCtx): number {
  c.out(`${c.session.cwd}\n`);
  return 0;
}

function cd(c: CmdCtx): number {
  const target = c.args[0] ?? c.session.home;
  const path = resolve(c, target);
  if (!c.host.fs.isDir(path)) {
    c.err(`${c.session.name}: cd: ${target}: ${c.host.fs.isFile(path) ? 'Not a directory' : 'No such file or directory'}\n`);
    return 1;
  }
  if (!userMayRead(c.session, path)) {
    c.err(`${c.session.name}: cd: ${target}: Permission denied\n`);
    return 1;
  }
  c.session.cwd = path;
  return 0;
}

function ls(c: CmdCtx): number {
  const { set, rest } = flags(c.args);
  const long = set.has('-l');
  const all = set.has('-a') || set.has('-A');
  const targets = rest.length ? rest : ['.'];
  let code = 0;
  // Operands that are not directories are listed first, together, as ls does.
  const files: string[] = [];
  const dirs: { t: string; path: string }[] = [];
  for (const t of targets) {
    const path = resolve(c, t);
    if (c.host.fs.isFile(path) || c.host.fs.device(path)) files.push(t);
    else if (c.host.fs.isDir(path)) dirs.push({ t, path });
    else {
      c.err(`ls: cannot access '${t}': No such file or directory\n`);
      code = 2;
    }
  }
  const blocks: string[] = [];
  if (files.length) blocks.push(long ? alignLong(files.map((t) => longEntry(c, resolve(c, t), t))).join('\n') : files.join('  '));
  for (const { t, path } of dirs) {
    if (!userMayRead(c.session, path)) {
      c.err(`ls: cannot open directory '${t}': Permission denied\n`);
      code = 2;
      continue;
    }
    let names = (c.host.fs.list(path) ?? []).map((n) => n.replace(/\/$/, ''));
    if (!all) names = names.filter((n) => !n.startsWith('.'));
    const header = targets.length > 1 ? `${t}:\n` : '';
    if (long) {
      const entries = names.map((n) => longEntry(c, `${path === '/' ? '' : path}/${n}`, n));
      const total = entries.reduce((sum, e) => sum + (typeof e.size === 'number' ? 4 : 0), 0);
      blocks.push(header + [`total ${total}`, ...alignLong(entries)].join('\n'));
    } else if (names.length) {
      blocks.push(header + names.join('  '));
    } else if (header) {
      blocks.push(header.trimEnd());
    }
  }
  if (blocks.length) c.out(blocks.join('\n\n') + '\n');
  return code;
}

/** One `ls -l` row before alignment; a device node shows major and minor instead of a size. */
interface LongEntry {
  mode: string;
  links: number;
  owner: string;
  group: string;
  size: number | { major: number; minor: number };
  when: string;
  name: string;
}

function longEntry(c: CmdCtx, path: string, name: string): LongEntry {
  const node = c.host.fs.device(path);
  // devtmpfs made the nodes when the kernel booted.
  if (node) return { mode: `c${node.mode}.`, links: 1, owner: node.owner, group: node.group, size: { major: node.major, minor: node.minor }, when: lsTime(c.host.bootTime()), name };
  const dir = c.host.fs.isDir(path);
  const size = dir ? 4096 : Buffer.byteLength(c.host.fs.read(path) ?? '');
  const owner = path.startsWith(c.session.home) && !isRoot(c.session) ? c.session.user : 'root';
  return { mode: dir ? 'drwxr-xr-x.' : '-rw-r--r--.', links: dir ? 2 : 1, owner, group: owner, size, when: lsTime(c.host.now()), name };
}

/** Columns padded to their widest entry, as GNU ls does within one listing. */
function alignLong(entries: LongEntry[]): string[] {
  const width = (f: (e: LongEntry) => string) => Math.max(0, ...entries.map((e) => f(e).length));
  const dev = (e: LongEntry) => (typeof e.size === 'number' ? undefined : e.size);
  const major = width((e) => (dev(e) ? String(dev(e)!.major) : ''));
  const minor = width((e) => (dev(e) ? String(dev(e)!.minor) : ''));
  const size = Math.max(width((e) => (dev(e) ? '' : String(e.size))), major || minor ? major + 2 + minor : 0);
  const links = width((e) => String(e.links));
  const owner = width((e) => e.owner);
  const group = width((e) => e.group);
  return entries.map((e) => {
    const d = dev(e);
    const sz = d ? `${String(d.major).padStart(major, ' ')}, ${String(d.minor).padStart(minor, ' ')}` : String(e.size);
    return `${e.mode} ${String(e.links).padStart(links, ' ')} ${e.owner.padEnd(owner, ' ')} ${e.group.padEnd(group, ' ')} ${sz.padStart(size, ' ')} ${e.when} ${e.name}`;
  });
}

/** `Jan  1 00:01`, ls's time column for recent files. */
function lsTime(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${clockTime(ms).slice(0, 5)}`;
}

function mkdir(c: CmdCtx): number {
  const { set, rest } = flags(c.args);
  const parents = set.has('-p') || set.has('--parents');
  let code = 0;
  for (const t of rest) {
    const path = resolve(c, t);
    if (c.host.fs.exists(path)) {
      if (!parents) {
        c.err(`mkdir: cannot create directory ‘${t}’: File exists\n`);
        code = 1;
      }
      continue;
    }
    if (!userMayWrite(c.session, path)) {
      c.err(`mkdir: cannot create directory ‘${t}’: Permission denied\n`);
      code = 1;
      continue;
    }
    if (!c.host.fs.mkdir(path, parents)) {
      c.err(`mkdir: cannot create directory ‘${t}’: No such file or directory\n`);
      code = 1;
    }
  }
  return code;
}

function touch(c: CmdCtx): number {
  let code = 0;
  for (const t of flags(c.args).rest) {
    const path = resolve(c, t);
    if (c.host.fs.exists(path)) continue;
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    if (!userMayWrite(c.session, path)) {
      c.err(`touch: cannot touch '${t}': Permission denied\n`);
      code = 1;
    } else if (!c.host.fs.isDir(parent)) {
      c.err(`touch: cannot touch '${t}': No such file or directory\n`);
      code = 1;
    } else c.host.fs.write(path, '');
  }
  return code;
}

function rm(c: CmdCtx): number {
  const { set, rest } = flags(c.args);
  const recursive = set.has('-r') || set.has('-R') || set.has('--recursive');
  const force = set.has('-f') || set.has('--force');
  let code = 0;
  for (const t of rest) {
    const path = resolve(c, t);
    if (!c.host.fs.exists(path)) {
      if (!force) {
        c.err(`rm: cannot remove '${t}': No such file or directory\n`);
        code = 1;
      }
      continue;
    }
    if (!userMayWrite(c.session, path)) {
      c.err(`rm: cannot remove '${t}': Permission denied\n`);
      code = 1;
      continue;
    }
    if (c.host.fs.isDir(path) && !recursive) {
      c.err(`rm: cannot remove '${t}': Is a directory\n`);
      code = 1;
      continue;
    }
    c.host.fs.remove(path, true);
  }
  return code;
}

/** chmod/chown and SELinux relabelling change nothing the simulation models; only the permission check is real. */
function attrs(c: CmdCtx): number {
  if (isRoot(c.session) || c.name === 'restorecon') return 0;
  const target = flags(c.args).rest.at(-1) ?? '';
  if (userMayWrite(c.session, resolve(c, target))) return 0;
  const what = c.name === 'chmod' ? 'permissions' : 'ownership';
  c.err(`${c.name}: changing ${what} of '${target}': Operation not permitted\n`);
  return 1;
}

function getenforce(c: CmdCtx): number {
  c.out('Enforcing\n');
  return 0;
}

function setenforce(c: CmdCtx): number {
  if (!isRoot(c.session)) {
    c.err('setenforce:  security_setenforce() failed:  Permission denied\n');
    return 1;
  }
  return 0;
}

function uname(c: CmdCtx): number {
  const { set } = flags(c.args);
  const img = c.host.image;
  const parts: string[] = [];
  const all = set.has('-a');
  if (all || set.has('-s') || set.size === 0) parts.push('Linux');
  if (all || set.has('-n')) parts.push(c.host.hostname());
  if (all || set.has('-r')) parts.push(img.kernelRelease);
  if (all || set.has('-v')) parts.push(img.kernelVersion);
  if (all || set.has('-m')) parts.push('x86_64');
  if (all) parts.push('x86_64', 'x86_64', 'GNU/Linux');
  c.out(parts.join(' ') + '\n');
  return 0;
}

function date(c: CmdCtx): number {
  const now = c.host.now();
  const fmt = c.args.find((a) => a.startsWith('+'));
  if (!fmt) {
    c.out(`${dateText(now)}\n`);
    return 0;
  }
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, '0');
  const text = fmt.slice(1).replace(/%([YmdHMSsTFz%])/g, (_m, k: string) => {
    switch (k) {
      case 'Y': return String(d.getUTCFullYear());
      case 'm': return p(d.getUTCMonth() + 1);
      case 'd': return p(d.getUTCDate());
      case 'H': return p(d.getUTCHours());
      case 'M': return p(d.getUTCMinutes());
      case 'S': return p(d.getUTCSeconds());
      case 's': return String(Math.floor(now / 1000));
      case 'T': return clockTime(now);
      case 'F': return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
      case 'z': return '+0000';
      default: return '%';
    }
  });
  c.out(text + '\n');
  return 0;
}

function uptime(c: CmdCtx): number {
  const up = Math.floor(c.host.uptimeSeconds());
  const { set } = flags(c.args);
  const days = Math.floor(up / 86400);
  const hours = Math.floor((up % 86400) / 3600);
  const mins = Math.floor((up % 3600) / 60);
  if (set.has('-p')) {
    const parts: string[] = [];
    if (days) parts.push(`${days} day${days > 1 ? 's' : ''}`);
    if (hours) parts.push(`${hours} hour${hours > 1 ? 's' : ''}`);
    if (mins || !parts.length) parts.push(`${mins} minute${mins === 1 ? '' : 's'}`);
    c.out(`up ${parts.join(', ')}\n`);
    return 0;
  }
  if (set.has('-s')) {
    const t = new Date(c.host.bootTime()).toISOString();
    c.out(`${t.slice(0, 10)} ${t.slice(11, 19)}\n`);
    return 0;
  }
  const users = c.host.loggedIn();
  const dayPart = days ? `${days} day${days > 1 ? 's' : ''}, ` : '';
  const timePart = hours ? `${String(hours).padStart(2, ' ')}:${String(mins).padStart(2, '0')}` : `${mins} min`;
  c.out(` ${clockTime(c.host.now())} up ${dayPart}${timePart},  ${users} user${users === 1 ? '' : 's'},  load average: 0.00, 0.00, 0.00\n`);
  return 0;
}

function env(c: CmdCtx): number {
  const vars = { ...c.session.env, HOSTNAME: c.host.hostname(), PWD: c.session.cwd };
  if (c.name === 'printenv' && c.args.length) {
    const v = vars[c.args[0] as keyof typeof vars];
    if (v === undefined) return 1;
    c.out(`${v}\n`);
    return 0;
  }
  c.out(Object.entries(vars).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return 0;
}

function exportCmd(c: CmdCtx): number {
  if (!c.args.length) {
    c.out(Object.entries(c.session.env).map(([k, v]) => `declare -x ${k}="${v}"`).join('\n') + '\n');
    return 0;
  }
  for (const a of c.args) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(a);
    if (m) c.session.env[m[1]] = m[2];
  }
  return 0;
}

const SBIN = new Set(['ip', 'ss', 'poweroff', 'reboot', 'shutdown', 'halt', 'init', 'getenforce', 'setenforce', 'restorecon', 'hostname']);

function which(c: CmdCtx): number {
  let code = 0;
  for (const a of c.args) {
    if (c.exists(a)) c.out(`/usr/${SBIN.has(a) ? 'sbin' : 'bin'}/${a}\n`);
    else {
      c.err(`which: no ${a} in (${c.session.env.PATH ?? '/usr/bin'})\n`);
      code = 1;
    }
  }
  return code;
}

function clear(c: CmdCtx): number {
  c.control({ kind: 'clear' });
  return 0;
}

function exit(c: CmdCtx): number {
  const code = c.args.length ? Number.parseInt(c.args[0], 10) & 255 : c.session.lastCode;
  if (c.name === 'logout' && !c.session.login) {
    c.err(`${c.session.name}: logout: not login shell: use \`exit'\n`);
    return 1;
  }
  if (c.session.interactive) c.control({ kind: 'exit' });
  throw new ShellExit(Number.isNaN(code) ? 0 : code);
}

function* sudo(c: CmdCtx): CmdGen {
  const args = [...c.args];
  let user = 'root';
  let login = false;
  let shell = false;
  while (args.length && args[0].startsWith('-')) {
    const a = args.shift()!;
    if (a === '--') break;
    if (a === '-i' || a === '--login') login = true;
    else if (a === '-s' || a === '--shell') shell = true;
    else if (a === '-u' || a === '--user') user = args.shift() ?? 'root';
    else if (a.startsWith('--user=')) user = a.slice(7);
    else if (!['-E', '-H', '-n', '-S', '-k', '--preserve-env'].includes(a)) {
      c.err(`sudo: invalid option -- '${a.replace(/^-+/, '')}'\nusage: sudo -h | -K | -k | -V\n`);
      return 1;
    }
  }
  const target = newSession(user, { interactive: c.session.interactive, login, name: '-bash' });
  if (!login) target.cwd = c.session.cwd;
  if (!args.length) {
    if (!login && !shell) {
      c.err('usage: sudo -h | -K | -k | -V\nusage: sudo -v [-ABkNnS] [-g group] [-h host] [-p prompt] [-u user]\nusage: sudo -l [-ABkNnS] [-g group] [-h host] [-p prompt] [-U user] [-u user] [command [arg ...]]\n');
      return 1;
    }
    if (c.session.interactive) c.control({ kind: 'push', session: target });
    return 0;
  }
  if (login || shell) return yield* c.runLine(args.join(' '), { ...target, name: '-bash', interactive: false });
  if (!c.exists(args[0]) && !args[0].includes('/')) {
    c.err(`sudo: ${args[0]}: command not found\n`);
    return 1;
  }
  return yield* c.exec(args, target);
}

function* su(c: CmdCtx): CmdGen {
  let login = false;
  let user = 'root';
  let command: string | undefined;
  for (let i = 0; i < c.args.length; i++) {
    const a = c.args[i];
    if (a === '-' || a === '-l' || a === '--login') login = true;
    else if (a === '-c' || a === '--command') command = c.args[++i];
    else if (!a.startsWith('-')) user = a;
  }
  if (!isRoot(c.session)) {
    // Any password is accepted, as at the login prompt (labs are not about passwords).
    const pw = yield { read: 'Password: ', echo: false };
    if (pw === undefined) {
      yield { wait: 2 };
      c.err('su: Authentication failure\n');
      return 1;
    }
  }
  const target: ShellSession = newSession(user, { interactive: c.session.interactive, login, name: login ? '-bash' : 'bash' });
  c.host.fs.mkdir(target.home, true);
  if (!login) target.cwd = c.session.cwd;
  if (command !== undefined) return yield* c.runLine(command, { ...target, interactive: false });
  if (c.session.interactive) c.control({ kind: 'push', session: target });
  return 0;
}

function* sh(c: CmdCtx): CmdGen {
  const i = c.args.indexOf('-c');
  if (i >= 0) {
    const line = c.args[i + 1];
    if (line === undefined) {
      c.err(`${c.name}: -c: option requires an argument\n`);
      return 2;
    }
    return yield* c.runLine(line, { ...c.session, name: `${c.name}: line 1`, interactive: false, env: { ...c.session.env } });
  }
  const file = c.args.find((a) => !a.startsWith('-'));
  if (file) {
    const path = resolve(c, file);
    const body = c.host.fs.read(path);
    if (body === undefined) {
      c.err(`${c.name}: ${file}: No such file or directory\n`);
      return 127;
    }
    return yield* c.runScript(body, file);
  }
  if (c.session.interactive) c.control({ kind: 'push', session: { ...c.session, login: false, name: 'bash', env: { ...c.session.env } } });
  return 0;
}

export const coreCommands: Record<string, Command> = {
  cat, echo, printf, tee, test, '[': test,
  true: () => 0, false: () => 1, ':': () => 0,
  sleep, hostname, hostnamectl, whoami, id, pwd, cd, ls, mkdir, touch, rm,
  chmod: attrs, chown: attrs, chgrp: attrs, restorecon: attrs, getenforce, setenforce,
  uname, date, uptime, env, printenv: env, export: exportCmd, which, clear,
  exit, logout: exit, sudo, su, sh, bash: sh,
};
