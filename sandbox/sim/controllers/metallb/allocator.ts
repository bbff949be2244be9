// MetalLB's address allocator (internal/allocator, internal/config): pools
// parsed from IPAddressPool objects, and which address a LoadBalancer Service
// may hold or get. Pure: it reads objects handed to it and keeps its own
// bookkeeping; the controller rebuilds one from the Services' status on every
// reconcile. Error texts are MetalLB's, byte for byte, since they reach the
// student through AllocationFailed and ClearAssignment events.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { formatIP, fromBig, parseAddressRange, parseIP, toBig } from '../../kinds/metallb/index.ts';
import {
  fromLabelSelectorObject, matchesLabels, type LabelSelector, type LabelSelectorObject,
} from '../../store/label-selector.ts';

// ---- annotations -----------------------------------------------------------------------

export const Annotation = {
  addressPool: 'metallb.io/address-pool',
  loadBalancerIPs: 'metallb.io/loadBalancerIPs',
  ipAllocatedFromPool: 'metallb.io/ip-allocated-from-pool',
  allowSharedIP: 'metallb.io/allow-shared-ip',
} as const;

/** The pre-0.14.9 prefix, still honoured after the new one. */
export const DEPRECATED_ANNOTATION_PREFIX = 'metallb.universe.tf';

const deprecated = (key: string): string => `${DEPRECATED_ANNOTATION_PREFIX}/${key.slice(key.indexOf('/') + 1)}`;

/** The value of an annotation under its current key, else under the deprecated one ("" when neither). */
export function annotationValue(svc: KubeObject, key: string): string {
  const a = svc.metadata.annotations ?? {};
  if (key in a) return a[key];
  return a[deprecated(key)] ?? '';
}

// ---- addresses ---------------------------------------------------------------------------

export type Family = 'ipv4' | 'ipv6' | 'dual';

/** One IP address: IPv4 as a 32-bit value, IPv6 as a 128-bit value. */
export interface Address {
  v6: boolean;
  value: bigint;
  text: string;
}

/** A prefix of a pool, in the order the pool lists it. */
export interface Cidr {
  v6: boolean;
  base: bigint;
  bits: number;
}

const q = (s: string): string => JSON.stringify(s);
/** Go's %q of a []net.IP: ["a" "b"]. */
export const quoteIPs = (ips: readonly Address[]): string => `[${ips.map((ip) => q(ip.text)).join(' ')}]`;

/** net.ParseIP, with IPv4-mapped IPv6 addresses treated as IPv4 (as To4 does). */
export function parseAddress(s: string): Address | undefined {
  const ip = parseIP(s);
  if (!ip) return undefined;
  const all = toBig(ip.bytes);
  if (all >> 32n === 0xffffn) return addressOf(false, all & 0xffffffffn);
  return addressOf(true, all);
}

function addressOf(v6: boolean, value: bigint): Address {
  return { v6, value, text: formatIP(v6 ? fromBig(value, 16) : fromBig(value, 4)) };
}

function width(v6: boolean): number {
  return v6 ? 128 : 32;
}

export function cidrContains(c: Cidr, ip: Address): boolean {
  if (c.v6 !== ip.v6) return false;
  const host = BigInt(width(c.v6) - c.bits);
  return ip.value >> host === c.base >> host;
}

function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(width(c.v6) - c.bits);
}

/** Addresses ending in .0 or .255 confuse the smurf protection of some home routers. */
export function confusesBuggyFirmwares(ip: Address): boolean {
  if (ip.v6) return false;
  const last = ip.value & 0xffn;
  return last === 0n || last === 255n;
}

export const familyOf = (ip: Address): Family => (ip.v6 ? 'ipv6' : 'ipv4');

/** ipfamily.ForAddresses: one address, or two of different families. */
export function familyOfAddresses(ips: readonly Address[]): Family | { error: string } {
  if (ips.length === 1) return familyOf(ips[0]);
  if (ips.length === 2) {
    if (ips[0].v6 === ips[1].v6) return { error: `IPFamilyForAddresses: same address family ${quoteIPs(ips)}` };
    return 'dual';
  }
  return { error: `IPFamilyForAddresses: invalid ips length ${ips.length} ${quoteIPs(ips)}` };
}

