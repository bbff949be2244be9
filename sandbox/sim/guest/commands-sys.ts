// Managing the system: systemctl and journalctl, packages (dnf, rpm),
// processes (kill, pkill, ps) and power (poweroff, reboot, shutdown).
// A normal user gets polkit's password prompt for unit changes, as on a
// Fedora console; sudo or root skip it.

import { packageInfo, packageNevra } from './catalog.ts';
import { isRoot, type CmdCtx, type CmdGen, type Command, type ShellYield } from './commands.ts';
import { dateText } from './commands-core.ts';
import { systemdDate, unitName, type Unit } from './services.ts';

/** polkit's text agent: a normal user authenticates; any password will do in the simulation. */
function* polkit(c: CmdCtx, action: string, message: string): Generator<ShellYield, boolean, string | undefined> {
  if (isRoot(c.session)) return true;
  c.err(`==== AUTHENTICATING FOR ${action} ====\n${message}\nAuthenticating as: ${c.session.user}\n`);
  const pw = yield { read: 'Password: ', echo: false };
  if (pw === undefined) {
    c.err('polkit-agent-helper-1: pam_authenticate failed: Authentication failure\n==== AUTHENTICATION FAILED ====\n');
    return false;
  }
  c.err('==== AUTHENTICATION COMPLETE ====\n');
  return true;
}

const MANAGE_UNITS = 'org.freedesktop.systemd1.manage-units';
const MANAGE_FILES = 'org.freedesktop.systemd1.manage-unit-files';
const RELOAD = 'org.freedesktop.systemd1.reload-daemon';

