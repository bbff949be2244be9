// The labs, with where the student stands in each: not started, started or
// finished, steps passed, the last grade.

import type { AppContext } from '../context.ts';
import { h, replace, when } from '../dom.ts';
import type { View } from '../router.ts';
import type { LabListing } from '../types.ts';

function stateOf(l: LabListing): string {
  const s = l.state ?? {};
  if (s.finishedAt && (!s.startedAt || s.finishedAt >= s.startedAt)) return 'finished';
  return s.startedAt ? 'started' : 'not started';
}

export class LabListView implements View {
  readonly element: HTMLElement;
  readonly title = 'Labs';
  private readonly list = h('div', { class: 'lab-cards' }, h('p', { class: 'muted' }, 'Loading the labs…'));

  constructor(private readonly ctx: AppContext) {
    this.element = h('div', { class: 'lab-list' },
      h('h1', {}, 'Labs'),
      h('p', { class: 'muted' }, 'Each lab runs on a cluster of your own. Open one, press Start (or type lab start in its terminal), and follow the chapter.'),
      this.list);
  }

  mounted(): void {
    this.ctx.api.get<{ labs: LabListing[] }>('/api/labs').then(({ labs }) => {
      if (!labs.length) {
        replace(this.list, h('p', { class: 'muted' }, 'There are no labs in this lab pack.'));
        return;
      }
      replace(this.list, labs.map((l) => {
        const state = stateOf(l);
        return h('article', { class: 'card lab-card', 'data-lab': l.id },
          h('h2', {}, h('a', { href: `/labs/${encodeURIComponent(l.id)}` }, l.title)),
          h('p', { class: 'lab-meta muted' }, h('span', { class: 'badge' }, l.kind), ` · ${l.estimatedMinutes} min · ${l.steps.length} steps`),
          h('p', {}, l.summary),
          h('p', { class: 'lab-meta' },
            h('span', { class: `lab-state ${state.replace(' ', '-')}` }, state),
            l.lastGrade ? [' · last grade ', h('strong', {}, `${l.lastGrade.score}/${l.lastGrade.maxScore}`), ' ', when(l.lastGrade.startedAt)] : null));
      }));
    }, (e: unknown) => replace(this.list, h('p', { class: 'error', role: 'alert' }, `The labs could not be loaded: ${e instanceof Error ? e.message : String(e)}`)));
  }
}
