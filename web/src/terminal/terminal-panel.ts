// The terminal side of the lab page: several shells in tabs (remembered in
// this browser, so a reload reattaches to the same shells and the server
// replays their screens), a toolbar to add and close tabs and to copy and
// paste, and the connection state of the visible tab.

import { h, replace } from '../dom.ts';
import type { Shortcuts } from '../shortcuts.ts';
import type { Theme } from '../theme.ts';
import type { ConnectionState } from './connection.ts';
import { TerminalView } from './terminal-view.ts';

const TABS_KEY = 'virtlab.terminal-tabs';
const MAX_TABS = 8;

interface SavedTabs {
  tabs: string[];
  active: string;
}

function loadTabs(): SavedTabs {
  try {
    const s = JSON.parse(localStorage.getItem(TABS_KEY) ?? '') as SavedTabs;
    const tabs = Array.isArray(s.tabs) ? s.tabs.filter((t) => typeof t === 'string' && /^[A-Za-z0-9_-]{1,32}$/.test(t)).slice(0, MAX_TABS) : [];
    if (tabs.length) return { tabs, active: tabs.includes(s.active) ? s.active : tabs[0] };
  } catch {
    // Nothing saved yet, or something unreadable: start with one tab.
  }
  return { tabs: ['shell-1'], active: 'shell-1' };
}

const STATE_TEXT: Record<ConnectionState, string> = {
  connecting: 'connecting…', attached: 'connected', reconnecting: 'reconnecting…', exited: 'shell ended', failed: 'disconnected',
};

export interface TerminalPanelOptions {
  theme: Theme;
  shortcuts: Shortcuts;
  /** Query parameters for the terminal WebSocket (the lab of the page). */
  query?: Record<string, string>;
  /** A tab's connection changed state (e.g. its shell attached). */
  onState?(tab: string, state: ConnectionState): void;
}

export class TerminalPanel {
  readonly element: HTMLElement;
  private readonly views = new Map<string, TerminalView>();
  private readonly tabBar: HTMLElement;
  private readonly stack: HTMLElement;
  private readonly status: HTMLElement;
  private readonly states = new Map<string, ConnectionState>();
  private active = '';
  private readonly unsubscribeTheme: () => void;

  constructor(private readonly o: TerminalPanelOptions) {
    this.tabBar = h('div', { class: 'terminal-tabs', role: 'tablist', 'aria-label': 'Terminals' });
    this.stack = h('div', { class: 'terminal-stack' });
    this.status = h('span', { class: 'terminal-status', 'aria-live': 'polite' });
    const tool = (label: string, title: string, run: () => void): HTMLButtonElement =>
      h('button', { type: 'button', class: 'icon-button', title, 'aria-label': title, onclick: run }, label);
    this.element = h('section', { class: 'terminal-panel', 'aria-label': 'Terminal' },
      h('div', { class: 'terminal-toolbar' },
        this.tabBar,
        tool('+', 'New terminal tab (Alt+Shift+T)', () => this.addTab()),
        h('span', { class: 'spacer' }),
        this.status,
        tool('Copy', 'Copy the selection (Ctrl+Shift+C)', () => { void this.current()?.copySelection(); }),
        tool('Paste', 'Paste (Ctrl+Shift+V)', () => { void this.current()?.pasteClipboard(); })),
      this.stack);
    this.unsubscribeTheme = o.theme.onChange((t) => { for (const v of this.views.values()) v.setTheme(t); });
  }

  /** Opens the saved tabs (call once the panel is in the document). */
  start(): void {
    const saved = loadTabs();
    for (const t of saved.tabs) this.createView(t);
    this.select(saved.active);
  }

  current(): TerminalView | undefined {
    return this.views.get(this.active);
  }

  /** All tabs, for tests and the page's command buttons. */
  get all(): Map<string, TerminalView> {
    return this.views;
  }

