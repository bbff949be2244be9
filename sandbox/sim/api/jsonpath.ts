// The JSONPath dialect of client-go's util/jsonpath, as far as CRD
// additionalPrinterColumns and `-o jsonpath` style paths use it:
//   .a.b   .a[0]   .a[-1]   .a[1:3]   .a[*].b   .a.*   ..name   ['key']   [0,2]
//   .a[?(@.type=='Ready')].status   (==, !=, <, >, <=, >=; or bare @.x for "exists")
//   .metadata.labels.app\.kubernetes\.io/name   (backslash escapes a terminator)
// Evaluation is with missing keys allowed: what does not resolve yields nothing.

import { humanDuration, parseRfc3339 } from './age.ts';

type Operand = { kind: 'path'; steps: Step[] } | { kind: 'literal'; value: string | number | boolean };

type FilterOp = '==' | '!=' | '<' | '>' | '<=' | '>=';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'slice'; start: number | null; end: number | null; endDerived: boolean; step: number | null }
  | { kind: 'union'; branches: Step[][] }
  | { kind: 'filter'; left: Operand; op: FilterOp | 'exists'; right: Operand | null };

const FILTER_OPS: readonly string[] = ['==', '!=', '<', '>', '<=', '>='];

function isTerminator(c: string | undefined): boolean {
  return c === undefined || ' \t\r\n.,[]$@{}'.includes(c);
}

function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_]/u.test(c);
}

class PathParser {
  private pos = 0;
  constructor(private readonly text: string, private readonly whole: string) {}

  private fail(msg: string): never {
    throw new Error(`invalid JSONPath ${JSON.stringify(this.whole)}: ${msg}`);
  }

  parse(): Step[] {
    const steps: Step[] = [];
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (t.startsWith('[?(', this.pos)) {
        steps.push(this.parseFilter());
      } else if (t.startsWith('..', this.pos)) {
        if (steps.length && steps[steps.length - 1].kind === 'recursive') this.fail('invalid multiple recursive descent');
        this.pos += 2;
        steps.push({ kind: 'recursive' });
        if (isIdentStart(t[this.pos])) steps.push(this.parseField());
      } else if (c === '.') {
        this.pos++;
        steps.push(this.parseField());
      } else if (c === '[') {
        steps.push(this.parseBracket());
      } else if (c === ' ' || c === '$' || c === '@') {
        // "$" and "@" both stand for the current object.
        this.pos++;
      } else {
        this.fail(`unrecognized character ${JSON.stringify(c)} at ${this.pos}`);
      }
    }
    if (steps.length && steps[steps.length - 1].kind === 'recursive') this.fail('recursive descent needs a following selector');
    return steps;
  }

  private parseField(): Step {
    const t = this.text;
    let name = '';
    while (this.pos < t.length && !isTerminator(t[this.pos])) {
      if (t[this.pos] === '\\') {
        this.pos++;
        if (this.pos < t.length) name += t[this.pos++];
        continue;
      }
      name += t[this.pos++];
    }
    return name === '*' ? { kind: 'wildcard' } : { kind: 'field', name };
  }

  /** Moves `pos` to the next `closer` outside quoted strings; returns false at the end of the text. */
  private scanTo(closer: string): boolean {
    const t = this.text;
    let quote: string | null = null;
    for (; this.pos < t.length; this.pos++) {
      const c = t[this.pos];
      if (quote) {
        if (c === '\\') this.pos++;
        else if (c === quote) quote = null;
      } else if (c === '\'' || c === '"') {
        quote = c;
      } else if (c === closer) {
        return true;
      }
    }
    return false;
  }

  /** Reads to the closing `]`, skipping over quoted strings. */
  private readBracket(): string {
    const start = ++this.pos;
    if (!this.scanTo(']')) return this.fail('unterminated array');
    return this.text.slice(start, this.pos++);
  }

  private parseBracket(): Step {
    const content = this.readBracket().trim();
    const parts = splitOutsideQuotes(content, ',');
    if (parts.length > 1) return { kind: 'union', branches: parts.map((p) => [this.bracketStep(p.trim())]) };
    return this.bracketStep(content);
  }

  private bracketStep(content: string): Step {
    if (content === '*') return { kind: 'slice', start: null, end: null, endDerived: false, step: null };
    const quoted = /^(['"])(.*)\1$/s.exec(content);
    if (quoted) return { kind: 'field', name: unquote(quoted[2], quoted[1], this.whole) };
    const m = /^(-?\d*)(?::(-?\d*))?(?::(-?\d*))?$/.exec(content);
    if (!m || content === '') this.fail(`invalid array index ${content}`);
    const [, a, b, c] = m;
    const start = a === '' ? null : Number(a);
    const hasColon = content.includes(':');
    // "[n]" is the slice n:n+1; the derived end lets "[-1]" reach the last element.
    const end = hasColon ? (b === undefined || b === '' ? null : Number(b)) : (start ?? 0) + 1;
    const step = c === undefined || c === '' ? null : Number(c);
    if (step !== null && step <= 0) this.fail('step must be > 0');
    return { kind: 'slice', start, end, endDerived: !hasColon, step };
  }

  private parseFilter(): Step {
    const t = this.text;
    this.pos += 3;
    const start = this.pos;
    if (!this.scanTo(')')) this.fail('unterminated filter');
    const expr = t.slice(start, this.pos).trim();
    this.pos++;
    if (t[this.pos] !== ']') this.fail('unclosed array expect ]');
    this.pos++;

    const opMatch = findOperator(expr);
    if (!opMatch) return { kind: 'filter', left: this.operand(expr), op: 'exists', right: null };
    const { index, op } = opMatch;
    if (!FILTER_OPS.includes(op)) this.fail(`unrecognized filter operator ${op}`);
    const left = this.operand(expr.slice(0, index).trim());
    const right = this.operand(expr.slice(index + op.length).trim());
    return { kind: 'filter', left, op: op as FilterOp, right };
  }

  private operand(text: string): Operand {
    if (text === '') this.fail('empty filter operand');
    const q = /^(['"])(.*)\1$/s.exec(text);
    if (q) return { kind: 'literal', value: unquote(q[2], q[1], this.whole) };
    if (text === 'true' || text === 'false') return { kind: 'literal', value: text === 'true' };
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return { kind: 'literal', value: Number(text) };
    if (text[0] === '@' || text[0] === '$' || text[0] === '.') return { kind: 'path', steps: new PathParser(text, this.whole).parse() };
    return this.fail(`unrecognized filter operand ${text}`);
  }
}

/** The first run of comparison characters outside quotes ("@.a=='x=y'" splits at "=="). */
function findOperator(expr: string): { index: number; op: string } | null {
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '\'' || c === '"') {
      quote = c;
      continue;
    }
    if ('!<>='.includes(c)) {
      let j = i;
      while (j < expr.length && '!<>='.includes(expr[j])) j++;
      return { index: i, op: expr.slice(i, j) };
    }
  }
  return null;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '\'' || c === '"') {
      quote = c;
    } else if (c === sep) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '\'': '\'', '"': '"', '/': '/' };

