// A grade report (docs/grade-report.md) as the page shows it: the score, and
// for every check its status, points, what the grader saw and, for failures,
// the lab's hint.

import { h, when } from '../dom.ts';
import type { GradeReport, GradeRunSummary } from '../types.ts';

export function renderGradeReport(report: GradeReport, run?: GradeRunSummary): HTMLElement {
  const pct = report.maxScore ? Math.round((report.score / report.maxScore) * 100) : 0;
  const skipped = report.checks.filter((c) => c.status === 'SKIP').length;
  return h('section', { class: `grade-report ${report.passed ? 'passed' : 'failed'}`, 'aria-label': 'Grade report', 'data-run': run?.id ?? '' },
    h('div', { class: 'grade-summary' },
      h('span', { class: `grade-verdict ${report.passed ? 'good' : 'bad'}` }, report.passed ? 'PASSED' : 'NOT PASSED'),
      h('span', { class: 'grade-score' }, `Score: ${report.score}/${report.maxScore} (${pct}%)`),
      skipped ? h('span', { class: 'muted' }, `${skipped} skipped`) : null,
      h('span', { class: 'muted' }, run ? [`graded from the ${run.source === 'shell' ? 'shell' : 'page'} `, when(run.startedAt)] : when(report.startedAt))),
    h('table', { class: 'checks' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Check'), h('th', { scope: 'col' }, 'Points'))),
      h('tbody', {}, report.checks.map((c) => h('tr', { class: `check ${c.status.toLowerCase()}`, 'data-check': c.id },
        h('td', {}, h('span', { class: `status-badge ${c.status.toLowerCase()}` }, c.status)),
        h('td', {},
          h('div', { class: 'check-title' }, c.title),
          c.message ? h('div', { class: 'check-message' }, c.message) : null,
          c.hint ? h('div', { class: 'check-hint' }, h('strong', {}, 'Hint: '), c.hint) : null,
          c.measurements?.length ? h('div', { class: 'muted' }, c.measurements.map((m) => `${m.name}: ${m.value} ${m.unit}`).join(' · ')) : null),
        h('td', { class: 'points' }, c.status === 'SKIP' ? `–/${c.points}` : `${c.score}/${c.points}`))))));
}
