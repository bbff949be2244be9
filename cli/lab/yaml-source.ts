// YAML files of a lab with their positions kept, so that a problem found in
// the parsed data (a zod issue path, a cross-check) can be reported at the
// line and column where the author wrote it.

import { readFileSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';

/** One thing wrong with a lab, where it is. */
export interface LabProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export type DataPath = readonly (string | number)[];

/** "file:line:col: message", with the file relative to the working directory when it lies below it. */
export function formatProblem(p: LabProblem, cwd = process.cwd()): string {
  return `${displayPath(p.file, cwd)}:${p.line}:${p.col}: ${p.message}`;
}

export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** `steps[1].checks[0]`: a data path as an author reads it. */
export function pathText(path: DataPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/** A parsed YAML file (one or more documents) that can say where any value of it was written. */
export class YamlSource {
  readonly documents: Document[];
  private readonly lines = new LineCounter();

  constructor(readonly file: string, readonly text: string) {
    this.documents = parseAllDocuments(text, { lineCounter: this.lines, prettyErrors: false }) as Document[];
  }

  static read(file: string): YamlSource {
    return new YamlSource(file, readFileSync(file, 'utf8'));
  }

  /** YAML syntax errors, at their positions. */
  syntaxProblems(): LabProblem[] {
    const out: LabProblem[] = [];
    for (const doc of this.documents) {
      for (const e of doc.errors) {
        const at = this.lines.linePos(e.pos[0]);
        out.push({ file: this.file, line: at.line, col: at.col, message: `invalid YAML: ${e.message.split('\n')[0]}` });
      }
    }
    return out;
  }

  /** The plain data of each non-empty document. */
  values(): unknown[] {
    return this.documents.filter((d) => d.contents !== null).map((d) => d.toJS({ maxAliasCount: 100 }));
  }

  /** The problem `message` at the deepest node of `path` that exists in document `docIndex`. */
  problemAt(path: DataPath, message: string, opts: { docIndex?: number; atKey?: boolean } = {}): LabProblem {
    const doc = this.documents.filter((d) => d.contents !== null)[opts.docIndex ?? 0];
    const offset = doc ? offsetOf(doc.contents as Node | null, path, opts.atKey ?? false) : 0;
    const at = this.lines.linePos(offset);
    return { file: this.file, line: at.line, col: at.col, message };
  }

  /** A problem with the whole file (line 1, column 1). */
  problem(message: string): LabProblem {
    return { file: this.file, line: 1, col: 1, message };
  }
}

/**
 * Walks `path` down from `node` and returns the source offset of the value it
 * names, or of the key when `atKey` (for an unknown field), or of the deepest
 * ancestor that exists (for a missing field: the map that should hold it).
 */
function offsetOf(node: Node | null, path: DataPath, atKey: boolean): number {
  let cur: Node | null = node;
  let offset = cur?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return offset;
      const key = pair.key as Node;
      if (last && atKey) return key.range?.[0] ?? offset;
      const value = pair.value as Node | null;
      // A key with no value (`name:`) has no node: point at the key.
      if (!value || !value.range) return key.range?.[0] ?? offset;
      cur = value;
    } else if (isSeq(cur) && typeof seg === 'number') {
      const item = cur.items[seg] as Node | undefined;
      if (!item || !item.range) return offset;
      cur = item;
    } else {
      return offset;
    }
    offset = cur.range?.[0] ?? offset;
  }
  return offset;
}
