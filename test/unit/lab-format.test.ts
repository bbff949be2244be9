// The lab format (docs/lab-format.md): lab.yaml and solve.yaml schemas with
// problems reported at file:line:col, the cross-checks against the grader,
// and manifest files.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labSchema, parseWith, solveSchema } from '../../cli/lab/schema.ts';
import { formatProblem, YamlSource, type LabProblem } from '../../cli/lab/yaml-source.ts';
import { crossCheckGrader } from '../../cli/lab/cross-check.ts';
import { readManifests, resolveInside } from '../../cli/lab/manifests.ts';
import type { GraderDef } from '../../graders/sdk/types.ts';

const GOOD = `id: demo
title: Demo
kind: lab
summary: A demo lab.
estimatedMinutes: 10
namespaces: [demo]
steps:
  - id: one
    title: Step one
    checks: [a, b]
  - id: two
    title: Step two
    checks: [c]
hints:
  a: Look at a.
`;

/** Parses lab.yaml text and returns the schema problems as "line:col: message". */
function labProblems(text: string): string[] {
  const src = new YamlSource('/labs/demo/lab.yaml', text);
  const r = parseWith(labSchema, src.values()[0]);
  return r.problems.map((p) => {
    const at = src.problemAt(p.path, p.message, { atKey: p.atKey });
    return `${at.line}:${at.col}: ${at.message}`;
  });
}

const grader = (checks: [string, number][], lab = 'demo'): GraderDef => ({
  lab,
  checks: checks.map(([id, points]) => ({ id, title: id, points, run: async () => ({ pass: true }) })),
});

describe('lab.yaml schema', () => {
  it('accepts the documented shape and fills the defaults', () => {
    const r = parseWith(labSchema, new YamlSource('lab.yaml', GOOD).values()[0]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.value!.cluster, { workers: 1, requires: [] });
    assert.deepEqual(r.value!.setup, { manifests: [], ready: [] });
    assert.deepEqual(r.value!.cleanup, []);
    assert.deepEqual(r.value!.objectives, []);
  });

  it('reports each problem at the line and column where it was written', () => {
    const text = GOOD
      .replace('kind: lab', 'kind: quiz')
      .replace('estimatedMinutes: 10', 'estimatedMinutes: 2.5')
      .replace('    checks: [c]', '    checks: []\n    points: 3')
      .replace('namespaces: [demo]', 'namespaces: [Demo_NS]\ncluster:\n  workers: 3\n  requires: [kubevirt, teleport]');
    assert.deepEqual(labProblems(text), [
      '3:7: kind: must be one of guided-exercise, lab, got "quiz"',
      '5:19: estimatedMinutes: must be a whole number, got 2.5',
      '6:14: namespaces[0]: must be a DNS label: lowercase letters, digits and hyphens, starting and ending with a letter or digit',
      '9:24: cluster.requires[1]: must be one of kubevirt, metallb, routes, machine-api, faults, embedded, got "teleport"',
      '16:13: steps[1].checks: must name at least one grader check',
      '17:5: steps[1].points: unknown field',
    ]);
  });

  it('points a missing field at the map that should hold it', () => {
    assert.deepEqual(labProblems(GOOD.replace('title: Demo\n', '').replace('    title: Step two\n', '')), [
      '1:1: title: is required',
      '10:5: steps[1].title: is required',
    ]);
  });

  it('checks JSONPaths of ready conditions and coerces expected values to text', () => {
    const text = `${GOOD}setup:
  ready:
    - {apiVersion: v1, kind: Pod, name: p, jsonPath: '{.status.phase', equals: Running}
    - {apiVersion: apps/v1, kind: Deployment, name: d, jsonPath: '{.status.readyReplicas}', equals: 2}
`;
    const problems = labProblems(text);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^18:54: setup\.ready\[0\]\.jsonPath: invalid JSONPath/);
    const ok = parseWith(labSchema, new YamlSource('lab.yaml', text.replace("'{.status.phase'", "'{.status.phase}'")).values()[0]);
    assert.equal(ok.value!.setup.ready[1].equals, '2');
  });

  it('reports YAML syntax errors at their position', () => {
    const src = new YamlSource('/labs/demo/lab.yaml', 'id: demo\nsteps: [a, b\n');
    const [p] = src.syntaxProblems();
    assert.equal(p.file, '/labs/demo/lab.yaml');
    assert.ok(p.line >= 2, `line ${p.line}`);
    assert.match(p.message, /^invalid YAML: /);
  });
});

