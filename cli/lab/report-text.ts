// The human form of a grade report: one line per check, the hint under each
// failure, then the score.

import type { CheckResult, GradeReport } from '../../graders/sdk/types.ts';

/** `PASS  [2/2] vms-running  Run the three VMs — 3 VMs Running` */
export function checkLine(r: CheckResult): string {
  const score = r.status === 'SKIP' ? `[-/${r.points}]` : `[${r.score}/${r.points}]`;
  const line = `${r.status.padEnd(5)} ${score} ${r.id}  ${r.title}${r.message ? ` — ${r.message}` : ''}`;
  return r.hint ? `${line}\n      hint: ${r.hint}` : line;
}

/** `Score: 14/20 (70%)`, with the skipped checks named when there are any. */
export function scoreLine(report: GradeReport): string {
  const pct = report.maxScore > 0 ? Math.round((report.score / report.maxScore) * 100) : 100;
  const skipped = report.checks.filter((c) => c.status === 'SKIP').length;
  return `Score: ${report.score}/${report.maxScore} (${pct}%)${skipped ? `, ${skipped} check${skipped === 1 ? '' : 's'} skipped` : ''}`;
}
