// Label selectors: the `labelSelector` query string syntax and metav1.LabelSelector
// objects (Deployments, PDBs, Services…). Parsing follows apimachinery's lexer and
// parser closely so that errors read exactly like the real apiserver's — kubectl
// prints them verbatim after "Error from server (BadRequest): Unable to find …".

import { Errors } from '../api/errors.ts';

export type LabelOperator = 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';

/** One requirement. `!` is DoesNotExist; `=`/`==` are kept apart only so formatting round-trips. */
export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

/** AND of requirements. The empty list selects everything. */
export type LabelSelector = LabelRequirement[];

export interface LabelSelectorRequirementObject {
  key: string;
  operator: string;
  values?: string[] | null;
}

/** metav1.LabelSelector as it appears in object specs. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementObject[] | null;
}

// ---------------------------------------------------------------------------
// Key and value validation (apimachinery util/validation), shared with callers
// that validate metadata.labels.

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/** apimachinery's RegexError text, double spaces included. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let s = `${msg} (e.g. `;
  examples.forEach((ex, i) => {
    if (i > 0) s += ' or ';
    s += `'${ex}', `;
  });
  return `${s}regex used for validation is '${fmt}')`;
}

// Go measures lengths in bytes.
const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');
const maxLenError = (n: number): string => `must be no more than ${n} characters`;

function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** Problems with a label key (`[prefix/]name`); empty when valid. */
export function labelKeyErrors(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const e of dns1123SubdomainErrors(prefix)) errs.push(`prefix part ${e}`);
  } else {
    return [`a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!QUALIFIED_NAME_RE.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** Problems with a label value (may be empty); empty when valid. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

// Field errors rendered as field.Error.Error(): "<path>: Invalid value: <value>: <detail>".
// Parser-level key errors carry a nil path, which Go prints as "<nil>".
function invalid(path: string, value: string | string[], detail: string): string {
  return `${path}: Invalid value: ${renderGoValue(value)}: ${detail}`;
}

/** %q for strings, %#v for string slices, as field.Error does. */
function renderGoValue(v: string | string[]): string {
  if (typeof v === 'string') return JSON.stringify(v);
  return `[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}`;
}

/** utilerrors.Aggregate text: one message alone, several in brackets (duplicates dropped). */
function aggregate(msgs: string[]): string {
  const unique = [...new Set(msgs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64); null when it would fail. */
function parseInt64(s: string): bigint | null {
  if (!/^[+-]?\d+$/.test(s)) return null;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? null : n;
}

/**
 * labels.NewRequirement: validates and returns the field-error messages. The
 * key is reported at path "key", values at "values[i][key]".
 */
function requirementErrors(key: string, op: LabelOperator, values: string[]): string[] {
  const errs: string[] = [];
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length) errs.push(invalid('key', key, keyErrs.join('; ')));
  switch (op) {
    case 'in': case 'notin':
      if (values.length === 0) errs.push(invalid('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push(invalid('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists': case '!':
      if (values.length !== 0) errs.push(invalid('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt': case 'lt':
      if (values.length !== 1) errs.push(invalid('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === null) errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const vErrs = labelValueErrors(v);
    if (vErrs.length) errs.push(invalid(`values[${i}][${key}]`, v, vErrs.join('; ')));
  });
  return errs;
}

// ---------------------------------------------------------------------------
// Lexer

type Tok = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

interface Item {
  tok: Tok;
  lit: string;
}

const SYMBOL_TOKENS: Record<string, Tok> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', '<': '<', '!=': '!=', '(': '(' };
const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c);

function lex(text: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && isWhitespace(text[pos])) pos++;
    if (pos >= text.length) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(text[pos])) {
      // Longest run of symbol characters that is still a token ("!=", "==", but "=(" is "=" then "(").
      let buf = '';
      let last: Item | null = null;
      while (pos < text.length && isSpecial(text[pos])) {
        const next = buf + text[pos];
        if (SYMBOL_TOKENS[next]) {
          buf = next;
          last = { tok: SYMBOL_TOKENS[next], lit: next };
          pos++;
        } else if (last) {
          break;
        } else {
          buf = next;
          pos++;
        }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    let buf = '';
    while (pos < text.length && !isSpecial(text[pos]) && !isWhitespace(text[pos])) buf += text[pos++];
    items.push({ tok: buf === 'in' ? 'in' : buf === 'notin' ? 'notin' : 'id', lit: buf });
  }
}

// ---------------------------------------------------------------------------
// Parser

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class ParseError extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In value position the keywords in/notin are plain identifiers ("x in (in)"). */
  private asValue(it: Item): Item {
    return it.tok === 'in' || it.tok === 'notin' ? { tok: 'id', lit: it.lit } : it;
  }
  private lookahead(values: boolean): Item {
    const it = this.items[this.pos];
    return values ? this.asValue(it) : it;
  }
  private consume(values: boolean): Item {
    const it = this.items[this.pos++];
    return values ? this.asValue(it) : it;
  }

  parse(): LabelSelector {
    const reqs: LabelSelector = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      switch (tok) {
        case 'id': case '!': {
          let r: LabelRequirement;
          try {
            r = this.parseRequirement();
          } catch (e) {
            if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
            throw e;
          }
          reqs.push(r);
          const next = this.consume(true);
          if (next.tok === 'eos') return reqs;
          if (next.tok === ',') {
            const after = this.lookahead(true);
            if (after.tok !== 'id' && after.tok !== '!') throw new ParseError(`found '${after.lit}', expected: identifier after ','`);
            break;
          }
          throw new ParseError(`found '${next.lit}', expected: ',' or 'end of string'`);
        }
        case 'eos':
          return reqs;
        default:
          throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, op: inferred } = this.parseKeyAndInferOperator();
    if (inferred === 'exists' || inferred === '!') return this.build(key, inferred, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return this.build(key, op, values);
  }

  private build(key: string, op: LabelOperator, values: string[]): LabelRequirement {
    const errs = requirementErrors(key, op, values);
    if (errs.length) throw new ParseError(aggregate(errs));
    return { key, op, values };
  }

  private parseKeyAndInferOperator(): { key: string; op: LabelOperator | null } {
    let op: LabelOperator | null = null;
    let it = this.consume(true);
    if (it.tok === '!') {
      op = '!';
      it = this.consume(true);
    }
    if (it.tok !== 'id') throw new ParseError(`found '${it.lit}', expected: identifier`);
    const keyErrs = labelKeyErrors(it.lit);
    if (keyErrs.length) throw new ParseError(invalid('<nil>', it.lit, keyErrs.join('; ')));
    const next = this.lookahead(true).tok;
    if ((next === 'eos' || next === ',') && op !== '!') op = 'exists';
    return { key: it.lit, op };
  }

  private parseOperator(): LabelOperator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case 'in': return 'in';
      case 'notin': return 'notin';
      case '=': return '=';
      case '==': return '==';
      case '!=': return '!=';
      case '>': return 'gt';
      case '<': return 'lt';
      default: throw new ParseError(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  /** "(a,b,c)"; empty members are the empty value. Result sorted and deduplicated, like sets.String. */
  private parseValues(): string[] {
    const open = this.consume(true);
    if (open.tok !== '(') throw new ParseError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === ')') {
      this.consume(true);
      return [''];
    }
    if (tok !== 'id' && tok !== ',') throw new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
    const set = this.parseIdentifiersList();
    this.consume(true); // the ')' that parseIdentifiersList stopped at
    return [...set].sort();
  }

  private parseIdentifiersList(): Set<string> {
    const set = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === 'id') {
        set.add(lit);
        const next = this.lookahead(true);
        if (next.tok === ',') continue;
        if (next.tok === ')') return set;
        throw new ParseError(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok === ',') {
        if (set.size === 0) set.add(''); // "(,a)"
        const next = this.lookahead(true).tok;
        if (next === ')') {
          set.add(''); // "(a,)"
          return set;
        }
        if (next === ',') set.add(''); // "(a,,b)"
        continue;
      }
      throw new ParseError(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const { tok } = this.lookahead(true);
    if (tok === 'eos' || tok === ',') return [''];
    const it = this.consume(true);
    if (it.tok === 'id') return [it.lit];
    throw new ParseError(`found '${it.lit}', expected: identifier`);
  }
}

/** Stable sort by key, as labels.Parse orders requirements. */
function sortByKey(sel: LabelSelector): LabelSelector {
  return sel.map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.key < b.r.key ? -1 : a.r.key > b.r.key ? 1 : a.i - b.i))
    .map(({ r }) => r);
}

/**
 * Parses the `labelSelector` query parameter. Throws a 400 BadRequest carrying
 * the apiserver's parser message on bad syntax or invalid keys/values.
 */
export function parseLabelSelector(text: string): LabelSelector {
  try {
    return sortByKey(new Parser(lex(text)).parse());
  } catch (e) {
    if (e instanceof ParseError) throw Errors.badRequest(e.message);
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Matching

function matchesRequirement(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.op) {
    case 'in': case '=': case '==':
      return has && r.values.includes(value as string);
    case 'notin': case '!=':
      // A missing key satisfies an exclusion, as in Kubernetes.
      return !has || !r.values.includes(value as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt': case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(value as string);
      const bound = parseInt64(r.values[0]);
      if (actual === null || bound === null) return false;
      return r.op === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** True when every requirement holds. A null selector (from a null LabelSelector object) matches nothing. */
export function matchesLabels(sel: LabelSelector | null, labels: Record<string, string> | undefined | null): boolean {
  if (sel === null) return false;
  const ls = labels ?? {};
  return sel.every((r) => matchesRequirement(r, ls));
}

// ---------------------------------------------------------------------------
// metav1.LabelSelector objects

const EXPRESSION_OPERATORS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: null/undefined → null (selects nothing), an
 * empty selector → [] (selects everything). Invalid content → 400 BadRequest
 * with the apimachinery message.
 */
export function fromLabelSelectorObject(s: LabelSelectorObject | null | undefined): LabelSelector | null {
  if (s === null || s === undefined) return null;
  const matchLabels = s.matchLabels ?? {};
  const exprs = s.matchExpressions ?? [];
  const reqs: LabelSelector = [];
  const add = (key: string, op: LabelOperator, values: string[]): void => {
    const errs = requirementErrors(key, op, values);
    if (errs.length) throw Errors.badRequest(aggregate(errs));
    reqs.push({ key, op, values });
  };
  // Go decodes a JSON null inside map[string]string / []string as "".
  const text = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
  for (const [k, v] of Object.entries(matchLabels)) add(k, '=', [text(v)]);
  for (const e of exprs) {
    const op = EXPRESSION_OPERATORS[e.operator];
    if (!op) throw Errors.badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    add(text(e.key), op, (e.values ?? []).map(text));
  }
  return sortByKey(reqs);
}

function formatRequirement(r: LabelRequirement): string {
  // Multi-value sets print sorted, like Requirement.String().
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  switch (r.op) {
    case '!': return `!${r.key}`;
    case 'exists': return r.key;
    case '=': case '==': case '!=': return `${r.key}${r.op}${vals}`;
    case 'in': return `${r.key} in (${vals})`;
    case 'notin': return `${r.key} notin (${vals})`;
    case 'gt': return `${r.key}>${vals}`;
    case 'lt': return `${r.key}<${vals}`;
  }
}

/** Back to the query-string form ("app=web,tier in (a,b),!canary"); "" for everything. */
export function formatLabelSelector(sel: LabelSelector | null): string {
  if (!sel) return '';
  return sel.map(formatRequirement).join(',');
}