describe('solve.yaml schema', () => {
  it('accepts apply, run and wait steps', () => {
    const r = parseWith(solveSchema, new YamlSource('solve.yaml', `steps:
  - apply: vms.yaml
  - run: virtctl start web1 -n demo
  - wait: {apiVersion: kubevirt.io/v1, kind: VirtualMachineInstance, namespace: demo, name: web1, jsonPath: '{.status.phase}', equals: Running}
`).values()[0]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.value!.steps.map((s) => Object.keys(s)[0]), ['apply', 'run', 'wait']);
  });

  it('says a step is exactly one of apply, run or wait', () => {
    const src = new YamlSource('solve.yaml', 'steps:\n  - apply: a.yaml\n    run: echo hi\n  - {}\n  - sleep: 10\n');
    const r = parseWith(solveSchema, src.values()[0]);
    assert.deepEqual(r.problems.map((p) => {
      const at = src.problemAt(p.path, p.message, { atKey: p.atKey });
      return `${at.line}:${at.col}: ${at.message}`;
    }), [
      '2:5: steps[0]: a step is exactly one of apply, run or wait, not apply and run',
      '4:5: steps[1]: a step is one of apply: <file>, run: <command> or wait: <condition>',
      '5:5: steps[2].sleep: unknown field',
      '5:5: steps[2]: a step is one of apply: <file>, run: <command> or wait: <condition>',
    ]);
  });
});

describe('cross-checks with the grader', () => {
  const src = new YamlSource('/labs/demo/lab.yaml', GOOD);
  const spec = parseWith(labSchema, src.values()[0]).value!;
  const text = (ps: LabProblem[]): string[] => ps.map((p) => `${p.line}:${p.col}: ${p.message}`);

  it('passes when steps, hints and the grader agree (unscored checks need no step)', () => {
    assert.deepEqual(crossCheckGrader(spec, src, grader([['a', 1], ['b', 2], ['c', 1], ['info', 0]]), '/repo/graders/demo.ts'), []);
  });

  it('finds unknown checks, checks in two steps or none, unknown hints and a grader of another lab', () => {
    const g = grader([['a', 1], ['c', 1], ['d', 3]], 'other');
    const s2 = new YamlSource('/labs/demo/lab.yaml', GOOD.replace('checks: [c]', 'checks: [c, a]').replace('  a: Look at a.', '  zz: Look at zz.'));
    const spec2 = parseWith(labSchema, s2.values()[0]).value!;
    assert.deepEqual(text(crossCheckGrader(spec2, s2, g, '/repo/graders/demo.ts')), [
      '1:5: the grader /repo/graders/demo.ts is for lab "other", not "demo"',
      '10:17: steps[0].checks[1]: the grader /repo/graders/demo.ts has no check "b" (checks: a, c, d)',
      '13:17: steps[1].checks[1]: check "a" is already scored by step "one"; a check belongs to exactly one step',
      '8:3: steps: check "d" of the grader (3 points) belongs to no step; add it to the step it scores',
      '15:3: hints.zz: the grader /repo/graders/demo.ts has no check "zz" (checks: a, c, d)',
    ]);
  });

  it('refuses two steps with the same id', () => {
    const s3 = new YamlSource('/labs/demo/lab.yaml', GOOD.replace('  - id: two', '  - id: one'));
    const spec3 = parseWith(labSchema, s3.values()[0]).value!;
    assert.deepEqual(text(crossCheckGrader(spec3, s3, grader([['a', 1], ['b', 1], ['c', 1]]), '/g.ts')), ['11:9: steps[1].id: "one" is already the id of steps[0]']);
  });
});

describe('manifest files', () => {
  it('reads every document as an object and reports the ones that are not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-manifests-'));
    try {
      const file = join(dir, 'setup.yaml');
      writeFileSync(file, [
        'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: one', '---',
        'apiVersion: v1', 'kind: ConfigMapList', 'metadata: {name: two}', '---',
        'kind: Secret', 'metadata:', '  generateName: three-', '---',
        '- just a list', '',
      ].join('\n'));
      const { objects, problems } = readManifests(file);
      assert.deepEqual(objects.map((o) => o.metadata.name), ['one']);
      assert.deepEqual(problems.map((p) => formatProblem(p, dir)), [
        'setup.yaml:7:7: document 2: kind ConfigMapList is not supported: write one object per YAML document',
        'setup.yaml:10:1: document 3: apiVersion is required (e.g. kubevirt.io/v1)',
        'setup.yaml:12:3: document 3: metadata.name is required (generateName cannot be applied idempotently)',
        'setup.yaml:14:1: document 4 is not a Kubernetes object (a map with apiVersion, kind and metadata)',
      ]);
      writeFileSync(file, '# nothing here\n');
      assert.deepEqual(readManifests(file).problems.map((p) => p.message), ['the file holds no objects']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps manifest paths inside the lab folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-lab-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), 'x: 1\n');
      assert.deepEqual(resolveInside(dir, dir, 'a.yaml'), { file: join(dir, 'a.yaml') });
      assert.deepEqual(resolveInside(dir, dir, '../etc/passwd'), { problem: '"../etc/passwd" must be a path inside the lab folder' });
      assert.deepEqual(resolveInside(dir, dir, '/etc/passwd'), { problem: '"/etc/passwd" must be a path inside the lab folder' });
      assert.match((resolveInside(dir, dir, 'missing.yaml') as { problem: string }).problem, /^file "missing\.yaml" does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
