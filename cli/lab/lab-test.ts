// `lab test`: proves a lab and its grader on a fresh embedded cluster.
// After `lab start` every scored check must fail (the grader does not pass
// an untouched lab); after `lab solve` every check must pass within a limit
// of cluster time; `lab finish` must clean up, and a second finish must find
// nothing left. Every broken promise is reported as a violation.

import type { GradeReport } from '../../graders/sdk/types.ts';
import { runGrader } from '../../graders/sdk/runner.ts';
import { finishLab } from './finish.ts';
import type { Lab } from './loader.ts';
import { createProgress, type Progress } from './progress.ts';
import { solveLab } from './solve.ts';
import { startLab } from './start.ts';
import { startTestCluster } from './test-cluster.ts';

export interface LabTestOptions {
  /** Cluster seconds between two grades after the solution (default 10). */
  stepSeconds?: number;
  /** Cluster seconds the solution may take to make every check pass (default 900). */
  limitSeconds?: number;
  /** Progress and details, one line at a time. */
  write(text: string): void;
}

export interface LabTestResult {
  id: string;
  violations: string[];
  /** Cluster seconds after the solution until every check passed. */
  solvedAfterSeconds?: number;
  wallMs: number;
}

function failures(report: GradeReport): string[] {
  return report.checks.filter((c) => c.status === 'FAIL' || c.status === 'ERROR').map((c) => `${c.status} ${c.id}: ${c.message}`);
}

export async function testLab(lab: Lab, opts: LabTestOptions): Promise<LabTestResult> {
  const t0 = performance.now();
  const step = opts.stepSeconds ?? 10;
  const limit = opts.limitSeconds ?? 900;
  const violations: string[] = [];
  const say = (t: string): void => opts.write(`  ${t}\n`);
  const quiet: Progress = createProgress((t) => opts.write(t), { indent: '    ' });
  const result = (extra: Partial<LabTestResult> = {}): LabTestResult => ({ id: lab.id, violations, wallMs: Math.round(performance.now() - t0), ...extra });
  const namespace = lab.spec.namespaces[0];
  const grade = (behavioural: boolean): Promise<GradeReport> => runGrader(lab.grader, tc.conn, { namespace, behavioural, hints: lab.spec.hints });

  opts.write(`lab test ${lab.id}: fresh embedded cluster, ${lab.spec.cluster.workers} worker${lab.spec.cluster.workers === 1 ? '' : 's'}, manual clock\n`);
  const tc = await startTestCluster({ name: lab.id, workers: lab.spec.cluster.workers });
  try {
    say('lab start');
    try {
      const s = await startLab(lab, tc.conn, quiet);
      say(`started: ${s.changed} objects created, ready after ${s.readySeconds} s of cluster time`);
    } catch (e) {
      violations.push(`lab start failed: ${e instanceof Error ? e.message : String(e)}`);
      return result();
    }

    const before = await grade(true);
    let failing = 0;
    for (const c of before.checks) {
      if (c.points <= 0 || c.status === 'SKIP') continue;
      if (c.status === 'FAIL') failing++;
      else if (c.status === 'PASS') violations.push(`check ${c.id} passes right after \`lab start\`, before any work: ${c.message || '(no message)'}`);
      else violations.push(`check ${c.id} is ERROR right after \`lab start\` (it should FAIL with a message): ${c.message}`);
    }
    say(`before the solution: ${failing} of ${before.checks.filter((c) => c.points > 0 && c.status !== 'SKIP').length} scored checks fail, as they should${before.checks.some((c) => c.status === 'SKIP') ? ` (skipped: ${before.checks.filter((c) => c.status === 'SKIP').map((c) => c.id).join(', ')})` : ''}`);

    say('lab solve');
    try {
      await solveLab(lab, tc.conn, { kubeconfig: tc.kubeconfig, out: (t) => opts.write(indentLines(t)), err: (t) => opts.write(indentLines(t)) }, quiet);
    } catch (e) {
      violations.push(`lab solve failed: ${e instanceof Error ? e.message : String(e)}`);
      return result();
    }

    // State checks may need cluster time (boots, probes) after the solution: grade until they pass.
    const solvedAt = tc.conn.time.now();
    let report = await grade(false);
    while (!report.passed && (tc.conn.time.now() - solvedAt) / 1000 < limit) {
      await tc.conn.time.sleep(step);
      report = await grade(false);
    }
    const after = Math.round((tc.conn.time.now() - solvedAt) / 1000);
    // Then the behavioural checks, once: they change the cluster.
    if (report.passed && report.checks.some((c) => c.status === 'SKIP')) report = await grade(true);
    if (!report.passed) {
      const f = failures(report);
      violations.push(`after \`lab solve\` and ${after} s of cluster time, ${f.length} check${f.length === 1 ? '' : 's'} still fail:\n${f.map((x) => `      ${x}`).join('\n')}`);
    } else {
      const skipped = report.checks.filter((c) => c.status === 'SKIP');
      say(`after the solution: all ${report.checks.length - skipped.length} checks pass (${after} s of cluster time)${skipped.length ? `; skipped: ${skipped.map((c) => `${c.id} (${c.message})`).join(', ')}` : ''}`);
    }

    say('lab finish');
    try {
      const first = await finishLab(lab, tc.conn, quiet);
      if (!first.deleted) violations.push('the first `lab finish` deleted nothing: it should delete the lab\'s namespaces');
      const second = await finishLab(lab, tc.conn, quiet);
      if (second.deleted || second.awaited) violations.push(`a second \`lab finish\` still found ${second.deleted + second.awaited} thing(s) to clean up`);
      else say('finish again: nothing to clean up');
    } catch (e) {
      violations.push(`lab finish failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return result(report.passed ? { solvedAfterSeconds: after } : {});
  } finally {
    await tc.close();
  }
}

function indentLines(t: string): string {
  return t.split('\n').map((l, i, all) => (l === '' && i === all.length - 1 ? l : `    | ${l}`)).join('\n');
}
