// What an oc subcommand of the lab shell is, and what it gets to run.

import type { FlagSpec, ParsedFlags } from '../kube/flags.ts';
import { KubeSession } from '../kube/session.ts';
import type { ShellIO } from '../io.ts';

/** The oc release this client reports (OpenShift 4.19 ships Kubernetes 1.32, like kubectl here). */
export const OC_VERSION = '4.19.0';
export const KUSTOMIZE_VERSION = 'v5.5.0';

export interface OcCommand {
  name: string;
  use: string;
  short: string;
  long?: string;
  example?: string;
  flags: FlagSpec[];
  load: () => Promise<{ run: (ctx: OcContext) => Promise<void> }>;
}

export class OcContext extends KubeSession {
  constructor(readonly def: OcCommand, io: ShellIO, parsed: ParsedFlags, specs: FlagSpec[]) {
    super(io, parsed, specs, `oc/${OC_VERSION} (linux/amd64) openshift`);
  }
}
