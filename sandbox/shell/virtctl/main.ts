// virtctl for the lab shell: KubeVirt's command-line client, talking to the
// cluster only through the real API paths (subresources.kubevirt.io, kubevirt.io,
// core v1), so it works the same against the embedded cluster and a real one.

import { FlagError, findCommandWord, parseFlags } from '../kube/flags.ts';
import { GLOBAL_FLAGS } from '../kube/global-flags.ts';
import { processIO, type ShellIO } from '../io.ts';
import { CommandContext, PROGRAM, type CommandDef } from './command.ts';
import { COMMANDS, UNAVAILABLE } from './commands.ts';
import { commandHelp, helpFlag, optionsUsage, rootHelp, rootUsage } from './help.ts';
import { versionWarning } from './version-info.ts';

/** Cobra's "Did you mean this?" list: names within two edits, or starting with what was typed. */
function suggestions(typed: string): string {
  const names = [...COMMANDS.map((c) => c.name), 'help'];
  const found = names.filter((n) => levenshtein(typed.toLowerCase(), n.toLowerCase()) <= 2 || n.toLowerCase().startsWith(typed.toLowerCase()));
  return found.length ? `\n\nDid you mean this?\n${found.map((n) => `\t${n}\n`).join('')}` : '';
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

export async function main(argv: string[], io: ShellIO = processIO()): Promise<number> {
  const at = findCommandWord(argv, GLOBAL_FLAGS);
  const word = at < 0 ? undefined : argv[at];
  const rest = at < 0 ? argv : [...argv.slice(0, at), ...argv.slice(at + 1)];
  let ctx: CommandContext | undefined;
  // Errors are reported like cobra's Execute in virtctl: version check output, then the error.
  const fail = async (message: string, context?: CommandContext): Promise<number> => {
    const probe = context ?? rootContext(rest, io);
    if (probe) {
      try {
        io.out(await versionWarning(() => probe.client()));
      } catch (e) {
        io.out(`${(e as Error).message}\n`);
      }
      probe.close();
    }
    io.err(`${message.trim()}\n`);
    return 1;
  };

  try {
    if (word === undefined || word === 'options' || word === 'help') {
      const parsed = parseFlags(rest, [...GLOBAL_FLAGS, helpFlag(PROGRAM)]);
      if (word === 'options') io.out(optionsUsage());
      else if (word === 'help') {
        const topic = parsed.args[0];
        const def = COMMANDS.find((c) => c.name === topic);
        if (topic === undefined) io.out(rootHelp(COMMANDS));
        else if (def) io.out(commandHelp(def));
        else io.out(`Unknown help topic [\`${topic}\`]\n${rootUsage(COMMANDS)}`);
      } else io.out(parsed.values.get('help') ? rootHelp(COMMANDS) : rootUsage(COMMANDS));
      return 0;
    }
    const def = COMMANDS.find((c) => c.name === word);
    if (!def) {
      if (UNAVAILABLE.includes(word)) {
        io.err(`${PROGRAM} ${word} is not available in the lab shell; available commands: ${COMMANDS.map((c) => c.name).join(', ')}\n`);
        return 1;
      }
      return await fail(`unknown command ${JSON.stringify(word)} for "${PROGRAM}"${suggestions(word)}`);
    }
    const specs = [...GLOBAL_FLAGS, ...def.flags, helpFlag(def.name)];
    let parsed;
    try {
      parsed = parseFlags(rest, specs);
    } catch (e) {
      if (e instanceof FlagError) return await fail(e.message);
      throw e;
    }
    if (parsed.values.get('help')) {
      io.out(commandHelp(def));
      return 0;
    }
    ctx = new CommandContext(def, io, parsed, specs);
    if (parsed.args.length !== def.args) {
      io.err(`fatal: Number of input parameters is incorrect, ${def.name} accepts ${def.args} arg(s), received ${parsed.args.length}\n\n`);
      io.out(commandHelp(def));
      return await fail('argument validation failed', ctx);
    }
    const missing = (def.required ?? []).filter((f) => !parsed.values.has(f));
    if (missing.length) return await fail(`required flag(s) ${missing.map((m) => JSON.stringify(m)).join(', ')} not set`, ctx);
    const impl = await def.load();
    await impl.run(ctx);
    ctx.close();
    return 0;
  } catch (e) {
    return await fail(e instanceof Error ? e.message : String(e), ctx);
  }
}

/** A context for the version check when no command was recognised. */
function rootContext(rest: string[], io: ShellIO): CommandContext | undefined {
  try {
    const parsed = parseFlags(rest, [...GLOBAL_FLAGS, helpFlag(PROGRAM)]);
    const root: CommandDef = { name: PROGRAM, use: PROGRAM, short: '', flags: [], args: 0, load: async () => ({ run: async () => {} }) };
    return new CommandContext(root, io, parsed, GLOBAL_FLAGS);
  } catch {
    return undefined;
  }
}