  private save(): void {
    localStorage.setItem(TABS_KEY, JSON.stringify({ tabs: [...this.views.keys()], active: this.active }));
  }

  private createView(tab: string): TerminalView {
    const view = new TerminalView({
      tab,
      theme: this.o.theme.current,
      ...(this.o.query ? { query: this.o.query } : {}),
      isShortcut: (e) => this.o.shortcuts.isShortcut(e),
      onState: (s) => {
        this.states.set(tab, s);
        this.renderTabs();
        this.o.onState?.(tab, s);
      },
    });
    this.views.set(tab, view);
    this.stack.appendChild(view.element);
    return view;
  }

  addTab(): void {
    if (this.views.size >= MAX_TABS) return;
    let n = 1;
    while (this.views.has(`shell-${n}`)) n++;
    this.createView(`shell-${n}`);
    this.select(`shell-${n}`);
  }

  /** Closes a tab: its shell is asked to exit, and the tab is forgotten. */
  closeTab(tab: string): void {
    const view = this.views.get(tab);
    if (!view) return;
    // Interrupt whatever runs, clear the line, and leave the shell.
    view.connection.input('\x03\x15exit\r');
    const keys = [...this.views.keys()];
    const i = keys.indexOf(tab);
    window.setTimeout(() => view.dispose(), 300);
    this.views.delete(tab);
    this.states.delete(tab);
    if (!this.views.size) this.addTab();
    else if (this.active === tab) this.select(keys[i + 1] ?? keys[i - 1]);
    else this.renderTabs();
    this.save();
  }

  closeCurrent(): void {
    if (this.active) this.closeTab(this.active);
  }

  select(tab: string): void {
    const view = this.views.get(tab);
    if (!view) return;
    this.active = tab;
    for (const [t, v] of this.views) v.element.hidden = t !== tab;
    view.open();
    view.fit();
    view.focus();
    this.renderTabs();
    this.save();
  }

  /** Selects the next (+1) or previous (-1) tab. */
  cycle(step: number): void {
    const keys = [...this.views.keys()];
    const i = keys.indexOf(this.active);
    this.select(keys[(i + step + keys.length) % keys.length]);
  }

  private renderTabs(): void {
    const keys = [...this.views.keys()];
    replace(this.tabBar, keys.map((t, i) => {
      const selected = t === this.active;
      const state = this.states.get(t) ?? 'connecting';
      return h('div', { class: `terminal-tab${selected ? ' selected' : ''}`, 'data-state': state },
        h('button', {
          type: 'button', role: 'tab', id: `terminal-tab-${t}`, 'aria-selected': selected ? 'true' : 'false',
          'aria-controls': `terminal-panel-${t}`, tabindex: selected ? 0 : -1, class: 'terminal-tab-label',
          onclick: () => this.select(t),
          onkeydown: (e: Event) => {
            const k = (e as KeyboardEvent).key;
            if (k === 'ArrowRight' || k === 'ArrowLeft') {
              e.preventDefault();
              this.cycle(k === 'ArrowRight' ? 1 : -1);
              document.getElementById(`terminal-tab-${this.active}`)?.focus();
            }
          },
        }, `${i + 1}: ${t}`),
        h('button', { type: 'button', class: 'terminal-tab-close', title: `Close ${t}`, 'aria-label': `Close ${t}`, onclick: () => this.closeTab(t) }, '×'));
    }));
    const s = this.states.get(this.active) ?? 'connecting';
    this.status.textContent = STATE_TEXT[s];
    this.status.dataset.state = s;
  }

  /** Types a command into the visible shell (the chapter's Run buttons). */
  type(text: string, enter = true): void {
    this.current()?.type(text, enter);
  }

  refit(): void {
    this.current()?.fit();
  }

  /** Leaves the page: the shells keep running on the server. */
  dispose(): void {
    this.unsubscribeTheme();
    for (const v of this.views.values()) v.dispose();
    this.views.clear();
  }
}
