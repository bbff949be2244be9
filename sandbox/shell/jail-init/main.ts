// The first program in a lab shell's jail: opens the jail's exits (loopback
// listeners forwarded to the host's unix sockets), installs the session's
// kubeconfig, then runs the shell on the terminal it was given and exits with
// the shell's status. It stays as the shell's parent to keep the exits open,
// and never touches the terminal itself.

import { readFileSync, writeSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Server } from 'node:net';
import { parseInitConfig } from './config.ts';
import { forwardToSocket } from './forward.ts';
import { installKubeconfig } from './kubeconfig-install.ts';

function complain(text: string): void {
  // Straight to fd 2: opening process.stderr would put the terminal in non-blocking mode under the shell.
  writeSync(2, `lab shell: ${text}\r\n`);
}

export async function main(argv: string[]): Promise<void> {
  const path = argv[0];
  if (!path) {
    complain('usage: jail-init <init.json>');
    process.exit(2);
  }
  const config = parseInitConfig(readFileSync(path, 'utf8'), path);
  const servers: Server[] = [];
  for (const f of config.forwards) {
    try {
      servers.push(await forwardToSocket(f.port, f.socket));
    } catch (e) {
      complain(`cannot listen on 127.0.0.1:${f.port}: ${(e as Error).message}`);
    }
  }
  try {
    installKubeconfig(config.kubeconfig, config.kubeconfigTarget);
  } catch (e) {
    complain(`cannot write ${config.kubeconfigTarget}: ${(e as Error).message}`);
  }
  // Keys like Ctrl+C reach the shell's foreground job, never this process.
  for (const s of ['SIGINT', 'SIGQUIT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU'] as const) process.on(s, () => {});
  const [file, ...args] = config.shell;
  const shell = spawn(file, args, { stdio: 'inherit' });
  const forward = (sig: NodeJS.Signals) => (): void => { shell.kill(sig); };
  process.on('SIGTERM', forward('SIGTERM'));
  process.on('SIGHUP', forward('SIGHUP'));
  shell.on('error', (e) => {
    complain(`cannot start ${file}: ${e.message}`);
    process.exit(127);
  });
  shell.on('exit', (code, signal) => {
    for (const s of servers) s.close();
    process.exit(code ?? 128 + (signal ? constants.signals[signal] ?? 1 : 1));
  });
}
