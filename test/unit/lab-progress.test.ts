// Progress of lab start/finish/solve: a redrawn line with a spinner on a
// terminal, plain lines (one when a wait begins, one when it ends) elsewhere.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress } from '../../cli/lab/progress.ts';

describe('lab progress', () => {
  it('writes plain lines when not on a terminal: a wait is announced once, then its result', () => {
    let out = '';
    const p = createProgress((t) => { out += t; }, { indent: '  ' });
    p.line('namespace/demo created');
    const item = p.item('waiting until VirtualMachine demo/web1 exists');
    item.update('not found, 1 s');
    item.update('not found, 2 s');
    item.done('VirtualMachine demo/web1 exists (after 3 s)');
    assert.equal(out, '  namespace/demo created\n  waiting until VirtualMachine demo/web1 exists ...\n  VirtualMachine demo/web1 exists (after 3 s)\n');
  });

  it('redraws one line per item on a terminal and ends it with a mark', () => {
    let out = '';
    const p = createProgress((t) => { out += t; }, { tty: true });
    const item = p.item('waiting until pods are gone');
    item.update('2 left, 4 s');
    item.fail('timed out after 600 s');
    const writes = out.split('\r\x1b[2K').filter(Boolean);
    assert.deepEqual(writes, ['⠋ waiting until pods are gone', '⠙ waiting until pods are gone (2 left, 4 s)', '✖ timed out after 600 s\n']);
    assert.ok(!out.slice(0, -1).includes('\n'), 'only the final line ends with a newline');
  });
});
