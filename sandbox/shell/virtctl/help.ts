// virtctl's help screens: cobra's help template with virtctl's usage
// templates (command usage, the root's command list, `virtctl options`).

import { flagUsages, type FlagSpec } from '../kube/flags.ts';
import { GLOBAL_FLAGS } from '../kube/global-flags.ts';
import { PROGRAM, type CommandDef } from './command.ts';

export const ROOT_SHORT = `${PROGRAM} controls virtual machine related operations on your kubernetes cluster.`;

function prepare(s: string): string {
  return s.replaceAll('{{ProgramName}}', PROGRAM);
}

export function helpFlag(name: string): FlagSpec {
  return { name: 'help', short: 'h', type: 'bool', usage: `help for ${name}` };
}

/** Usage of one subcommand (templates.UsageTemplate). */
export function commandUsage(def: CommandDef): string {
  const flags = [...def.flags, helpFlag(def.name)];
  let s = `Usage:\n  ${PROGRAM} ${def.use} [flags]`;
  if (def.example) s += `\n\nExamples:\n${prepare(def.example)}`;
  s += `\n\nFlags:\n${flagUsages(flags)}`;
  s += `\n\nUse "${PROGRAM} options" for a list of global command-line options (applies to all commands).\n`;
  return s;
}

/** `virtctl <command> --help`: the description, then the usage. */
export function commandHelp(def: CommandDef): string {
  return `${(def.long ?? def.short).trimEnd()}\n\n${commandUsage(def)}`;
}

/** The root's usage: the command list (templates.MainUsageTemplate). */
export function rootUsage(commands: CommandDef[]): string {
  const entries = [...commands.map((c) => ({ name: c.name, short: c.short })), { name: 'help', short: 'Help about any command' }]
    .sort((a, b) => a.name.localeCompare(b.name));
  const pad = Math.max(11, ...entries.map((e) => e.name.length));
  const lines = entries.map((e) => `  ${e.name.padEnd(pad)} ${e.short}`);
  return `Available Commands:\n${lines.join('\n')}\n\nUse "${PROGRAM} <command> --help" for more information about a given command.\nUse "${PROGRAM} options" for a list of global command-line options (applies to all commands).\n`;
}

export function rootHelp(commands: CommandDef[]): string {
  return `${ROOT_SHORT}\n\n${rootUsage(commands)}`;
}

/** `virtctl options`: the global flags (templates.OptionsUsageTemplate). */
export function optionsUsage(): string {
  return `The following options can be passed to any command:\n\n${flagUsages(GLOBAL_FLAGS)}\n`;
}
