// `lab finish <id>`: delete the lab's namespaces and cleanup objects and wait
// until they are gone. Safe to run again: it then has nothing to clean up.

import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import type { ClusterConnection } from '../../graders/sdk/types.ts';
import { finishLab, type FinishSummary } from '../lab/finish.ts';
import type { Lab } from '../lab/loader.ts';
import { connectWith, labCommand } from '../lab/options.ts';
import { createProgress } from '../lab/progress.ts';

export function finishCommand(io: CliIO): Command {
  return labCommand('finish', 'clean up after a lab: delete its namespaces and the objects it made elsewhere, and wait until they are gone',
    async (lab, o) => { await runFinish(lab, await connectWith(o), io); });
}

/** What `lab finish` does once the lab is loaded and the cluster connected (the web server runs it too). */
export async function runFinish(lab: Lab, conn: ClusterConnection, io: CliIO): Promise<FinishSummary> {
  const s = await finishLab(lab, conn, createProgress((t) => io.out(t), { tty: io.isTTY }));
  io.out(s.deleted || s.awaited ? `Lab ${lab.id} is cleaned up.\n` : `Lab ${lab.id}: nothing to clean up.\n`);
  return s;
}
