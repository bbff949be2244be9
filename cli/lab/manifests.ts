// Manifest files of a lab (setup/*.yaml, solution/*.yaml): one or more YAML
// documents, each a Kubernetes object with apiVersion, kind and metadata.name.

import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { YamlSource, type LabProblem } from './yaml-source.ts';

/** A Kubernetes object as written in a manifest. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** The file a lab.yaml or solve.yaml entry names, if it lies inside `root`; else why not. */
export function resolveInside(root: string, base: string, name: string): { file: string } | { problem: string } {
  const file = resolve(base, name);
  const rel = relative(root, file);
  if (isAbsolute(name) || rel.startsWith('..') || isAbsolute(rel)) return { problem: `"${name}" must be a path inside the lab folder` };
  if (!existsSync(file) || !statSync(file).isFile()) return { problem: `file "${name}" does not exist (looked for ${file})` };
  return { file };
}

/** The objects of a manifest file, or the problems that make it unusable. */
export function readManifests(file: string): { objects: Manifest[]; problems: LabProblem[] } {
  let source: YamlSource;
  try {
    source = YamlSource.read(file);
  } catch (e) {
    return { objects: [], problems: [{ file, line: 1, col: 1, message: `cannot read manifest: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  const syntax = source.syntaxProblems();
  if (syntax.length) return { objects: [], problems: syntax };
  const objects: Manifest[] = [];
  const problems: LabProblem[] = [];
  source.values().forEach((v, docIndex) => {
    const at = (path: (string | number)[], message: string): LabProblem => source.problemAt(path, message, { docIndex });
    const doc = docIndex + 1;
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      problems.push(at([], `document ${doc} is not a Kubernetes object (a map with apiVersion, kind and metadata)`));
      return;
    }
    const o = v as Record<string, unknown>;
    const before = problems.length;
    if (typeof o.apiVersion !== 'string' || !o.apiVersion) problems.push(at(['apiVersion'], `document ${doc}: apiVersion is required (e.g. kubevirt.io/v1)`));
    if (typeof o.kind !== 'string' || !o.kind) problems.push(at(['kind'], `document ${doc}: kind is required (e.g. VirtualMachine)`));
    else if (o.kind.endsWith('List')) problems.push(at(['kind'], `document ${doc}: kind ${o.kind} is not supported: write one object per YAML document`));
    const meta = o.metadata as Record<string, unknown> | undefined;
    if (!meta || typeof meta !== 'object' || Array.isArray(meta)) {
      problems.push(at(['metadata'], `document ${doc}: metadata with a name is required`));
    } else {
      if (typeof meta.name !== 'string' || !meta.name) {
        problems.push(at(['metadata', 'name'], `document ${doc}: metadata.name is required${typeof meta.generateName === 'string' ? ' (generateName cannot be applied idempotently)' : ''}`));
      }
      if (meta.namespace !== undefined && typeof meta.namespace !== 'string') problems.push(at(['metadata', 'namespace'], `document ${doc}: metadata.namespace must be text`));
    }
    if (problems.length === before) objects.push(o as Manifest);
  });
  if (!objects.length && !problems.length) problems.push(source.problem('the file holds no objects'));
  return { objects, problems };
}

/** "VirtualMachine ha-review/web1" */
export function objectText(o: { kind: string; metadata: { name: string; namespace?: string } } | { kind: string; name: string; namespace?: string }): string {
  const m = 'metadata' in o ? o.metadata : o;
  return `${o.kind} ${m.namespace ? `${m.namespace}/` : ''}${m.name}`;
}
