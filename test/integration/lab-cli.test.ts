// The lab commands (list, validate, start, grade, finish, solve, test)
// driven through main() against an embedded cluster, with the fixture lab
// pack (test/fixtures/labs): what a student, an instructor and CI see.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { main } from '../../cli/main.ts';
import { displayPath } from '../../cli/lab/yaml-source.ts';
import { finishLab } from '../../cli/lab/finish.ts';
import { loadLab } from '../../cli/lab/loader.ts';
import { createProgress } from '../../cli/lab/progress.ts';
import { connectInProcess } from '../../graders/sdk/connection.ts';
import { captureIO } from '../cli-io.ts';
import { startSim, type Sim } from './harness.ts';

const LABS = fileURLToPath(new URL('../fixtures/labs', import.meta.url));
const SCHEMA = JSON.parse(readFileSync(fileURLToPath(new URL('../../docs/grade-report.schema.json', import.meta.url)), 'utf8')) as JsonSchema;

// --- A small JSON Schema (2020-12) validator: the keywords docs/grade-report.schema.json uses. ---

interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean;
  items?: JsonSchema;
  uniqueItems?: boolean;
  minimum?: number;
  pattern?: string;
  format?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

function schemaErrors(value: unknown, schema: JsonSchema, root: JsonSchema = schema, at = '$'): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/\$defs\//, '');
    const target = root.$defs?.[name];
    if (!target) return [`${at}: unresolvable $ref ${schema.$ref}`];
    return schemaErrors(value, target, root, at);
  }
  const errors: string[] = [];
  if ('const' in schema && value !== schema.const) errors.push(`${at}: must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: must be one of ${JSON.stringify(schema.enum)}`);
  const type = schema.type;
  const isType = (t: string): boolean => {
    switch (t) {
      case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
      case 'array': return Array.isArray(value);
      case 'integer': return Number.isInteger(value);
      case 'number': return typeof value === 'number' && Number.isFinite(value);
      default: return typeof value === t;
    }
  };
  if (type && !isType(type)) return [...errors, `${at}: must be of type ${type}`];
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: must be ≥ ${schema.minimum}`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: must match ${schema.pattern}`);
    if (schema.format === 'date-time' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) errors.push(`${at}: must be an RFC 3339 date-time`);
  }
  if (Array.isArray(value)) {
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) errors.push(`${at}: items must be unique`);
    if (schema.items) value.forEach((v, i) => errors.push(...schemaErrors(v, schema.items!, root, `${at}[${i}]`)));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const k of schema.required ?? []) if (!(k in obj)) errors.push(`${at}: ${k} is required`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k];
      if (sub) errors.push(...schemaErrors(v, sub, root, `${at}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${at}: unknown property ${k}`);
    }
  }
  return errors;
}

