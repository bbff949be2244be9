// What the platform remembers of each student's labs: when a lab was started
// and finished, every grade run with every check result, and per step the
// outcome of the latest run that looked at it.

import type { CheckResult, GradeReport } from '../graders/sdk/types.ts';
import type { LabSpec } from '../cli/lab/schema.ts';
import type { Database } from './db.ts';
import type { GradeRun, GradeRunSummary, GradeSource, LabState, StepProgress, StepStatus } from './lab-record-types.ts';

export type { GradeRun, GradeRunSummary, GradeSource, LabState, StepProgress, StepStatus } from './lab-record-types.ts';

interface RunRow {
  id: number;
  lab_id: string;
  source: GradeSource;
  started_at: string;
  duration_ms: number;
  score: number;
  max_score: number;
  passed: number;
  report?: string;
}

function summary(r: RunRow): GradeRunSummary {
  return { id: r.id, labId: r.lab_id, source: r.source, startedAt: r.started_at, durationMs: r.duration_ms, score: r.score, maxScore: r.max_score, passed: r.passed === 1 };
}

/**
 * A step's outcome from the results of its checks in one run: undefined when
 * the run did not look at any of them (`--check` on other steps), skipped when
 * every one it ran was SKIP, failed when any FAILed or ERRORed.
 */
export function stepOutcome(checks: string[], results: Map<string, CheckResult>): { status: StepStatus; score: number; maxScore: number } | undefined {
  const seen = checks.map((c) => results.get(c)).filter((r): r is CheckResult => !!r);
  if (!seen.length) return undefined;
  const scored = seen.filter((r) => r.status !== 'SKIP');
  const score = scored.reduce((s, r) => s + r.score, 0);
  const maxScore = scored.reduce((s, r) => s + r.points, 0);
  if (!scored.length) return { status: 'skipped', score, maxScore };
  return { status: scored.some((r) => r.status === 'FAIL' || r.status === 'ERROR') ? 'failed' : 'passed', score, maxScore };
}

export class LabRecords {
  constructor(private readonly db: Database) {}

  async markStarted(userId: number, labId: string): Promise<void> {
    await this.db.run(
      'INSERT INTO lab_states (user_id, lab_id, started_at, finished_at) VALUES (?, ?, ?, NULL) ON CONFLICT(user_id, lab_id) DO UPDATE SET started_at = excluded.started_at, finished_at = NULL',
      [userId, labId, new Date().toISOString()],
    );
  }

  async markFinished(userId: number, labId: string): Promise<void> {
    await this.db.run(
      'INSERT INTO lab_states (user_id, lab_id, started_at, finished_at) VALUES (?, ?, NULL, ?) ON CONFLICT(user_id, lab_id) DO UPDATE SET finished_at = excluded.finished_at',
      [userId, labId, new Date().toISOString()],
    );
  }

  /** Stores a grade run, its check results and the step progress it decides, in one transaction. */
  storeGrade(userId: number, lab: LabSpec, report: GradeReport, source: GradeSource): Promise<GradeRunSummary> {
    return this.db.transaction(async () => {
      const { lastID } = await this.db.run(
        'INSERT INTO grade_runs (user_id, lab_id, source, started_at, duration_ms, score, max_score, passed, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [userId, lab.id, source, report.startedAt, report.durationMs, report.score, report.maxScore, report.passed ? 1 : 0, JSON.stringify(report)],
      );
      const stepOf = new Map<string, string>();
      for (const s of lab.steps) for (const c of s.checks) stepOf.set(c, s.id);
      let position = 0;
      for (const c of report.checks) {
        await this.db.run(
          'INSERT INTO check_results (grade_run_id, position, check_id, step_id, title, status, score, points, message, hint, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [lastID, position++, c.id, stepOf.get(c.id) ?? null, c.title, c.status, c.score, c.points, c.message, c.hint ?? null, c.durationMs],
        );
      }
      const results = new Map(report.checks.map((c) => [c.id, c]));
      const now = new Date().toISOString();
      for (const step of lab.steps) {
        const o = stepOutcome(step.checks, results);
        if (!o) continue;
        await this.db.run(
          `INSERT INTO step_progress (user_id, lab_id, step_id, status, score, max_score, grade_run_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(user_id, lab_id, step_id) DO UPDATE SET status = excluded.status, score = excluded.score, max_score = excluded.max_score,
             grade_run_id = excluded.grade_run_id, updated_at = excluded.updated_at`,
          [userId, lab.id, step.id, o.status, o.score, o.maxScore, lastID, now],
        );
      }
      return { id: lastID, labId: lab.id, source, startedAt: report.startedAt, durationMs: report.durationMs, score: report.score, maxScore: report.maxScore, passed: report.passed };
    });
  }

