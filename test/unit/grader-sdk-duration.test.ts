// Durations as Kubernetes writes them (metav1.Duration): Go's
// time.ParseDuration, in seconds, undefined for what Go rejects.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { durationSeconds } from '../../graders/sdk/index.ts';

describe('durationSeconds', () => {
  it('reads what Go reads', () => {
    const cases: [string, number][] = [
      ['300s', 300], ['5m', 300], ['5m0s', 300], ['1h30m', 5400], ['1.5h', 5400], ['.5s', 0.5], ['2.s', 2],
      ['300ms', 0.3], ['1500us', 0.0015], ['1500µs', 0.0015], ['1500μs', 0.0015], ['10ns', 1e-8],
      ['0', 0], ['+0', 0], ['-0', 0], ['+5s', 5], ['-2m', -120], ['0s', 0],
    ];
    for (const [text, seconds] of cases) assert.equal(durationSeconds(text), seconds, text);
  });

  it('rejects a number without a unit, an unknown unit, spaces and empty text', () => {
    for (const text of ['300', '5 m', '5d', '1.5.3s', 's', '.s', '', '-', '5m junk', ' 5m']) {
      assert.equal(durationSeconds(text), undefined, JSON.stringify(text));
    }
    assert.equal(durationSeconds(undefined), undefined);
  });
});
