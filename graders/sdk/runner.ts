// Runs a grader against a cluster and reports every check: the runner owns
// ordering (state checks before behavioural ones, which change the cluster),
// capability gating, timing and the whole-run timeout. A check body that
// throws, returns something that is not an Outcome, or outlives the run is
// ERROR: never PASS.

import type {
  CheckContext, CheckDef, CheckResult, ClusterConnection, GradeOptions, GradeReport, GraderDef, Outcome,
} from './types.ts';
import { capabilityText } from './connection.ts';

export const GRADE_REPORT_SCHEMA = 'virtlab.dev/grade-report/v1' as const;

const DEFAULT_TIMEOUT_SECONDS = 600;

/** --check names a check the grader does not have: a usage error, not a failed check. */
export class UnknownCheckError extends Error {
  override name = 'UnknownCheckError';
}

/** The checks a run will consider, in run order: non-behavioural first, each group in definition order. */
export function runOrder(grader: GraderDef, only?: string[]): CheckDef[] {
  let checks = grader.checks;
  if (only && only.length) {
    const known = new Set(checks.map((c) => c.id));
    const unknown = only.filter((id) => !known.has(id));
    if (unknown.length) {
      throw new UnknownCheckError(`lab ${grader.lab} has no check ${unknown.map((u) => `"${u}"`).join(', ')} (checks: ${checks.map((c) => c.id).join(', ')})`);
    }
    const wanted = new Set(only);
    checks = checks.filter((c) => wanted.has(c.id));
  }
  return [...checks.filter((c) => !c.behavioural), ...checks.filter((c) => c.behavioural)];
}

/** The outcome's problem if it is not a well-formed Outcome, else undefined. */
function malformed(o: unknown): string | undefined {
  if (!o || typeof o !== 'object') return `expected { pass, message }, got ${o === undefined ? 'undefined' : JSON.stringify(o)}`;
  const r = o as Record<string, unknown>;
  if (typeof r.pass !== 'boolean') return `"pass" must be true or false, got ${JSON.stringify(r.pass)}`;
  if (r.message !== undefined && typeof r.message !== 'string') return `"message" must be text, got ${JSON.stringify(r.message)}`;
  if (r.pass === false && (typeof r.message !== 'string' || r.message.trim() === '')) return 'a failing outcome must say what is wrong ("message")';
  if (r.measurements !== undefined) {
    if (!Array.isArray(r.measurements)) return '"measurements" must be a list';
    for (const m of r.measurements as unknown[]) {
      const x = m as Record<string, unknown> | null;
      if (!x || typeof x.name !== 'string' || typeof x.value !== 'number' || !Number.isFinite(x.value) || (x.unit !== 'seconds' && x.unit !== 'count')) {
        return `each measurement needs a name, a finite value and a unit (seconds or count), got ${JSON.stringify(m)}`;
      }
    }
  }
  return undefined;
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

class RunTimeout extends Error {}

export async function runGrader(grader: GraderDef, conn: ClusterConnection, opts: GradeOptions): Promise<GradeReport> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const checks = runOrder(grader, opts.only);
  const timeoutSeconds = opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const controller = new AbortController();
  const onCancel = (): void => controller.abort(opts.signal?.reason ?? new Error('grading was cancelled'));
  if (opts.signal?.aborted) onCancel();
  else opts.signal?.addEventListener('abort', onCancel, { once: true });
  // One deadline for the whole run; each check races it.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const fire = (): void => {
      controller.abort(new RunTimeout(`grading timed out after ${timeoutSeconds} s`));
      reject(controller.signal.reason);
    };
    timer = setTimeout(fire, timeoutSeconds * 1000);
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  deadline.catch(() => {});

  const ctx: CheckContext = { namespace: opts.namespace, conn, signal: controller.signal };
  const results: CheckResult[] = [];
  try {
    for (const check of checks) {
      const result = await runOne(check, ctx, opts, deadline);
      if (result.hint === undefined && (result.status === 'FAIL' || result.status === 'ERROR') && opts.hints?.[check.id]) {
        result.hint = opts.hints[check.id];
      }
      results.push(result);
      opts.onResult?.(result);
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onCancel);
  }

  const scored = results.filter((r) => r.status !== 'SKIP');
  return {
    schema: GRADE_REPORT_SCHEMA,
    lab: grader.lab,
    startedAt,
    durationMs: Date.now() - started,
    cluster: { server: conn.server, capabilities: [...conn.capabilities].sort() },
    score: scored.reduce((s, r) => s + r.score, 0),
    maxScore: scored.reduce((s, r) => s + r.points, 0),
    passed: !results.some((r) => r.status === 'FAIL' || r.status === 'ERROR'),
    checks: results,
  };
}

async function runOne(check: CheckDef, ctx: CheckContext, opts: GradeOptions, deadline: Promise<never>): Promise<CheckResult> {
  const base = { id: check.id, title: check.title, points: check.points, score: 0 };
  const result = (status: CheckResult['status'], message: string, durationMs = 0, outcome?: Outcome): CheckResult => ({
    ...base,
    status,
    score: status === 'PASS' ? check.points : 0,
    message,
    durationMs,
    ...(outcome?.measurements?.length ? { measurements: outcome.measurements } : {}),
  });

  if (ctx.signal.aborted) {
    const why = ctx.signal.reason instanceof Error ? ctx.signal.reason.message : 'grading was cancelled';
    return result('ERROR', `not run: ${why}`);
  }
  const missing = (check.requires ?? []).filter((c) => !ctx.conn.capabilities.has(c));
  if (missing.length) {
    return result('SKIP', `needs ${missing.map(capabilityText).join(' and ')}, which the cluster at ${ctx.conn.server} does not have`);
  }
  if (check.behavioural && opts.behavioural === false) {
    return result('SKIP', 'behavioural check not run (behavioural checks are turned off)');
  }

  const t0 = performance.now();
  let outcome: unknown;
  try {
    outcome = await Promise.race([Promise.resolve().then(() => check.run(ctx)), deadline]);
  } catch (e) {
    const ms = Math.round(performance.now() - t0);
    if (e instanceof RunTimeout) return result('ERROR', `${e.message} while this check ran`, ms);
    return result('ERROR', errorMessage(e), ms);
  }
  const ms = Math.round(performance.now() - t0);
  const problem = malformed(outcome);
  if (problem) return result('ERROR', `the check returned a malformed outcome: ${problem}`, ms);
  const o = outcome as Outcome;
  return result(o.pass ? 'PASS' : 'FAIL', o.message ?? '', ms, o);
}
