// The grader SDK's cookie jar: Set-Cookie parsing, replacement and deletion,
// and the Cookie header it sends back (curl -b/-c for one site).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cookieHeader, createCookieJar, parseSetCookie, storeSetCookies } from '../../graders/sdk/cookies.ts';

describe('parseSetCookie', () => {
  it('takes name and value and ignores attributes other than Max-Age and Expires', () => {
    assert.deepEqual(parseSetCookie('route=5f2c9a; path=/; HttpOnly; Secure; SameSite=None'), { name: 'route', value: '5f2c9a' });
    assert.deepEqual(parseSetCookie('a=b=c'), { name: 'a', value: 'b=c' });
    assert.deepEqual(parseSetCookie('q="quoted value"'), { name: 'q', value: 'quoted value' });
    assert.deepEqual(parseSetCookie('empty='), { name: 'empty', value: '' });
  });

  it('reads Max-Age and Expires', () => {
    assert.equal(parseSetCookie('s=1; Max-Age=0')?.maxAge, 0);
    assert.equal(parseSetCookie('s=1; max-age=-1')?.maxAge, -1);
    assert.equal(parseSetCookie('s=1; Max-Age=soon')?.maxAge, undefined);
    assert.equal(parseSetCookie('s=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT')?.expires?.getTime(), 0);
  });

  it('refuses a header without a name=value pair', () => {
    assert.equal(parseSetCookie('novalue'), undefined);
    assert.equal(parseSetCookie('=value'), undefined);
    assert.equal(parseSetCookie(''), undefined);
  });
});

describe('cookie jar', () => {
  it('stores, replaces and sends cookies in one Cookie header', () => {
    const jar = createCookieJar();
    assert.equal(cookieHeader(jar), undefined);
    storeSetCookies(jar, ['route=aaa; path=/; HttpOnly', 'theme=dark']);
    assert.equal(cookieHeader(jar), 'route=aaa; theme=dark');
    storeSetCookies(jar, ['route=bbb']);
    assert.deepEqual([...jar.cookies], [['route', 'bbb'], ['theme', 'dark']]);
  });

  it('deletes a cookie on Max-Age=0 or an Expires in the past; Max-Age wins over Expires', () => {
    const jar = createCookieJar();
    const now = Date.parse('2026-03-01T10:00:00Z');
    storeSetCookies(jar, ['a=1', 'b=2', 'c=3', 'd=4'], now);
    storeSetCookies(jar, [
      'a=; Max-Age=0',
      'b=gone; Expires=Sun, 01 Mar 2026 09:00:00 GMT',
      'c=kept; Expires=Sun, 01 Mar 2026 11:00:00 GMT',
      'd=kept; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    ], now);
    assert.deepEqual([...jar.cookies], [['c', 'kept'], ['d', 'kept']]);
    jar.clear();
    assert.equal(jar.cookies.size, 0);
  });

  it('refuses a jar it did not make', () => {
    const foreign = { cookies: new Map<string, string>(), clear() {} };
    assert.throws(() => cookieHeader(foreign), /use http\.newJar\(\)/);
  });
});
