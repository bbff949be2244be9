// `lab list/start/grade/finish` run for a student by the platform, from the
// page's buttons or from `lab` in the student's shell: the CLI's own code
// (cli/commands), against the student's workspace cluster, with the output
// captured as the CLI prints it and the exit code it would return. Grades and
// lab starts/finishes are recorded and announced on the activity feed,
// whichever side asked. One run at a time per workspace.

import { Command, CommanderError } from 'commander';
import type { CliIO } from '../cli/io.ts';
import { main } from '../cli/main.ts';
import { UsageError } from '../cli/usage-error.ts';
import { loadLab, type Lab } from '../cli/lab/loader.ts';
import { finishCommand, runFinish } from '../cli/commands/finish.ts';
import { checkIdsOf, gradeCommand, runGrade, type GradeRunFlags } from '../cli/commands/grade.ts';
import { runStart, startCommand } from '../cli/commands/start.ts';
import type { GradeReport } from '../graders/sdk/types.ts';
import type { ActivityFeed } from './activity.ts';
import type { ClusterProvider } from './clusters.ts';
import type { GradeRunSummary, GradeSource, LabRecords } from './lab-records.ts';
import type { User } from './users.ts';
import type { Workspace, Workspaces } from './workspaces.ts';

/** What the CLI would have printed and returned. */
export interface LabAnswer {
  exitCode: number;
  output: string;
}

export interface GradeAnswer extends LabAnswer {
  report?: GradeReport;
  run?: GradeRunSummary;
}

export type LabVerb = 'start' | 'grade' | 'finish';

/** CLI options that make no sense when the platform runs the command (it picks the cluster and the labs). */
const NOT_IN_SHELL: Record<string, string> = {
  kubeconfig: '--kubeconfig', context: '--context', labsDir: '--labs-dir', junit: '--junit', proxy: '--proxy',
};

function captureIO(): CliIO & { text(): string } {
  let text = '';
  return {
    out: (t) => { text += t; },
    err: (t) => { text += t; },
    isTTY: false,
    untilStopped: () => new Promise(() => {}),
    text: () => text,
  };
}

export interface LabRunsDeps {
  labsDir: string;
  provider: ClusterProvider;
  workspaces: Workspaces;
  records: LabRecords;
  feed: ActivityFeed;
  log?: (line: string) => void;
}

export class LabRuns {
  private readonly queues = new Map<number, Promise<unknown>>();

  constructor(private readonly deps: LabRunsDeps) {}

  /** `lab list`, exactly as the CLI prints it. */
  async list(): Promise<LabAnswer> {
    const io = captureIO();
    const exitCode = await main(['list', '--labs-dir', this.deps.labsDir], io);
    return { exitCode, output: io.text() };
  }

  /** The lab (validated), or undefined when there is no such lab. */
  async lab(id: string): Promise<Lab> {
    return loadLab(this.deps.labsDir, id);
  }

  /**
   * A command with the CLI's arguments (as typed in the shell after the lab
   * id): parsed by the CLI's own command definitions, so flags, defaults and
   * usage errors are the same.
   */
  runArgs(user: User, verb: LabVerb, labId: string, args: string[], source: GradeSource): Promise<GradeAnswer> {
    return this.serialised(user, async (io) => {
      const flags = await parseArgs(verb, labId, args, io);
      if (flags === undefined) return {};
      return this.execute(user, verb, labId, flags, source, io);
    });
  }

  /** A command with options from the page: behavioural checks on or off, some checks only. */
  run(user: User, verb: LabVerb, labId: string, flags: Partial<GradeRunFlags>, source: GradeSource): Promise<GradeAnswer> {
    return this.serialised(user, (io) => this.execute(user, verb, labId, { behavioural: true, check: [], ...flags }, source, io));
  }

