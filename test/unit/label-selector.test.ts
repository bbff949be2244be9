import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ApiError } from '../../sandbox/sim/api/errors.ts';
import {
  formatLabelSelector, fromLabelSelectorObject, labelKeyErrors, labelValueErrors, matchesLabels, parseLabelSelector,
  type LabelSelector,
} from '../../sandbox/sim/store/label-selector.ts';

/** Asserts a 400 BadRequest whose message equals (string) or matches (RegExp) the expectation. */
function badRequest(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

const NAME_PART_REGEX = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_REGEX = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test('every operator parses', () => {
  assert.deepEqual(parseLabelSelector('app=web'), [{ key: 'app', op: '=', values: ['web'] }]);
  assert.deepEqual(parseLabelSelector('app==web'), [{ key: 'app', op: '==', values: ['web'] }]);
  assert.deepEqual(parseLabelSelector('app!=web'), [{ key: 'app', op: '!=', values: ['web'] }]);
  assert.deepEqual(parseLabelSelector('tier in (web,db)'), [{ key: 'tier', op: 'in', values: ['db', 'web'] }]);
  assert.deepEqual(parseLabelSelector('tier notin (web)'), [{ key: 'tier', op: 'notin', values: ['web'] }]);
  assert.deepEqual(parseLabelSelector('canary'), [{ key: 'canary', op: 'exists', values: [] }]);
  assert.deepEqual(parseLabelSelector('!canary'), [{ key: 'canary', op: '!', values: [] }]);
  assert.deepEqual(parseLabelSelector('gen>1'), [{ key: 'gen', op: 'gt', values: ['1'] }]);
  assert.deepEqual(parseLabelSelector('gen<3'), [{ key: 'gen', op: 'lt', values: ['3'] }]);
});

test('empty selector selects everything; comma-AND sorted by key; whitespace tolerant', () => {
  assert.deepEqual(parseLabelSelector(''), []);
  assert.deepEqual(parseLabelSelector('   '), []);
  const sel = parseLabelSelector(' tier in ( web , db ) ,  app = web,!canary , env ');
  assert.deepEqual(sel, [
    { key: 'app', op: '=', values: ['web'] },
    { key: 'canary', op: '!', values: [] },
    { key: 'env', op: 'exists', values: [] },
    { key: 'tier', op: 'in', values: ['db', 'web'] },
  ]);
});

test('keys with prefixes, empty values, keywords as values', () => {
  assert.deepEqual(parseLabelSelector('app.kubernetes.io/name=virt-launcher'),
    [{ key: 'app.kubernetes.io/name', op: '=', values: ['virt-launcher'] }]);
  assert.deepEqual(parseLabelSelector('app='), [{ key: 'app', op: '=', values: [''] }]);
  assert.deepEqual(parseLabelSelector('app=,b'), [{ key: 'app', op: '=', values: [''] }, { key: 'b', op: 'exists', values: [] }]);
  assert.deepEqual(parseLabelSelector('x in ()'), [{ key: 'x', op: 'in', values: [''] }]);
  assert.deepEqual(parseLabelSelector('x in (a,)'), [{ key: 'x', op: 'in', values: ['', 'a'] }]);
  assert.deepEqual(parseLabelSelector('x in (,a)'), [{ key: 'x', op: 'in', values: ['', 'a'] }]);
  assert.deepEqual(parseLabelSelector('x in (a,,b,a)'), [{ key: 'x', op: 'in', values: ['', 'a', 'b'] }]);
  assert.deepEqual(parseLabelSelector('x in (in,notin)'), [{ key: 'x', op: 'in', values: ['in', 'notin'] }]);
  assert.deepEqual(parseLabelSelector('in=notin'), [{ key: 'in', op: '=', values: ['notin'] }]);
});

test('invalid key: apiserver text with the <nil> path', () => {
  badRequest(() => parseLabelSelector('app:web'),
    `unable to parse requirement: <nil>: Invalid value: "app:web": ${NAME_PART_REGEX}`);
  badRequest(() => parseLabelSelector('app.kubernetes_io/name=x'),
    /^unable to parse requirement: <nil>: Invalid value: "app\.kubernetes_io\/name": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.', and must start and end with an alphanumeric character \(e\.g\. 'example\.com', regex used for validation is '\[a-z0-9\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?\(\\\.\[a-z0-9\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?\)\*'\)$/);
  badRequest(() => parseLabelSelector('a/b/c=d'),
    /^unable to parse requirement: <nil>: Invalid value: "a\/b\/c": a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  badRequest(() => parseLabelSelector(`${'k'.repeat(64)}=v`),
    `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`);
  badRequest(() => parseLabelSelector('/name'), /^unable to parse requirement: <nil>: Invalid value: "\/name": prefix part must be non-empty$/);
});

test('invalid value: values[i][key] path and the label-value regex', () => {
  badRequest(() => parseLabelSelector('app=a%b'),
    `unable to parse requirement: values[0][app]: Invalid value: "a%b": ${VALUE_REGEX}`);
  badRequest(() => parseLabelSelector(`app=${'v'.repeat(64)}`),
    `unable to parse requirement: values[0][app]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`);
  // Two bad members are aggregated in brackets; indexes follow the sorted set.
  badRequest(() => parseLabelSelector('app in (ok, b%, a%)'),
    `unable to parse requirement: [values[0][app]: Invalid value: "a%": ${VALUE_REGEX}, values[1][app]: Invalid value: "b%": ${VALUE_REGEX}]`);
});

test('gt/lt need an integer', () => {
  badRequest(() => parseLabelSelector('gen>abc'),
    `unable to parse requirement: values[0]: Invalid value: "abc": for 'Gt', 'Lt' operators, the value must be an integer`);
  badRequest(() => parseLabelSelector('gen>'),
    `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`);
  badRequest(() => parseLabelSelector('gen<99999999999999999999'), /the value must be an integer/);
  // A negative bound parses as an integer but is not a valid label value.
  badRequest(() => parseLabelSelector('gen>-1'), `unable to parse requirement: values[0][gen]: Invalid value: "-1": ${VALUE_REGEX}`);
});

test('syntax errors carry the parser messages', () => {
  badRequest(() => parseLabelSelector('a b'), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  badRequest(() => parseLabelSelector('a=b c'), "found 'c', expected: ',' or 'end of string'");
  badRequest(() => parseLabelSelector('a=b,'), "found '', expected: identifier after ','");
  badRequest(() => parseLabelSelector('a,=b'), "found '=', expected: identifier after ','");
  badRequest(() => parseLabelSelector('=b'), "found '=', expected: !, identifier, or 'end of string'");
  badRequest(() => parseLabelSelector('a in b'), "unable to parse requirement: found 'b' expected: '('");
  badRequest(() => parseLabelSelector('a in (b'), "unable to parse requirement: found '', expected: ',' or ')'");
  badRequest(() => parseLabelSelector('a in (='), "unable to parse requirement: found '=', expected: ',', ')' or identifier");
  badRequest(() => parseLabelSelector('a in (b,='), "unable to parse requirement: found '=', expected: ',', or identifier");
  badRequest(() => parseLabelSelector('a=(b)'), "unable to parse requirement: found '(', expected: identifier");
  badRequest(() => parseLabelSelector('!'), "unable to parse requirement: found '', expected: identifier");
  badRequest(() => parseLabelSelector('!a=b'), "found '=', expected: ',' or 'end of string'");
  badRequest(() => parseLabelSelector('a=!b'), "unable to parse requirement: found '!', expected: identifier");
  // "a=!=b" lexes as "=" then "!="; "a===b" as "==" then "=".
  badRequest(() => parseLabelSelector('a===b'), "unable to parse requirement: found '=', expected: identifier");
});

test('matchesLabels: every operator, with and without the key', () => {
  const labels = { app: 'web', tier: 'front', gen: '5', empty: '' };
  const m = (s: string, l: Record<string, string> | undefined = labels) => matchesLabels(parseLabelSelector(s), l);
  assert.equal(m(''), true);
  assert.equal(m('', undefined), true);
  assert.equal(m('app=web'), true);
  assert.equal(m('app==web'), true);
  assert.equal(m('app=db'), false);
  assert.equal(m('missing=x'), false);
  assert.equal(m('app!=db'), true);
  assert.equal(m('app!=web'), false);
  assert.equal(m('missing!=x'), true, '!= matches an absent key');
  assert.equal(m('tier in (front,back)'), true);
  assert.equal(m('tier in (back)'), false);
  assert.equal(m('missing in (x)'), false);
  assert.equal(m('tier notin (back)'), true);
  assert.equal(m('tier notin (front)'), false);
  assert.equal(m('missing notin (x)'), true, 'notin matches an absent key');
  assert.equal(m('app'), true);
  assert.equal(m('missing'), false);
  assert.equal(m('!missing'), true);
  assert.equal(m('!app'), false);
  assert.equal(m('empty='), true);
  assert.equal(m('empty'), true);
  assert.equal(m('missing='), false);
  assert.equal(m('gen>4'), true);
  assert.equal(m('gen>5'), false);
  assert.equal(m('gen<6'), true);
  assert.equal(m('gen<5'), false);
  assert.equal(m('app>1'), false, 'non-integer label value never satisfies gt');
  assert.equal(m('missing<9'), false);
  assert.equal(m('app=web,tier=front'), true);
  assert.equal(m('app=web,tier=back'), false);
  assert.equal(matchesLabels([], undefined), true);
  assert.equal(matchesLabels(null, labels), false, 'null selector matches nothing');
});

test('fromLabelSelectorObject: null, empty, matchLabels and every expression operator', () => {
  assert.equal(fromLabelSelectorObject(null), null);
  assert.equal(fromLabelSelectorObject(undefined), null);
  assert.deepEqual(fromLabelSelectorObject({}), []);
  assert.deepEqual(fromLabelSelectorObject({ matchLabels: {}, matchExpressions: [] }), []);
  const sel = fromLabelSelectorObject({
    matchLabels: { 'kubevirt.io/domain': 'testvm' },
    matchExpressions: [
      { key: 'zone', operator: 'In', values: ['a', 'b'] },
      { key: 'arch', operator: 'NotIn', values: ['arm64'] },
      { key: 'gpu', operator: 'Exists' },
      { key: 'canary', operator: 'DoesNotExist', values: [] },
    ],
  }) as LabelSelector;
  assert.deepEqual(sel.map((r) => r.key), ['arch', 'canary', 'gpu', 'kubevirt.io/domain', 'zone']);
  assert.equal(matchesLabels(sel, { 'kubevirt.io/domain': 'testvm', zone: 'a', gpu: '1' }), true);
  assert.equal(matchesLabels(sel, { 'kubevirt.io/domain': 'testvm', zone: 'c', gpu: '1' }), false);
  assert.equal(matchesLabels(sel, { 'kubevirt.io/domain': 'testvm', zone: 'a', gpu: '1', arch: 'arm64' }), false);
  assert.equal(matchesLabels(sel, { 'kubevirt.io/domain': 'testvm', zone: 'a' }), false);
  assert.equal(matchesLabels(sel, { 'kubevirt.io/domain': 'testvm', zone: 'a', gpu: '', canary: 'y' }), false);
});

test('fromLabelSelectorObject: invalid content', () => {
  badRequest(() => fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }),
    '"Gt" is not a valid label selector operator');
  badRequest(() => fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
  badRequest(() => fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
    'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist');
  badRequest(() => fromLabelSelectorObject({ matchLabels: { 'bad key': 'v' } }), `key: Invalid value: "bad key": ${NAME_PART_REGEX}`);
  badRequest(() => fromLabelSelectorObject({ matchLabels: { app: 'bad value' } }), `values[0][app]: Invalid value: "bad value": ${VALUE_REGEX}`);
});

test('formatLabelSelector round-trips through the parser', () => {
  const text = 'app=web,canary,!legacy,tier in (db,web),zone notin (b),gen>1,gen<9,x==y,z!=w';
  const sel = parseLabelSelector(text);
  const formatted = formatLabelSelector(sel);
  assert.equal(formatted, 'app=web,canary,gen>1,gen<9,!legacy,tier in (db,web),x==y,z!=w,zone notin (b)');
  assert.deepEqual(parseLabelSelector(formatted), sel);
  assert.equal(formatLabelSelector([]), '');
  assert.equal(formatLabelSelector(null), '');
  assert.equal(formatLabelSelector([{ key: 'k', op: 'in', values: ['b', 'a'] }]), 'k in (a,b)');
});

test('labelKeyErrors / labelValueErrors', () => {
  assert.deepEqual(labelKeyErrors('app.kubernetes.io/name'), []);
  assert.deepEqual(labelKeyErrors('a'), []);
  assert.deepEqual(labelKeyErrors(''), ['name part must be non-empty', NAME_PART_REGEX]);
  assert.equal(labelKeyErrors(`${'a'.repeat(254)}/x`)[0], 'prefix part must be no more than 253 characters');
  assert.deepEqual(labelValueErrors(''), []);
  assert.deepEqual(labelValueErrors('My_value-1.2'), []);
  assert.deepEqual(labelValueErrors('-x'), [VALUE_REGEX]);
});

test('fromLabelSelectorObject: JSON nulls read as empty strings', () => {
  const sel = fromLabelSelectorObject({ matchLabels: { a: null as unknown as string }, matchExpressions: null });
  assert.deepEqual(sel, [{ key: 'a', op: '=', values: [''] }]);
  assert.equal(matchesLabels(sel, { a: '' }), true);
});
