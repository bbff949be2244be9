// defineGrader refuses malformed graders with a message naming the lab and
// the check; pass/fail/all build the outcomes check bodies return.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { all, check, defineGrader, fail, pass } from '../../graders/sdk/index.ts';
import type { CheckDef } from '../../graders/sdk/index.ts';

const ok = async () => pass();
const c = (over: Partial<CheckDef> = {}): CheckDef => check({ id: 'vms-running', title: 'VMs run', points: 2, run: ok, ...over });

describe('defineGrader', () => {
  it('returns a well-formed grader unchanged', () => {
    const g = { lab: 'ha-review', checks: [c(), c({ id: 'svc-endpoints', points: 0 })] };
    assert.equal(defineGrader(g), g);
  });

  it('refuses ids that are not kebab-case, naming the lab and the check', () => {
    assert.throws(() => defineGrader({ lab: 'ha-review', checks: [c(), c({ id: 'Svc_Endpoints' })] }),
      { message: 'grader for lab "ha-review", check #2 "Svc_Endpoints": id must be kebab-case (lowercase letters, digits and single hyphens, e.g. "vms-running")' });
    assert.throws(() => defineGrader({ lab: 'ha-review', checks: [c({ id: '' })] }), /check #1: id must be kebab-case/);
    assert.throws(() => defineGrader({ lab: 'ha-review', checks: [c({ id: 'a--b' })] }), /id must be kebab-case/);
    assert.throws(() => defineGrader({ lab: 'HA Review', checks: [c()] }), /grader lab id "HA Review" must be kebab-case/);
  });

  it('refuses duplicate ids, negative or non-numeric points, missing titles and bodies, and no checks', () => {
    assert.throws(() => defineGrader({ lab: 'ha-review', checks: [c(), c()] }),
      { message: 'grader for lab "ha-review", check #2 "vms-running": id is used by another check of this grader' });
    assert.throws(() => defineGrader({ lab: 'ha-review', checks: [c({ points: -1 })] }), /points must be a number ≥ 0, got -1/);
    assert.throws(() => defineGrader({ lab: 'ha-review', checks: [c({ points: Number.NaN })] }), /points must be a number ≥ 0, got NaN/);
    assert.throws(() => defineGrader({ lab: 'ha-review', checks: [c({ title: ' ' })] }), /title is required/);
    assert.throws(() => defineGrader({ lab: 'ha-review', checks: [c({ run: undefined as unknown as CheckDef['run'] })] }), /run must be an async function/);
    assert.throws(() => defineGrader({ lab: 'ha-review', checks: [] }), /grader for lab "ha-review" has no checks/);
  });
});

describe('outcomes', () => {
  it('pass and fail carry messages and measurements', () => {
    assert.deepEqual(pass(), { pass: true });
    assert.deepEqual(pass('VM web1 runs'), { pass: true, message: 'VM web1 runs' });
    const m = [{ name: 'recovery', value: 42, unit: 'seconds' as const }];
    assert.deepEqual(fail('VM web1 is Stopped', m), { pass: false, message: 'VM web1 is Stopped', measurements: m });
    assert.throws(() => fail(''), /fail\(\) needs a message/);
  });

  it('all() fails with every failure so one grade lists every VM to fix', () => {
    assert.deepEqual(all([pass('a ok'), fail('VM web1 is Stopped'), fail('VM web2 is Stopped')]),
      { pass: false, message: 'VM web1 is Stopped; VM web2 is Stopped' });
    assert.deepEqual(all([pass('a ok'), pass('b ok')]), { pass: true, message: 'a ok; b ok' });
    assert.deepEqual(all([pass('a ok')], 'all VMs run'), { pass: true, message: 'all VMs run' });
    assert.deepEqual(all([pass(undefined, [{ name: 't', value: 1, unit: 'seconds' }])]), { pass: true, measurements: [{ name: 't', value: 1, unit: 'seconds' }] });
  });
});