function* systemctl(c: CmdCtx): CmdGen {
  const flags = new Set(c.args.filter((a) => a.startsWith('-')));
  const words = c.args.filter((a) => !a.startsWith('-'));
  const quiet = flags.has('-q') || flags.has('--quiet');
  const now = flags.has('--now');
  const signal = [...flags].some((f) => /KILL|=9$/.test(f)) || c.args.includes('KILL') || c.args.includes('SIGKILL') ? 'KILL' : 'TERM';
  const verb = words[0] ?? 'list-units';
  const names = words.slice(1).filter((w) => !['KILL', 'SIGKILL', 'TERM', 'SIGTERM'].includes(w)).map(unitName);
  const units = c.host.units;
  const needUnits = () => {
    c.err(`Too few arguments.\n`);
    return 1;
  };
  switch (verb) {
    case 'start':
    case 'stop':
    case 'restart':
    case 'try-restart':
    case 'reload':
    case 'reload-or-restart': {
      if (!names.length) return needUnits();
      let code = 0;
      for (const n of names) {
        const u = units.get(n);
        const word = verb === 'try-restart' || verb === 'reload-or-restart' ? 'restart' : verb;
        if (!u) {
          c.err(`Failed to ${word} ${n}.service: Unit ${n}.service ${verb === 'stop' ? 'not loaded' : 'not found'}.\n`);
          code = 5;
          continue;
        }
        if (!(yield* polkit(c, MANAGE_UNITS, `Authentication is required to ${word} '${n}.service'.`))) {
          c.err(`Failed to ${word} ${n}.service: Access denied\n`);
          code = 4;
          continue;
        }
        if (verb === 'stop') units.stop(n);
        else if (verb === 'start') {
          const r = units.start(n);
          if (!r.ok) {
            c.err(`${r.message}\n`);
            code = 1;
          }
        } else if (verb === 'reload') {
          if (u.state !== 'active') {
            c.err(`${n}.service is not active, cannot reload.\n`);
            code = 1;
          }
        } else if (verb === 'try-restart' && u.state !== 'active') {
          continue;
        } else {
          const r = units.restart(n);
          if (!r.ok) {
            c.err(`${r.message}\n`);
            code = 1;
          }
        }
      }
      return code;
    }
    case 'enable':
    case 'disable': {
      if (!names.length) return needUnits();
      for (const n of names) {
        if (!units.get(n)) {
          c.err(`Failed to ${verb} unit: Unit file ${n}.service does not exist.\n`);
          return 1;
        }
      }
      if (!(yield* polkit(c, MANAGE_FILES, 'Authentication is required to manage system service or unit files.'))) {
        c.err(`Failed to ${verb} unit: Access denied\n`);
        return 1;
      }
      let changed = false;
      for (const n of names) {
        const u = units.get(n)!;
        const link = `/etc/systemd/system/multi-user.target.wants/${n}.service`;
        if (verb === 'enable' && !u.enabled) {
          c.err(`Created symlink ${link} → /usr/lib/systemd/system/${n}.service.\n`);
          units.setEnabled(n, true);
          changed = true;
        } else if (verb === 'disable' && u.enabled) {
          c.err(`Removed "${link}".\n`);
          units.setEnabled(n, false);
          changed = true;
        }
      }
      if (changed && !(yield* polkit(c, RELOAD, 'Authentication is required to reload the systemd state.'))) return 1;
      if (!now) return 0;
      let code = 0;
      for (const n of names) {
        const word = verb === 'enable' ? 'start' : 'stop';
        if (!(yield* polkit(c, MANAGE_UNITS, `Authentication is required to ${word} '${n}.service'.`))) return 4;
        if (verb === 'disable') units.stop(n);
        else {
          const r = units.start(n);
          if (!r.ok) {
            c.err(`${r.message}\n`);
            code = 1;
          }
        }
      }
      return code;
    }
    case 'is-active':
    case 'is-failed': {
      if (!names.length) return needUnits();
      let allActive = true;
      let anyFailed = false;
      let missing = false;
      for (const n of names) {
        const u = units.get(n);
        const state = u?.state ?? 'inactive';
        if (!u) missing = true;
        if (state !== 'active') allActive = false;
        if (state === 'failed') anyFailed = true;
        if (!quiet) c.out(`${state}\n`);
      }
      if (verb === 'is-failed') return anyFailed ? 0 : 1;
      return allActive ? 0 : missing && names.length === 1 ? 4 : 3;
    }
    case 'is-enabled': {
      if (!names.length) return needUnits();
      let code = 0;
      for (const n of names) {
        const u = units.get(n);
        if (!u) {
          c.err(`Failed to get unit file state for ${n}.service: No such file or directory\n`);
          code = 1;
          continue;
        }
        if (!quiet) c.out(`${u.enabled ? 'enabled' : 'disabled'}\n`);
        if (!u.enabled) code = 1;
      }
      return code;
    }
    case 'status': {
      if (!names.length) {
        const active = units.all().filter((u) => u.state === 'active');
        const failed = units.all().filter((u) => u.state === 'failed').length;
        c.out(`● ${c.host.hostname()}\n    State: ${failed ? 'degraded' : 'running'}\n    Units: ${active.length + 180} loaded (incl. loaded aliases)\n     Jobs: 0 queued\n   Failed: ${failed} units\n    Since: ${systemdDate(c.host.bootTime())}\n  systemd: 256.7-1.${c.host.image.distTag}\n   CGroup: /\n`);
        return 0;
      }
      let code = 0;
      const blocks: string[] = [];
      for (const n of names) {
        const r = units.status(n, c.host.now());
        if (r.code === 4) c.err(`${r.text}\n`);
        else blocks.push(r.text);
        code = Math.max(code, r.code);
      }
      if (blocks.length) c.out(blocks.join('\n\n') + '\n');
      return code;
    }
    case 'kill': {
      if (!names.length) return needUnits();
      for (const n of names) {
        if (!(yield* polkit(c, MANAGE_UNITS, `Authentication is required to send a UNIX signal to the processes of '${n}.service'.`))) return 4;
        units.kill(n, signal);
      }
      return 0;
    }
    case 'daemon-reload':
      return (yield* polkit(c, RELOAD, 'Authentication is required to reload the systemd state.')) ? 0 : 1;
    case 'list-units':
    case 'list-unit-files': {
      const all = flags.has('--all') || flags.has('-a') || verb === 'list-unit-files';
      const rows = units.all().filter((u) => all || u.state !== 'inactive');
      if (verb === 'list-unit-files') {
        c.out(`UNIT FILE${' '.repeat(24)}STATE    PRESET\n${rows.map((u) => `${(u.def.name + '.service').padEnd(33)}${(u.enabled ? 'enabled' : 'disabled').padEnd(9)}${u.def.preset}`).join('\n')}\n\n${rows.length} unit files listed.\n`);
        return 0;
      }
      const sub = (u: Unit) => (u.state === 'active' ? 'running' : u.state === 'failed' ? 'failed' : 'dead');
      c.out(`  UNIT${' '.repeat(30)}LOAD   ACTIVE   SUB     DESCRIPTION\n${rows.map((u) => `${u.state === 'failed' ? '●' : ' '} ${(u.def.name + '.service').padEnd(33)}loaded ${u.state.padEnd(8)} ${sub(u).padEnd(7)} ${u.def.description}`).join('\n')}\n\n${rows.length} loaded units listed.\n`);
      return 0;
    }
    case 'poweroff':
    case 'halt':
      c.host.power('poweroff');
      return 0;
    case 'reboot':
      c.host.power('reboot');
      return 0;
    default:
      c.err(`Unknown command verb '${verb}'.\n`);
      return 1;
  }
}

