// The `lab` CLI: one subcommand per file in cli/commands.

import { Command, CommanderError } from 'commander';
import { simCommand } from './commands/sim.ts';
import { faultCommand } from './commands/fault.ts';
import type { CliIO } from './io.ts';
import { processIO } from './io.ts';

export function buildProgram(io: CliIO): Command {
  const program = new Command('lab')
    .description('virtlab: labs on high availability of virtual machines on Kubernetes')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError();
  for (const cmd of [simCommand(io), faultCommand(io)]) {
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
    io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
