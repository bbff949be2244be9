// Command-line flags the way spf13/pflag (under cobra, kubectl, oc and virtctl)
// reads them: flags anywhere between arguments, `--name=value` or `--name value`,
// `-n value` / `-nvalue`, grouped boolean shorthands, `--` ends the flags; and
// its error texts, which the real tools print unchanged.

export type FlagType = 'bool' | 'string' | 'int' | 'int32' | 'int64' | 'stringArray' | 'stringToString' | 'count';

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  usage: string;
  /** Printed as `(default …)` when not the zero value. */
  default?: string | number | boolean;
  /** Name of the value in the help line, instead of the type (pflag's back-quoted word). */
  varName?: string;
  /** Value taken when the flag is given without one (pflag NoOptDefVal), e.g. `--dry-run` meaning `--dry-run=unchanged`. */
  noOptDefVal?: string;
  hidden?: boolean;
}

export type FlagValue = string | number | boolean | string[] | Record<string, string>;

export interface ParsedFlags {
  /** Values of the flags that were given (repeated flags: the last one, or all for stringArray). */
  values: Map<string, FlagValue>;
  /** Positional arguments, in order. */
  args: string[];
  /** Arguments after `--`, also included in args. */
  dashDashAt: number;
}

export class FlagError extends Error {}

function zeroOf(type: FlagType): FlagValue {
  switch (type) {
    case 'bool': return false;
    case 'string': return '';
    case 'int': case 'int32': case 'int64': case 'count': return 0;
    case 'stringArray': return [];
    case 'stringToString': return {};
  }
}

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int: [-(2n ** 63n), 2n ** 63n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** strconv.ParseInt / ParseBool with Go's error texts. */
function convert(spec: FlagSpec, raw: string, previous: FlagValue | undefined): FlagValue {
  switch (spec.type) {
    case 'bool': {
      if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) return true;
      if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) return false;
      throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
    }
    case 'string':
      return raw;
    case 'int': case 'int32': case 'int64': {
      if (!/^[+-]?\d+$/.test(raw.replace(/_/g, ''))) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
      const n = BigInt(raw.replace(/_/g, ''));
      const [lo, hi] = INT_RANGE[spec.type];
      if (n < lo || n > hi) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: value out of range`);
      return Number(n);
    }
    case 'count':
      return (typeof previous === 'number' ? previous : 0) + 1;
    case 'stringArray':
      return [...(Array.isArray(previous) ? previous : []), raw];
    case 'stringToString': {
      const out: Record<string, string> = { ...(previous && typeof previous === 'object' && !Array.isArray(previous) ? previous : {}) };
      if (raw === '') return out;
      for (const pair of raw.split(',')) {
        const eq = pair.indexOf('=');
        if (eq < 0) throw new Error(`${pair} must be formatted as key=value`);
        out[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      return out;
    }
  }
}

function flagLabel(spec: FlagSpec): string {
  return spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
}

export function parseFlags(argv: string[], specs: FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const values = new Map<string, FlagValue>();
  const args: string[] = [];
  let dashDashAt = -1;

  const set = (spec: FlagSpec, raw: string): void => {
    try {
      values.set(spec.name, convert(spec, raw, values.get(spec.name)));
    } catch (e) {
      throw new FlagError(`invalid argument ${JSON.stringify(raw)} for ${JSON.stringify(flagLabel(spec))} flag: ${(e as Error).message}`);
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      dashDashAt = args.length;
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const body = a.slice(2);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const spec = byName.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) set(spec, body.slice(eq + 1));
      else if (spec.type === 'bool') set(spec, 'true');
      else if (spec.type === 'count') set(spec, '');
      else if (spec.noOptDefVal !== undefined) set(spec, spec.noOptDefVal);
      else if (i + 1 < argv.length) set(spec, argv[++i]);
      else throw new FlagError(`flag needs an argument: --${name}`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // Shorthands: -abc is -a -b -c for booleans; -nfoo and -n=foo give n the value.
      let j = 1;
      while (j < a.length) {
        const c = a[j];
        const spec = byShort.get(c);
        if (!spec) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
        const rest = a.slice(j + 1);
        if (rest.startsWith('=')) {
          set(spec, rest.slice(1));
          break;
        }
        if (spec.type === 'bool' || spec.type === 'count') {
          set(spec, spec.type === 'bool' ? 'true' : '');
          j++;
          continue;
        }
        if (rest.length) set(spec, rest);
        else if (spec.noOptDefVal !== undefined) set(spec, spec.noOptDefVal);
        else if (i + 1 < argv.length) set(spec, argv[++i]);
        else throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
        break;
      }
      continue;
    }
    args.push(a);
  }
  return { values, args, dashDashAt };
}

/** A flag's value, or its default, or the zero value of its type. */
export function flagValue<T extends FlagValue>(parsed: ParsedFlags, spec: FlagSpec): T {
  if (parsed.values.has(spec.name)) return parsed.values.get(spec.name) as T;
  return (spec.default ?? zeroOf(spec.type)) as T;
}

/**
 * The "Flags:" block of cobra's help: pflag's FlagUsages layout (sorted by
 * name, the usage column aligned one space past the longest flag).
 */
export function flagUsages(specs: FlagSpec[]): string {
  const lines: { head: string; usage: string }[] = [];
  for (const s of [...specs].sort((a, b) => a.name.localeCompare(b.name))) {
    if (s.hidden) continue;
    let head = s.short ? `  -${s.short}, --${s.name}` : `      --${s.name}`;
    const varName = s.varName ?? typeWord(s.type);
    if (varName) head += ` ${varName}`;
    if (s.noOptDefVal !== undefined) head += s.type === 'string' ? `[="${s.noOptDefVal}"]` : `[=${s.noOptDefVal}]`;
    let usage = s.usage;
    if (s.default !== undefined && s.default !== zeroOf(s.type)) {
      usage += s.type === 'string' ? ` (default ${JSON.stringify(s.default)})` : ` (default ${String(s.default)})`;
    }
    lines.push({ head, usage });
  }
  const width = Math.max(0, ...lines.map((l) => l.head.length));
  return lines.map((l) => `${l.head}${' '.repeat(width - l.head.length)}   ${l.usage}`).join('\n');
}

function typeWord(type: FlagType): string {
  switch (type) {
    case 'bool': case 'count': return '';
    case 'int': case 'int64': return 'int';
    case 'stringArray': return 'stringArray';
    default: return type;
  }
}

/**
 * The first positional word of a command line (the subcommand), skipping the
 * values of the global flags that take one, as cobra's Find does.
 */
export function findCommandWord(argv: string[], globals: FlagSpec[]): number {
  const takesValue = (s: FlagSpec | undefined): boolean => !!s && s.type !== 'bool' && s.type !== 'count' && s.noOptDefVal === undefined;
  const byName = new Map(globals.map((s) => [s.name, s]));
  const byShort = new Map(globals.filter((s) => s.short).map((s) => [s.short!, s]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (a.startsWith('--')) {
      if (!a.includes('=') && takesValue(byName.get(a.slice(2)))) i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      if (a.length === 2 && takesValue(byShort.get(a[1]))) i++;
      continue;
    }
    return i;
  }
  return -1;
}
