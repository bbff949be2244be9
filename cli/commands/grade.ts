// `lab grade <id>`: run the lab's grader against the cluster and report each
// check. Exit 0 only when nothing FAILs or ERRORs, 1 when something does, 2
// for usage errors. --json prints the report (docs/grade-report.md); --junit
// writes JUnit XML for CI.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import type { ClusterConnection, GradeReport } from '../../graders/sdk/types.ts';
import { runGrader, runOrder, UnknownCheckError } from '../../graders/sdk/runner.ts';
import type { CliIO } from '../io.ts';
import { UsageError } from '../usage-error.ts';
import { junitXml } from '../lab/junit.ts';
import type { Lab } from '../lab/loader.ts';
import { connectWith, labCommand } from '../lab/options.ts';
import { checkLine, scoreLine } from '../lab/report-text.ts';
import { apiErrorMessage } from '../lab/objects.ts';

interface GradeFlags {
  json?: boolean;
  junit?: string;
  behavioural: boolean;
  check: string[];
  proxy?: string;
  timeout?: number;
}

/** Grading a lab that was never started only produces noise: say what to do instead. */
export async function requireStarted(conn: ClusterConnection, id: string, namespace: string): Promise<void> {
  try {
    await conn.kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: namespace });
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) throw new Error(`lab ${id} is not started on ${conn.server} (no namespace ${namespace}): run \`lab start ${id}\` first`);
    throw new Error(`cannot read namespace ${namespace}: ${apiErrorMessage(e)}`);
  }
}

function positiveSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`--timeout must be a number of seconds greater than 0, got "${v}"`);
  return n;
}

export function gradeCommand(io: CliIO): Command {
  return labCommand<GradeFlags>('grade', 'grade a lab: run its checks against the cluster and print each result and the score', async (lab, o, flags) => {
    checkIdsOf(lab, flags.check);
    const conn = await connectWith(o, { proxy: flags.proxy });
    const report = await runGrade(lab, conn, flags, io);
    if (flags.junit) {
      const file = resolve(flags.junit);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, junitXml(report));
    }
  })
    .option('--json', 'print the grade report as JSON (schema virtlab.dev/grade-report/v1)')
    .option('--junit <file>', 'also write the report as JUnit XML to this file')
    .option('--no-behavioural', 'skip the behavioural checks (those that inject faults and watch the recovery)')
    .option('--check <id>', 'grade only this check (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--proxy <url>', 'external data-plane proxy for HTTP checks (default: $VIRTLAB_PROXY, then the embedded cluster\'s)')
    .option('--timeout <seconds>', 'limit for the whole run, in wall-clock seconds (default 600)', positiveSeconds);
}

/** --check ids the lab's grader does not have are a usage error (exit 2), found before touching the cluster. */
export function checkIdsOf(lab: Lab, checks: string[]): void {
  try {
    runOrder(lab.grader, checks);
  } catch (e) {
    if (e instanceof UnknownCheckError) throw new UsageError(e.message);
    throw e;
  }
}

/** The grading options of `lab grade` the web server passes on too. */
export type GradeRunFlags = Pick<GradeFlags, 'json' | 'behavioural' | 'check' | 'timeout'> & { signal?: AbortSignal };

/**
 * What `lab grade` does once the lab is loaded and the cluster connected:
 * grade, print each check (or the JSON report), set the exit code. The web
 * server runs it too, so the shell and the page print and store the same.
 */
export async function runGrade(lab: Lab, conn: ClusterConnection, flags: GradeRunFlags, io: CliIO): Promise<GradeReport> {
  await requireStarted(conn, lab.id, lab.spec.namespaces[0]);
  const report = await runGrader(lab.grader, conn, {
    namespace: lab.spec.namespaces[0],
    behavioural: flags.behavioural,
    only: flags.check.length ? flags.check : undefined,
    hints: lab.spec.hints,
    ...(flags.timeout ? { timeoutSeconds: flags.timeout } : {}),
    ...(flags.signal ? { signal: flags.signal } : {}),
    onResult: flags.json ? undefined : (r) => io.out(`${checkLine(r)}\n`),
  });
  if (flags.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else io.out(`${scoreLine(report)}\n`);
  io.exitCode = report.passed ? 0 : 1;
  return report;
}
