// Tabs for the left half of the lab page (chapter, progress, topology,
// events), following the WAI-ARIA tabs pattern: arrow keys move between tabs,
// and a tab can carry a "something new" mark until it is looked at.

import { h, replace } from '../dom.ts';

export interface Pane {
  id: string;
  label: string;
  element: HTMLElement;
  /** Called when the pane becomes visible (e.g. to redraw what needs layout). */
  shown?(): void;
}

export class PaneTabs {
  readonly element: HTMLElement;
  private readonly bar: HTMLElement;
  private active = '';
  private readonly marked = new Set<string>();

  constructor(private readonly panes: Pane[], private readonly idPrefix: string) {
    this.bar = h('div', { class: 'pane-tabs', role: 'tablist', 'aria-label': 'Lab sections' });
    for (const p of panes) {
      p.element.setAttribute('role', 'tabpanel');
      p.element.id = `${idPrefix}-panel-${p.id}`;
      p.element.setAttribute('aria-labelledby', `${idPrefix}-tab-${p.id}`);
      p.element.tabIndex = -1;
      p.element.classList.add('pane');
    }
    this.element = h('div', { class: 'pane-set' }, this.bar, panes.map((p) => p.element));
  }

  get current(): string {
    return this.active;
  }

  select(id: string, focusPanel = false): void {
    const pane = this.panes.find((p) => p.id === id);
    if (!pane) return;
    this.active = id;
    this.marked.delete(id);
    for (const p of this.panes) p.element.hidden = p.id !== id;
    this.render();
    pane.shown?.();
    if (focusPanel) pane.element.focus({ preventScroll: true });
  }

  /** Marks a tab as having news (a grade from the shell while another tab shows). */
  mark(id: string): void {
    if (id === this.active) return;
    this.marked.add(id);
    this.render();
  }

  private render(): void {
    replace(this.bar, this.panes.map((p, i) => {
      const selected = p.id === this.active;
      return h('button', {
        type: 'button', role: 'tab', id: `${this.idPrefix}-tab-${p.id}`, 'aria-controls': `${this.idPrefix}-panel-${p.id}`,
        'aria-selected': selected ? 'true' : 'false', tabindex: selected ? 0 : -1, class: `pane-tab${this.marked.has(p.id) ? ' marked' : ''}`,
        title: `${p.label} (Alt+Shift+${i + 1})`,
        onclick: () => this.select(p.id),
        onkeydown: (e: Event) => {
          const k = (e as KeyboardEvent).key;
          const j = k === 'ArrowRight' ? i + 1 : k === 'ArrowLeft' ? i - 1 : k === 'Home' ? 0 : k === 'End' ? this.panes.length - 1 : -2;
          if (j === -2) return;
          e.preventDefault();
          const next = this.panes[(j + this.panes.length) % this.panes.length];
          this.select(next.id);
          document.getElementById(`${this.idPrefix}-tab-${next.id}`)?.focus();
        },
      }, p.label, this.marked.has(p.id) ? h('span', { class: 'news-dot', 'aria-label': '(new)' }) : null);
    }));
  }
}
