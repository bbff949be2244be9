// Joining words for messages, the same in every lab.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { andList, plural } from '../../graders/sdk/index.ts';

describe('message words', () => {
  it('lists with commas and a final "and"', () => {
    assert.equal(andList([]), '');
    assert.equal(andList(['web1']), 'web1');
    assert.equal(andList(['web1', 'web2']), 'web1 and web2');
    assert.equal(andList(['web1', 'web2', 'db1']), 'web1, web2 and db1');
  });

  it('counts with a plural s unless there is exactly one', () => {
    assert.equal(plural(0, 'request'), '0 requests');
    assert.equal(plural(1, 'ready endpoint'), '1 ready endpoint');
    assert.equal(plural(6, 'request'), '6 requests');
  });
});
