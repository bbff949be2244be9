// `lab validate [<dir>]`: check one lab folder, or every lab of a labs
// folder, against the lab format (docs/lab-format.md) and its grader.
// Problems are printed as file:line:col: message; exit 1 when there are any.

import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { inspectLab, labDirs } from '../lab/loader.ts';
import { addLabsDirOption, labOptions, labsDirOf } from '../lab/options.ts';
import { displayPath, formatProblem } from '../lab/yaml-source.ts';

export function validateCommand(io: CliIO): Command {
  const cmd = new Command('validate')
    .description('check labs against the lab format and their graders: one lab folder, or every lab of a labs folder (default: the labs folder)')
    .argument('[dir]', 'a lab folder (with lab.yaml) or a folder of labs');
  addLabsDirOption(cmd);
  return cmd.action(async (dir: string | undefined, _opts: unknown, self: Command) => {
    const target = dir ? resolve(dir) : labsDirOf(labOptions(self));
    const dirs = existsSync(join(target, 'lab.yaml')) ? [target] : labDirs(target);
    if (!dirs.length) {
      io.out(`No labs found in ${displayPath(target)}.\n`);
      return;
    }
    let bad = 0;
    for (const d of dirs) {
      const { problems } = await inspectLab(d);
      if (!problems.length) {
        io.out(`ok    ${basename(d)}\n`);
        continue;
      }
      bad++;
      io.out(`FAIL  ${basename(d)}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
      for (const p of problems) io.err(`${formatProblem(p)}\n`);
    }
    if (dirs.length > 1 || bad) io.out(bad ? `${bad} of ${dirs.length} labs have problems\n` : `${dirs.length} labs are valid\n`);
    if (bad) io.exitCode = 1;
  });
}
