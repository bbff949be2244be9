// The gradebook as CSV: one row per student, for every lab the latest grade
// run's score, maximum, whether it passed, and when it ran. Cells that a
// spreadsheet would take for a formula are quoted with a leading apostrophe.

import type { LabSpec } from '../cli/lab/schema.ts';
import type { LabRecords } from './lab-records.ts';
import type { User } from './users.ts';

export function csvCell(v: string | number | boolean | undefined): string {
  let s = v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function gradebookCsv(students: User[], labs: LabSpec[], records: LabRecords): Promise<string> {
  const { latest } = await records.classRecords();
  const key = (u: number, l: string): string => `${u}\u0000${l}`;
  const runs = new Map(latest.map((x) => [key(x.userId, x.labId), x]));
  const header = ['username', 'display_name', ...labs.flatMap((l) => [`${l.id} score`, `${l.id} max`, `${l.id} passed`, `${l.id} graded_at`, `${l.id} runs`])];
  const rows = students.map((s) => [
    s.username, s.displayName,
    ...labs.flatMap((l) => {
      const x = runs.get(key(s.id, l.id));
      return x ? [x.run.score, x.run.maxScore, x.run.passed ? 'yes' : 'no', x.run.startedAt, x.runs] : ['', '', '', '', 0];
    }),
  ]);
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
