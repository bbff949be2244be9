// Help screens of the oc commands the lab shell implements, laid out like
// kubectl's templates (description, examples, options, usage).

import type { FlagSpec } from '../kube/flags.ts';
import type { OcCommand } from './command.ts';
import { ADM_TO_KUBECTL } from './commands.ts';

export const HELP_FLAG: FlagSpec = { name: 'help', short: 'h', type: 'bool', usage: 'help for this command', hidden: true };

function defaultText(f: FlagSpec): string {
  switch (f.type) {
    case 'bool': return String(f.default ?? false);
    case 'string': return `'${String(f.default ?? '')}'`;
    case 'stringArray': return '[]';
    case 'stringToString': return '[]';
    default: return String(f.default ?? 0);
  }
}

function options(flags: FlagSpec[]): string {
  return [...flags].filter((f) => !f.hidden).sort((a, b) => a.name.localeCompare(b.name))
    .map((f) => `    ${f.short ? `-${f.short}, ` : ''}--${f.name}=${defaultText(f)}:\n\t${f.usage}\n`).join('\n');
}

export function commandHelp(def: OcCommand): string {
  let s = `${(def.long ?? def.short).trimEnd()}\n\n`;
  if (def.example) s += `Examples:\n${def.example}\n\n`;
  if (def.flags.length) s += `Options:\n${options(def.flags)}\n`;
  s += `Usage:\n  oc ${def.use} [options]\n\nUse "oc options" for a list of global command-line options (applies to all commands).\n`;
  return s;
}

export function rootHelp(commands: OcCommand[]): string {
  const rows = [...commands.map((c) => [c.name, c.short]), ['adm', `Node maintenance: ${ADM_TO_KUBECTL.join(', ')} (kubectl's commands)`]]
    .sort((a, b) => a[0].localeCompare(b[0]));
  const pad = Math.max(...rows.map((r) => r[0].length));
  return [
    'OpenShift Client',
    '',
    'The OpenShift commands below run in oc itself; every other command (get, describe,',
    'apply, create, edit, patch, delete, label, logs, wait, …) is kubectl\'s, with the same',
    'arguments and options.',
    '',
    'OpenShift Commands:',
    ...rows.map(([n, d]) => `  ${n.padEnd(pad)}   ${d}`),
    '',
    'Usage:',
    '  oc [flags] [options]',
    '',
    'Use "oc <command> --help" for more information about a given command.',
    'Use "oc options" for a list of global command-line options (applies to all commands).',
    '',
  ].join('\n');
}
