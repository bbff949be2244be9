// metallb.io/v1beta1 IPAddressPool: the addresses MetalLB may hand out to
// LoadBalancer Services. Address checks follow MetalLB's config parser
// (internal/config: ParseCIDR, poolsFor) as its validating webhook
// ipaddresspoolvalidationwebhook.metallb.io reports them.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import type { Schema } from '../schema.ts';
import { arr, bool, inlineLabelSelector, int, obj, str, stringMap } from '../schema.ts';
import type { AdmissionDenial, AdmissionResult, KindDef, Operation } from '../types.ts';

export const IPADDRESSPOOL_WEBHOOK = 'ipaddresspoolvalidationwebhook.metallb.io';

/** Where MetalLB runs; its webhooks only accept objects in this namespace. */
export const metallbConfig = { namespace: 'metallb-system' };


/** The denial controller-runtime's admission.Denied sends for a webhook error. */
export function metallbDenial(webhook: string, message: string): AdmissionDenial {
  return { webhook, code: 403, reason: 'Forbidden', message };
}

// ---- IP parsing with Go's net package rules --------------------------------

/** A parsed address: 16 bytes (IPv4 as ::ffff:a.b.c.d) and whether it was written as IPv4. */
interface IP {
  bytes: Uint8Array;
  v4: boolean;
}

