// The screen worker: every shell's headless terminal, parsed on a thread of
// its own so a flood of output does not compete with the pty and the
// WebSockets for the server's main thread.

import { parentPort } from 'node:worker_threads';
import { HeadlessScreen } from './screen.ts';
import type { FromScreenWorker, ToScreenWorker } from './screen-messages.ts';

const port = parentPort!;
const screens = new Map<number, HeadlessScreen>();
/** Parsed bytes per screen, reported once per turn of the event loop. */
const parsed = new Map<number, number>();
let reportScheduled = false;

function post(m: FromScreenWorker): void {
  port.postMessage(m);
}

function report(): void {
  reportScheduled = false;
  for (const [id, bytes] of parsed) post({ op: 'parsed', id, bytes });
  parsed.clear();
}

port.on('message', (m: ToScreenWorker) => {
  switch (m.op) {
    case 'create':
      screens.set(m.id, new HeadlessScreen({ cols: m.cols, rows: m.rows, scrollback: m.scrollback }));
      return;
    case 'write': {
      const n = m.data.length;
      screens.get(m.id)?.write(m.data, () => {
        parsed.set(m.id, (parsed.get(m.id) ?? 0) + n);
        if (!reportScheduled) {
          reportScheduled = true;
          setImmediate(report);
        }
      });
      return;
    }
    case 'resize':
      screens.get(m.id)?.resize(m.cols, m.rows);
      return;
    case 'snapshot': {
      const screen = screens.get(m.id);
      if (!screen) post({ op: 'snapshot', request: m.request, text: '' });
      else void screen.snapshot().then((text) => post({ op: 'snapshot', request: m.request, text }));
      return;
    }
    case 'dispose':
      screens.get(m.id)?.dispose();
      screens.delete(m.id);
      parsed.delete(m.id);
      return;
  }
});
