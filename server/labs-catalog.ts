// The labs as the page shows them: what `lab list --json` lists, and for one
// lab its chapter (README.md, markdown source) and steps. Never the solution.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabListing } from '../cli/lab/listing.ts';
import { labDirs, readLabSpec } from '../cli/lab/loader.ts';
import type { LabSpec } from '../cli/lab/schema.ts';
import { notFound } from './errors.ts';

const LAB_ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function listing(spec: LabSpec): LabListing {
  return {
    id: spec.id, kind: spec.kind, title: spec.title, summary: spec.summary, estimatedMinutes: spec.estimatedMinutes,
    namespaces: spec.namespaces, workers: spec.cluster.workers, requires: spec.cluster.requires,
    steps: spec.steps.map((s) => ({ id: s.id, title: s.title, checks: s.checks })),
  };
}

/** Every valid lab of the folder (invalid ones are left out: `lab validate` reports them). */
export function catalog(labsDir: string): LabSpec[] {
  const out: LabSpec[] = [];
  for (const d of labDirs(labsDir)) {
    const { spec, problems } = readLabSpec(d);
    if (spec && !problems.length) out.push(spec);
  }
  return out;
}

/** One lab's spec and chapter; 404 when there is no such (valid) lab. */
export function labPage(labsDir: string, id: string): { spec: LabSpec; chapter: string } {
  const dir = join(labsDir, id);
  if (!LAB_ID.test(id) || !existsSync(join(dir, 'lab.yaml'))) throw notFound(`no lab "${id}"`);
  const { spec, problems } = readLabSpec(dir);
  if (!spec || problems.length) throw notFound(`lab "${id}" is not valid (run \`lab validate ${dir}\`)`);
  const readme = join(dir, 'README.md');
  return { spec, chapter: existsSync(readme) ? readFileSync(readme, 'utf8') : '' };
}

/** The largest worker count any lab asks for: new embedded clusters get at least that many. */
export function mostWorkers(labsDir: string): number {
  return Math.max(0, ...catalog(labsDir).map((s) => s.cluster.workers));
}
