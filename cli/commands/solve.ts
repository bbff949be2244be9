// `lab solve <id>`: run the lab's solution (solution/solve.yaml) against the
// cluster, printing each step. For authors and instructors: the solution is
// never shown to students.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { kubeconfigFiles } from '../../graders/sdk/connection.ts';
import type { CliIO } from '../io.ts';
import { connectWith, labCommand, type LabOptions } from '../lab/options.ts';
import { createProgress } from '../lab/progress.ts';
import { solveLab } from '../lab/solve.ts';

/**
 * KUBECONFIG for the solution's commands: the files kubectl would read, and
 * for --context a first file that only sets the current context (the first
 * file to set it wins when kubectl merges the list).
 */
function commandKubeconfig(o: LabOptions): { value: string; cleanup(): void } {
  const files = kubeconfigFiles({ kubeconfig: o.kubeconfig });
  if (!o.context) return { value: files.join(delimiter), cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'virtlab-solve-'));
  const file = join(dir, 'context.yaml');
  writeFileSync(file, stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': o.context }), { mode: 0o600 });
  return { value: [file, ...files].join(delimiter), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function solveCommand(io: CliIO): Command {
  return labCommand('solve', 'run a lab\'s solution (solution/solve.yaml) against the cluster, step by step', async (lab, o) => {
    const conn = await connectWith(o);
    const kubeconfig = commandKubeconfig(o);
    try {
      const s = await solveLab(lab, conn, { kubeconfig: kubeconfig.value, out: (t) => io.out(t), err: (t) => io.err(t) }, createProgress((t) => io.out(t), { tty: io.isTTY }));
      io.out(`Solved lab ${lab.id} (${s.steps} step${s.steps === 1 ? '' : 's'}). Check it with \`lab grade ${lab.id}\`.\n`);
    } finally {
      kubeconfig.cleanup();
    }
  });
}