  /** One run at a time per user; errors become the CLI's `error: …` line and exit code. */
  private serialised(user: User, body: (io: ReturnType<typeof captureIO>) => Promise<Partial<GradeAnswer>>): Promise<GradeAnswer> {
    const prev = this.queues.get(user.id) ?? Promise.resolve();
    const next = prev.then(async (): Promise<GradeAnswer> => {
      const io = captureIO();
      try {
        const extra = await body(io);
        return { ...extra, exitCode: extra.exitCode ?? io.exitCode ?? 0, output: io.text() };
      } catch (e) {
        if (e instanceof CommanderError) return { exitCode: e.exitCode === 0 ? 0 : 2, output: io.text() };
        io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
        return { exitCode: e instanceof UsageError ? 2 : 1, output: io.text() };
      }
    });
    const settled = next.catch(() => {});
    this.queues.set(user.id, settled);
    void settled.then(() => { if (this.queues.get(user.id) === settled) this.queues.delete(user.id); });
    return next;
  }

  private async execute(user: User, verb: LabVerb, labId: string, flags: GradeRunFlags, source: GradeSource, io: CliIO): Promise<Partial<GradeAnswer>> {
    const { provider, workspaces, records, feed } = this.deps;
    const lab = await loadLab(this.deps.labsDir, labId);
    const ws = await workspaces.forUser(user, provider.kind);
    if (verb === 'start') {
      await provider.ensure(ws, lab.spec);
      await runStart(lab, await provider.connectionFor(ws), io);
      // Again now that the lab's namespaces exist: a real cluster opens them to the student.
      await provider.ensure(ws, lab.spec);
      await records.markStarted(user.id, lab.id);
      await this.persist(ws);
      feed.publish(user.id, { type: 'lab', labId: lab.id, action: 'start', exitCode: 0, source });
      return {};
    }
    if (!provider.exists(ws)) {
      if (verb === 'finish') {
        io.out(`Lab ${lab.id}: nothing to clean up.\n`);
        return {};
      }
      throw new Error(`lab ${lab.id} is not started: you have no cluster yet; run \`lab start ${lab.id}\` first`);
    }
    const conn = await provider.connectionFor(ws);
    if (verb === 'finish') {
      await runFinish(lab, conn, io);
      await records.markFinished(user.id, lab.id);
      await this.persist(ws);
      feed.publish(user.id, { type: 'lab', labId: lab.id, action: 'finish', exitCode: 0, source });
      return {};
    }
    checkIdsOf(lab, flags.check);
    const report = await runGrade(lab, conn, flags, io);
    const run = await records.storeGrade(user.id, lab.spec, report, source);
    // Behavioural checks change the cluster (faults injected and undone).
    await this.persist(ws);
    feed.publish(user.id, { type: 'grade', labId: lab.id, run });
    return { report, run };
  }

  private async persist(ws: Workspace): Promise<void> {
    try {
      await this.deps.provider.persist(ws);
    } catch (e) {
      this.deps.log?.(`cannot save ${ws.username}'s cluster: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** Parses CLI arguments with the command's own definition; undefined when it only printed help. */
async function parseArgs(verb: LabVerb, labId: string, args: string[], io: CliIO): Promise<GradeRunFlags | undefined> {
  const cmd: Command = verb === 'start' ? startCommand(io) : verb === 'grade' ? gradeCommand(io) : finishCommand(io);
  cmd.name(`lab ${verb}`).exitOverride().configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) });
  let parsed: Record<string, unknown> | undefined;
  // Replace the command's action: only its parsing is wanted here.
  cmd.action((_id: string, opts: Record<string, unknown>) => { parsed = opts; });
  await cmd.parseAsync([labId, ...args], { from: 'user' });
  if (!parsed) return undefined;
  for (const [key, flag] of Object.entries(NOT_IN_SHELL)) {
    if (parsed[key] !== undefined) throw new UsageError(`${flag} is not available here: the platform runs the lab on your workspace's cluster`);
  }
  return {
    behavioural: parsed.behavioural !== false,
    check: Array.isArray(parsed.check) ? parsed.check as string[] : [],
    ...(parsed.json ? { json: true } : {}),
    ...(typeof parsed.timeout === 'number' ? { timeout: parsed.timeout } : {}),
  };
}
