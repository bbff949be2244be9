// oc for the lab shell: the OpenShift commands (expose a service as a Route,
// project, projects, new-project, whoami, version) run here; `oc adm
// drain|cordon|uncordon|taint` and every other command line run kubectl.

import { FlagError, findCommandWord, parseFlags } from '../kube/flags.ts';
import { processIO, type ShellIO } from '../io.ts';
import { ADM_TO_KUBECTL, OC_COMMANDS, OC_GLOBAL_FLAGS } from './commands.ts';
import { formatError } from './errors.ts';
import { HELP_FLAG, commandHelp, rootHelp } from './help.ts';
import { runKubectl } from './kubectl.ts';
import { exposesService } from './expose-target.ts';

export async function main(argv: string[], io: ShellIO = processIO()): Promise<number> {
  const at = findCommandWord(argv, OC_GLOBAL_FLAGS);
  const word = at < 0 ? undefined : argv[at];
  const rest = at < 0 ? argv : [...argv.slice(0, at), ...argv.slice(at + 1)];

  if (word === undefined) {
    if (argv.includes('--version')) return runKubectl(argv, io);
    io.out(rootHelp(OC_COMMANDS));
    return 0;
  }
  if (word === 'help') {
    const topic = OC_COMMANDS.find((c) => c.name === rest.find((a) => !a.startsWith('-')));
    if (topic) {
      io.out(commandHelp(topic));
      return 0;
    }
    if (!rest.some((a) => !a.startsWith('-'))) {
      io.out(rootHelp(OC_COMMANDS));
      return 0;
    }
    return runKubectl(argv, io);
  }
  if (word === 'adm') return adm(argv, at, io);

  const def = OC_COMMANDS.find((c) => c.name === word);
  if (!def) return runKubectl(argv, io);

  const specs = [...OC_GLOBAL_FLAGS, ...def.flags, HELP_FLAG];
  let parsed;
  try {
    parsed = parseFlags(rest, specs);
  } catch (e) {
    if (e instanceof FlagError) {
      io.err(`error: ${e.message}\nSee 'oc ${def.name} -h' for help and examples\n`);
      return 1;
    }
    throw e;
  }
  if (parsed.values.get('help')) {
    io.out(commandHelp(def));
    return 0;
  }
  // oc expose makes Routes for services only; other kinds get kubectl's Service.
  if (def.name === 'expose' && !exposesService(parsed)) return runKubectl(withoutRouteFlags(argv), io);

  // The client side (kubeconfig, YAML, HTTPS) loads only for oc's own commands, keeping kubectl hand-offs quick.
  const { OcContext } = await import('./command.ts');
  const ctx = new OcContext(def, io, parsed, specs);
  try {
    const impl = await def.load();
    await impl.run(ctx);
    return 0;
  } catch (e) {
    const msg = formatError(e);
    io.err(msg.endsWith('\n') ? msg : `${msg}\n`);
    return 1;
  } finally {
    ctx.close();
  }
}

/** `oc adm cordon|uncordon|drain|taint …` is `kubectl cordon|uncordon|drain|taint …`. */
function adm(argv: string[], at: number, io: ShellIO): Promise<number> | number {
  const without = [...argv.slice(0, at), ...argv.slice(at + 1)];
  const sub = findCommandWord(without, OC_GLOBAL_FLAGS);
  const name = sub < 0 ? undefined : without[sub];
  if (name !== undefined && ADM_TO_KUBECTL.includes(name)) return runKubectl(without, io);
  if (name === undefined) {
    io.out(`Administrative commands for the cluster.\n\nNode maintenance (kubectl's commands):\n${ADM_TO_KUBECTL.map((c) => `  ${c}`).join('\n')}\n\nUsage:\n  oc adm [command]\n`);
    return 0;
  }
  io.err(`error: unknown command "${name}" for "oc adm"\n`);
  return 1;
}

/** kubectl expose knows nothing of the Route flags. */
function withoutRouteFlags(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(hostname|path|wildcard-policy)(=.*)?$/.exec(a);
    if (m) {
      if (!m[2]) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}