function journalctl(c: CmdCtx): number {
  let unit: string | undefined;
  let n: number | undefined;
  for (let i = 0; i < c.args.length; i++) {
    const a = c.args[i];
    if (a === '-u' || a === '--unit') unit = c.args[++i];
    else if (a.startsWith('--unit=')) unit = a.slice(7);
    else if (a.startsWith('-u') && a.length > 2) unit = a.slice(2);
    else if (a === '-n' || a === '--lines') n = Number(c.args[++i]);
    else if (/^-n\d+$/.test(a)) n = Number(a.slice(2));
  }
  if (!isRoot(c.session) && c.session.user !== c.host.image.defaultUser) {
    c.out('Hint: You are currently not seeing messages from other users and the system.\n      Users in groups \'adm\', \'systemd-journal\', \'wheel\' can see all messages.\n');
  }
  let lines = c.host.units.journal(unit ? unitName(unit) : undefined);
  if (n !== undefined) lines = lines.slice(-n);
  c.out(lines.length ? lines.join('\n') + '\n' : '-- No entries --\n');
  return 0;
}

function* dnf(c: CmdCtx): CmdGen {
  const yes = c.args.some((a) => a === '-y' || a === '--assumeyes');
  const words = c.args.filter((a) => !a.startsWith('-'));
  const sub = words[0];
  const img = c.host.image;
  if (!sub) {
    c.err('usage: dnf [options] COMMAND\n');
    return 1;
  }
  if (sub === 'list' && words[1] === 'installed') {
    c.out('Installed Packages\n' + c.host.installed().map((p) => `${`${p.name}.x86_64`.padEnd(40)} ${`${p.version}.${img.distTag}`.padEnd(28)} @anaconda`).join('\n') + '\n');
    return 0;
  }
  if (sub !== 'install') {
    c.err(`No such command: ${sub}. Please use /usr/bin/${c.name} --help\n`);
    return 1;
  }
  if (!isRoot(c.session)) {
    c.err('Error: This command has to be run with superuser privileges (under the root user on most systems).\n');
    return 1;
  }
  const names = words.slice(1);
  if (!names.length) {
    c.err('Error: Need to pass a list of pkgs to install\n');
    return 1;
  }
  const have = new Set(c.host.installed().map((p) => p.name));
  const todo = names.filter((n) => !have.has(n));
  c.out(`Last metadata expiration check: 0:12:43 ago on ${dateText(c.host.now() - 763000).replace(' UTC', '')}.\n`);
  for (const n of names.filter((x) => have.has(x))) c.out(`Package ${packageNevra(img, packageInfo(n))} is already installed.\n`);
  c.out('Dependencies resolved.\n');
  if (!todo.length) {
    c.out('Nothing to do.\nComplete!\n');
    return 0;
  }
  const rule = '='.repeat(80);
  const rows = todo.map((n) => {
    const p = packageInfo(n);
    return ` ${n.padEnd(21)} ${'x86_64'.padEnd(9)} ${`${p.version}.${img.distTag}`.padEnd(24)} ${(img.family === 'fedora' ? 'updates' : 'appstream').padEnd(11)} ${p.size.padStart(7)}`;
  });
  c.out(`${rule}\n ${'Package'.padEnd(21)} ${'Arch'.padEnd(9)} ${'Version'.padEnd(24)} ${'Repository'.padEnd(11)} ${'Size'.padStart(7)}\n${rule}\nInstalling:\n${rows.join('\n')}\n\nTransaction Summary\n${rule}\nInstall  ${todo.length} Package${todo.length > 1 ? 's' : ''}\n\n`);
  if (!yes) {
    const answer = yield { read: 'Is this ok [y/N]: ', echo: true };
    if (!/^y(es)?$/i.test((answer ?? '').trim())) {
      c.out('Operation aborted.\n');
      return 1;
    }
  }
  c.out('Downloading Packages:\n');
  yield { wait: 3 + 2 * todo.length };
  c.out('Running transaction check\nTransaction check succeeded.\nRunning transaction test\nTransaction test succeeded.\nRunning transaction\n');
  const { installed } = c.host.install(todo);
  installed.forEach((p, i) => c.out(`  Installing       : ${packageNevra(img, p).padEnd(50)} ${i + 1}/${installed.length} \n`));
  c.out(`\nInstalled:\n${installed.map((p) => `  ${packageNevra(img, p)}`).join('\n')}\n\nComplete!\n`);
  return 0;
}

