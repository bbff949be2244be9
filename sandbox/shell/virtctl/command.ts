// What a virtctl subcommand is (its cobra definition) and what it gets to run:
// parsed flags, positional arguments, the IO streams and a lazily built client.

import type { FlagSpec, ParsedFlags } from '../kube/flags.ts';
import { KubeSession } from '../kube/session.ts';
import type { ShellIO } from '../io.ts';
import { CLIENT_VERSION } from './version-info.ts';

export const PROGRAM = 'virtctl';

export interface CommandDef {
  name: string;
  /** cobra Use: the name and its arguments. */
  use: string;
  short: string;
  long?: string;
  example?: string;
  flags: FlagSpec[];
  /** Exact number of positional arguments (virtctl's templates.ExactArgs). */
  args: number;
  /** Flags cobra insists on (MarkFlagRequired). */
  required?: string[];
  /** Loads the implementation only when the command runs. */
  load: () => Promise<{ run: (ctx: CommandContext) => Promise<void> }>;
}

/** An error that is the command's answer; printed on stderr, exit code 1. */
export class CommandError extends Error {}

const USER_AGENT = `virtctl/${CLIENT_VERSION.gitVersion} (${CLIENT_VERSION.platform}) kubevirt/${CLIENT_VERSION.gitCommit.slice(0, 7)}`;

export class CommandContext extends KubeSession {
  constructor(readonly def: CommandDef, io: ShellIO, parsed: ParsedFlags, specs: FlagSpec[]) {
    super(io, parsed, specs, USER_AGENT);
  }
}
