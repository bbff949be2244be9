import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ApiError } from '../../sandbox/sim/api/errors.ts';
import {
  checkSupportedFields, DEFAULT_SELECTABLE_FIELDS, escapeFieldValue, matchesFields, parseFieldSelector,
} from '../../sandbox/sim/store/field-selector.ts';

function badRequest(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    assert.equal(e.message, message);
    return true;
  });
}

test('=, == and != parse; == normalises to =', () => {
  assert.deepEqual(parseFieldSelector('metadata.name=web-1'), [{ field: 'metadata.name', op: '=', value: 'web-1' }]);
  assert.deepEqual(parseFieldSelector('metadata.name==web-1'), [{ field: 'metadata.name', op: '=', value: 'web-1' }]);
  assert.deepEqual(parseFieldSelector('status.phase!=Running'), [{ field: 'status.phase', op: '!=', value: 'Running' }]);
});

test('comma-AND, sorted by term text; empty terms and empty selector', () => {
  assert.deepEqual(parseFieldSelector(''), []);
  assert.deepEqual(parseFieldSelector(','), []);
  assert.deepEqual(parseFieldSelector('status.phase!=Succeeded,spec.nodeName=node01,'), [
    { field: 'spec.nodeName', op: '=', value: 'node01' },
    { field: 'status.phase', op: '!=', value: 'Succeeded' },
  ]);
  // kubectl's reflector-style watches.
  assert.deepEqual(parseFieldSelector('metadata.name=testvm'), [{ field: 'metadata.name', op: '=', value: 'testvm' }]);
});

test('empty value', () => {
  assert.deepEqual(parseFieldSelector('involvedObject.namespace='), [{ field: 'involvedObject.namespace', op: '=', value: '' }]);
  assert.deepEqual(parseFieldSelector('spec.nodeName!='), [{ field: 'spec.nodeName', op: '!=', value: '' }]);
});

test('backslash escapes in values', () => {
  assert.deepEqual(parseFieldSelector('metadata.name=a\\,b'), [{ field: 'metadata.name', op: '=', value: 'a,b' }]);
  assert.deepEqual(parseFieldSelector('metadata.name=a\\=b'), [{ field: 'metadata.name', op: '=', value: 'a=b' }]);
  assert.deepEqual(parseFieldSelector('metadata.name=a\\\\b'), [{ field: 'metadata.name', op: '=', value: 'a\\b' }]);
  assert.deepEqual(parseFieldSelector('x=a\\,b,y=c'), [
    { field: 'x', op: '=', value: 'a,b' },
    { field: 'y', op: '=', value: 'c' },
  ]);
  const literal = 'we,ird=va\\lue';
  assert.deepEqual(parseFieldSelector(`f=${escapeFieldValue(literal)}`), [{ field: 'f', op: '=', value: literal }]);
});

test('errors use the apiserver texts', () => {
  badRequest(() => parseFieldSelector('metadata.name'), "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
  badRequest(() => parseFieldSelector('a=b,junk'), "invalid selector: 'a=b,junk'; can't understand 'junk'");
  badRequest(() => parseFieldSelector('a=b\\x'), 'invalid field selector: invalid escape sequence: \\x');
  badRequest(() => parseFieldSelector('a=b\\'), 'invalid field selector: invalid escape sequence: \\');
  // Go prints the rune with %v: its code point.
  badRequest(() => parseFieldSelector('a=b=c'), 'invalid field selector: unescaped character in value: 61');
  badRequest(() => parseFieldSelector('a=b!=c'), 'invalid field selector: unescaped character in value: 61');
});

test('the first operator splits: field names cannot contain =', () => {
  assert.deepEqual(parseFieldSelector('a!=\\=b'), [{ field: 'a', op: '!=', value: '=b' }]);
  assert.deepEqual(parseFieldSelector('a==\\=b'), [{ field: 'a', op: '=', value: '=b' }]);
  badRequest(() => parseFieldSelector('a!==b'), 'invalid field selector: unescaped character in value: 61');
});

test('matchesFields: missing field reads as ""', () => {
  const ev: Record<string, string | undefined> = { 'involvedObject.name': 'web-1', 'involvedObject.namespace': undefined };
  const get = (f: string) => ev[f];
  assert.equal(matchesFields([], get), true);
  assert.equal(matchesFields(parseFieldSelector('involvedObject.name=web-1'), get), true);
  assert.equal(matchesFields(parseFieldSelector('involvedObject.name==web-2'), get), false);
  assert.equal(matchesFields(parseFieldSelector('involvedObject.name!=web-2'), get), true);
  assert.equal(matchesFields(parseFieldSelector('involvedObject.name!=web-1'), get), false);
  assert.equal(matchesFields(parseFieldSelector('involvedObject.namespace='), get), true, 'absent equals empty');
  assert.equal(matchesFields(parseFieldSelector('involvedObject.namespace!='), get), false);
  assert.equal(matchesFields(parseFieldSelector('involvedObject.kind=Pod'), get), false);
  assert.equal(matchesFields(parseFieldSelector('involvedObject.kind!=Pod'), get), true);
  assert.equal(matchesFields(parseFieldSelector('involvedObject.name=web-1,involvedObject.namespace='), get), true);
  assert.equal(matchesFields(parseFieldSelector('involvedObject.name=web-1,involvedObject.kind=Pod'), get), false);
});

test('checkSupportedFields', () => {
  const pods = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase'];
  checkSupportedFields(parseFieldSelector('spec.nodeName=n1,status.phase!=Failed'), pods, 'pods');
  checkSupportedFields([], [], 'pods');
  badRequest(() => checkSupportedFields(parseFieldSelector('message=whatever'), pods, 'events'), 'field label not supported: message');
  // Reported in sorted-term order, like the apiserver's Transform over the parsed selector.
  badRequest(() => checkSupportedFields(parseFieldSelector('zzz=1,aaa=2'), pods, 'pods'), 'field label not supported: aaa');
  badRequest(() => checkSupportedFields(parseFieldSelector('foo.bar=baz'), DEFAULT_SELECTABLE_FIELDS, 'ingresses', { defaultMeta: true }),
    '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"');
  checkSupportedFields(parseFieldSelector('metadata.namespace=default'), new Set(DEFAULT_SELECTABLE_FIELDS), 'deployments', { defaultMeta: true });
});