function rpm(c: CmdCtx): number {
  const flags = c.args.filter((a) => a.startsWith('-')).join('');
  const names = c.args.filter((a) => !a.startsWith('-'));
  if (!flags.includes('q')) {
    c.err('rpm: no operation specified\n');
    return 1;
  }
  const installed = c.host.installed();
  if (flags.includes('a')) {
    c.out(installed.map((p) => packageNevra(c.host.image, p)).join('\n') + '\n');
    return 0;
  }
  let code = 0;
  for (const n of names) {
    const p = installed.find((x) => x.name === n);
    if (p) c.out(`${packageNevra(c.host.image, p)}\n`);
    else {
      c.out(`package ${n} is not installed\n`);
      code = 1;
    }
  }
  return code;
}

function signalOf(args: string[]): { signal: 'TERM' | 'KILL'; rest: string[] } {
  let signal: 'TERM' | 'KILL' = 'TERM';
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-9' || /^-(SIG)?KILL$/i.test(a)) signal = 'KILL';
    else if (a === '-15' || /^-(SIG)?TERM$/i.test(a)) signal = 'TERM';
    else if (a === '-s' || a === '--signal') signal = /KILL|^9$/i.test(args[++i] ?? '') ? 'KILL' : 'TERM';
    else rest.push(a);
  }
  return { signal, rest };
}

function kill(c: CmdCtx): number {
  const { signal, rest } = signalOf(c.args);
  if (!rest.length) {
    c.err(`${c.session.name}: kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n`);
    return 2;
  }
  let code = 0;
  for (const p of rest) {
    const u = c.host.units.byPid(Number(p));
    if (!u) {
      c.err(`${c.session.name}: kill: (${p}) - No such process\n`);
      code = 1;
    } else if (!isRoot(c.session)) {
      c.err(`${c.session.name}: kill: (${p}) - Operation not permitted\n`);
      code = 1;
    } else c.host.units.kill(u.def.name, signal);
  }
  return code;
}