describe('lab commands on the fixture lab pack', () => {
  let sim: Sim;
  /** The harness kubeconfig plus the embedded extension with a large time scale: cluster-time waits take little wall time. */
  let fastKubeconfig: string;
  /** The harness kubeconfig without the embedded extension: the cluster as a real one looks. */
  let plainKubeconfig: string;
  let scratch: string;

  before(async () => {
    sim = await startSim({ workers: 2, controlPlanes: 1 });
    scratch = mkdtempSync(join(tmpdir(), 'virtlab-labcli-'));
    const kc = parse(readFileSync(sim.kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
    kc.clusters[0].cluster.extensions = [{ name: 'virtlab.dev/embedded', extension: { timeScale: 100 } }];
    fastKubeconfig = join(scratch, 'fast-kubeconfig');
    writeFileSync(fastKubeconfig, stringify(kc));
    delete kc.clusters[0].cluster.extensions;
    plainKubeconfig = join(scratch, 'plain-kubeconfig');
    writeFileSync(plainKubeconfig, stringify(kc));
  });
  after(async () => {
    await sim.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function lab(args: string[], opts: { kubeconfig?: string; labsDir?: string; advance?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
    const io = captureIO();
    const cluster = args[0] === 'list' || args[0] === 'validate' ? [] : ['--kubeconfig', opts.kubeconfig ?? sim.kubeconfig];
    const run = main([...args, '--labs-dir', opts.labsDir ?? LABS, ...cluster], io);
    if (opts.advance) {
      // The cluster runs on a manual clock: move it while the command waits on cluster time.
      let done = false;
      void run.finally(() => { done = true; });
      while (!done) {
        await sim.advance(1);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const code = await run;
    return { code, out: io.stdout(), err: io.stderr() };
  }

  /** A copy of the fixture pack whose lab.yaml (or another file) is edited, for refusals. */
  function variant(edit: (dir: string) => void): string {
    const dir = mkdtempSync(join(scratch, 'pack-'));
    cpSync(LABS, dir, { recursive: true });
    // The copy's grader is the original module (its imports resolve from the repository).
    writeFileSync(join(dir, 'fixture-web', 'grader.ts'), `export { default } from ${JSON.stringify(join(LABS, 'fixture-web', 'grader.ts'))};\n`);
    edit(join(dir, 'fixture-web'));
    return dir;
  }

  it('lists the labs as a table and as JSON', async () => {
    const io = captureIO();
    assert.equal(await main(['--labs-dir', LABS, 'list'], io), 0, io.stderr());
    assert.match(io.stdout(), /^ID\s+KIND\s+TITLE\s+MINUTES\nfixture-web\s+guided-exercise\s+Fixture web VM\s+5\n$/);
    const r = await lab(['list', '--json']);
    const labs = JSON.parse(r.out) as { id: string; workers: number; steps: { checks: string[] }[] }[];
    assert.deepEqual(labs.map((l) => [l.id, l.workers, l.steps.flatMap((s) => s.checks)]), [['fixture-web', 2, ['vm-running', 'mode-set', 'vm-recovers']]]);
  });

  it('validates a good lab and reports a bad one at file:line:col', async () => {
    let r = await lab(['validate', join(LABS, 'fixture-web')]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'ok    fixture-web\n');

    const bad = variant((d) => {
      const text = readFileSync(join(d, 'lab.yaml'), 'utf8')
        .replace('checks: [mode-set]', 'checks: [mode-set, no-such-check]')
        .replace('estimatedMinutes: 5', 'estimatedMinutes: five')
        .replace('  mode-set: Set', '  mode-sett: Set');
      writeFileSync(join(d, 'lab.yaml'), text);
    });
    r = await lab(['validate'], { labsDir: bad });
    assert.equal(r.code, 1);
    assert.match(r.out, /FAIL  fixture-web: 1 problem/);
    // The schema stops at the first layer: estimatedMinutes is reported where it was written.
    const line = readFileSync(join(bad, 'fixture-web', 'lab.yaml'), 'utf8').split('\n').findIndex((l) => l.startsWith('estimatedMinutes')) + 1;
    assert.match(r.err, new RegExp(`fixture-web/lab\\.yaml:${line}:19: estimatedMinutes: must be a number, got "five"`));

    const bad2 = variant((d) => {
      const text = readFileSync(join(d, 'lab.yaml'), 'utf8')
        .replace('checks: [mode-set]', 'checks: [mode-set, no-such-check]')
        .replace('  mode-set: Set', '  mode-sett: Set')
        .replace('checks: [vm-recovers]', 'checks: [vm-running]');
      writeFileSync(join(d, 'lab.yaml'), text);
      writeFileSync(join(d, 'setup', 'web.yaml'), `${readFileSync(join(d, 'setup', 'web.yaml'), 'utf8')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n`);
    });
    r = await lab(['validate', join(bad2, 'fixture-web')]);
    assert.equal(r.code, 1);
    const lines = readFileSync(join(bad2, 'fixture-web', 'lab.yaml'), 'utf8').split('\n');
    const lineOf = (s: string): number => lines.findIndex((l) => l.includes(s)) + 1;
    const lastLineOf = (s: string): number => lines.findLastIndex((l) => l.includes(s)) + 1;
    assert.match(r.err, new RegExp(`lab\\.yaml:${lineOf('no-such-check')}:\\d+: steps\\[1\\]\\.checks\\[1\\]: the grader \\S+grader\\.ts has no check "no-such-check"`));
    assert.match(r.err, new RegExp(`lab\\.yaml:${lastLineOf('checks: [vm-running]')}:\\d+: steps\\[2\\]\\.checks\\[0\\]: check "vm-running" is already scored by step "run"`));
    assert.match(r.err, /steps: check "vm-recovers" of the grader \(2 points\) belongs to no step/);
    assert.match(r.err, new RegExp(`lab\\.yaml:${lineOf('mode-sett')}:3: hints\\.mode-sett: the grader \\S+ has no check "mode-sett"`));
    assert.match(r.err, /setup\/web\.yaml:\d+:\d+: document 3: metadata\.name is required/);
  });

  it('refuses a cluster without enough workers or a capability, naming what is missing', async () => {
    const big = variant((d) => writeFileSync(join(d, 'lab.yaml'), readFileSync(join(d, 'lab.yaml'), 'utf8').replace('workers: 2', 'workers: 5')));
    const r = await lab(['start', 'fixture-web'], { labsDir: big, kubeconfig: plainKubeconfig });
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: lab fixture-web needs 5 Ready worker nodes; the cluster at https:\/\/127\.0\.0\.1:\d+ has 2 Ready worker nodes\n$/);
    assert.equal((await sim.kubectl(['get', 'namespace', 'fixture-web'])).code, 1, 'nothing was created');
    const picky = variant((d) => writeFileSync(join(d, 'lab.yaml'), readFileSync(join(d, 'lab.yaml'), 'utf8').replace('requires: [kubevirt]', 'requires: [kubevirt, embedded]')));
    const r2 = await lab(['start', 'fixture-web'], { labsDir: picky, kubeconfig: plainKubeconfig });
    assert.equal(r2.code, 1);
    assert.match(r2.err, /^error: lab fixture-web needs embedded \(the embedded cluster of `lab sim`\), which the cluster at https:\/\/127\.0\.0\.1:\d+ does not have/);
    assert.equal((await lab(['start', 'fixture-web'], { labsDir: picky, kubeconfig: fastKubeconfig })).code === 0, true, 'the extension marks the embedded cluster');
    assert.equal((await lab(['finish', 'fixture-web'], { labsDir: picky, kubeconfig: fastKubeconfig, advance: true })).code, 0);
  });

  it('says what the API server refused, with its Status message', async () => {
    const broken = variant((d) => writeFileSync(join(d, 'setup', 'web.yaml'), readFileSync(join(d, 'setup', 'web.yaml'), 'utf8').replace('runStrategy: Halted', 'runStrategy: Sometimes')));
    const r = await lab(['start', 'fixture-web'], { labsDir: broken });
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: cannot apply VirtualMachine fixture-web\/web: .*Sometimes.*\n$/);
    await lab(['finish', 'fixture-web'], { kubeconfig: fastKubeconfig, advance: true });
  });

  it('rejects an unknown lab or check as a usage error (exit 2)', async () => {
    let r = await lab(['start', 'nope']);
    assert.equal(r.code, 2);
    assert.equal(r.err, `error: no lab "nope" in ${displayPath(LABS)} (labs: fixture-web); see \`lab list\`\n`);
    r = await lab(['grade', 'fixture-web', '--check', 'vm-runing']);
    assert.equal(r.code, 2);
    assert.match(r.err, /^error: lab fixture-web has no check "vm-runing" \(checks: vm-running, mode-set, vm-recovers\)\n$/);
  });

  it('starts a lab, and a second start changes nothing', async () => {
    let r = await lab(['grade', 'fixture-web']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: lab fixture-web is not started on https:\/\/127\.0\.0\.1:\d+ \(no namespace fixture-web\): run `lab start fixture-web` first\n$/);
    r = await lab(['start', 'fixture-web']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, [
      'namespace/fixture-web created',
      'VirtualMachine fixture-web/web created',
      'ConfigMap fixture-web/settings created',
      'VirtualMachine fixture-web/web {.status.printableStatus} = Stopped (after 0 s)',
      'Lab fixture-web is ready (3 objects created or changed). Read the chapter, then check your work with `lab grade fixture-web`.',
      '',
    ].join('\n'));
    const vm = await sim.kubectl(['get', 'vm', 'web', '-n', 'fixture-web', '-o', 'jsonpath={.spec.runStrategy} {.status.printableStatus}']);
    assert.equal(vm.stdout, 'Halted Stopped');
    const rv = (await sim.kubectl(['get', 'vm', 'web', '-n', 'fixture-web', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;

    r = await lab(['start', 'fixture-web']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /namespace\/fixture-web unchanged\nVirtualMachine fixture-web\/web unchanged\nConfigMap fixture-web\/settings unchanged\n/);
    assert.match(r.out, /Lab fixture-web was already started: nothing changed\.\n$/);
    assert.equal((await sim.kubectl(['get', 'vm', 'web', '-n', 'fixture-web', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout, rv);
  });

  it('grades an untouched lab as failed (exit 1), with hints and the score', async () => {
    const r = await lab(['grade', 'fixture-web']);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.out, [
      'FAIL  [0/2] vm-running  VM web runs — VirtualMachine fixture-web/web has runStrategy Halted, expected Always',
      '      hint: Set spec.runStrategy of VM web to Always (kubectl patch vm web --type merge -p \'{"spec":{"runStrategy":"Always"}}\').',
      'FAIL  [0/1] mode-set  The HA mode is recorded — ConfigMap fixture-web/settings has mode "single", expected "ha"',
      '      hint: Set data.mode of ConfigMap settings to "ha".',
      'FAIL  [0/2] vm-recovers  VM web comes back when its instance is lost — VirtualMachineInstance fixture-web/web is not Running, so there is nothing to recover',
      'Score: 0/5 (0%)',
      '',
    ].join('\n'));
  });

  it('grades the fixed lab as passed (exit 0); --no-behavioural skips the behavioural check', async () => {
    await sim.kubectl(['patch', 'vm', 'web', '-n', 'fixture-web', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Always"}}']);
    let r = await lab(['grade', 'fixture-web', '--check', 'mode-set']);
    assert.equal(r.code, 1);
    assert.equal(r.out.split('\n').filter((l) => /^(PASS|FAIL|ERROR|SKIP) /.test(l)).length, 1, 'only the chosen check ran');
    await sim.kubectl(['patch', 'configmap', 'settings', '-n', 'fixture-web', '--type', 'merge', '-p', '{"data":{"mode":"ha"}}']);
    await sim.advance(60);
    r = await lab(['grade', 'fixture-web', '--no-behavioural']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^PASS  \[2\/2\] vm-running  VM web runs — VirtualMachine fixture-web\/web is Running with runStrategy Always\n/);
    assert.match(r.out, /\nPASS  \[1\/1\] mode-set  The HA mode is recorded — mode is ha\n/);
    assert.match(r.out, /\nSKIP  \[-\/2\] vm-recovers  VM web comes back when its instance is lost — behavioural check not run/);
    assert.match(r.out, /\nScore: 3\/3 \(100%\), 1 check skipped\n$/);
  });

  it('runs behavioural checks on cluster time and prints the report as JSON that follows the schema', async () => {
    const r = await lab(['grade', 'fixture-web', '--json'], { kubeconfig: fastKubeconfig, advance: true });
    assert.equal(r.code, 0, r.out + r.err);
    const report = JSON.parse(r.out) as { schema: string; passed: boolean; score: number; maxScore: number; cluster: { capabilities: string[] }; checks: { id: string; status: string; measurements?: unknown[] }[] };
    assert.deepEqual(schemaErrors(report, SCHEMA), []);
    assert.equal(report.schema, 'virtlab.dev/grade-report/v1');
    assert.deepEqual([report.passed, report.score, report.maxScore], [true, 5, 5]);
    assert.deepEqual(report.checks.map((c) => `${c.id}=${c.status}`), ['vm-running=PASS', 'mode-set=PASS', 'vm-recovers=PASS']);
    assert.ok(report.checks[2].measurements?.length, 'the behavioural check reports the recovery time');
    // The extension marks the embedded cluster; discovery finds the rest.
    assert.deepEqual(report.cluster.capabilities, ['embedded', 'faults', 'kubevirt', 'machine-api', 'metallb', 'routes']);
    // The validator itself catches a report that breaks the schema.
    const broken = structuredClone(report) as unknown as { checks: { status: string }[]; extra?: boolean };
    broken.checks[0].status = 'OK';
    broken.extra = true;
    assert.deepEqual(schemaErrors(broken, SCHEMA), ['$.checks[0].status: must be one of ["PASS","FAIL","ERROR","SKIP"]', '$: unknown property extra']);
  });

  it('writes JUnit XML: one testcase per check, failures, errors and skips', async () => {
    await sim.kubectl(['patch', 'configmap', 'settings', '-n', 'fixture-web', '--type', 'merge', '-p', '{"data":{"mode":"<single>"}}']);
    const file = join(scratch, 'reports', 'junit.xml');
    const r = await lab(['grade', 'fixture-web', '--no-behavioural', '--junit', file]);
    assert.equal(r.code, 1);
    const xml = readFileSync(file, 'utf8');
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="virtlab" tests="3" failures="1" errors="0" skipped="1" time="[\d.]+">/);
    assert.equal(xml.match(/<testcase /g)?.length, 3);
    assert.match(xml, /<testcase classname="virtlab\.fixture-web" name="vm-running: VM web runs" time="[\d.]+">\n\s+<system-out>/);
    assert.match(xml, /<failure message="ConfigMap fixture-web\/settings has mode &quot;&lt;single&gt;&quot;, expected &quot;ha&quot;" type="FAIL">[^<]*\nhint: Set data\.mode of ConfigMap settings to &quot;ha&quot;\.<\/failure>/);
    assert.match(xml, /<testcase classname="virtlab\.fixture-web" name="vm-recovers: [^"]+" time="0\.000">\n\s+<skipped message="behavioural check not run/);
    assert.match(xml, /<property name="score" value="2"\/>/);
  });

  it('finishes a lab and waits until it is gone; a second finish has nothing to clean up', async () => {
    let r = await lab(['finish', 'fixture-web'], { kubeconfig: fastKubeconfig, advance: true });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^namespace\/fixture-web deleted\n(waiting until namespace fixture-web is gone \.\.\.\n)?namespace fixture-web gone \(after \d+ s\)\nLab fixture-web is cleaned up\.\n$/);
    assert.equal((await sim.kubectl(['get', 'namespace', 'fixture-web'])).code, 1);
    r = await lab(['finish', 'fixture-web']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'Lab fixture-web: nothing to clean up.\n');
  });

  it('solves a started lab step by step; the grade then passes and finish removes the cleanup objects', async () => {
    assert.equal((await lab(['start', 'fixture-web'])).code, 0);
    let r = await lab(['solve', 'fixture-web'], { kubeconfig: fastKubeconfig, advance: true });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^\[1\/3\] apply settings\.yaml\n {6}ConfigMap fixture-web\/settings configured\n {6}ConfigMap default\/fixture-web-marker created\n/);
    assert.match(r.out, /\n\[2\/3\] run kubectl patch vm web -n fixture-web --type merge -p '\{"spec":\{"runStrategy":"Always"\}\}'\nvirtualmachine\.kubevirt\.io\/web patched\n/);
    assert.match(r.out, /\n\[3\/3\] wait until VirtualMachineInstance fixture-web\/web \{\.status\.phase\} = Running\n/);
    assert.match(r.out, /Solved lab fixture-web \(3 steps\)/);
    await sim.advance(60);
    r = await lab(['grade', 'fixture-web', '--no-behavioural']);
    assert.equal(r.code, 0, r.out);
    r = await lab(['finish', 'fixture-web'], { kubeconfig: fastKubeconfig, advance: true });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\nConfigMap default\/fixture-web-marker deleted\n/);
    assert.equal((await sim.kubectl(['get', 'configmap', 'fixture-web-marker', '-n', 'default'])).code, 1);
  });

  it('a `run` step has this checkout\'s `lab` on PATH: `lab fault create` reaches the step\'s cluster', async () => {
    const pack = variant((d) => {
      const solve = parse(readFileSync(join(d, 'solution', 'solve.yaml'), 'utf8')) as { steps: unknown[] };
      solve.steps.push({ run: 'command -v lab && lab fault create ServiceStop web --service httpd -n fixture-web --name fixture-web-httpd && lab fault list' });
      writeFileSync(join(d, 'solution', 'solve.yaml'), stringify(solve));
    });
    assert.equal((await lab(['start', 'fixture-web'], { labsDir: pack })).code, 0);
    try {
      const r = await lab(['solve', 'fixture-web'], { kubeconfig: fastKubeconfig, labsDir: pack, advance: true });
      assert.equal(r.code, 0, r.out + r.err);
      const lines = r.out.slice(r.out.indexOf('[4/4] run ')).split('\n');
      assert.equal(lines[1], fileURLToPath(new URL('../../cli/lab/solve-bin/lab', import.meta.url)), 'the wrapper next to the solve runner, not the student\'s client');
      assert.equal(lines[2], 'fault.sim.virtlab.dev/fixture-web-httpd created');
      assert.match(lines[3], /^NAME +TYPE +TARGET +PHASE +AGE +MESSAGE$/);
      assert.match(lines[4], /^fixture-web-httpd +ServiceStop +fixture-web\/web /);
      assert.match(r.out, /Solved lab fixture-web \(4 steps\)/);
      const fault = await sim.kubectl(['get', 'fault', 'fixture-web-httpd', '-o', 'jsonpath={.spec.type} {.spec.target.namespace}/{.spec.target.name}']);
      assert.equal(fault.stdout, 'ServiceStop fixture-web/web');
    } finally {
      await sim.kubectl(['delete', 'fault', 'fixture-web-httpd', '--wait=false']);
      assert.equal((await lab(['finish', 'fixture-web'], { kubeconfig: fastKubeconfig, labsDir: pack, advance: true })).code, 0);
    }
  });

  it('finish counts a namespace already being deleted as awaited, and skips a cleanup kind the cluster does not serve', async () => {
    assert.equal((await lab(['start', 'fixture-web'])).code, 0);
    // A finalizer keeps the namespace Terminating until the first wait of finish lifts it.
    await sim.kubectl(['create', 'configmap', 'held', '-n', 'fixture-web']);
    await sim.kubectl(['patch', 'configmap', 'held', '-n', 'fixture-web', '--type', 'merge', '-p', '{"metadata":{"finalizers":["virtlab.dev/test-hold"]}}']);
    await sim.kubectl(['create', 'configmap', 'fixture-web-marker', '-n', 'default']);
    assert.equal((await sim.kubectl(['delete', 'namespace', 'fixture-web', '--wait=false'])).code, 0);
    const base = await connectInProcess({ cluster: sim.cluster, server: sim.api.url, token: sim.token, caPem: sim.api.caPem });
    let held = true;
    const conn = { ...base, time: { now: base.time.now, sleep: async (s: number) => {
      if (held) {
        held = false;
        await sim.kubectl(['patch', 'configmap', 'held', '-n', 'fixture-web', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
      }
      await base.time.sleep(s);
    } } };
    const fixture = await loadLab(LABS, 'fixture-web');
    const labDef = { ...fixture, spec: { ...fixture.spec, cleanup: [...fixture.spec.cleanup, { apiVersion: 'v1', kind: 'NoSuchKind', name: 'x' }] } };
    let out = '';
    const s = await finishLab(labDef, conn, createProgress((t) => { out += t; }));
    assert.deepEqual(s, { deleted: 1, awaited: 1 }, out);
    assert.match(out, /^namespace\/fixture-web is already being deleted\nConfigMap default\/fixture-web-marker deleted\n/);
    assert.equal((await sim.kubectl(['get', 'namespace', 'fixture-web'])).code, 1);
  });

  it('`lab test` proves the fixture lab on its own embedded cluster', async () => {
    const io = captureIO();
    const code = await main(['test', 'fixture-web', '--labs-dir', LABS], io);
    assert.equal(code, 0, io.stdout() + io.stderr());
    assert.match(io.stdout(), /before the solution: 3 of 3 scored checks fail, as they should/);
    assert.match(io.stdout(), /after the solution: all 3 checks pass/);
    assert.match(io.stdout(), /finish again: nothing to clean up/);
    assert.match(io.stdout(), /\n1 lab tested: 1 ok\n$/);
  });

  it('`lab test` reports a grader that passes an untouched lab', async () => {
    const lax = variant((d) => writeFileSync(join(d, 'setup', 'web.yaml'), readFileSync(join(d, 'setup', 'web.yaml'), 'utf8').replace('mode: single', 'mode: ha')));
    const io = captureIO();
    const code = await main(['test', '--labs-dir', lax], io);
    assert.equal(code, 1);
    assert.match(io.stdout(), /FAIL  fixture-web\n  - check mode-set passes right after `lab start`, before any work: mode is ha\n/);
    assert.match(io.stdout(), /1 lab tested: 0 ok, 1 failed \(fixture-web\)\n$/);
  });
});
