// Keyboard shortcuts. Alt+Shift+<key> works everywhere, the terminal
// included (it is caught before xterm sees it, and no shell needs it); a
// plain key like "?" only when no text field or terminal has the focus, so
// typing is never taken over.

import { h } from './dom.ts';

export interface Shortcut {
  /** `Alt+Shift+G` style (matched on the physical key), or a single character such as `?`. */
  keys: string;
  description: string;
  run(): void;
}

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !(el instanceof HTMLElement)) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || !!el.closest('.xterm');
}

function matches(keys: string, e: KeyboardEvent): boolean {
  const parts = keys.split('+');
  const key = parts[parts.length - 1];
  if (parts.length === 1) return !e.ctrlKey && !e.metaKey && !e.altKey && e.key === key;
  const want = { Alt: parts.includes('Alt'), Shift: parts.includes('Shift'), Ctrl: parts.includes('Ctrl') };
  if (e.altKey !== want.Alt || e.shiftKey !== want.Shift || e.ctrlKey !== want.Ctrl || e.metaKey) return false;
  const code = /^[A-Z]$/.test(key) ? `Key${key}` : /^[0-9]$/.test(key) ? `Digit${key}` : key;
  return e.code === code || e.key === key;
}

export class Shortcuts {
  private readonly groups = new Map<string, Shortcut[]>();
  private dialog: HTMLDialogElement | undefined;

  constructor() {
    window.addEventListener('keydown', (e) => this.handle(e), true);
    this.set('app', [{ keys: '?', description: 'Show the keyboard shortcuts', run: () => this.showHelp() }]);
  }

  /** Registers (or replaces) a named group: each view owns its group and clears it when it goes. */
  set(group: string, shortcuts: Shortcut[]): void {
    if (shortcuts.length) this.groups.set(group, shortcuts);
    else this.groups.delete(group);
  }

  clear(group: string): void {
    this.groups.delete(group);
  }

  /** The shortcut of a key combination, for the terminal to leave it alone. */
  isShortcut(e: KeyboardEvent): boolean {
    return e.altKey && e.shiftKey && [...this.groups.values()].flat().some((s) => s.keys.includes('+') && matches(s.keys, e));
  }

  private handle(e: KeyboardEvent): void {
    if (e.type !== 'keydown' || e.repeat) return;
    for (const s of [...this.groups.values()].flat()) {
      if (!matches(s.keys, e)) continue;
      if (!s.keys.includes('+') && typingIn(e.target)) continue;
      e.preventDefault();
      e.stopPropagation();
      s.run();
      return;
    }
  }

  showHelp(): void {
    this.dialog?.remove();
    const rows = [...this.groups.values()].flat().map((s) => h('tr', {}, h('td', {}, h('kbd', {}, s.keys)), h('td', {}, s.description)));
    const close = h('button', { type: 'button', class: 'button', onclick: () => dialog.close() }, 'Close');
    const dialog = h('dialog', { class: 'shortcuts-help', 'aria-labelledby': 'shortcuts-title' },
      h('h2', { id: 'shortcuts-title' }, 'Keyboard shortcuts'),
      h('table', {}, h('tbody', {}, rows)),
      h('p', { class: 'muted' }, 'In the terminal: Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes.'),
      close);
    dialog.addEventListener('close', () => dialog.remove());
    document.body.appendChild(dialog);
    this.dialog = dialog;
    dialog.showModal();
    close.focus();
  }
}
