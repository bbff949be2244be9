// The options every lab command shares (--kubeconfig, --context,
// --labs-dir), accepted on the program (`lab --labs-dir X list`) or on the
// command (`lab list --labs-dir X`); the command's own value wins.

import { resolve } from 'node:path';
import { Command } from 'commander';
import { connect } from '../../graders/sdk/connection.ts';
import type { ClusterConnection } from '../../graders/sdk/types.ts';
import { defaultLabsDir, loadLab, type Lab } from './loader.ts';

export interface LabOptions {
  kubeconfig?: string;
  context?: string;
  labsDir?: string;
}

export function addLabsDirOption(cmd: Command): Command {
  return cmd.option('--labs-dir <dir>', 'folder of labs (default: the repository\'s labs/; a lab pack keeps its graders in <dir>/<id>/grader.ts)');
}

export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)');
}

/** The shared options as given to the command or, failing that, to the program. */
export function labOptions(cmd: Command): LabOptions {
  const out: LabOptions = {};
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.opts() as LabOptions;
    out.kubeconfig ??= o.kubeconfig;
    out.context ??= o.context;
    out.labsDir ??= o.labsDir;
  }
  return out;
}

export function labsDirOf(o: LabOptions): string {
  return resolve(o.labsDir ?? defaultLabsDir());
}

export function connectWith(o: LabOptions, extra: { proxy?: string } = {}): Promise<ClusterConnection> {
  return connect({ kubeconfig: o.kubeconfig, context: o.context, proxy: extra.proxy });
}

/** `lab <name> <id>`: a command about one lab with the shared options; the action gets the loaded lab, the options and the command's own flags. */
export function labCommand<F>(name: string, description: string, action: (lab: Lab, o: LabOptions, flags: F) => Promise<void>): Command {
  const cmd = new Command(name).description(description).argument('<id>', 'the lab (see `lab list`)');
  addClusterOptions(cmd);
  addLabsDirOption(cmd);
  return cmd.action(async (id: string, flags: F, self: Command) => {
    const o = labOptions(self);
    await action(await loadLab(labsDirOf(o), id), o, flags);
  });
}
