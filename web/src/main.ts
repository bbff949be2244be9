// The page's entry point (bundled by web/build.ts).

import '@xterm/xterm/css/xterm.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/lab.css';
import './styles/terminal.css';
import './styles/topology.css';
import './styles/instructor.css';
import './test-hooks.ts';
import { App } from './app.ts';

const root = document.getElementById('app');
if (root) void new App(root).start();
