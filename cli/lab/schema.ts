// The shape of labs/<id>/lab.yaml and labs/<id>/solution/solve.yaml
// (docs/lab-format.md), as zod schemas. Problems come back as messages at
// the path where the author wrote the value; yaml-source.ts turns the path
// into line:column.

import { z } from 'zod';
import { compileJsonPath } from '../../sandbox/sim/api/jsonpath.ts';
import { CAPABILITIES } from '../../graders/sdk/connection.ts';
import { LAB_KINDS } from './listing.ts';
import { pathText, type DataPath } from './yaml-source.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const dnsLabel = z.string()
  .max(63, { message: 'must be at most 63 characters (a DNS label)' })
  .regex(DNS_LABEL, { message: 'must be a DNS label: lowercase letters, digits and hyphens, starting and ending with a letter or digit' });

const checkId = z.string().regex(KEBAB_CASE, { message: 'must be a check id: kebab-case, like "vms-running"' });

const text = z.string().trim().min(1, { message: 'must not be empty' });

/** An object in the cluster, named exactly. */
const objectRef = z.strictObject({
  apiVersion: text,
  kind: text,
  namespace: dnsLabel.optional(),
  name: text,
});

const jsonPath = z.string().superRefine((p, ctx) => {
  try {
    compileJsonPath(p);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
  }
});

/** A condition `lab start` and solution `wait` steps wait for, on the cluster clock. */
const readyCondition = objectRef.extend({
  /** Without it, the object existing is enough. */
  jsonPath: jsonPath.optional(),
  /** Without it, any non-empty value of jsonPath is enough. YAML numbers and booleans compare as text. */
  equals: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
  timeoutSeconds: z.number().positive({ message: 'must be a number of seconds greater than 0' }).optional(),
});

const step = z.strictObject({
  id: checkId,
  title: text,
  checks: z.array(checkId).min(1, { message: 'must name at least one grader check' }),
});

export const labSchema = z.strictObject({
  id: dnsLabel,
  title: text,
  kind: z.enum(LAB_KINDS),
  summary: text,
  estimatedMinutes: z.number().int({ message: 'must be a whole number of minutes' }).positive({ message: 'must be a whole number of minutes greater than 0' }),
  objectives: z.array(text).default([]),
  namespaces: z.array(dnsLabel).min(1, { message: 'must name at least one namespace (the first is the lab\'s namespace)' }),
  cluster: z.strictObject({
    workers: z.number().int({ message: 'must be a whole number' }).min(1, { message: 'must be at least 1' }).default(1),
    timeScale: z.number().positive({ message: 'must be a number greater than 0' }).optional(),
    requires: z.array(z.enum(CAPABILITIES)).default([]),
  }).default({ workers: 1, requires: [] }),
  setup: z.strictObject({
    manifests: z.array(text).default([]),
    ready: z.array(readyCondition).default([]),
  }).default({ manifests: [], ready: [] }),
  cleanup: z.array(objectRef).default([]),
  steps: z.array(step).min(1, { message: 'must list at least one step' }),
  hints: z.record(z.string(), text).default({}),
});

export type LabSpec = z.output<typeof labSchema>;
export type ObjectRef = z.output<typeof objectRef>;
export type ReadyCondition = z.output<typeof readyCondition>;
export type LabStep = z.output<typeof step>;

export type SolveStep =
  | { apply: string }
  | { run: string }
  | { wait: ReadyCondition };

const solveStep = z.strictObject({
  apply: text.optional(),
  run: text.optional(),
  wait: readyCondition.optional(),
}).superRefine((s, ctx) => {
  const given = (['apply', 'run', 'wait'] as const).filter((k) => s[k] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({ code: 'custom', message: given.length ? `a step is exactly one of apply, run or wait, not ${given.join(' and ')}` : 'a step is one of apply: <file>, run: <command> or wait: <condition>' });
  }
}).transform((s): SolveStep => (s.apply !== undefined ? { apply: s.apply } : s.run !== undefined ? { run: s.run } : { wait: s.wait! }));

export const solveSchema = z.strictObject({
  steps: z.array(solveStep).min(1, { message: 'must list at least one step' }),
});

export type Solution = z.output<typeof solveSchema>;

/** A schema problem: where (data path, and whether the key itself is meant) and what. */
export interface SchemaProblem {
  path: DataPath;
  atKey: boolean;
  message: string;
}

/** Parses `data` with `schema`; the problems come with messages an author can act on. */
export function parseWith<T>(schema: z.ZodType<T>, data: unknown): { value: T; problems: [] } | { value: undefined; problems: SchemaProblem[] } {
  const r = schema.safeParse(data, { reportInput: true });
  if (r.success) return { value: r.data, problems: [] };
  return { value: undefined, problems: r.error.issues.flatMap(describeIssue) };
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `"${v}"`;
  return String(v);
}

const EXPECTED: Record<string, string> = {
  string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', array: 'a list', object: 'a map', record: 'a map',
};

function describeIssue(issue: z.core.$ZodIssue): SchemaProblem[] {
  const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  const where = path.length ? `${pathText(path)}: ` : '';
  switch (issue.code) {
    case 'invalid_type': {
      if (!('input' in issue) || issue.input === undefined) return [{ path, atKey: false, message: `${where}is required` }];
      return [{ path, atKey: false, message: `${where}must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}` }];
    }
    case 'invalid_value':
      return [{ path, atKey: false, message: `${where}must be one of ${issue.values.map((v) => String(v)).join(', ')}, got ${describeValue(issue.input)}` }];
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({ path: [...path, k], atKey: true, message: `${pathText([...path, k])}: unknown field` }));
    case 'invalid_union':
      return [{ path, atKey: false, message: `${where}must be text, a number or true/false, got ${describeValue('input' in issue ? issue.input : undefined)}` }];
    default:
      return [{ path, atKey: false, message: `${where}${issue.message}` }];
  }
}
