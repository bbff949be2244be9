// `lab solve`: run a lab's solution/solve.yaml step by step, as a student
// would: apply manifests, run shell commands (kubectl, oc, virtctl, lab) with
// the same kubeconfig, and wait on the cluster clock for what must happen.

import { spawn } from 'node:child_process';
import { delimiter, join } from 'node:path';
import type { ClusterConnection } from '../../graders/sdk/types.ts';
import { REPO_ROOT, type Lab } from './loader.ts';
import { objectText } from './manifests.ts';
import { ObjectClient } from './objects.ts';
import type { Progress } from './progress.ts';
import { conditionText, waitUntil } from './ready.ts';

/** The student's commands (oc, virtctl), put on PATH for `run` steps. */
export const SHELL_BIN = join(REPO_ROOT, 'sandbox', 'shell', 'bin');
/**
 * `lab` for `run` steps (`lab fault create …`): this checkout's CLI. First on
 * PATH, so a `lab` among the student's commands (a client of the platform) never shadows it.
 */
export const SOLVE_BIN = join(REPO_ROOT, 'cli', 'lab', 'solve-bin');

/** PATH for `run` steps. */
export function solvePath(inherited = process.env.PATH ?? ''): string {
  return [SOLVE_BIN, SHELL_BIN, ...(inherited ? [inherited] : [])].join(delimiter);
}

export interface SolveEnvironment {
  /** Value of KUBECONFIG for `run` steps (one file or a list). */
  kubeconfig: string;
  /** Where the commands' output goes. */
  out(text: string): void;
  err(text: string): void;
}

function stepText(step: NonNullable<Lab['solution']>['steps'][number]): string {
  if ('apply' in step) return `apply ${step.apply}`;
  if ('run' in step) return `run ${step.run}`;
  return `wait until ${conditionText(step.wait)}`;
}

/** Runs a `run` step's command with bash; resolves with its exit code. Never blocks the event loop (the cluster may live in this process). */
function runCommand(command: string, cwd: string, env: SolveEnvironment): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd,
      env: { ...process.env, KUBECONFIG: env.kubeconfig, PATH: solvePath() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => env.out(d.toString()));
    child.stderr.on('data', (d: Buffer) => env.err(d.toString()));
    child.on('error', (e) => reject(new Error(`cannot run bash: ${e.message}`)));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export async function solveLab(lab: Lab, conn: ClusterConnection, env: SolveEnvironment, progress: Progress): Promise<{ steps: number }> {
  const solution = lab.solution;
  if (!solution) throw new Error(`lab ${lab.id} has no solution (solution/solve.yaml)`);
  const objects = ObjectClient.forConfig(conn.kubeConfig);
  const total = solution.steps.length;
  for (const [i, step] of solution.steps.entries()) {
    const n = `[${i + 1}/${total}]`;
    progress.line(`${n} ${stepText(step)}`);
    if ('apply' in step) {
      for (const m of solution.manifests.get(step.apply) ?? []) {
        const { result, object } = await objects.apply(m, lab.spec.namespaces[0]);
        progress.line(`${' '.repeat(n.length)} ${objectText(object)} ${result}`);
      }
    } else if ('run' in step) {
      const code = await runCommand(step.run, solution.dir, env);
      if (code !== 0) throw new Error(`solution step ${i + 1} (run: ${step.run}) exited with code ${code}`);
    } else {
      await waitUntil(objects, conn.time, step.wait, progress);
    }
  }
  return { steps: total };
}