function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIPv6(s: string): Uint8Array | undefined {
  if (s.includes('%')) return undefined;
  let head = s;
  let tail = '';
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return undefined;
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
  }
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i];
      if (i === items.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = groups(head);
  const t = groups(tail);
  if (!h || !t) return undefined;
  let all: number[];
  if (dbl >= 0) {
    if (h.length + t.length > 7) return undefined;
    all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  } else {
    if (h.length !== 8) return undefined;
    all = h;
  }
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

const V4_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** net.ParseIP: IPv4 dotted decimal (no leading zeros) or IPv6 (no zone). */
export function parseIP(s: string): IP | undefined {
  const v4 = parseIPv4(s);
  if (v4) return { bytes: Uint8Array.from([...V4_PREFIX, ...v4]), v4: true };
  if (!s.includes(':')) return undefined;
  const v6 = parseIPv6(s);
  return v6 ? { bytes: v6, v4: false } : undefined;
}

function isV4Mapped(b: Uint8Array): boolean {
  return V4_PREFIX.every((x, i) => b[i] === x);
}

/** net.IP.String(): dotted IPv4 for v4-mapped addresses, otherwise compressed lowercase IPv6. */
export function formatIP(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (isV4Mapped(b)) return Array.from(b.subarray(12)).join('.');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (n: number): string => n.toString(16);
  if (bestStart < 0) return g.map(hex).join(':');
  return `${g.slice(0, bestStart).map(hex).join(':')}::${g.slice(bestStart + bestLen).map(hex).join(':')}`;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** A network: base address (4 or 16 bytes) and prefix length. */
export interface Net {
  ip: Uint8Array;
  bits: number;
}

/** An address's bytes (network order) as one number. */
export function toBig(b: Uint8Array): bigint {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

/** The `len` bytes (network order) of an address held as a number. */
export function fromBig(n: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function maskNet(ip: Uint8Array, bits: number): Uint8Array {
  const total = ip.length * 8;
  const v = toBig(ip);
  const mask = ((1n << BigInt(total)) - 1n) ^ ((1n << BigInt(total - bits)) - 1n);
  return fromBig(v & mask, ip.length);
}

export function formatNet(n: Net): string {
  return `${formatIP(n.ip)}/${n.bits}`;
}

/** The smallest list of prefixes covering start..end (same family), lowest first. */
function summarize(start: Uint8Array, end: Uint8Array): Net[] {
  const len = start.length;
  const total = BigInt(len * 8);
  let cur = toBig(start);
  const last = toBig(end);
  const out: Net[] = [];
  while (cur <= last) {
    let size = 0n;
    while (size < total) {
      const next = size + 1n;
      const block = 1n << next;
      if (cur % block !== 0n || cur + block - 1n > last) break;
      size = next;
    }
    out.push({ ip: fromBig(cur, len), bits: Number(total - size) });
    cur += 1n << size;
  }
  return out;
}

/**
 * MetalLB's ParseCIDR: "a.b.c.d/n" or "start-end". Returns the covering
 * networks, or the error text MetalLB produces.
 */
export function parseAddressRange(cidr: string): { nets: Net[] } | { error: string } {
  const q = JSON.stringify;
  if (!cidr.includes('-')) {
    const slash = cidr.indexOf('/');
    if (slash < 0) return { error: `invalid CIDR ${q(cidr)}` };
    const addr = cidr.slice(0, slash);
    const maskText = cidr.slice(slash + 1);
    const v4 = parseIPv4(addr);
    const ip = v4 ?? (addr.includes(':') ? parseIPv6(addr) : undefined);
    const max = v4 ? 32 : 128;
    if (!ip || !/^\d+$/.test(maskText) || Number(maskText) > max) return { error: `invalid CIDR ${q(cidr)}` };
    const bits = Number(maskText);
    return { nets: [{ ip: maskNet(ip, bits), bits }] };
  }
  const dash = cidr.indexOf('-');
  const fs = [cidr.slice(0, dash), cidr.slice(dash + 1)];
  const start = parseIP(fs[0].trim());
  if (!start) return { error: `invalid IP range ${q(cidr)}: invalid start IP ${q(fs[0])}` };
  const end = parseIP(fs[1].trim());
  if (!end) return { error: `invalid IP range ${q(cidr)}: invalid end IP ${q(fs[1])}` };
  if (compareBytes(start.bytes, end.bytes) > 0) {
    return { error: `invalid IP range ${q(cidr)}: start IP ${q(formatIP(start.bytes))} is after the end IP ${q(formatIP(end.bytes))}` };
  }
  const sv4 = isV4Mapped(start.bytes);
  if (sv4 !== isV4Mapped(end.bytes)) return { nets: [] };
  return sv4 ? { nets: summarize(start.bytes.subarray(12), end.bytes.subarray(12)) } : { nets: summarize(start.bytes, end.bytes) };
}

function contains(outer: Net, inner: Net): boolean {
  if (outer.ip.length !== inner.ip.length) return false;
  if (outer.bits === inner.bits && compareBytes(outer.ip, inner.ip) === 0) return true;
  return outer.bits < inner.bits && compareBytes(maskNet(inner.ip, outer.bits), outer.ip) === 0;
}

function overlaps(a: Net, b: Net): boolean {
  return contains(a, b) || contains(b, a);
}

/**
 * The error MetalLB's webhook reports for one pool, checked on its own (the
 * overlap check with other pools needs the other pools). Undefined when valid.
 */
export function validatePoolAddresses(name: string, addresses: unknown): string | undefined {
  const q = JSON.stringify;
  const list = Array.isArray(addresses) ? addresses.filter((a): a is string => typeof a === 'string') : [];
  const wrap = (e: string): string => `parsing address pool ${name}: ${e}`;
  if (list.length === 0) return wrap('pool has no prefixes defined');
  const all: Net[] = [];
  const seen: Net[] = [];
  for (const cidr of list) {
    const r = parseAddressRange(cidr);
    if ('error' in r) return wrap(`invalid CIDR ${q(cidr)} in pool ${q(name)}: ${r.error}`);
    all.push(...r.nets);
  }
  for (const n of all) {
    for (const m of seen) {
      if (overlaps(n, m)) return `CIDR ${q(formatNet(n))} in pool ${q(name)} overlaps with already defined CIDR ${q(formatNet(m))}`;
    }
    seen.push(n);
  }
  return undefined;
}

export function admitIPAddressPool(pool: KubeObject, _old: KubeObject | undefined, op: Operation): AdmissionResult {
  if (op === 'DELETE') return {};
  if (op === 'CREATE' && pool.metadata.namespace !== metallbConfig.namespace) {
    return { denied: metallbDenial(IPADDRESSPOOL_WEBHOOK, `resource must be created in ${metallbConfig.namespace} namespace`) };
  }
  const spec = isPlainObject(pool.spec) ? pool.spec : {};
  const err = validatePoolAddresses(pool.metadata.name ?? '', spec.addresses);
  return err ? { denied: metallbDenial(IPADDRESSPOOL_WEBHOOK, err) } : {};
}

const selectorList = (d: string): Schema => arr(inlineLabelSelector(), d);

export const ipAddressPoolKind: KindDef = {
  group: 'metallb.io',
  version: 'v1beta1',
  kind: 'IPAddressPool',
  plural: 'ipaddresspools',
  singular: 'ipaddresspool',
  namespaced: true,
  custom: true,
  subresources: { status: true },
  schemaName: 'io.metallb.v1beta1.IPAddressPool',
  schema: obj({
    spec: obj({
      addresses: arr(str(), 'Address ranges MetalLB may assign from: CIDR prefixes (192.168.10.0/24) or start-end ranges (192.168.9.1-192.168.9.5).'),
      autoAssign: { ...bool('Whether MetalLB hands out addresses from this pool automatically; when false a Service must ask for the pool or one of its addresses.'), default: true },
      avoidBuggyIPs: { ...bool('Skip addresses ending in .0 and .255.'), default: false },
      serviceAllocation: obj({
        priority: int('Preference among matching pools; lower values are tried first.'),
        namespaces: arr(str(), 'Namespaces whose Services may use the pool.'),
        namespaceSelectors: selectorList('Namespace labels selecting the Services that may use the pool.'),
        serviceSelectors: selectorList('Service labels selecting the Services that may use the pool.'),
      }, { description: 'Reserves the pool for some namespaces or Services.' }),
    }, { description: 'The addresses of the pool and how they are handed out.', required: ['addresses'] }),
    status: obj({
      assignedIPv4: int('IPv4 addresses in use.', 'int64'),
      assignedIPv6: int('IPv6 addresses in use.', 'int64'),
      availableIPv4: int('IPv4 addresses still free.', 'int64'),
      availableIPv6: int('IPv6 addresses still free.', 'int64'),
    }, { description: 'Address usage of the pool.', required: ['assignedIPv4', 'assignedIPv6', 'availableIPv4', 'availableIPv6'] }),
  }, { required: ['spec'] }),
  description: 'A pool of IP addresses MetalLB can assign to Services of type LoadBalancer.',
  printerColumns: [
    { name: 'Auto Assign', type: 'boolean', jsonPath: '.spec.autoAssign' },
    { name: 'Avoid Buggy IPs', type: 'boolean', jsonPath: '.spec.avoidBuggyIPs' },
    { name: 'Addresses', type: 'string', jsonPath: '.spec.addresses' },
  ],
  defaults(pool) {
    const spec = pool.spec;
    if (!isPlainObject(spec)) return;
    if (spec.autoAssign === undefined) spec.autoAssign = true;
    if (spec.avoidBuggyIPs === undefined) spec.avoidBuggyIPs = false;
  },
  prepareForCreate(pool) {
    delete pool.status;
  },
  admit: admitIPAddressPool,
};
