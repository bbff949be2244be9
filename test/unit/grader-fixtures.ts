// What every grader test starts from: an embedded cluster (manual clock, the
// real kubectl, the data plane's external proxy) with a lab's namespaces
// created and its setup manifests applied, as `lab start` leaves it; a
// connection the lab's grader reads it through; and helpers that run checks
// by id and assert what the student would read.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSim, type Sim } from '../integration/harness.ts';
import { defaultLabsDir, loadLab } from '../../cli/lab/loader.ts';
import { connectInProcess } from '../../graders/sdk/connection.ts';
import { runGrader } from '../../graders/sdk/runner.ts';
import type { CheckResult, ClusterConnection, GraderDef } from '../../graders/sdk/index.ts';

export interface GraderLabOptions {
  workers?: number;
  controlPlanes?: number;
  /** Cluster seconds to let pass once the setup is applied (a VM that starts boots in about 60); default 2. */
  settleSeconds?: number;
}

export interface GraderLab {
  sim: Sim;
  conn: ClusterConnection;
  /** The lab's grader (graders/<id>.ts). */
  grader: GraderDef;
  /** The lab's namespace (the first of lab.yaml `namespaces`). */
  namespace: string;
  /** Runs kubectl and fails the test, showing stderr, unless it succeeds. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** kubectl apply of one object. */
  apply(obj: unknown): Promise<string>;
  /** kubectl patch of a VM of the lab's namespace (a merge patch unless `type` says otherwise). */
  patchVm(name: string, patch: unknown, type?: 'merge' | 'json' | 'strategic'): Promise<string>;
  /** Runs the checks (all by default, behavioural ones included), results by id. */
  grade(ids?: string[]): Promise<Map<string, CheckResult>>;
  /** Runs one check. */
  check(id: string): Promise<CheckResult>;
  /** Runs one check and asserts it FAILs with a message containing every part. */
  failsWith(id: string, ...parts: string[]): Promise<CheckResult>;
  /** Runs one check and asserts it PASSes. */
  passes(id: string): Promise<CheckResult>;
  close(): Promise<void>;
}

/** Starts a cluster with lab `id` set up (labs/<id>/lab.yaml: namespaces, setup manifests). */
export async function startGraderLab(id: string, opts: GraderLabOptions = {}): Promise<GraderLab> {
  const lab = await loadLab(defaultLabsDir(), id);
  const sim = await startSim({ workers: opts.workers ?? 3, controlPlanes: opts.controlPlanes ?? 1 });
  const namespace = lab.spec.namespaces[0];

  const kubectl = async (args: string[], input?: string): Promise<string> => {
    const r = await sim.kubectl(args, input === undefined ? undefined : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  };

  try {
    for (const ns of lab.spec.namespaces) await kubectl(['create', 'namespace', ns]);
    const manifests = lab.spec.setup.manifests.flatMap((m) => ['-f', join(lab.dir, m)]);
    if (manifests.length) await kubectl(['apply', ...manifests]);
    await sim.advance(opts.settleSeconds ?? 2);
  } catch (e) {
    await sim.close();
    throw e;
  }
  const conn = await connectInProcess({
    cluster: sim.cluster, server: sim.api.url, token: sim.token, caPem: sim.api.caPem, externalProxy: sim.proxyUrl,
  });

  const grade = async (ids?: string[]): Promise<Map<string, CheckResult>> => {
    const report = await runGrader(lab.grader, conn, { namespace, behavioural: true, ...(ids ? { only: ids } : {}) });
    return new Map(report.checks.map((c) => [c.id, c]));
  };
  const check = async (id: string): Promise<CheckResult> => {
    const r = (await grade([id])).get(id);
    assert.ok(r, `no result for ${id}`);
    return r;
  };

  return {
    sim,
    conn,
    grader: lab.grader,
    namespace,
    kubectl,
    apply: (obj) => kubectl(['apply', '-f', '-'], JSON.stringify(obj)),
    patchVm: (name, patch, type = 'merge') => kubectl(['patch', 'vm', name, '-n', namespace, '--type', type, '-p', JSON.stringify(patch)]),
    grade,
    check,
    async failsWith(id, ...parts) {
      const r = await check(id);
      assert.equal(r.status, 'FAIL', `${id}: ${r.status} ${r.message}`);
      for (const p of parts) assert.ok(r.message.includes(p), `${id} message lacks "${p}":\n${r.message}`);
      return r;
    },
    async passes(id) {
      const r = await check(id);
      assert.equal(r.status, 'PASS', `${id}: ${r.status} ${r.message}`);
      return r;
    },
    close: () => sim.close(),
  };
}
