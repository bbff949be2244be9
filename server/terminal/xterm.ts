// @xterm/headless and its serialize addon ship as CommonJS bundles whose
// exports Node cannot name from an ES module: load them with require, typed
// by their own declarations.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const { Terminal: HeadlessTerminal } = require('@xterm/headless') as typeof import('@xterm/headless');
export const { SerializeAddon } = require('@xterm/addon-serialize') as typeof import('@xterm/addon-serialize');