function pkill(c: CmdCtx): number {
  const { signal, rest } = signalOf(c.args.filter((a) => a !== '-f' && a !== '-x'));
  const name = rest[0];
  if (!name) {
    c.err(`${c.name}: no process selection criteria\n`);
    return 2;
  }
  const matches = c.host.units.all().filter((u) => u.state === 'active' && (c.name === 'killall' ? u.def.comm === name : u.def.comm.includes(name) || u.def.name === name));
  if (!matches.length) {
    if (c.name === 'killall') c.err(`${name}: no process found\n`);
    return 1;
  }
  if (!isRoot(c.session)) {
    for (const u of matches) c.err(c.name === 'killall' ? `${u.def.comm}(${u.pid}): Operation not permitted\n` : `pkill: killing pid ${u.pid} failed: Operation not permitted\n`);
    return 1;
  }
  for (const u of matches) c.host.units.kill(u.def.name, signal);
  return 0;
}

function ps(c: CmdCtx): number {
  const a = c.args.join(' ');
  const full = /aux|-e|-A/.test(a);
  const procs: { user: string; pid: number; tty: string; cmd: string }[] = [
    { user: 'root', pid: 1, tty: '?', cmd: '/usr/lib/systemd/systemd --switched-root --system --deserialize=41' },
    ...c.host.units.all().filter((u) => u.state === 'active' && u.pid !== undefined).map((u) => ({ user: u.def.kind === 'mariadb' ? 'mysql' : 'root', pid: u.pid!, tty: '?', cmd: u.def.execStart })),
    { user: c.session.user, pid: 1234, tty: 'ttyS0', cmd: '-bash' },
    { user: c.session.user, pid: 1301, tty: 'ttyS0', cmd: `ps ${a}`.trim() },
  ];
  if (!full) {
    c.out(`    PID TTY          TIME CMD\n   1234 ttyS0    00:00:00 bash\n   1301 ttyS0    00:00:00 ps\n`);
    return 0;
  }
  if (a.includes('aux')) {
    c.out(`USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n${procs.map((p) => `${p.user.padEnd(8)} ${String(p.pid).padStart(7)}  0.0  0.4  20480  8192 ${p.tty.padEnd(8)} Ss   00:00   0:00 ${p.cmd}`).join('\n')}\n`);
  } else {
    c.out(`UID          PID    PPID  C STIME TTY          TIME CMD\n${procs.map((p) => `${p.user.padEnd(8)} ${String(p.pid).padStart(7)} ${String(p.pid === 1 ? 0 : 1).padStart(7)}  0 00:00 ${p.tty.padEnd(8)} 00:00:00 ${p.cmd}`).join('\n')}\n`);
  }
  return 0;
}

function power(c: CmdCtx): number {
  if (c.name === 'reboot') c.host.power('reboot');
  else if (c.name === 'init') {
    if (c.args[0] === '0') c.host.power('poweroff');
    else if (c.args[0] === '6') c.host.power('reboot');
  } else c.host.power('poweroff');
  return 0;
}

function shutdown(c: CmdCtx): number {
  const reboot = c.args.includes('-r') || c.args.includes('--reboot');
  if (c.args.includes('-c')) {
    if (c.host.cancelPower()) return 0;
    c.err('No scheduled shutdown.\n');
    return 1;
  }
  const when = c.args.find((a) => !a.startsWith('-')) ?? '+1';
  let seconds = 0;
  if (when !== 'now') {
    const m = /^\+?(\d+)$/.exec(when);
    if (!m) {
      c.err(`Failed to parse time specification: ${when}\n`);
      return 1;
    }
    seconds = Number(m[1]) * 60;
  }
  if (seconds > 0) {
    c.out(`${reboot ? 'Reboot' : 'Shutdown'} scheduled for ${systemdDate(c.host.realTimeIn(seconds))}, use 'shutdown -c' to cancel.\n`);
  }
  c.host.power(reboot ? 'reboot' : 'poweroff', seconds);
  return 0;
}

export const sysCommands: Record<string, Command> = {
  systemctl, journalctl, dnf, yum: dnf, rpm, kill, pkill, killall: pkill, ps,
  poweroff: power, halt: power, reboot: power, init: power, shutdown,
};
