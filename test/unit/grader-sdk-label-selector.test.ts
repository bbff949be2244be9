// Label selectors as the Machine API and MetalLB apply them (matchLabels and
// matchExpressions ANDed, an empty selector selecting everything), and the
// words a message shows them in.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeLabelSelector, labelSelectorMatches } from '../../graders/sdk/index.ts';

const worker = { 'machine.openshift.io/cluster-api-machine-role': 'worker', zone: 'a' };

describe('labelSelectorMatches', () => {
  it('selects everything with an empty or absent selector', () => {
    assert.equal(labelSelectorMatches(undefined, worker), true);
    assert.equal(labelSelectorMatches({}, undefined), true);
    assert.equal(labelSelectorMatches({ matchLabels: {}, matchExpressions: [] }, worker), true);
  });

  it('needs every matchLabels pair', () => {
    assert.equal(labelSelectorMatches({ matchLabels: { 'machine.openshift.io/cluster-api-machine-role': 'worker' } }, worker), true);
    assert.equal(labelSelectorMatches({ matchLabels: { 'machine.openshift.io/cluster-api-machine-role': 'worker', zone: 'b' } }, worker), false);
    assert.equal(labelSelectorMatches({ matchLabels: { zone: 'a' } }, undefined), false);
  });

  it('applies In, NotIn, Exists and DoesNotExist, a missing key satisfying NotIn', () => {
    const cases: [string, string[] | undefined, boolean][] = [
      ['In', ['a', 'b'], true], ['In', ['b'], false],
      ['NotIn', ['b'], true], ['NotIn', ['a'], false],
      ['Exists', undefined, true], ['DoesNotExist', undefined, false],
    ];
    for (const [operator, values, want] of cases) {
      assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'zone', operator, values }] }, worker), want, `zone ${operator} ${values}`);
    }
    assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['r1'] }] }, worker), true);
    assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'rack', operator: 'In', values: ['r1'] }] }, worker), false);
    assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'rack', operator: 'DoesNotExist' }] }, worker), true);
  });

  it('ANDs labels and expressions, and selects nothing with an unknown operator', () => {
    assert.equal(labelSelectorMatches({ matchLabels: { zone: 'a' }, matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, worker), false);
    assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'zone', operator: 'Gt', values: ['1'] }] }, worker), false);
  });
});

describe('describeLabelSelector', () => {
  it('writes labels then expressions, and names what an empty selector selects', () => {
    assert.equal(describeLabelSelector({
      matchLabels: { 'machine.openshift.io/cluster-api-machine-role': 'worker' },
      matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }, { key: 'gpu', operator: 'DoesNotExist' }],
    }, 'machine'), 'machine.openshift.io/cluster-api-machine-role=worker,zone In (a,b),gpu DoesNotExist');
    assert.equal(describeLabelSelector({}, 'machine'), '(empty: every machine)');
    assert.equal(describeLabelSelector(undefined, 'pool'), '(empty: every pool)');
  });
});
