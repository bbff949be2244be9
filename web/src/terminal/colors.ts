// The terminal's colours for each page theme (xterm draws on a canvas, so
// CSS variables do not reach it).

import type { ITheme } from '@xterm/xterm';
import type { ThemeName } from '../theme.ts';

const DARK: ITheme = {
  background: '#11151c',
  foreground: '#d8dee9',
  cursor: '#e5e9f0',
  cursorAccent: '#11151c',
  selectionBackground: '#3b4a63',
  black: '#1d222b', red: '#e06c75', green: '#98c379', yellow: '#e5c07b', blue: '#61afef', magenta: '#c678dd', cyan: '#56b6c2', white: '#d8dee9',
  brightBlack: '#5c6370', brightRed: '#ef8a92', brightGreen: '#b5e08f', brightYellow: '#f0d08d', brightBlue: '#84c3f5', brightMagenta: '#d79ae6', brightCyan: '#7fcad4', brightWhite: '#ffffff',
};

const LIGHT: ITheme = {
  background: '#fbfbfc',
  foreground: '#24292f',
  cursor: '#24292f',
  cursorAccent: '#fbfbfc',
  selectionBackground: '#b6d3f7',
  black: '#24292f', red: '#c0392b', green: '#1a7f37', yellow: '#9a6700', blue: '#0969da', magenta: '#8250df', cyan: '#1b7c83', white: '#6e7781',
  brightBlack: '#57606a', brightRed: '#d1242f', brightGreen: '#2da44e', brightYellow: '#bf8700', brightBlue: '#218bff', brightMagenta: '#a475f9', brightCyan: '#3192aa', brightWhite: '#8c959f',
};

export function terminalTheme(t: ThemeName): ITheme {
  return t === 'dark' ? DARK : LIGHT;
}
