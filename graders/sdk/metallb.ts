// MetalLB's reading of its own objects, for checks on pools, advertisements
// and LoadBalancer Services: the addresses of a pool entry, which pools an
// L2Advertisement announces, which pool a Service's address came from.

import type { V1Service } from '@kubernetes/client-node';
import type { IPAddressPool, L2Advertisement } from './kinds.ts';
import { ipv4ToNumber, mergeRanges, type AddressRange } from './address-range.ts';
import { labelSelectorMatches } from './label-selector.ts';

/** The annotation MetalLB sets on a Service it gave an address: its current name, then the older metallb.universe.tf one. */
export const ALLOCATED_FROM_POOL_ANNOTATIONS = ['metallb.io/ip-allocated-from-pool', 'metallb.universe.tf/ip-allocated-from-pool'] as const;

/**
 * One entry of an IPAddressPool's spec.addresses as an IPv4 range, the way
 * MetalLB reads it: "first-last" (a dash makes it a range) or a CIDR; or why
 * it is not one. IPv6 entries count as not IPv4.
 */
export function poolEntryRange(entry: string): AddressRange | string {
  const text = entry.trim();
  const dash = text.indexOf('-');
  if (dash < 0) {
    const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
    const base = m ? ipv4ToNumber(m[1]) : undefined;
    const bits = m ? Number(m[2]) : NaN;
    if (base === undefined || !(bits <= 32)) return `"${entry}" is not an IPv4 CIDR`;
    const size = 2 ** (32 - bits);
    const first = Math.floor(base / size) * size;
    return { first, last: first + size - 1 };
  }
  const first = ipv4ToNumber(text.slice(0, dash));
  const last = ipv4ToNumber(text.slice(dash + 1));
  if (first === undefined || last === undefined) return `"${entry}" is not an IPv4 address range`;
  if (first > last) return `"${entry}" starts after it ends`;
  return { first, last };
}

/** The pool's addresses, merged and sorted, and why each entry that is not an IPv4 range is not. */
export function poolRanges(pool: IPAddressPool): { ranges: AddressRange[]; invalid: string[] } {
  const ranges: AddressRange[] = [];
  const invalid: string[] = [];
  for (const entry of pool.spec?.addresses ?? []) {
    const r = poolEntryRange(entry);
    if (typeof r === 'string') invalid.push(r);
    else ranges.push(r);
  }
  return { ranges: mergeRanges(ranges), invalid };
}

/**
 * Whether the L2Advertisement announces the pool named `poolName`: it names
 * the pool, one of its ipAddressPoolSelectors matches the pool's labels (when
 * the pool is known), or it names and selects no pool, which means all pools.
 */
export function announcesPool(adv: L2Advertisement, poolName: string, pool?: IPAddressPool): boolean {
  const names = adv.spec?.ipAddressPools ?? [];
  const selectors = adv.spec?.ipAddressPoolSelectors ?? [];
  if (names.length === 0 && selectors.length === 0) return true;
  if (names.includes(poolName)) return true;
  return pool !== undefined && selectors.some((s) => labelSelectorMatches(s, pool.metadata.labels));
}

/** The pool MetalLB says the Service's address came from (its allocation annotation), if it says. */
export function allocatedFromPool(svc: V1Service | undefined): string | undefined {
  const annotations = svc?.metadata?.annotations ?? {};
  return ALLOCATED_FROM_POOL_ANNOTATIONS.map((k) => annotations[k]).find((v) => v !== undefined);
}
