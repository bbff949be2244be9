// Which object an `oc expose` command line names: `svc/web`, `service web`,
// `services web` name services (oc makes a Route); anything else is kubectl's.

import type { ParsedFlags } from '../kube/flags.ts';

const SERVICE_TYPES = new Set(['svc', 'service', 'services']);

/** The service names of the command line, or undefined when it does not name services only. */
export function exposedServices(parsed: ParsedFlags): string[] | undefined {
  if (parsed.values.has('filename') || parsed.values.has('kustomize')) return undefined;
  const args = parsed.args;
  if (!args.length) return undefined;
  if (args[0].includes('/')) {
    const names: string[] = [];
    for (const a of args) {
      const [type, name] = a.split('/', 2);
      if (!SERVICE_TYPES.has(type.toLowerCase()) || !name) return undefined;
      names.push(name);
    }
    return names;
  }
  if (!SERVICE_TYPES.has(args[0].toLowerCase()) || args.length < 2) return undefined;
  return args.slice(1);
}

export function exposesService(parsed: ParsedFlags): boolean {
  return exposedServices(parsed) !== undefined;
}
