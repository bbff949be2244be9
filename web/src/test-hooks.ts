// What the end-to-end tests (test/e2e) read from the page: the visible
// terminal and its text. Harmless to leave in: it only exposes the user's own
// page to the user's own browser.

import type { Terminal } from '@xterm/xterm';
import type { TerminalPanel } from './terminal/terminal-panel.ts';

export interface VirtlabHooks {
  /** The xterm instance of the visible terminal tab. */
  readonly terminal: Terminal | undefined;
  /** The visible terminal's buffer as text (scrollback and screen). */
  terminalText(): string;
  /** Tab ids of the terminal panel. */
  terminalTabs(): string[];
  /** Whether the visible terminal is attached to its shell. */
  terminalState(): string | undefined;
}

let panel: TerminalPanel | undefined;

export function exposeTerminalPanel(p: TerminalPanel | undefined): void {
  panel = p;
}

const hooks: VirtlabHooks = {
  get terminal() {
    return panel?.current()?.term;
  },
  terminalText: () => panel?.current()?.text() ?? '',
  terminalTabs: () => [...(panel?.all.keys() ?? [])],
  terminalState: () => panel?.current()?.connection.state,
};

(window as unknown as { __virtlab: VirtlabHooks }).__virtlab = hooks;