function unquote(body: string, quote: string, whole: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    if (n !== undefined && SIMPLE_ESCAPES[n] !== undefined) out += SIMPLE_ESCAPES[n];
    // A quoted key is read as a field name, where `\.` stands for a literal dot (label keys in Machine columns).
    else if (n === '.') out += '.';
    else throw new Error(`invalid JSONPath ${JSON.stringify(whole)}: bad escape in ${quote}${body}${quote}`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Evaluation

/** An index out of bounds makes client-go fail the whole path; the column then shows nothing. */
class NoResult extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Map children in sorted key order, the order Go's reflection-based walk is made deterministic with. */
function sortedValues(o: Record<string, unknown>): unknown[] {
  return Object.keys(o).sort().map((k) => o[k]);
}

function applyStep(input: unknown[], step: Step): unknown[] {
  const out: unknown[] = [];
  switch (step.kind) {
    case 'field':
      if (step.name === '') return input;
      for (const v of input) {
        if (isObject(v) && Object.prototype.hasOwnProperty.call(v, step.name)) out.push(v[step.name]);
      }
      return out;
    case 'wildcard':
      for (const v of input) if (isObject(v)) out.push(...sortedValues(v));
      return out;
    case 'recursive':
      for (const v of input) collectContainers(v, out);
      return out;
    case 'slice':
      for (const v of input) {
        if (v === null || v === undefined) continue;
        if (!Array.isArray(v)) throw new NoResult();
        out.push(...sliceOf(v, step));
      }
      return out;
    case 'union':
      for (const branch of step.branches) out.push(...evaluate(input, branch));
      return out;
    case 'filter':
      for (const v of input) {
        if (v === null || v === undefined) continue;
        if (!Array.isArray(v)) throw new NoResult();
        for (const item of v) if (filterPasses(item, step)) out.push(item);
      }
      return out;
  }
}

function collectContainers(v: unknown, out: unknown[]): void {
  const children = Array.isArray(v) ? v : isObject(v) ? sortedValues(v) : null;
  if (!children || children.length === 0) return;
  out.push(v);
  for (const c of children) collectContainers(c, out);
}

function sliceOf(arr: unknown[], s: Extract<Step, { kind: 'slice' }>): unknown[] {
  const len = arr.length;
  let start = s.start ?? 0;
  if (start < 0) start += len;
  let end = s.end ?? len;
  if (end < 0 || (end === 0 && s.endDerived)) end += len;
  if (start === end) return [];
  if (start < 0 || start >= len || end < 0 || end > len || start > end) throw new NoResult();
  const step = s.step ?? 1;
  const out: unknown[] = [];
  for (let i = start; i < end; i += step) out.push(arr[i]);
  return out;
}

function operandValues(item: unknown, o: Operand): unknown[] {
  return o.kind === 'literal' ? [o.value] : evaluate([item], o.steps);
}

function filterPasses(item: unknown, f: Extract<Step, { kind: 'filter' }>): boolean {
  let lefts: unknown[];
  try {
    lefts = operandValues(item, f.left);
  } catch (e) {
    if (e instanceof NoResult) return false;
    throw e;
  }
  if (f.op === 'exists') return lefts.length > 0;
  const rights = operandValues(item, f.right as Operand);
  if (lefts.length !== 1 || rights.length !== 1) return false;
  return compare(lefts[0], f.op, rights[0]);
}

function compare(a: unknown, op: FilterOp, b: unknown): boolean {
  // Go's template comparisons refuse mixed or structured kinds; treat that as "no match".
  if (typeof a !== typeof b || (typeof a !== 'string' && typeof a !== 'number' && typeof a !== 'boolean')) return false;
  const x = a as string | number | boolean;
  const y = b as string | number | boolean;
  switch (op) {
    case '==': return x === y;
    case '!=': return x !== y;
    case '<': return x < y;
    case '>': return x > y;
    case '<=': return x <= y;
    case '>=': return x >= y;
  }
}

function evaluate(input: unknown[], steps: Step[]): unknown[] {
  let cur = input;
  for (const step of steps) {
    cur = applyStep(cur, step);
    if (cur.length === 0) return cur;
  }
  return cur;
}

/**
 * Compiles a path such as `.status.conditions[?(@.type=='Ready')].status`
 * (an enclosing `{…}` and a leading `$` are optional). Throws on a malformed
 * path. The returned function gives every match in order, [] when nothing resolves.
 */
export function compileJsonPath(path: string): (obj: unknown) => unknown[] {
  let text = path.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  if (text === '') throw new Error(`invalid JSONPath ${JSON.stringify(path)}: empty`);
  const steps = new PathParser(text, path).parse();
  return (obj: unknown) => {
    try {
      return evaluate([obj], steps);
    } catch (e) {
      if (e instanceof NoResult) return [];
      throw e;
    }
  };
}

const compiled = new Map<string, (obj: unknown) => unknown[]>();

function cachedPath(path: string): (obj: unknown) => unknown[] {
  let fn = compiled.get(path);
  if (!fn) {
    fn = compileJsonPath(path);
    compiled.set(path, fn);
  }
  return fn;
}

/**
 * Go's encoding/json output for a decoded JSON value: object keys sorted and
 * <, >, & and U+2028/U+2029 escaped. Used wherever the apiserver prints a
 * structured value into a text cell.
 */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${goString(k)}:${goJson(o[k])}`).join(',')}}`;
  }
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  return JSON.stringify(v) ?? 'null';
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The first match of `path` in `obj` as a CRD column shows it: primitives as
 * they are, objects and arrays as compact JSON, null when nothing (or null) matched.
 */
export function evaluateColumn(path: string, obj: unknown): string | number | boolean | null {
  const results = cachedPath(path)(obj);
  if (results.length === 0) return null;
  const v = results[0];
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return goJson(v);
}

/**
 * Go's fmt %v for a float64 (%g with shortest digits): exponent form when the
 * decimal exponent is < -4 or >= 6, e.g. 1.5 → "1.5", 1234567.5 → "1.2345675e+06",
 * 0.00001 → "1e-05".
 */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  // toExponential() gives the shortest round-tripping digits, like Go's 'g' with precision -1.
  const [mant, e] = n.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date';

/**
 * A CRD additionalPrinterColumn cell, with the apiserver's per-type
 * conversion: string columns print any scalar as text (and structures as
 * JSON), integer columns truncate numbers, date columns become ages
 * ("3d", "<invalid>" for an unparsable time, "<unknown>" for an empty one),
 * and a value of the wrong type becomes null (an empty cell).
 */
export function crdColumnCell(column: { type: string; jsonPath: string }, obj: unknown, now: number): string | number | boolean | null {
  const results = cachedPath(column.jsonPath)(obj);
  if (results.length === 0) return null;
  const v = results[0];
  if (v === null || v === undefined) return null;
  switch (column.type) {
    case 'string':
      if (typeof v === 'string') return v;
      if (typeof v === 'boolean') return String(v);
      if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
      return goJson(v);
    case 'integer':
      return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'date': {
      if (typeof v !== 'string') return null;
      if (v === '' || v === 'null') return '<unknown>';
      const t = parseRfc3339(v);
      return t === null ? '<invalid>' : humanDuration(now - t);
    }
    default:
      return null;
  }
}
