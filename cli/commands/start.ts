// `lab start <id>`: prepare the cluster for a lab (namespaces, setup
// manifests, ready conditions). Safe to run again: it then changes nothing.

import { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { loadLab } from '../lab/loader.ts';
import { addClusterOptions, addLabsDirOption, connectWith, labOptions, labsDirOf } from '../lab/options.ts';
import { createProgress } from '../lab/progress.ts';
import { startLab } from '../lab/start.ts';

export function startCommand(io: CliIO): Command {
  const cmd = new Command('start')
    .description('prepare the cluster for a lab: create its namespaces, apply its setup manifests, wait until they are ready')
    .argument('<id>', 'the lab (see `lab list`)');
  addClusterOptions(cmd);
  addLabsDirOption(cmd);
  return cmd.action(async (id: string, _opts: unknown, self: Command) => {
    const o = labOptions(self);
    const lab = await loadLab(labsDirOf(o), id);
    const conn = await connectWith(o);
    const s = await startLab(lab, conn, createProgress((t) => io.out(t), { tty: io.isTTY }));
    io.out(s.changed
      ? `Lab ${id} is ready (${s.changed} object${s.changed === 1 ? '' : 's'} created or changed). Read the chapter, then check your work with \`lab grade ${id}\`.\n`
      : `Lab ${id} was already started: nothing changed.\n`);
  });
}
