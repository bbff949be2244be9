// What the serial console prints on its own: firmware and kernel lines at
// boot, systemd's status lines, the getty banner, a kernel panic, shutdown.
// Lines end in \n here; the console turns them into \r\n.

import type { GuestImage } from './catalog.ts';
import type { Unit } from './services.ts';

/** The kernel's `[    1.234567]` uptime stamp. */
export function stamp(secondsSinceBoot: number): string {
  // Whole microseconds first, so float noise never shows in the stamp.
  const total = Math.round(Math.max(0, secondsSinceBoot) * 1e6);
  const whole = Math.floor(total / 1e6);
  const micros = total % 1e6;
  return `[${String(whole).padStart(5, ' ')}.${String(micros).padStart(6, '0')}]`;
}

const ok = (text: string) => `[  OK  ] ${text}\n`;

/** Firmware output, printed the moment the domain powers on. */
export function firmwareLines(): string {
  return 'SeaBIOS (version 1.16.3-4.el9)\nMachine UUID a9c2e6b0-0000-0000-0000-000000000000\nBooting from Hard Disk...\n';
}

/** The first kernel lines, a couple of seconds into the boot. */
export function kernelLines(image: GuestImage, t: number, watchdog: boolean): string {
  const lines = [
    `${stamp(0)} Linux version ${image.kernelRelease} (mockbuild@build) ${image.kernelVersion}`,
    `${stamp(0)} Command line: BOOT_IMAGE=/vmlinuz-${image.kernelRelease} root=LABEL=root ro console=tty1 console=ttyS0,115200n8`,
    `${stamp(0)} DMI: KubeVirt None/RHEL, BIOS 1.16.3-4.el9 04/01/2014`,
    `${stamp(0.004)} Hypervisor detected: KVM`,
    // The driver binds (and says so) only when the VMI has the device.
    ...(watchdog ? [`${stamp(t * 0.4)} i6300esb: Intel 6300ESB WatchDog Timer Driver v0.05`] : []),
    `${stamp(t)} Run /init as init process`,
  ];
  return lines.join('\n') + '\n';
}

/** systemd taking over (init=systemd images). */
export function systemdWelcome(image: GuestImage, hostname: string): string {
  if (image.init !== 'systemd') return '';
  return `\nWelcome to ${image.os.prettyName}!\n\n`
    + `Set hostname to <${hostname}>.\n`
    + ok('Reached target local-fs.target - Local File Systems.')
    + ok('Started systemd-journald.service - Journal Service.')
    + ok('Reached target network.target - Network.')
    + ok('Started cloud-init-local.service - Initial cloud-init job (pre-networking).');
}

/** The init system's report on the units that came up at the end of boot. */
export function startedLines(image: GuestImage, units: Unit[]): string {
  // busybox init (cirros) runs plain init scripts.
  if (image.init === 'busybox') return units.filter((u) => u.state === 'active').map((u) => `Starting ${u.def.kind === 'sshd' ? 'dropbear sshd' : u.def.name}: OK\n`).join('');
  let out = '';
  for (const u of units) {
    if (u.state === 'active') out += ok(`Started ${u.def.name}.service - ${u.def.description}.`);
    else if (u.state === 'failed') out += `[FAILED] Failed to start ${u.def.name}.service - ${u.def.description}.\nSee 'systemctl status ${u.def.name}.service' for details.\n`;
  }
  return out + ok('Reached target multi-user.target - Multi-User System.');
}

/** The getty banner (/etc/issue) above the login prompt. */
export function issue(image: GuestImage): string {
  if (image.family === 'cirros') return `\nlogin as '${image.defaultUser}' user. default password: 'gocubsgo'. use 'sudo' for root.\n`;
  let s = `\n${image.os.prettyName}\nKernel ${image.kernelRelease} on an x86_64 (ttyS0)\n\n`;
  if (image.family === 'rhel') s += 'Activate the web console with: systemctl enable --now cockpit.socket\n\n';
  return s;
}

/** What an unrecoverable kernel failure prints: the sysrq `c` crash or an injected hang. */
export function panicTrace(image: GuestImage, uptime: number, comm: string, pid: number, cause: 'sysrq' | 'fault'): string {
  const t = (d: number) => stamp(uptime + d);
  const reason = cause === 'sysrq' ? 'sysrq triggered crash' : 'softlockup: hung tasks';
  const lines = cause === 'sysrq'
    ? [`${t(0)} sysrq: Trigger a crash`]
    : [`${t(0)} watchdog: BUG: soft lockup - CPU#0 stuck for 26s! [${comm}:${pid}]`];
  lines.push(
    `${t(0.000012)} Kernel panic - not syncing: ${reason}`,
    `${t(0.000021)} CPU: 0 PID: ${pid} Comm: ${comm} Not tainted ${image.kernelRelease} #1`,
    `${t(0.000029)} Hardware name: KubeVirt None/RHEL, BIOS 1.16.3-4.el9 04/01/2014`,
    `${t(0.000031)} Call Trace:`,
    `${t(0.000033)}  <TASK>`,
    `${t(0.000036)}  dump_stack_lvl+0x4d/0x70`,
    `${t(0.000041)}  panic+0x336/0x370`,
    cause === 'sysrq' ? `${t(0.000046)}  sysrq_handle_crash+0x1a/0x20` : `${t(0.000046)}  watchdog_timer_fn+0x21e/0x290`,
    cause === 'sysrq' ? `${t(0.000052)}  __handle_sysrq+0xd7/0x1d0` : `${t(0.000052)}  __hrtimer_run_queues+0x112/0x2b0`,
    cause === 'sysrq' ? `${t(0.000058)}  write_sysrq_trigger+0x28/0x40` : `${t(0.000058)}  hrtimer_interrupt+0xf8/0x230`,
    `${t(0.000064)}  entry_SYSCALL_64_after_hwframe+0x76/0x7e`,
    `${t(0.000069)}  </TASK>`,
    `${t(0.000190)} Kernel Offset: 0x2a000000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)`,
    `${t(0.000301)} ---[ end Kernel panic - not syncing: ${reason} ]---`,
  );
  return '\n' + lines.join('\n') + '\n';
}

/** systemd stopping units on the way down. */
export function shutdownLines(stopped: Unit[]): string {
  let out = ok('Stopped target multi-user.target - Multi-User System.');
  for (const u of stopped) out += `         Stopping ${u.def.name}.service - ${u.def.description}...\n`;
  for (const u of stopped) out += ok(`Stopped ${u.def.name}.service - ${u.def.description}.`);
  return out + ok('Reached target shutdown.target - System Shutdown.') + ok('Reached target final.target - Late Shutdown Services.');
}

export function powerOffLine(uptime: number, reboot: boolean): string {
  return reboot
    ? ok('Finished systemd-reboot.service - System Reboot.') + ok('Reached target reboot.target - System Reboot.') + `${stamp(uptime)} reboot: Restarting system\n`
    : ok('Finished systemd-poweroff.service - System Power Off.') + ok('Reached target poweroff.target - System Power Off.') + `${stamp(uptime)} reboot: Power down\n`;
}

/** cloud-init's final_message, printed once the final stage is done. */
export function cloudInitFinished(uptime: number, at: number, pid: number): string {
  const d = new Date(at);
  const date = d.toUTCString().replace(' GMT', ' +0000');
  return `${stamp(uptime)} cloud-init[${pid}]: Cloud-init v. 24.1.4 finished at ${date}. Datasource DataSourceNoCloud [seed=/dev/vdb].  Up ${uptime.toFixed(2)} seconds\n`;
}
