// IPv4 ranges and MetalLB's reading of its objects: the addresses of a pool
// entry (a range or a CIDR, as MetalLB parses them), a pool's merged ranges,
// which pools an L2Advertisement announces, and the pool a Service's address
// came from.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressInRange, allocatedFromPool, announcesPool, describeRange, ipv4ToNumber, mergeRanges, numberToIpv4, poolEntryRange, poolRanges,
  type IPAddressPool, type L2Advertisement,
} from '../../graders/sdk/index.ts';

const ip = (s: string): number => ipv4ToNumber(s)!;

function pool(addresses: string[], labels?: Record<string, string>): IPAddressPool {
  return { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'web', namespace: 'metallb-system', ...(labels ? { labels } : {}) }, spec: { addresses } };
}

function advertisement(spec: L2Advertisement['spec']): L2Advertisement {
  return { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2', namespace: 'metallb-system' }, spec };
}

describe('IPv4 addresses and ranges', () => {
  it('converts dotted quads to numbers and back, and refuses what is not one', () => {
    assert.equal(ipv4ToNumber('192.168.50.20'), 0xc0a83214);
    assert.equal(ipv4ToNumber(' 255.255.255.255 '), 0xffffffff);
    assert.equal(numberToIpv4(0xc0a83214), '192.168.50.20');
    assert.equal(numberToIpv4(0xffffffff), '255.255.255.255');
    for (const bad of ['192.168.50.256', '192.168.50', 'fd00::1', 'a.b.c.d']) assert.equal(ipv4ToNumber(bad), undefined, bad);
  });

  it('merges overlapping and touching ranges, sorted', () => {
    assert.deepEqual(mergeRanges([
      { first: ip('10.0.0.20'), last: ip('10.0.0.29') },
      { first: ip('10.0.0.10'), last: ip('10.0.0.19') },
      { first: ip('10.0.0.25'), last: ip('10.0.0.40') },
      { first: ip('10.0.0.50'), last: ip('10.0.0.50') },
    ]).map(describeRange), ['10.0.0.10-10.0.0.40', '10.0.0.50']);
  });

  it('tells whether an address lies within first..last', () => {
    assert.equal(addressInRange('192.168.50.25', '192.168.50.20', '192.168.50.29'), true);
    assert.equal(addressInRange('192.168.50.30', '192.168.50.20', '192.168.50.29'), false);
    assert.equal(addressInRange('lb.example.com', '192.168.50.20', '192.168.50.29'), false);
    assert.equal(addressInRange(undefined, '192.168.50.20', '192.168.50.29'), false);
  });
});

describe('MetalLB pools', () => {
  it('reads a range, a CIDR (from its network address) and says why other entries are not IPv4 ranges', () => {
    assert.deepEqual(poolEntryRange('192.168.50.20 - 192.168.50.29'), { first: ip('192.168.50.20'), last: ip('192.168.50.29') });
    assert.deepEqual(poolEntryRange('192.168.50.22/30'), { first: ip('192.168.50.20'), last: ip('192.168.50.23') });
    assert.deepEqual(poolEntryRange('192.168.50.7/32'), { first: ip('192.168.50.7'), last: ip('192.168.50.7') });
    assert.equal(poolEntryRange('192.168.50.7'), '"192.168.50.7" is not an IPv4 CIDR');
    assert.equal(poolEntryRange('192.168.50.0/33'), '"192.168.50.0/33" is not an IPv4 CIDR');
    assert.equal(poolEntryRange('fd00::/120'), '"fd00::/120" is not an IPv4 CIDR');
    assert.equal(poolEntryRange('192.168.50.20-192.168.50.x'), '"192.168.50.20-192.168.50.x" is not an IPv4 address range');
    assert.equal(poolEntryRange('192.168.50.29-192.168.50.20'), '"192.168.50.29-192.168.50.20" starts after it ends');
  });

  it('merges a pool\'s entries: the same ten addresses as CIDRs or as a range', () => {
    const asCidrs = poolRanges(pool(['192.168.50.20/30', '192.168.50.24/30', '192.168.50.28/31']));
    assert.deepEqual(asCidrs, { ranges: [{ first: ip('192.168.50.20'), last: ip('192.168.50.29') }], invalid: [] });
    const mixed = poolRanges(pool(['192.168.50.20-192.168.50.29', 'nonsense']));
    assert.deepEqual(mixed.invalid, ['"nonsense" is not an IPv4 CIDR']);
    assert.equal(mixed.ranges.length, 1);
  });

  it('knows which pools an L2Advertisement announces: named, selected by label, or all when it names and selects none', () => {
    const labelled = pool(['192.168.50.20/30'], { tier: 'web', zone: 'a' });
    assert.equal(announcesPool(advertisement({}), 'web', labelled), true);
    assert.equal(announcesPool(advertisement({ ipAddressPools: ['web'] }), 'web'), true);
    assert.equal(announcesPool(advertisement({ ipAddressPools: ['db'] }), 'web', labelled), false);
    assert.equal(announcesPool(advertisement({ ipAddressPoolSelectors: [{ matchLabels: { tier: 'web' } }] }), 'web', labelled), true);
    assert.equal(announcesPool(advertisement({ ipAddressPoolSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] }), 'web', labelled), true);
    assert.equal(announcesPool(advertisement({ ipAddressPoolSelectors: [{ matchLabels: { tier: 'db' } }] }), 'web', labelled), false);
    // A pool that does not exist yet can only be announced by name.
    assert.equal(announcesPool(advertisement({ ipAddressPoolSelectors: [{ matchLabels: { tier: 'web' } }] }), 'web'), false);
  });

  it('reads the pool a Service\'s address came from, under either annotation name', () => {
    assert.equal(allocatedFromPool({ metadata: { annotations: { 'metallb.io/ip-allocated-from-pool': 'web' } } }), 'web');
    assert.equal(allocatedFromPool({ metadata: { annotations: { 'metallb.universe.tf/ip-allocated-from-pool': 'old' } } }), 'old');
    assert.equal(allocatedFromPool({ metadata: {} }), undefined);
    assert.equal(allocatedFromPool(undefined), undefined);
  });
});