// ---- pools -------------------------------------------------------------------------------

export interface ServiceAllocation {
  priority: number;
  /** spec.serviceAllocation.namespaces plus the namespaces its namespaceSelectors select. */
  namespaces: Set<string>;
  serviceSelectors: LabelSelector[];
}

export interface Pool {
  name: string;
  labels: Record<string, string>;
  cidrs: Cidr[];
  autoAssign: boolean;
  avoidBuggyIPs: boolean;
  serviceAllocation?: ServiceAllocation;
}

export interface Pools {
  /** In name order: MetalLB walks a Go map (unspecified order); ours is at least repeatable. */
  list: Pool[];
  byName: Map<string, Pool>;
  /** Pools left out, with MetalLB's reason (it would reject the whole configuration). */
  errors: string[];
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function selectorList(v: unknown, what: string, pool: string): LabelSelector[] {
  const out: LabelSelector[] = [];
  const seen = new Set<string>();
  for (const s of Array.isArray(v) ? v : []) {
    const key = JSON.stringify(s);
    if (seen.has(key)) throw new Error(`duplicate definition of ${what} ${key}`);
    seen.add(key);
    let sel: LabelSelector | null;
    try {
      sel = fromLabelSelectorObject((isPlainObject(s) ? s : {}) as LabelSelectorObject);
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\ninvalid ${what === 'namespaceSelectors' ? 'namespace' : 'service'} label selector in ip pool ${pool}`);
    }
    if (sel) out.push(sel);
  }
  return out;
}

function serviceAllocationOf(name: string, spec: Record<string, unknown>, namespaces: readonly KubeObject[]): ServiceAllocation | undefined {
  const sa = spec.serviceAllocation;
  if (!isPlainObject(sa)) return undefined;
  const nsSet = new Set<string>();
  for (const ns of stringList(sa.namespaces)) {
    if (nsSet.has(ns)) throw new Error('duplicate definition in namespaces field');
    nsSet.add(ns);
  }
  const priority = typeof sa.priority === 'number' ? sa.priority : 0;
  const nsSelectors = selectorList(sa.namespaceSelectors, 'namespaceSelectors', name);
  const svcSelectors = selectorList(sa.serviceSelectors, 'serviceSelectors', name);
  // Nothing to select by: the pool is pinned to every Service.
  if (nsSet.size === 0 && nsSelectors.length === 0 && svcSelectors.length === 0) {
    return { priority, namespaces: nsSet, serviceSelectors: [[]] };
  }
  for (const sel of nsSelectors) {
    for (const ns of namespaces) if (matchesLabels(sel, ns.metadata.labels)) nsSet.add(ns.metadata.name!);
  }
  return { priority, namespaces: nsSet, serviceSelectors: svcSelectors };
}

function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.v6 !== b.v6) return false;
  const outer = a.bits <= b.bits ? a : b;
  const inner = outer === a ? b : a;
  return cidrContains(outer, addressOf(inner.v6, inner.base));
}

const cidrText = (c: Cidr): string => `${addressOf(c.v6, c.base).text}/${c.bits}`;

/**
 * MetalLB's poolsFor: the IPAddressPools (of MetalLB's namespace, not being
 * deleted) in name order. A pool MetalLB would reject is left out and its
 * reason recorded, so the valid pools keep working.
 */
export function parsePools(poolObjects: readonly KubeObject[], namespaces: readonly KubeObject[]): Pools {
  const list: Pool[] = [];
  const errors: string[] = [];
  const sorted = [...poolObjects].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  for (const obj of sorted) {
    const name = obj.metadata.name!;
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    try {
      const addresses = stringList(spec.addresses);
      if (addresses.length === 0) throw new Error('pool has no prefixes defined');
      const cidrs: Cidr[] = [];
      for (const a of addresses) {
        const r = parseAddressRange(a);
        if ('error' in r) throw new Error(`invalid CIDR ${q(a)} in pool ${q(name)}: ${r.error}`);
        for (const n of r.nets) cidrs.push({ v6: n.ip.length === 16, base: toBig(n.ip), bits: n.bits });
      }
      const pool: Pool = {
        name,
        labels: obj.metadata.labels ?? {},
        cidrs,
        autoAssign: spec.autoAssign !== false,
        avoidBuggyIPs: spec.avoidBuggyIPs === true,
        serviceAllocation: serviceAllocationOf(name, spec, namespaces),
      };
      for (const c of cidrs) {
        for (const p of list) {
          const m = p.cidrs.find((o) => cidrsOverlap(c, o));
          if (m) throw Object.assign(new Error(`CIDR ${q(cidrText(c))} in pool ${q(name)} overlaps with already defined CIDR ${q(cidrText(m))}`), { unwrapped: true });
        }
      }
      list.push(pool);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      errors.push((e as { unwrapped?: boolean }).unwrapped ? msg : `parsing address pool ${name}: ${msg}`);
    }
  }
  return { list, byName: new Map(list.map((p) => [p.name, p])), errors };
}

// ---- services ----------------------------------------------------------------------------

export interface Port {
  protocol: string;
  port: number;
}

const portText = (p: Port): string => `${p.protocol}/${p.port}`;

/** What the allocator needs of a Service. */
export interface ServiceFacts {
  /** namespace/name */
  key: string;
  namespace: string;
  labels: Record<string, string>;
  ports: Port[];
  sharingKey: string;
  /** Services with externalTrafficPolicy Local may only share with the same selector. */
  backendKey: string;
  /** spec.ipFamilies[0] decides which family a dual-stack Service prefers. */
  ipFamilies: string[];
  ipFamilyPolicy: string;
}

function specOf(svc: KubeObject): Record<string, unknown> {
  return isPlainObject(svc.spec) ? svc.spec : {};
}

/** labels.Set(selector).String(): sorted key=value pairs. */
function selectorString(sel: unknown): string {
  if (!isPlainObject(sel)) return '';
  return Object.keys(sel).sort().map((k) => `${k}=${String(sel[k])}`).join(',');
}

export function serviceFacts(svc: KubeObject): ServiceFacts {
  const spec = specOf(svc);
  const ports = (Array.isArray(spec.ports) ? spec.ports : []).filter(isPlainObject)
    .map((p) => ({ protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP', port: typeof p.port === 'number' ? p.port : 0 }));
  return {
    key: `${svc.metadata.namespace}/${svc.metadata.name}`,
    namespace: svc.metadata.namespace ?? '',
    labels: svc.metadata.labels ?? {},
    ports,
    sharingKey: annotationValue(svc, Annotation.allowSharedIP),
    backendKey: spec.externalTrafficPolicy === 'Local' ? selectorString(spec.selector) : '',
    ipFamilies: stringList(spec.ipFamilies),
    ipFamilyPolicy: typeof spec.ipFamilyPolicy === 'string' ? spec.ipFamilyPolicy : 'SingleStack',
  };
}

/**
 * ipfamily.ForService: the family of the cluster IPs. Without a cluster IP
 * yet, spec.ipFamilies decides (MetalLB itself would wait for the cluster IP).
 */
export function serviceFamily(svc: KubeObject): Family | { error: string } {
  const spec = specOf(svc);
  let ips = stringList(spec.clusterIPs);
  if (ips.length === 0 && typeof spec.clusterIP === 'string' && spec.clusterIP !== '') ips = [spec.clusterIP];
  ips = ips.filter((ip) => ip !== 'None');
  if (ips.length > 0) {
    const parsed = ips.map(parseAddress);
    if (parsed.some((p) => !p)) return { error: `IPFamilyForAddresses: Invalid address [${ips.map(q).join(' ')}]` };
    return familyOfAddresses(parsed as Address[]);
  }
  const fams = stringList(spec.ipFamilies);
  if (fams.length >= 2) return 'dual';
  return fams[0] === 'IPv6' ? 'ipv6' : 'ipv4';
}

/**
 * getDesiredLbIPs: the addresses a Service asks for, from the
 * metallb.io/loadBalancerIPs annotation (comma-separated) or the deprecated
 * spec.loadBalancerIP, never both.
 */
export function requestedIPs(svc: KubeObject): { ips: Address[]; family?: Family } | { error: string } {
  const fromAnnotation = annotationValue(svc, Annotation.loadBalancerIPs);
  const spec = specOf(svc);
  const fromSpec = typeof spec.loadBalancerIP === 'string' ? spec.loadBalancerIP : '';
  if (fromAnnotation === '' && fromSpec === '') return { ips: [] };
  if (fromAnnotation !== '' && fromSpec !== '') {
    return { error: `service can not have both ${Annotation.loadBalancerIPs} and svc.Spec.LoadBalancerIP` };
  }
  if (fromAnnotation !== '') {
    const ips: Address[] = [];
    for (const part of fromAnnotation.split(',')) {
      const ip = parseAddress(part.trim());
      if (!ip) return { error: `invalid ${Annotation.loadBalancerIPs}: ${q(fromAnnotation)}` };
      ips.push(ip);
    }
    const family = familyOfAddresses(ips);
    if (typeof family !== 'string') return family;
    return { ips, family };
  }
  const ip = parseAddress(fromSpec);
  if (!ip) return { error: `invalid spec.loadBalancerIP ${q(fromSpec)}` };
  return { ips: [ip], family: familyOf(ip) };
}

/** The pool a Service asks for with metallb.io/address-pool ("" when none). */
export function requestedPool(svc: KubeObject): string {
  return annotationValue(svc, Annotation.addressPool);
}

// ---- the allocator -----------------------------------------------------------------------

interface SharingKey {
  sharing: string;
  backend: string;
}

interface Alloc extends SharingKey {
  pool: string;
  ips: Address[];
  ports: Port[];
}

export interface PoolCounters {
  assignedIPv4: number;
  assignedIPv6: number;
  availableIPv4: number;
  availableIPv6: number;
}

/** sharingOK: whether a new user of an address may join its existing users. */
export function sharingError(existing: SharingKey, next: SharingKey): string | undefined {
  if (existing.sharing === '') return 'existing service does not allow sharing';
  if (next.sharing === '') return 'new service does not allow sharing';
  if (existing.sharing !== next.sharing) return `sharing key ${q(next.sharing)} does not match existing sharing key ${q(existing.sharing)}`;
  if (existing.backend !== next.backend) return `backend key ${q(next.backend)} does not match existing sharing key ${q(existing.backend)}`;
  return undefined;
}

/** The free addresses of one pool: the first usable one of each family. */
interface FreeAddresses {
  pool: string;
  v4?: Address;
  v6?: Address;
}

const pick = (a: FreeAddresses, f: Family): Address | undefined => (f === 'ipv4' ? a.v4 : f === 'ipv6' ? a.v6 : undefined);

/** Above this many addresses a pool never runs out (MetalLB counts it as MaxInt64). */
const HUGE = Number.MAX_SAFE_INTEGER;

/** poolCount: addresses of a pool per family, minus the buggy ones it avoids. */
export function poolSize(p: Pool): { ipv4: number; ipv6: number } {
  let ipv4 = 0;
  let ipv6 = 0;
  for (const c of p.cidrs) {
    const hostBits = width(c.v6) - c.bits;
    if (hostBits >= 62) {
      if (c.v6) ipv6 = HUGE;
      else ipv4 = HUGE;
      continue;
    }
    let sz = Number(cidrSize(c));
    if (p.avoidBuggyIPs && !c.v6) {
      if (c.bits <= 24) sz -= 2 ** (24 - c.bits) * 2;
      else {
        const first = addressOf(false, c.base);
        const last = addressOf(false, c.base + cidrSize(c) - 1n);
        if (confusesBuggyFirmwares(first)) sz--;
        if (last.value !== first.value && confusesBuggyFirmwares(last)) sz--;
      }
    }
    if (c.v6) ipv6 = Math.min(HUGE, ipv6 + sz);
    else ipv4 = Math.min(HUGE, ipv4 + sz);
  }
  return { ipv4, ipv6 };
}

export class Allocator {
  private readonly allocated = new Map<string, Alloc>();
  private readonly sharingKeyForIP = new Map<string, SharingKey>();
  /** ip → port → service key */
  private readonly portsInUse = new Map<string, Map<string, string>>();
  private readonly servicesOnIP = new Map<string, Set<string>>();
  /** pool → ip → users */
  private readonly poolIPsInUse = new Map<string, Map<string, { v6: boolean; users: number }>>();

  constructor(readonly pools: Pools) {}

  /** The pool holding every one of the addresses (avoided buggy addresses excluded). */
  poolFor(ips: readonly Address[]): Pool | undefined {
    return this.pools.list.find((p) => ips.every((ip) => !(p.avoidBuggyIPs && confusesBuggyFirmwares(ip)) && p.cidrs.some((c) => cidrContains(c, ip))));
  }

  /** The pool a Service's addresses came from ("" when it holds none). */
  pool(svcKey: string): string {
    return this.allocated.get(svcKey)?.pool ?? '';
  }

  ips(svcKey: string): Address[] {
    return this.allocated.get(svcKey)?.ips ?? [];
  }

  counters(poolName: string): PoolCounters {
    const p = this.pools.byName.get(poolName);
    const size = p ? poolSize(p) : { ipv4: 0, ipv6: 0 };
    let v4 = 0;
    let v6 = 0;
    for (const u of this.poolIPsInUse.get(poolName)?.values() ?? []) {
      if (u.v6) v6++;
      else v4++;
    }
    return { assignedIPv4: v4, assignedIPv6: v6, availableIPv4: size.ipv4 - v4, availableIPv6: size.ipv6 - v6 };
  }

  isPoolCompatibleWithService(p: Pool, svc: ServiceFacts): boolean {
    const sa = p.serviceAllocation;
    if (!sa) return true;
    if (sa.namespaces.size > 0 && !sa.namespaces.has(svc.namespace)) return false;
    if (sa.serviceSelectors.length > 0) return sa.serviceSelectors.some((sel) => matchesLabels(sel, svc.labels));
    return true;
  }

  /**
   * Records an allocation found in a Service's status, as MetalLB does for
   * existing allocations when its configuration changes: the addresses must
   * still be in a pool and compatible with the other users, nothing else.
   */
  restore(svc: ServiceFacts, ips: readonly Address[]): boolean {
    const pool = this.poolFor(ips);
    if (!pool || ips.length === 0) return false;
    const sk = { sharing: svc.sharingKey, backend: svc.backendKey };
    if (ips.some((ip) => this.checkSharing(svc.key, ip.text, svc.ports, sk) !== undefined)) return false;
    this.record(svc.key, { pool: pool.name, ips: [...ips], ports: [...svc.ports], ...sk });
    return true;
  }

  /** Assign: gives the Service exactly these addresses if configuration and sharing allow it. */
  assign(svc: ServiceFacts, ips: readonly Address[]): string | undefined {
    const pool = this.poolFor(ips);
    if (!pool) return `${quoteIPs(ips)} is not allowed in config`;
    if (!this.isPoolCompatibleWithService(pool, svc)) return `pool ${pool.name} not compatible for ip assignment`;
    if (ips.length > 2) return `more than two addresses ${quoteIPs(ips)}`;
    if (ips.length === 2 && ips[0].v6 === ips[1].v6) return `${q(ips[0].text)} ${q(ips[1].text)} has the same family`;
    const sk = { sharing: svc.sharingKey, backend: svc.backendKey };
    for (const ip of ips) {
      const err = this.checkSharing(svc.key, ip.text, svc.ports, sk);
      if (err) return err;
    }
    this.record(svc.key, { pool: pool.name, ips: [...ips], ports: [...svc.ports], ...sk });
    return undefined;
  }

  unassign(svcKey: string): void {
    const al = this.allocated.get(svcKey);
    if (!al) return;
    this.allocated.delete(svcKey);
    for (const ip of al.ips) {
      const ports = this.portsInUse.get(ip.text);
      for (const p of al.ports) if (ports?.get(portText(p)) === svcKey) ports.delete(portText(p));
      this.servicesOnIP.get(ip.text)?.delete(svcKey);
      if (!ports || ports.size === 0) {
        this.portsInUse.delete(ip.text);
        this.sharingKeyForIP.delete(ip.text);
      }
      const inUse = this.poolIPsInUse.get(al.pool);
      const u = inUse?.get(ip.text);
      if (u && --u.users === 0) inUse!.delete(ip.text);
    }
  }

  /** Allocate: an address from the pools pinned to the Service, else from any auto-assigning pool. */
  allocate(svc: ServiceFacts, family: Family): { ips: Address[] } | { error: string } {
    const existing = this.allocated.get(svc.key);
    if (existing) {
      const err = this.assign(svc, existing.ips);
      return err ? { error: err } : { ips: existing.ips };
    }
    const pinned = this.allocateFromPools(this.pinnedPoolsForService(svc), svc, family);
    if ('ips' in pinned) return pinned;
    const generic = this.pools.list.filter((p) => p.autoAssign && !p.serviceAllocation);
    const any = this.allocateFromPools(generic, svc, family);
    if ('ips' in any) return any;
    return { error: 'no available IPs' };
  }

  /** AllocateFromPool: an address from the pool the Service asks for (auto-assign or not). */
  allocateFromPool(svc: ServiceFacts, family: Family, poolName: string): { ips: Address[] } | { error: string } {
    const existing = this.allocated.get(svc.key);
    if (existing) {
      const fam = familyOfAddresses(existing.ips);
      if (typeof fam !== 'string') return fam;
      if (svc.ipFamilyPolicy !== 'PreferDualStack' && fam !== family) return { error: `IP for wrong family assigned alloc ${fam} service family ${family}` };
      const err = this.assign(svc, existing.ips);
      return err ? { error: err } : { ips: existing.ips };
    }
    const pool = this.pools.byName.get(poolName);
    if (!pool) return { error: `unknown pool ${q(poolName)}` };
    const free = this.freeAddresses(pool, svc);
    if ('error' in free) return free;
    const ips = this.selectIPs(free, family, svc.ipFamilyPolicy);
    if ('error' in ips) return ips;
    const err = this.assign(svc, ips.ips);
    return err ? { error: err } : ips;
  }

  /** pinnedPoolsForService: pools reserved for the Service's namespace or labels, by priority. */
  pinnedPoolsForService(svc: ServiceFacts): Pool[] {
    const pools: Pool[] = [];
    const usable = (p: Pool): boolean => p.autoAssign && this.isPoolCompatibleWithService(p, svc);
    for (const p of this.pools.list) if (p.serviceAllocation?.namespaces.has(svc.namespace) && usable(p)) pools.push(p);
    for (const p of this.pools.list) if ((p.serviceAllocation?.serviceSelectors.length ?? 0) > 0 && usable(p)) pools.push(p);
    // A lower priority value comes first; priority 0 (unset) comes last.
    const rank = (p: Pool): number => p.serviceAllocation?.priority || Number.POSITIVE_INFINITY;
    return pools.map((p, i) => ({ p, i })).sort((a, b) => (rank(a.p) - rank(b.p)) || a.i - b.i).map((x) => x.p);
  }

  private allocateFromPools(pools: Pool[], svc: ServiceFacts, family: Family): { ips: Address[] } | { error: string } {
    const best = this.findBestPoolForService(pools, svc, family);
    if ('error' in best) return best;
    const ips = this.selectIPs(best, family, svc.ipFamilyPolicy);
    if ('ips' in ips && this.assign(svc, ips.ips) === undefined) return ips;
    return { error: 'no available IPs' };
  }

  private findBestPoolForService(pools: Pool[], svc: ServiceFacts, family: Family): FreeAddresses | { error: string } {
    let primaryCandidate: FreeAddresses | undefined;
    let secondaryCandidate: FreeAddresses | undefined;
    const primary: Family = svc.ipFamilies[0] === 'IPv6' ? 'ipv6' : 'ipv4';
    const secondary: Family = primary === 'ipv4' ? 'ipv6' : 'ipv4';
    const preferDual = svc.ipFamilyPolicy === 'PreferDualStack' && family === 'dual';
    for (const pool of pools) {
      const free = this.freeAddresses(pool, svc);
      if ('error' in free) continue;
      if (pick(free, family)) return free;
      const p = pick(free, primary);
      const s = pick(free, secondary);
      if (p && s) return free;
      if (!preferDual) continue;
      if (p && !primaryCandidate) primaryCandidate = free;
      if (s && !secondaryCandidate) secondaryCandidate = free;
    }
    return primaryCandidate ?? secondaryCandidate ?? { error: `no suitable pool for ${family} IPFamily` };
  }

  /** getFreeIPsFromPool: per family, the lowest address of the first prefix that has a usable one. */
  private freeAddresses(pool: Pool, svc: ServiceFacts): FreeAddresses | { error: string } {
    const out: FreeAddresses = { pool: pool.name };
    const sk = { sharing: svc.sharingKey, backend: svc.backendKey };
    for (const c of pool.cidrs) {
      if (c.v6 ? out.v6 : out.v4) continue;
      const ip = this.firstUsable(c, pool.avoidBuggyIPs, svc, sk);
      if (ip) {
        if (c.v6) out.v6 = ip;
        else out.v4 = ip;
      }
    }
    if (!out.v4 && !out.v6) return { error: `no available IPs in pool ${pool.name}` };
    return out;
  }

  private firstUsable(c: Cidr, avoidBuggyIPs: boolean, svc: ServiceFacts, sk: SharingKey): Address | undefined {
    const end = c.base + cidrSize(c);
    for (let v = c.base; v < end; v++) {
      const ip = addressOf(c.v6, v);
      if (avoidBuggyIPs && confusesBuggyFirmwares(ip)) continue;
      if (this.checkSharing(svc.key, ip.text, svc.ports, sk) !== undefined) continue;
      return ip;
    }
    return undefined;
  }

  private selectIPs(free: FreeAddresses, family: Family, policy: string): { ips: Address[] } | { error: string } {
    const one = pick(free, family);
    if (family !== 'dual') return one ? { ips: [one] } : { error: `no available IPs in pool ${free.pool} for ${family} IPFamily` };
    if ((policy === 'RequireDualStack' || policy === 'PreferDualStack') && free.v4 && free.v6) return { ips: [free.v4, free.v6] };
    if (policy === 'PreferDualStack' && (free.v4 ?? free.v6)) return { ips: [(free.v4 ?? free.v6)!] };
    return { error: `no available IPs in pool ${free.pool} for ${family} IPFamily` };
  }

  /**
   * checkSharing: an address in use needs a compatible sharing key and free
   * ports. A key mismatch only matters when another Service uses the address
   * (a lone owner may change its own key), and is then reported as such.
   */
  private checkSharing(svcKey: string, ip: string, ports: readonly Port[], sk: SharingKey): string | undefined {
    const existing = this.sharingKeyForIP.get(ip);
    if (!existing) return undefined;
    if (sharingError(existing, sk) !== undefined) {
      const others = [...(this.servicesOnIP.get(ip) ?? [])].filter((s) => s !== svcKey).sort();
      if (others.length > 0) return `can't change sharing key for ${q(svcKey)}, address also in use by ${others.join(',')}`;
    }
    const used = this.portsInUse.get(ip);
    for (const p of ports) {
      const cur = used?.get(portText(p));
      if (cur !== undefined && cur !== svcKey) return `port ${portText(p)} is already in use on ${q(ip)}`;
    }
    return undefined;
  }

  private record(svcKey: string, al: Alloc): void {
    this.unassign(svcKey);
    this.allocated.set(svcKey, al);
    for (const ip of al.ips) {
      this.sharingKeyForIP.set(ip.text, { sharing: al.sharing, backend: al.backend });
      let ports = this.portsInUse.get(ip.text);
      if (!ports) this.portsInUse.set(ip.text, (ports = new Map()));
      for (const p of al.ports) ports.set(portText(p), svcKey);
      let svcs = this.servicesOnIP.get(ip.text);
      if (!svcs) this.servicesOnIP.set(ip.text, (svcs = new Set()));
      svcs.add(svcKey);
      let inUse = this.poolIPsInUse.get(al.pool);
      if (!inUse) this.poolIPsInUse.set(al.pool, (inUse = new Map()));
      const u = inUse.get(ip.text);
      if (u) u.users++;
      else inUse.set(ip.text, { v6: ip.v6, users: 1 });
    }
  }
}
