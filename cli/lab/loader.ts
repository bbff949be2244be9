// Finding and loading labs: the repository's labs/ (graders in graders/<id>.ts)
// or an external pack given with --labs-dir (graders in <dir>/<id>/grader.ts).
// Loading validates everything a command relies on, so `lab start` never
// applies half a lab and `lab validate` reports every problem with its place.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defineGrader } from '../../graders/sdk/define.ts';
import type { GraderDef } from '../../graders/sdk/types.ts';
import { UsageError } from '../usage-error.ts';
import { crossCheckGrader } from './cross-check.ts';
import { readManifests, resolveInside, type Manifest } from './manifests.ts';
import { labSchema, parseWith, solveSchema, type LabSpec, type SolveStep } from './schema.ts';
import { displayPath, YamlSource, type LabProblem } from './yaml-source.ts';

/** The repository root (where labs/ and graders/ live). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function defaultLabsDir(): string {
  return join(REPO_ROOT, 'labs');
}

/** A manifest object with the file it came from (for messages). */
export interface SetupObject {
  file: string;
  object: Manifest;
}

export interface Lab {
  id: string;
  dir: string;
  spec: LabSpec;
  grader: GraderDef;
  graderFile: string;
  /** setup.manifests' objects, in order. */
  setup: SetupObject[];
  /** solution/solve.yaml; undefined when the lab has none. */
  solution?: { dir: string; steps: SolveStep[]; manifests: Map<string, Manifest[]> };
}

/** Bad command-line input (unknown lab…): exit code 2. */
export class LabUsageError extends UsageError {
  override name = 'LabUsageError';
}

/** A lab that does not pass validation; `problems` say where. */
export class InvalidLabError extends Error {
  override name = 'InvalidLabError';
  constructor(readonly id: string, readonly problems: LabProblem[]) {
    super(`lab ${id} is not valid (run \`lab validate\`):\n${problems.map((p) => `  ${displayPath(p.file)}:${p.line}:${p.col}: ${p.message}`).join('\n')}`);
  }
}

/** Folders of `labsDir` that hold a lab.yaml, sorted by name. */
export function labDirs(labsDir: string): string[] {
  if (!existsSync(labsDir) || !statSync(labsDir).isDirectory()) throw new LabUsageError(`labs folder ${labsDir} does not exist`);
  return readdirSync(labsDir)
    .filter((e) => !e.startsWith('.') && existsSync(join(labsDir, e, 'lab.yaml')))
    .sort()
    .map((e) => join(labsDir, e));
}

/** The grader of the lab in `dir`: <dir>/grader.ts (lab packs), else graders/<id>.ts of the repository. */
export function graderFileFor(dir: string, id: string): string | undefined {
  for (const f of [join(dir, 'grader.ts'), join(REPO_ROOT, 'graders', `${id}.ts`)]) if (existsSync(f)) return f;
  return undefined;
}

/** Imports a grader module and checks its default export is a well-formed grader. */
export async function importGrader(file: string): Promise<GraderDef> {
  const mod = await import(pathToFileURL(file).href) as { default?: unknown };
  if (!mod.default || typeof mod.default !== 'object') throw new Error('the module has no default export: end it with `export default defineGrader({ lab, checks })`');
  return defineGrader(mod.default as GraderDef);
}

