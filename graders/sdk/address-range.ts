// IPv4 addresses as numbers and ranges of them, for comparing the addresses
// a student configured (a MetalLB pool, an assigned LoadBalancer IP) with
// the ones a lab asks for.

/** first..last inclusive, addresses as unsigned 32-bit numbers. */
export interface AddressRange {
  first: number;
  last: number;
}

/** "192.168.50.20" as a number; undefined when it is not a dotted-quad IPv4 address. */
export function ipv4ToNumber(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function numberToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The ranges sorted and merged where they overlap or touch. */
export function mergeRanges(ranges: readonly AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => a.first - b.first);
  const out: AddressRange[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && r.first <= prev.last + 1) prev.last = Math.max(prev.last, r.last);
    else out.push({ ...r });
  }
  return out;
}

/** "192.168.50.20-192.168.50.29", or the address alone for a range of one. */
export function describeRange(r: AddressRange): string {
  return r.first === r.last ? numberToIpv4(r.first) : `${numberToIpv4(r.first)}-${numberToIpv4(r.last)}`;
}

/** True when `ip` is an IPv4 address within first..last (both dotted quads). */
export function addressInRange(ip: string | undefined, first: string, last: string): boolean {
  const n = ip === undefined ? undefined : ipv4ToNumber(ip);
  const lo = ipv4ToNumber(first);
  const hi = ipv4ToNumber(last);
  return n !== undefined && lo !== undefined && hi !== undefined && n >= lo && n <= hi;
}
