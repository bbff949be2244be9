// Lab benchmark: what `lab start` costs beyond the simulated time it waits
// for, and how long `lab grade` takes, on the embedded cluster. Uses
// labs/ha-review when it exists, else the fixture lab. Run with `npm run bench`.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { defaultLabsDir, graderFileFor, loadLab, type Lab } from '../cli/lab/loader.ts';
import { createProgress } from '../cli/lab/progress.ts';
import { startLab } from '../cli/lab/start.ts';
import { solveLab } from '../cli/lab/solve.ts';
import { startTestCluster } from '../cli/lab/test-cluster.ts';
import { runGrader } from '../graders/sdk/runner.ts';

const quiet = createProgress(() => {});

async function pickLab(): Promise<Lab> {
  const dir = join(defaultLabsDir(), 'ha-review');
  if (existsSync(join(dir, 'lab.yaml')) && graderFileFor(dir, 'ha-review')) return loadLab(defaultLabsDir(), 'ha-review');
  return loadLab(fileURLToPath(new URL('../test/fixtures/labs', import.meta.url)), 'fixture-web');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const ms = (n: number): string => `${n.toFixed(1)} ms`;

async function startOverhead(lab: Lab, timeScale: number): Promise<void> {
  const tc = await startTestCluster({ name: 'bench-start', workers: lab.spec.cluster.workers, timeScale });
  try {
    const t0 = performance.now();
    const s = await startLab(lab, tc.conn, quiet);
    const wall = performance.now() - t0;
    const simulatedWall = (s.readySeconds * 1000) / timeScale;
    console.log(`lab start ${lab.id} (time scale ${timeScale}): ${ms(wall)} wall, of which ${ms(simulatedWall)} is the ${s.readySeconds} s of cluster time it waited; overhead ${ms(Math.max(0, wall - simulatedWall))}`);
    const t1 = performance.now();
    await startLab(lab, tc.conn, quiet);
    console.log(`lab start ${lab.id} again (nothing to change): ${ms(performance.now() - t1)} wall`);
  } finally {
    await tc.close();
  }
}

async function gradeTimes(lab: Lab): Promise<void> {
  const tc = await startTestCluster({ name: 'bench-grade', workers: lab.spec.cluster.workers });
  const opts = { namespace: lab.spec.namespaces[0], hints: lab.spec.hints };
  const sample = async (label: string, runs: number): Promise<void> => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await runGrader(lab.grader, tc.conn, { ...opts, behavioural: false });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`lab grade ${lab.id} --no-behavioural, ${label}: p50 ${ms(percentile(times, 50))}, p95 ${ms(percentile(times, 95))} (${runs} runs, ${lab.grader.checks.filter((c) => !c.behavioural).length} checks)`);
  };
  try {
    const t0 = performance.now();
    await startLab(lab, tc.conn, quiet);
    console.log(`lab start ${lab.id} on a manual clock (waits cost no wall time): ${ms(performance.now() - t0)} wall`);
    await sample('right after start', 10);
    await solveLab(lab, tc.conn, { kubeconfig: tc.kubeconfig, out: () => {}, err: () => {} }, quiet);
    await tc.conn.time.sleep(120);
    await sample('after the solution', 10);
    const c0 = tc.conn.time.now();
    const t1 = performance.now();
    const full = await runGrader(lab.grader, tc.conn, opts);
    console.log(`lab grade ${lab.id} with behavioural checks: ${ms(performance.now() - t1)} wall, ${Math.round((tc.conn.time.now() - c0) / 1000)} s of cluster time, score ${full.score}/${full.maxScore}`);
  } finally {
    await tc.close();
  }
}

const lab = await pickLab();
await startOverhead(lab, lab.spec.cluster.timeScale ?? 4);
await gradeTimes(lab);