/** lab.yaml of a folder, parsed and checked against the schema only (for `lab list`). */
export function readLabSpec(dir: string): { spec?: LabSpec; source?: YamlSource; problems: LabProblem[] } {
  const file = join(dir, 'lab.yaml');
  let source: YamlSource;
  try {
    source = YamlSource.read(file);
  } catch (e) {
    return { problems: [{ file, line: 1, col: 1, message: `cannot read lab.yaml: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  const syntax = source.syntaxProblems();
  if (syntax.length) return { source, problems: syntax };
  const docs = source.values();
  if (docs.length !== 1) return { source, problems: [source.problem(docs.length ? 'lab.yaml must hold one YAML document' : 'lab.yaml is empty')] };
  const r = parseWith(labSchema, docs[0]);
  if (!r.value) return { source, problems: r.problems.map((p) => source.problemAt(p.path, p.message, { atKey: p.atKey })) };
  const problems: LabProblem[] = [];
  if (r.value.id !== basename(dir)) {
    problems.push(source.problemAt(['id'], `id: "${r.value.id}" must be the lab's folder name "${basename(dir)}"`));
  }
  return { spec: r.value, source, problems };
}

/** Validates the lab in `dir` completely; the lab when it is valid, and every problem found. */
export async function inspectLab(dir: string): Promise<{ lab?: Lab; problems: LabProblem[] }> {
  dir = resolve(dir);
  const { spec, source, problems } = readLabSpec(dir);
  if (!spec || !source) return { problems };

  const graderFile = graderFileFor(dir, spec.id);
  let grader: GraderDef | undefined;
  if (!graderFile) {
    problems.push(source.problemAt(['id'], `no grader for lab "${spec.id}": expected ${displayPath(join(REPO_ROOT, 'graders', `${spec.id}.ts`))} or ${displayPath(join(dir, 'grader.ts'))}`));
  } else {
    try {
      grader = await importGrader(graderFile);
    } catch (e) {
      problems.push({ file: graderFile, line: 1, col: 1, message: `cannot load the grader: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  if (grader && graderFile) problems.push(...crossCheckGrader(spec, source, grader, graderFile));

  const setup: SetupObject[] = [];
  spec.setup.manifests.forEach((name, i) => {
    const found = resolveInside(dir, dir, name);
    if ('problem' in found) {
      problems.push(source.problemAt(['setup', 'manifests', i], `setup.manifests[${i}]: ${found.problem}`));
      return;
    }
    const m = readManifests(found.file);
    problems.push(...m.problems);
    for (const object of m.objects) setup.push({ file: found.file, object });
  });

  const solution = readSolution(dir, problems);
  if (problems.length || !grader || !graderFile) return { problems };
  return { lab: { id: spec.id, dir, spec, grader, graderFile, setup, ...(solution ? { solution } : {}) }, problems };
}

function readSolution(dir: string, problems: LabProblem[]): Lab['solution'] {
  const solDir = join(dir, 'solution');
  const file = join(solDir, 'solve.yaml');
  if (!existsSync(file)) {
    problems.push({ file: join(dir, 'lab.yaml'), line: 1, col: 1, message: `no solution: ${displayPath(file)} is missing (\`lab solve\` and \`lab test\` need it)` });
    return undefined;
  }
  const source = YamlSource.read(file);
  const syntax = source.syntaxProblems();
  if (syntax.length) {
    problems.push(...syntax);
    return undefined;
  }
  const docs = source.values();
  if (docs.length !== 1) {
    problems.push(source.problem(docs.length ? 'solve.yaml must hold one YAML document' : 'solve.yaml is empty'));
    return undefined;
  }
  const r = parseWith(solveSchema, docs[0]);
  if (!r.value) {
    problems.push(...r.problems.map((p) => source.problemAt(p.path, p.message, { atKey: p.atKey })));
    return undefined;
  }
  const manifests = new Map<string, Manifest[]>();
  r.value.steps.forEach((s, i) => {
    if (!('apply' in s)) return;
    const found = resolveInside(dir, solDir, s.apply);
    if ('problem' in found) {
      problems.push(source.problemAt(['steps', i, 'apply'], `steps[${i}].apply: ${found.problem}`));
      return;
    }
    const m = readManifests(found.file);
    problems.push(...m.problems);
    manifests.set(s.apply, m.objects);
  });
  return { dir: solDir, steps: r.value.steps, manifests };
}

/** The lab `id` of `labsDir`, validated; a usage error when there is no such lab. */
export async function loadLab(labsDir: string, id: string): Promise<Lab> {
  const dir = join(labsDir, id);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(id) || !existsSync(join(dir, 'lab.yaml'))) {
    let known: string[] = [];
    try {
      known = labDirs(labsDir).map((d) => basename(d));
    } catch {
      // The folder itself is missing: say so below.
    }
    throw new LabUsageError(`no lab "${id}" in ${displayPath(labsDir)}${known.length ? ` (labs: ${known.join(', ')})` : ''}; see \`lab list\``);
  }
  const { lab, problems } = await inspectLab(dir);
  if (!lab) throw new InvalidLabError(id, problems);
  return lab;
}
