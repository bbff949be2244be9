// `lab test [<id>...]`: for lab authors. Proves each lab on a fresh embedded
// cluster (manual clock): after `lab start` every scored check fails, after
// `lab solve` every check passes, `lab finish` cleans up. Exit 1 on any
// violation.

import { basename } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { CliIO } from '../io.ts';
import { testLab, type LabTestResult } from '../lab/lab-test.ts';
import { LabUsageError, labDirs, loadLab } from '../lab/loader.ts';
import { addLabsDirOption, labOptions, labsDirOf } from '../lab/options.ts';

function seconds(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a number of seconds greater than 0, got "${v}"`);
    return n;
  };
}

export function testCommand(io: CliIO): Command {
  const cmd = new Command('test')
    .description('prove labs on a fresh embedded cluster: checks fail after start, pass after solve, finish cleans up (default: every lab)')
    .argument('[ids...]', 'the labs to test (see `lab list`)')
    .option('--step <seconds>', 'cluster seconds between grades while waiting for the solution to take effect', seconds('--step'), 10)
    .option('--limit <seconds>', 'cluster seconds the solution may take until every check passes', seconds('--limit'), 900);
  addLabsDirOption(cmd);
  return cmd.action(async (ids: string[], flags: { step: number; limit: number }, self: Command) => {
    const dir = labsDirOf(labOptions(self));
    const wanted = ids.length ? ids : labDirs(dir).map((d) => basename(d));
    if (!wanted.length) {
      io.out('No labs to test.\n');
      return;
    }
    const results: LabTestResult[] = [];
    for (const id of wanted) {
      let result: LabTestResult;
      try {
        const lab = await loadLab(dir, id);
        result = await testLab(lab, { stepSeconds: flags.step, limitSeconds: flags.limit, write: (t) => io.out(t) });
      } catch (e) {
        if (e instanceof LabUsageError) throw e;
        result = { id, violations: [e instanceof Error ? e.message : String(e)], wallMs: 0 };
      }
      results.push(result);
      if (result.violations.length) {
        io.out(`FAIL  ${id}\n`);
        for (const v of result.violations) io.out(`  - ${v}\n`);
      } else {
        io.out(`ok    ${id} (solved after ${result.solvedAfterSeconds} s of cluster time; ${(result.wallMs / 1000).toFixed(1)} s wall)\n`);
      }
    }
    const failed = results.filter((r) => r.violations.length);
    io.out(`${results.length} lab${results.length === 1 ? '' : 's'} tested: ${results.length - failed.length} ok${failed.length ? `, ${failed.length} failed (${failed.map((r) => r.id).join(', ')})` : ''}\n`);
    if (failed.length) io.exitCode = 1;
  });
}
