// The events timeline: what happened in the student's cluster (from the
// topology changes) and in their labs (grades and starts, from the page or the
// shell), newest first, as a log a screen reader can follow.

import { h } from './dom.ts';
import type { Severity } from './topology/changes.ts';

const MAX_ENTRIES = 200;

export interface TimelineEntry {
  at: Date;
  severity: Severity;
  text: string;
  /** Where it came from: cluster, grade, lab. */
  source: string;
}

export class Timeline {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly empty: HTMLElement;

  constructor() {
    this.list = h('ol', { class: 'timeline-list', role: 'log', 'aria-label': 'Events', 'aria-live': 'polite' });
    this.empty = h('p', { class: 'muted' }, 'Nothing has happened yet: events of your cluster and your grades appear here.');
    this.element = h('section', { class: 'timeline' }, this.empty, this.list);
  }

  add(entry: TimelineEntry): void {
    this.empty.hidden = true;
    const time = entry.at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    this.list.prepend(h('li', { class: `timeline-entry ${entry.severity}`, 'data-source': entry.source },
      h('time', { datetime: entry.at.toISOString() }, time),
      h('span', { class: 'timeline-source' }, entry.source),
      h('span', { class: 'timeline-text' }, entry.text)));
    while (this.list.children.length > MAX_ENTRIES) this.list.lastElementChild?.remove();
  }
}
