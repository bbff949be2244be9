// kubectl's printers for a changed object: `route.route.openshift.io/web exposed`,
// `-o name`, `-o json` (4-space indent) and `-o yaml` (sorted keys).

import { stringify as stringifyYaml } from 'yaml';

type Json = Record<string, unknown>;

export const OUTPUT_FORMATS = ['json', 'yaml', 'name'];

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v as Json).sort().map((k) => [k, sortKeys((v as Json)[k])]));
  return v;
}

export function checkOutput(output: string, allowed = OUTPUT_FORMATS): void {
  if (output && !allowed.includes(output)) {
    throw new Error(`unable to match a printer suitable for the output format "${output}", allowed formats are: ${allowed.join(',')}`);
  }
}

/** `<resource>.<group>/<name>` as the name printer writes it. */
export function qualifiedName(resource: string, group: string, name: string): string {
  return `${resource}${group ? `.${group}` : ''}/${name}`;
}

export function printObject(obj: Json, output: string, opts: { resource: string; group: string; action: string; dryRun?: 'client' | 'server'; showManagedFields?: boolean }): string {
  if (!opts.showManagedFields && obj.metadata && typeof obj.metadata === 'object') {
    const { managedFields: _hidden, ...metadata } = obj.metadata as Json;
    obj = { ...obj, metadata };
  }
  const name = String((obj.metadata as Json | undefined)?.name ?? '');
  switch (output) {
    case 'json': return `${JSON.stringify(obj, null, 4)}\n`;
    case 'yaml': return toYaml(obj);
    case 'name': return `${qualifiedName(opts.resource, opts.group, name)}\n`;
    default: {
      const suffix = opts.dryRun === 'client' ? ' (dry run)' : opts.dryRun === 'server' ? ' (server dry run)' : '';
      return `${qualifiedName(opts.resource, opts.group, name)} ${opts.action}${suffix}\n`;
    }
  }
}

/** YAML as kubectl writes it: sorted keys, unindented lists, timestamps and the like quoted (YAML 1.1 rules). */
export function toYaml(obj: unknown): string {
  return stringifyYaml(sortKeys(obj), { indentSeq: false, lineWidth: 0, version: '1.1' });
}