  /** Grade runs of a user's lab, newest first. */
  async history(userId: number, labId: string, limit = 100): Promise<GradeRunSummary[]> {
    const rows = await this.db.all<RunRow>(
      'SELECT id, lab_id, source, started_at, duration_ms, score, max_score, passed FROM grade_runs WHERE user_id = ? AND lab_id = ? ORDER BY id DESC LIMIT ?',
      [userId, labId, limit]);
    return rows.map(summary);
  }

  /** One grade run with its report, if it is the user's. */
  async gradeRun(userId: number, id: number): Promise<GradeRun | undefined> {
    const r = await this.db.get<RunRow>('SELECT * FROM grade_runs WHERE id = ? AND user_id = ?', [id, userId]);
    return r ? { ...summary(r), report: JSON.parse(r.report!) as GradeReport } : undefined;
  }

  async steps(userId: number, labId: string): Promise<StepProgress[]> {
    const rows = await this.db.all<{ step_id: string; status: StepStatus; score: number; max_score: number; grade_run_id: number; updated_at: string }>(
      'SELECT step_id, status, score, max_score, grade_run_id, updated_at FROM step_progress WHERE user_id = ? AND lab_id = ?', [userId, labId]);
    return rows.map((r) => ({ stepId: r.step_id, status: r.status, score: r.score, maxScore: r.max_score, gradeRunId: r.grade_run_id, updatedAt: r.updated_at }));
  }

  async labState(userId: number, labId: string): Promise<LabState> {
    const r = await this.db.get<{ started_at: string | null; finished_at: string | null }>('SELECT started_at, finished_at FROM lab_states WHERE user_id = ? AND lab_id = ?', [userId, labId]);
    return { labId, ...(r?.started_at ? { startedAt: r.started_at } : {}), ...(r?.finished_at ? { finishedAt: r.finished_at } : {}) };
  }

  /** Everything the class view needs, for every user at once. */
  async classRecords(): Promise<{
    states: { userId: number; labId: string; startedAt?: string; finishedAt?: string }[];
    steps: { userId: number; labId: string; stepId: string; status: StepStatus; score: number; maxScore: number }[];
    latest: { userId: number; labId: string; run: GradeRunSummary; runs: number; best: number }[];
  }> {
    const states = (await this.db.all<{ user_id: number; lab_id: string; started_at: string | null; finished_at: string | null }>('SELECT * FROM lab_states'))
      .map((r) => ({ userId: r.user_id, labId: r.lab_id, ...(r.started_at ? { startedAt: r.started_at } : {}), ...(r.finished_at ? { finishedAt: r.finished_at } : {}) }));
    const steps = (await this.db.all<{ user_id: number; lab_id: string; step_id: string; status: StepStatus; score: number; max_score: number }>('SELECT * FROM step_progress'))
      .map((r) => ({ userId: r.user_id, labId: r.lab_id, stepId: r.step_id, status: r.status, score: r.score, maxScore: r.max_score }));
    const latest = (await this.db.all<RunRow & { user_id: number; runs: number; best: number }>(
      `SELECT g.id, g.user_id, g.lab_id, g.source, g.started_at, g.duration_ms, g.score, g.max_score, g.passed, agg.runs, agg.best
       FROM grade_runs g JOIN (SELECT user_id, lab_id, MAX(id) AS last, COUNT(*) AS runs, MAX(score) AS best FROM grade_runs GROUP BY user_id, lab_id) agg
       ON agg.last = g.id`)).map((r) => ({ userId: r.user_id, labId: r.lab_id, run: summary(r), runs: r.runs, best: r.best }));
    return { states, steps, latest };
  }
}
