// `lab finish <id>`: delete the lab's namespaces and cleanup objects and wait
// until they are gone. Safe to run again: it then has nothing to clean up.

import { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { finishLab } from '../lab/finish.ts';
import { loadLab } from '../lab/loader.ts';
import { addClusterOptions, addLabsDirOption, connectWith, labOptions, labsDirOf } from '../lab/options.ts';
import { createProgress } from '../lab/progress.ts';

export function finishCommand(io: CliIO): Command {
  const cmd = new Command('finish')
    .description('clean up after a lab: delete its namespaces and the objects it made elsewhere, and wait until they are gone')
    .argument('<id>', 'the lab (see `lab list`)');
  addClusterOptions(cmd);
  addLabsDirOption(cmd);
  return cmd.action(async (id: string, _opts: unknown, self: Command) => {
    const o = labOptions(self);
    const lab = await loadLab(labsDirOf(o), id);
    const conn = await connectWith(o);
    const s = await finishLab(lab, conn, createProgress((t) => io.out(t), { tty: io.isTTY }));
    io.out(s.deleted || s.awaited ? `Lab ${id} is cleaned up.\n` : `Lab ${id}: nothing to clean up.\n`);
  });
}
