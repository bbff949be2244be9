// The `lab` CLI: one subcommand per file in cli/commands.

import { Command, CommanderError } from 'commander';
import { simCommand } from './commands/sim.ts';
import { faultCommand } from './commands/fault.ts';
import { listCommand } from './commands/list.ts';
import { startCommand } from './commands/start.ts';
import { gradeCommand } from './commands/grade.ts';
import { finishCommand } from './commands/finish.ts';
import { solveCommand } from './commands/solve.ts';
import { validateCommand } from './commands/validate.ts';
import { testCommand } from './commands/test.ts';
import { serveCommand } from './commands/serve.ts';
import { UsageError } from './usage-error.ts';
import type { CliIO } from './io.ts';
import { processIO } from './io.ts';

export function buildProgram(io: CliIO): Command {
  const program = new Command('lab')
    .description('virtlab: labs on high availability of virtual machines on Kubernetes')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError()
    // Program options go before the command (`lab --labs-dir X list`), so `lab sim --kubeconfig` keeps its own meaning.
    .enablePositionalOptions()
    .option('--kubeconfig <path>', 'kubeconfig of the cluster for the lab commands (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context for the lab commands')
    .option('--labs-dir <dir>', 'folder of labs for the lab commands (default: labs/)');
  const commands = [
    simCommand(io), faultCommand(io),
    listCommand(io), startCommand(io), gradeCommand(io), finishCommand(io), solveCommand(io), validateCommand(io), testCommand(io), serveCommand(io),
  ];
  for (const cmd of commands) {
    // Added commands don't inherit these settings: errors must reach main() as exceptions.
    cmd.exitOverride().configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) }).showHelpAfterError();
    program.addCommand(cmd);
  }
  return program;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return io.exitCode ?? 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}\n`);
      return 2;
    }
    io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
