// One terminal tab on the page: an xterm.js terminal fitted to its pane (on
// load and whenever the pane changes size), links clickable, copy and paste
// with Ctrl+Shift+C / Ctrl+Shift+V (Ctrl+C copies when text is selected,
// otherwise it interrupts as usual), wired to the tab's connection.

import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import { copyText, readClipboard } from '../clipboard.ts';
import { h } from '../dom.ts';
import type { ThemeName } from '../theme.ts';
import { terminalTheme } from './colors.ts';
import { TerminalConnection, type ConnectionState } from './connection.ts';

export interface TerminalViewOptions {
  tab: string;
  theme: ThemeName;
  query?: Record<string, string>;
  /** Key combinations the page keeps for itself (its shortcuts). */
  isShortcut(e: KeyboardEvent): boolean;
  onState(s: ConnectionState): void;
}

export class TerminalView {
  readonly element: HTMLDivElement;
  readonly term: Terminal;
  readonly connection: TerminalConnection;
  private readonly fitAddon = new FitAddon();
  private readonly resizeObserver: ResizeObserver;
  private fitFrame = 0;
  private opened = false;

  constructor(private readonly o: TerminalViewOptions) {
    this.element = h('div', { class: 'terminal-view', role: 'tabpanel', id: `terminal-panel-${o.tab}`, 'aria-labelledby': `terminal-tab-${o.tab}` });
    this.term = new Terminal({
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 5000,
      theme: terminalTheme(o.theme),
      screenReaderMode: false,
    });
    this.term.loadAddon(this.fitAddon);
    this.term.loadAddon(new WebLinksAddon((_e, uri) => {
      const w = window.open(uri, '_blank', 'noopener,noreferrer');
      if (w) w.opener = null;
    }));
    this.term.attachCustomKeyEventHandler((e) => this.key(e));
    this.connection = new TerminalConnection({
      tab: o.tab,
      size: () => ({ cols: this.term.cols, rows: this.term.rows }),
      ...(o.query ? { query: o.query } : {}),
      sink: {
        attached: () => { this.term.reset(); },
        output: (data, done) => { this.term.write(data, done); },
        notice: (text, kind) => { this.term.write(`\r\n\x1b[${kind === 'error' ? '31' : '2'}m[${text}]\x1b[0m\r\n`); },
        state: (s) => o.onState(s),
      },
    });
    this.term.onData((d) => this.connection.input(d));
    this.term.onBinary((d) => this.connection.input(d));
    this.term.onResize((size) => this.connection.resize(size));
    this.resizeObserver = new ResizeObserver(() => this.scheduleFit());
  }

  /** Puts the terminal in the page and connects (call once the element is in the document). */
  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.term.open(this.element);
    this.resizeObserver.observe(this.element);
    this.fit();
    this.connection.connect();
  }

  private scheduleFit(): void {
    cancelAnimationFrame(this.fitFrame);
    this.fitFrame = requestAnimationFrame(() => this.fit());
  }

  /** Fits columns and rows to the pane; a hidden pane (another tab) keeps its size. */
  fit(): void {
    if (!this.opened || this.element.offsetParent === null || this.element.clientWidth === 0) return;
    const dims = this.fitAddon.proposeDimensions();
    if (!dims || !Number.isFinite(dims.cols) || !Number.isFinite(dims.rows) || dims.cols < 2 || dims.rows < 1) return;
    if (dims.cols !== this.term.cols || dims.rows !== this.term.rows) this.term.resize(dims.cols, dims.rows);
  }

  setTheme(t: ThemeName): void {
    this.term.options.theme = terminalTheme(t);
  }

  focus(): void {
    this.term.focus();
  }

  /** Types text into the shell as a paste (bracketed when the shell asked for it), optionally followed by Enter. */
  type(text: string, enter: boolean): void {
    this.term.paste(text.replace(/\r?\n$/, ''));
    if (enter) this.connection.input('\r');
    this.focus();
  }

  async copySelection(): Promise<boolean> {
    const text = this.term.getSelection();
    if (!text) return false;
    await copyText(text);
    return true;
  }

  async pasteClipboard(): Promise<void> {
    const text = await readClipboard();
    if (text) this.term.paste(text);
    this.focus();
  }

  private key(e: KeyboardEvent): boolean {
    if (this.o.isShortcut(e)) return false;
    if (e.type !== 'keydown') return true;
    const ctrl = e.ctrlKey && !e.altKey && !e.metaKey;
    if (ctrl && e.shiftKey && e.code === 'KeyC') {
      e.preventDefault();
      void this.copySelection();
      return false;
    }
    if (ctrl && !e.shiftKey && e.code === 'KeyC' && this.term.hasSelection()) {
      e.preventDefault();
      void this.copySelection().then(() => this.term.clearSelection());
      return false;
    }
    // Ctrl+Shift+V (and Cmd+V) are left to the browser, whose paste event xterm turns into input.
    if (ctrl && e.shiftKey && e.code === 'KeyV') return false;
    return true;
  }

  /** The text of the buffer (scrollback and screen), one line per row, trailing blanks trimmed. */
  text(): string {
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) {
      const line = buf.getLine(i);
      if (!line) continue;
      const s = line.translateToString(true);
      if (line.isWrapped && lines.length) lines[lines.length - 1] += s;
      else lines.push(s);
    }
    return lines.join('\n').replace(/\n+$/, '');
  }

  dispose(): void {
    cancelAnimationFrame(this.fitFrame);
    this.resizeObserver.disconnect();
    this.connection.close();
    this.term.dispose();
    this.element.remove();
  }
}
