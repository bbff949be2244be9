// Hands a command line to kubectl unchanged: same arguments, same terminal,
// same exit code. oc is kubectl plus OpenShift's commands, so everything oc does
// not do itself (get, apply, describe, edit, delete, drain, …) goes here.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { ShellIO } from '../io.ts';

export const KUBECTL = 'kubectl';

export function runKubectl(args: string[], io: ShellIO): Promise<number> {
  return new Promise((resolve) => {
    // kubectl gets the terminal's Ctrl+C itself; oc waits for it to finish.
    const ignore = (): void => {};
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGHUP'];
    let child;
    try {
      child = spawn(KUBECTL, args, { stdio: 'inherit', env: io.env });
    } catch (e) {
      io.err(`error: cannot run ${KUBECTL}: ${(e as Error).message}\n`);
      resolve(1);
      return;
    }
    const forward = (sig: NodeJS.Signals) => () => { child.kill(sig); };
    const handlers = signals.map((s) => [s, s === 'SIGINT' || s === 'SIGQUIT' ? ignore : forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    const cleanup = (): void => { for (const [s, h] of handlers) process.off(s, h); };
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      io.err(e.code === 'ENOENT'
        ? `error: oc hands this command to ${KUBECTL}, which was not found on the PATH\n`
        : `error: cannot run ${KUBECTL}: ${e.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      cleanup();
      resolve(code ?? 128 + (signal ? constants.signals[signal] ?? 1 : 1));
    });
  });
}
