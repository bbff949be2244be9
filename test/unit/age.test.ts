import { test } from 'node:test';
import assert from 'node:assert/strict';

import { humanDuration, microTime, parseRfc3339, renderAge, rfc3339, shortHumanDuration } from '../../sandbox/sim/api/age.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

test('humanDuration: the apimachinery table', () => {
  const table: [number, string][] = [
    [-3 * S, '<invalid>'],
    [-2 * S, '<invalid>'],
    [-1999, '0s'], // int(-1.999) = -1: within the skew allowance
    [-1 * S, '0s'],
    [-1, '0s'],
    [0, '0s'],
    [999, '0s'],
    [S, '1s'],
    [45 * S, '45s'],
    [59 * S, '59s'],
    [60 * S, '60s'],
    [119 * S, '119s'],
    [119 * S + 999, '119s'],
    [2 * M, '2m'],
    [2 * M + 1 * S, '2m1s'],
    [5 * M + 10 * S, '5m10s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M, '10m'],
    [10 * M + 30 * S, '10m'],
    [59 * M, '59m'],
    [60 * M, '60m'],
    [179 * M + 59 * S, '179m'],
    [3 * H, '3h'],
    [3 * H + 5 * M, '3h5m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H, '8h'],
    [8 * H + 59 * M, '8h'],
    [23 * H, '23h'],
    [47 * H + 59 * M, '47h'],
    [48 * H, '2d'],
    [2 * D + 5 * H, '2d5h'],
    [3 * D, '3d'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D, '8d'],
    [8 * D + 23 * H, '8d'],
    [364 * D, '364d'],
    [365 * D, '365d'],
    [2 * Y - 1 * S, '729d'],
    [2 * Y, '2y'],
    [2 * Y + 45 * D, '2y45d'],
    [7 * Y + 364 * D, '7y364d'],
    [8 * Y, '8y'],
    [8 * Y + 200 * D, '8y'],
    [100 * Y, '100y'],
  ];
  for (const [ms, want] of table) assert.equal(humanDuration(ms), want, `${ms} ms`);
});

test('shortHumanDuration', () => {
  const table: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-1 * S, '0s'],
    [0, '0s'],
    [59 * S, '59s'],
    [60 * S, '1m'],
    [119 * S, '1m'],
    [59 * M + 59 * S, '59m'],
    [H, '1h'],
    [23 * H + 59 * M, '23h'],
    [D, '1d'],
    [47 * H, '1d'],
    [364 * D, '364d'],
    [Y, '1y'],
    [3 * Y + 100 * D, '3y'],
  ];
  for (const [ms, want] of table) assert.equal(shortHumanDuration(ms), want, `${ms} ms`);
});

test('renderAge', () => {
  const now = Date.UTC(2026, 10, 23, 10, 0, 0);
  assert.equal(renderAge(undefined, now), '<unknown>');
  assert.equal(renderAge('', now), '<unknown>');
  assert.equal(renderAge('not a time', now), '<unknown>');
  assert.equal(renderAge('2026-11-23T10:00:00Z', now), '0s');
  assert.equal(renderAge('2026-11-23T09:59:15Z', now), '45s');
  assert.equal(renderAge('2026-11-20T10:00:00Z', now), '3d');
  assert.equal(renderAge('2026-11-23T11:00:00+02:00', now), '60m', 'offsets are honoured');
  assert.equal(renderAge('2026-11-23T10:00:01Z', now), '0s', 'one second ahead is clock skew');
  assert.equal(renderAge('2026-11-23T10:00:05Z', now), '<invalid>');
});

test('parseRfc3339', () => {
  assert.equal(parseRfc3339('2026-11-23T10:00:00Z'), Date.UTC(2026, 10, 23, 10, 0, 0));
  assert.equal(parseRfc3339('2026-11-23T10:00:00.123456Z'), Date.UTC(2026, 10, 23, 10, 0, 0, 123));
  assert.equal(parseRfc3339('2026-11-23T10:00:00-05:30'), Date.UTC(2026, 10, 23, 15, 30, 0));
  assert.equal(parseRfc3339('2026-11-23 10:00:00Z'), null);
  assert.equal(parseRfc3339('2026-02-31T10:00:00Z'), null);
  assert.equal(parseRfc3339('2026-11-23T10:00:00'), null);
  assert.equal(parseRfc3339('yesterday'), null);
});

test('rfc3339: whole seconds, truncated', () => {
  assert.equal(rfc3339(Date.UTC(2026, 10, 23, 10, 0, 0)), '2026-11-23T10:00:00Z');
  assert.equal(rfc3339(Date.UTC(2026, 10, 23, 10, 0, 0, 999)), '2026-11-23T10:00:00Z');
  assert.equal(rfc3339(Date.UTC(2026, 0, 2, 3, 4, 5)), '2026-01-02T03:04:05Z');
});

test('microTime: exactly six fractional digits', () => {
  assert.equal(microTime(Date.UTC(2026, 10, 23, 10, 0, 0, 123)), '2026-11-23T10:00:00.123000Z');
  assert.equal(microTime(Date.UTC(2026, 10, 23, 10, 0, 0)), '2026-11-23T10:00:00.000000Z');
  assert.equal(microTime(Date.UTC(2026, 10, 23, 10, 0, 0, 5) + 0.25), '2026-11-23T10:00:00.005250Z');
  assert.equal(microTime(Date.UTC(2026, 10, 23, 10, 0, 59, 999) + 0.9999), '2026-11-23T10:01:00.000000Z');
  assert.match(microTime(Date.now()), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
});
