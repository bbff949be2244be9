// `lab start <id>`: prepare the cluster for a lab (namespaces, setup
// manifests, ready conditions). Safe to run again: it then changes nothing.

import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import type { ClusterConnection } from '../../graders/sdk/types.ts';
import type { Lab } from '../lab/loader.ts';
import { connectWith, labCommand } from '../lab/options.ts';
import { createProgress } from '../lab/progress.ts';
import { startLab, type StartSummary } from '../lab/start.ts';

export function startCommand(io: CliIO): Command {
  return labCommand('start', 'prepare the cluster for a lab: create its namespaces, apply its setup manifests, wait until they are ready',
    async (lab, o) => { await runStart(lab, await connectWith(o), io); });
}

/** What `lab start` does once the lab is loaded and the cluster connected (the web server runs it too). */
export async function runStart(lab: Lab, conn: ClusterConnection, io: CliIO): Promise<StartSummary> {
  const s = await startLab(lab, conn, createProgress((t) => io.out(t), { tty: io.isTTY }));
  io.out(s.changed
    ? `Lab ${lab.id} is ready (${s.changed} object${s.changed === 1 ? '' : 's'} created or changed). Read the chapter, then check your work with \`lab grade ${lab.id}\`.\n`
    : `Lab ${lab.id} was already started: nothing changed.\n`);
  return s;
}
