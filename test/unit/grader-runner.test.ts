// The grader runner: order, capability gating, ERROR for anything that is
// not a proper outcome, hints, score, and the whole-run timeout.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { runGrader, UnknownCheckError } from '../../graders/sdk/runner.ts';
import type { Capability, CheckDef, CheckResult, ClusterConnection, GraderDef, Outcome } from '../../graders/sdk/types.ts';

function conn(capabilities: Capability[] = ['kubevirt']): ClusterConnection {
  return {
    kubeConfig: new KubeConfig(),
    server: 'https://cluster.test:6443',
    capabilities: new Set(capabilities),
    time: { now: () => 0, sleep: async () => {} },
    http: { newJar: () => { throw new Error('no http in unit tests'); }, request: async () => { throw new Error('no http in unit tests'); } },
  };
}

function checkOf(id: string, outcome: Outcome | (() => Promise<Outcome>), extra: Partial<CheckDef> = {}): CheckDef {
  return { id, title: `title of ${id}`, points: 1, run: typeof outcome === 'function' ? outcome : async () => outcome, ...extra };
}

const grader = (...checks: CheckDef[]): GraderDef => ({ lab: 'unit-lab', checks });

describe('grader runner', () => {
  it('runs state checks first, then behavioural ones, each group in definition order', async () => {
    const ran: string[] = [];
    const seen: string[] = [];
    const mk = (id: string, behavioural = false): CheckDef => checkOf(id, async () => { ran.push(id); return { pass: true }; }, { behavioural });
    const report = await runGrader(grader(mk('b1', true), mk('s1'), mk('b2', true), mk('s2')), conn(), { namespace: 'ns', onResult: (r) => seen.push(r.id) });
    assert.deepEqual(ran, ['s1', 's2', 'b1', 'b2']);
    assert.deepEqual(seen, ran);
    assert.deepEqual(report.checks.map((c) => c.id), ran);
  });

  it('turns a throw, a malformed outcome and a failure without message into ERROR, never PASS', async () => {
    const report = await runGrader(grader(
      checkOf('throws', async () => { throw new Error('cannot read VirtualMachine ns/web: connection refused'); }),
      checkOf('rejects-string', async () => { throw 'plain string'; }),
      checkOf('undefined', async () => undefined as unknown as Outcome),
      checkOf('pass-as-text', async () => ({ pass: 'yes' }) as unknown as Outcome),
      checkOf('fail-silent', async () => ({ pass: false }) as unknown as Outcome),
      checkOf('bad-measure', async () => ({ pass: true, measurements: [{ name: 'x', value: Number.NaN, unit: 'seconds' }] })),
      checkOf('sync-throw', (() => { throw new Error('thrown before any await'); }) as unknown as () => Promise<Outcome>),
    ), conn(), { namespace: 'ns' });
    assert.deepEqual(report.checks.map((c) => [c.id, c.status, c.score]), [
      ['throws', 'ERROR', 0], ['rejects-string', 'ERROR', 0], ['undefined', 'ERROR', 0], ['pass-as-text', 'ERROR', 0],
      ['fail-silent', 'ERROR', 0], ['bad-measure', 'ERROR', 0], ['sync-throw', 'ERROR', 0],
    ]);
    assert.equal(report.checks[0].message, 'cannot read VirtualMachine ns/web: connection refused');
    assert.equal(report.checks[1].message, 'plain string');
    assert.equal(report.checks[2].message, 'the check returned a malformed outcome: expected { pass, message }, got undefined');
    assert.equal(report.checks[3].message, 'the check returned a malformed outcome: "pass" must be true or false, got "yes"');
    assert.equal(report.checks[4].message, 'the check returned a malformed outcome: a failing outcome must say what is wrong ("message")');
    assert.match(report.checks[5].message, /each measurement needs a name, a finite value and a unit/);
    assert.equal(report.checks[6].message, 'thrown before any await');
    assert.equal(report.passed, false);
  });

  it('skips a check whose capability the cluster lacks, naming it; skips count for neither score nor maxScore', async () => {
    const report = await runGrader(grader(
      checkOf('needs-faults', { pass: true }, { requires: ['kubevirt', 'faults'], points: 4 }),
      checkOf('plain', { pass: true, message: 'ok' }, { points: 2 }),
    ), conn(['kubevirt']), { namespace: 'ns' });
    const [skip, plain] = report.checks;
    assert.equal(skip.status, 'SKIP');
    assert.equal(skip.message, 'needs faults (sim.virtlab.dev/v1alpha1), which the cluster at https://cluster.test:6443 does not have');
    assert.equal(plain.status, 'PASS');
    assert.deepEqual([report.score, report.maxScore, report.passed], [2, 2, true]);
  });

  it('skips behavioural checks when they are turned off', async () => {
    let ran = false;
    const report = await runGrader(grader(checkOf('chaos', async () => { ran = true; return { pass: true }; }, { behavioural: true })), conn(), { namespace: 'ns', behavioural: false });
    assert.equal(ran, false);
    assert.equal(report.checks[0].status, 'SKIP');
    assert.match(report.checks[0].message, /behavioural check not run/);
  });

  it('attaches hints to FAIL and ERROR only, and reports score, measurements and the schema', async () => {
    const report = await runGrader(grader(
      checkOf('good', { pass: true, message: 'fine', measurements: [{ name: 'recovery', value: 42, unit: 'seconds' }] }, { points: 3 }),
      checkOf('bad', { pass: false, message: 'Service ns/web has 1 ready endpoint, expected 2' }, { points: 2 }),
      checkOf('broken', async () => { throw new Error('boom'); }, { points: 1 }),
    ), conn(), { namespace: 'ns', hints: { good: 'never shown', bad: 'add a readiness probe', broken: 'look at the VMI' } });
    const by = Object.fromEntries(report.checks.map((c) => [c.id, c])) as Record<string, CheckResult>;
    assert.equal(by.good.hint, undefined);
    assert.deepEqual(by.good.measurements, [{ name: 'recovery', value: 42, unit: 'seconds' }]);
    assert.equal(by.good.score, 3);
    assert.equal(by.bad.hint, 'add a readiness probe');
    assert.equal(by.broken.hint, 'look at the VMI');
    assert.deepEqual([report.schema, report.lab, report.score, report.maxScore, report.passed], ['virtlab.dev/grade-report/v1', 'unit-lab', 3, 6, false]);
    assert.deepEqual(report.cluster, { server: 'https://cluster.test:6443', capabilities: ['kubevirt'] });
    assert.ok(report.checks.every((c) => Number.isInteger(c.durationMs) && c.durationMs >= 0));
    assert.ok(!Number.isNaN(Date.parse(report.startedAt)));
  });

  it('times each check on the wall clock', async () => {
    const report = await runGrader(grader(checkOf('slow', async () => { await new Promise((r) => setTimeout(r, 30)); return { pass: true }; })), conn(), { namespace: 'ns' });
    assert.ok(report.checks[0].durationMs >= 25, `took ${report.checks[0].durationMs} ms`);
  });

  it('ends a run that outlives its timeout: the running check and the rest are ERROR, and the checks see the abort', async () => {
    let aborted = false;
    const report = await runGrader(grader(
      checkOf('first', { pass: true }),
      { id: 'hangs', title: 'hangs', points: 1, run: (ctx) => new Promise<Outcome>(() => { ctx.signal.addEventListener('abort', () => { aborted = true; }); }) },
      checkOf('after', { pass: true }),
    ), conn(), { namespace: 'ns', timeoutSeconds: 0.05 });
    assert.deepEqual(report.checks.map((c) => c.status), ['PASS', 'ERROR', 'ERROR']);
    assert.equal(report.checks[1].message, 'grading timed out after 0.05 s while this check ran');
    assert.equal(report.checks[2].message, 'not run: grading timed out after 0.05 s');
    assert.equal(aborted, true);
    assert.equal(report.passed, false);
  });

  it('stops when the caller cancels', async () => {
    const ac = new AbortController();
    const report = await runGrader(grader(
      { id: 'waits', title: 'waits', points: 1, run: () => new Promise<Outcome>(() => { setTimeout(() => ac.abort(new Error('cancelled by the student')), 5); }) },
      checkOf('next', { pass: true }),
    ), conn(), { namespace: 'ns', signal: ac.signal });
    assert.deepEqual(report.checks.map((c) => [c.status, c.message]), [['ERROR', 'cancelled by the student'], ['ERROR', 'not run: cancelled by the student']]);
  });

  it('runs only the chosen checks, and refuses ids the grader does not have', async () => {
    const g = grader(checkOf('a', { pass: true }), checkOf('b', { pass: false, message: 'no' }), checkOf('c', { pass: true }));
    const report = await runGrader(g, conn(), { namespace: 'ns', only: ['c', 'a'] });
    assert.deepEqual(report.checks.map((c) => c.id), ['a', 'c']);
    assert.equal(report.passed, true);
    await assert.rejects(runGrader(g, conn(), { namespace: 'ns', only: ['a', 'zz'] }), (e: Error) => {
      assert.ok(e instanceof UnknownCheckError);
      assert.equal(e.message, 'lab unit-lab has no check "zz" (checks: a, b, c)');
      return true;
    });
  });
});
