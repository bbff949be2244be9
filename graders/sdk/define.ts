// Defining a grader: a lab id and its checks. defineGrader validates the
// definition when the grader module loads, so a typo in a check id fails
// `lab validate` and `lab test` instead of surfacing as a missing step later.

import type { CheckDef, GraderDef, Measurement, Outcome } from './types.ts';

/** Check ids are referenced from lab.yaml steps and hints: kebab-case, like DNS labels. */
const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** A grader definition that is not well formed; the message names the lab and the check. */
export class GraderDefinitionError extends Error {
  override name = 'GraderDefinitionError';
}

/** Validates and returns the grader (ids unique and kebab-case, titles present, points ≥ 0). */
export function defineGrader(def: GraderDef): GraderDef {
  const where = `grader for lab "${def.lab}"`;
  if (typeof def.lab !== 'string' || !KEBAB_CASE.test(def.lab)) {
    throw new GraderDefinitionError(`grader lab id "${String(def.lab)}" must be kebab-case (like labs/<id>/): lowercase letters, digits and single hyphens`);
  }
  if (!Array.isArray(def.checks) || def.checks.length === 0) throw new GraderDefinitionError(`${where} has no checks`);
  const seen = new Set<string>();
  def.checks.forEach((c, i) => {
    const at = `${where}, check #${i + 1}${typeof c.id === 'string' && c.id ? ` "${c.id}"` : ''}`;
    if (typeof c.id !== 'string' || !KEBAB_CASE.test(c.id)) {
      throw new GraderDefinitionError(`${at}: id must be kebab-case (lowercase letters, digits and single hyphens, e.g. "vms-running")`);
    }
    if (seen.has(c.id)) throw new GraderDefinitionError(`${at}: id is used by another check of this grader`);
    seen.add(c.id);
    if (typeof c.title !== 'string' || c.title.trim() === '') throw new GraderDefinitionError(`${at}: title is required`);
    if (typeof c.points !== 'number' || !Number.isFinite(c.points) || c.points < 0) {
      throw new GraderDefinitionError(`${at}: points must be a number ≥ 0, got ${String(c.points)}`);
    }
    if (typeof c.run !== 'function') throw new GraderDefinitionError(`${at}: run must be an async function`);
  });
  return def;
}

/** A check, typed: `check({ id, title, points, run })` reads better in a list than an object literal cast. */
export function check(def: CheckDef): CheckDef {
  return def;
}

/** A passing outcome, with an optional message saying what was seen. */
export function pass(message?: string, measurements?: Measurement[]): Outcome {
  return { pass: true, ...(message !== undefined ? { message } : {}), ...(measurements ? { measurements } : {}) };
}

/** A failing outcome: the message tells the student what is wrong and where. */
export function fail(message: string, measurements?: Measurement[]): Outcome {
  if (typeof message !== 'string' || message.trim() === '') throw new Error('fail() needs a message that says what is wrong and where');
  return { pass: false, message, ...(measurements ? { measurements } : {}) };
}

/** True for an Outcome: lets a lookup return either what it found or the failure to report (`if (isOutcome(r)) return r`). */
export function isOutcome(x: unknown): x is Outcome {
  return typeof x === 'object' && x !== null && typeof (x as { pass?: unknown }).pass === 'boolean';
}

/**
 * Combines per-object outcomes: passes when all pass (messages joined), else
 * fails with every failure's message, so one grade shows every VM to fix.
 */
export function all(outcomes: Outcome[], passMessage?: string): Outcome {
  const failed = outcomes.filter((o) => !o.pass);
  const measurements = outcomes.flatMap((o) => o.measurements ?? []);
  const m = measurements.length ? measurements : undefined;
  if (failed.length) return fail(failed.map((o) => o.message).join('; '), m);
  const msg = passMessage ?? (outcomes.map((o) => o.message).filter(Boolean).join('; ') || undefined);
  return pass(msg, m);
}
