// The lab's steps with what the last grade said about each: passed, failed,
// skipped, or not graded yet.

import { h, when } from '../dom.ts';
import type { LabPage } from '../types.ts';

const MARK = { passed: '✓', failed: '✗', skipped: '–' } as const;

export function renderSteps(steps: LabPage['steps']): HTMLElement {
  const passed = steps.filter((s) => s.progress?.status === 'passed').length;
  return h('section', { class: 'steps', 'aria-labelledby': 'steps-title' },
    h('h2', { id: 'steps-title' }, 'Steps ', h('span', { class: 'muted' }, `${passed}/${steps.length} passed`)),
    h('ol', { class: 'step-list' }, steps.map((s) => {
      const status = s.progress?.status;
      return h('li', { class: `step ${status ?? 'pending'}`, 'data-step': s.id },
        h('span', { class: 'step-mark', 'aria-hidden': 'true' }, status ? MARK[status] : '·'),
        h('span', { class: 'step-title' }, s.title),
        h('span', { class: 'step-status' },
          status ? `${status} ${s.progress!.score}/${s.progress!.maxScore}` : 'not graded',
          s.progress ? [' · ', when(s.progress.updatedAt)] : null));
    })));
}
