// `lab list`: the labs of the labs folder, as a table or as JSON.

import { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { labDirs, readLabSpec } from '../lab/loader.ts';
import type { LabListing } from '../lab/listing.ts';
import { addLabsDirOption, labOptions, labsDirOf } from '../lab/options.ts';
import { displayPath, formatProblem } from '../lab/yaml-source.ts';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n') + '\n';
}

export function listCommand(io: CliIO): Command {
  const cmd = new Command('list')
    .description('list the labs (ID, KIND, TITLE, MINUTES)')
    .option('--json', 'print the labs as a JSON array');
  addLabsDirOption(cmd);
  return cmd.action((opts: { json?: boolean }, self: Command) => {
    const dir = labsDirOf(labOptions(self));
    const labs: LabListing[] = [];
    for (const d of labDirs(dir)) {
      const { spec, problems } = readLabSpec(d);
      if (!spec || problems.length) {
        io.err(`warning: skipping ${displayPath(d)}: ${problems.map((p) => formatProblem(p)).join('; ')}\n`);
        continue;
      }
      labs.push({
        id: spec.id, kind: spec.kind, title: spec.title, summary: spec.summary, estimatedMinutes: spec.estimatedMinutes,
        namespaces: spec.namespaces, workers: spec.cluster.workers, requires: spec.cluster.requires,
        steps: spec.steps.map((s) => ({ id: s.id, title: s.title, checks: s.checks })),
      });
    }
    if (opts.json) {
      io.out(`${JSON.stringify(labs, null, 2)}\n`);
      return;
    }
    if (!labs.length) {
      io.out(`No labs found in ${displayPath(dir)}.\n`);
      return;
    }
    io.out(table([['ID', 'KIND', 'TITLE', 'MINUTES'], ...labs.map((l) => [l.id, l.kind, l.title, String(l.estimatedMinutes)])]));
  });
}

