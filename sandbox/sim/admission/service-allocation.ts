// Service ClusterIP and NodePort allocation, done by the API server while it
// writes the Service, as kube-apiserver's service REST storage does
// (pkg/registry/core/service/storage/alloc.go). It runs as a mutating
// admission plugin, so `kubectl create`/`expose`/`apply` answer with the
// allocated values and validation sees them.
//
// The store is the source of truth for what is allocated: the cluster IPs,
// node ports and health-check node ports of every stored Service. A request
// that allocates holds its values in memory until its write has finished (the
// rest of the write path is synchronous after admission, so one macrotask is
// enough); that keeps two concurrent creates from taking the same value.
// Deleting a Service, or changing its type so it no longer needs a value,
// releases the value simply by writing the Service without it. Dry-run
// requests allocate but hold nothing.
//
// Dynamic allocation follows the bitmap allocators: a random free value from
// the upper part of the range first, the lower "static" band (reserved for
// values users ask for, like 172.30.0.10 for DNS) only when the upper part is
// full.

import type { AdmissionPlugin, ClusterReader } from '../api/admission.ts';
import { ApiError, Errors, type FieldErrorLike } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import { isPlainObject } from '../api/object.ts';

type Json = Record<string, unknown>;

export const DEFAULT_SERVICE_NETWORK = '172.30.0.0/16';
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';
const NETWORK_CONFIG = 'config.openshift.io/networks';

// ---- ranges -----------------------------------------------------------------------------

/** An IPv4 service CIDR; offsets count from the first usable address (network address + 1). */
export interface IpRange {
  text: string;
  network: number;
  /** Usable addresses: the CIDR size without the network and broadcast addresses. */
  size: number;
  /** Start of the dynamic band; offsets below it are the static band. */
  staticBand: number;
}

export interface PortRange {
  text: string;
  base: number;
  size: number;
  staticBand: number;
}

export interface AllocationRanges {
  ips: IpRange;
  ports: PortRange;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function ipToNumber(ip: string): number | undefined {
  if (!IPV4.test(ip)) return undefined;
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** min(max(min, size/step), max), 0 for tiny ranges: the static band of the allocators. */
function staticBandOf(size: number, min: number, max: number, step: number): number {
  if (size <= min) return 0;
  return Math.min(Math.max(Math.floor(size / step), min), max);
}

/** "172.30.0.0/16" → the range; undefined when it is not an IPv4 CIDR with room for an address. */
export function parseServiceCIDR(text: string): IpRange | undefined {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const ip = ipToNumber(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 30) return undefined;
  const cidrSize = 2 ** (32 - prefix);
  const network = ip - (ip % cidrSize);
  return { text: `${numberToIp(network)}/${prefix}`, network, size: cidrSize - 2, staticBand: staticBandOf(cidrSize, 16, 256, 16) };
}

/** "30000-32767" → the range. */
export function parsePortRange(text: string): PortRange | undefined {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  const last = Number(m[2]);
  if (base < 1 || last > 65535 || last < base) return undefined;
  const size = last - base + 1;
  return { text: `${base}-${last}`, base, size, staticBand: staticBandOf(size, 16, 128, 32) };
}

/** The service network and node port range of the cluster's Network config (`oc get network/cluster`). */
export function clusterAllocationRanges(cluster: ClusterReader): AllocationRanges {
  const spec = record(cluster.get(NETWORK_CONFIG, undefined, 'cluster')?.spec);
  const networks = Array.isArray(spec.serviceNetwork) ? spec.serviceNetwork : [];
  const ips = networks.map((n) => (typeof n === 'string' ? parseServiceCIDR(n) : undefined)).find((r) => r !== undefined)
    ?? parseServiceCIDR(DEFAULT_SERVICE_NETWORK)!;
  const ports = (typeof spec.serviceNodePortRange === 'string' ? parsePortRange(spec.serviceNodePortRange) : undefined)
    ?? parsePortRange(DEFAULT_NODE_PORT_RANGE)!;
  return { ips, ports };
}

// ---- what is taken ----------------------------------------------------------------------

/** Values already allocated in the cluster (stored Services and requests in flight). */
export interface Allocated {
  ips: Set<string>;
  ports: Set<number>;
}

/** Values one request newly took. */
export interface Taken {
  ips: string[];
  ports: number[];
}

function record(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

function records(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function portNumber(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) ? v : 0;
}

function needsClusterIP(spec: Json): boolean {
  return spec.type !== 'ExternalName';
}

function isHeadless(spec: Json): boolean {
  const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  return spec.clusterIP === 'None' || ips[0] === 'None';
}

function needsNodePorts(spec: Json): boolean {
  return spec.type === 'NodePort' || spec.type === 'LoadBalancer';
}

/** Whether ports without a nodePort get one (LoadBalancer may opt out). */
function allocatesNodePorts(spec: Json): boolean {
  if (spec.type === 'NodePort') return true;
  return spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false;
}

/** apiservice.NeedsHealthCheck: a LoadBalancer that keeps the client IP. */
export function needsHealthCheckNodePort(spec: Json): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

/** The cluster IPs, node ports and health-check node port a stored Service holds. */
export function serviceAllocations(svc: KubeObject): Taken {
  const spec = record(svc.spec);
  const ips = needsClusterIP(spec) ? (Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [spec.clusterIP]).map(text).filter((ip) => ip !== '' && ip !== 'None') : [];
  const ports = records(spec.ports).map((p) => portNumber(p.nodePort)).filter((n) => n > 0);
  if (needsHealthCheckNodePort(spec) && portNumber(spec.healthCheckNodePort) > 0) ports.push(portNumber(spec.healthCheckNodePort));
  return { ips, ports };
}

// ---- errors with kube-apiserver's wording -----------------------------------------------

/** Go's %#v of a []string, as field.Error prints non-scalar values. */
function goStrings(values: string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

function invalidService(name: string, err: FieldErrorLike): ApiError {
  return Errors.invalid('Service', '', name, [err]);
}

function clusterIPError(name: string, spec: Json, detail: string): ApiError {
  const ips = (Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [spec.clusterIP]).map(text);
  // The value is a []string, which field.Error prints with %#v (omitValue + detail renders it verbatim).
  return invalidService(name, { type: 'Invalid', field: 'spec.clusterIPs', omitValue: true, detail: `${goStrings(ips)}: ${detail}` });
}

function nodePortError(name: string, index: number, port: number, detail: string): ApiError {
  return invalidService(name, { type: 'Invalid', field: `spec.ports[${index}].nodePort`, value: port, detail });
}

export const ErrAllocatedIP = 'provided IP is already allocated';
export const ErrAllocatedPort = 'provided port is already allocated';
export const ErrFull = 'range is full';

function ipNotInRange(ip: string, range: IpRange): string {
  return `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${range.text}`;
}

function portNotInRange(range: PortRange): string {
  return `provided port is not in the valid range. The range of valid ports is ${range.text}`;
}

// ---- the allocator ----------------------------------------------------------------------

/**
 * One allocation pass over a Service spec: it fills spec.clusterIP(s),
 * ports[].nodePort and healthCheckNodePort in place and reports what it took.
 * Errors are the ApiErrors kube-apiserver answers with.
 */
export class ServiceAllocator {
  constructor(private readonly random: () => number = Math.random) {}

  /** A random free offset of [0, size), upper band first (randomScanStrategyWithOffset). */
  private pickFree(size: number, staticBand: number, used: (offset: number) => boolean): number | undefined {
    const scan = (from: number, count: number): number | undefined => {
      if (count <= 0) return undefined;
      const start = Math.floor(this.random() * count);
      for (let i = 0; i < count; i++) {
        const at = from + ((start + i) % count);
        if (!used(at)) return at;
      }
      return undefined;
    };
    return scan(staticBand, size - staticBand) ?? scan(0, staticBand);
  }

  private nextIP(ranges: AllocationRanges, allocated: Allocated): string | undefined {
    const r = ranges.ips;
    const at = this.pickFree(r.size, r.staticBand, (o) => allocated.ips.has(numberToIp(r.network + 1 + o)));
    return at === undefined ? undefined : numberToIp(r.network + 1 + at);
  }

  /** Why `ip` cannot be taken, or undefined when it can. */
  private ipProblem(ip: string, ranges: AllocationRanges, allocated: Allocated): string | undefined {
    const n = ipToNumber(ip);
    const r = ranges.ips;
    // The network and broadcast addresses are outside the usable range.
    if (n === undefined || n < r.network + 1 || n > r.network + r.size) return ipNotInRange(ip, r);
    return allocated.ips.has(ip) ? ErrAllocatedIP : undefined;
  }

  private nextPort(ranges: AllocationRanges, allocated: Allocated): number | undefined {
    const r = ranges.ports;
    const at = this.pickFree(r.size, r.staticBand, (o) => allocated.ports.has(r.base + o));
    return at === undefined ? undefined : r.base + at;
  }

  private portProblem(port: number, ranges: AllocationRanges, allocated: Allocated): string | undefined {
    const r = ranges.ports;
    if (port < r.base || port >= r.base + r.size) return portNotInRange(r);
    return allocated.ports.has(port) ? ErrAllocatedPort : undefined;
  }

  /** allocClusterIPs: ExternalName and headless Services get none; a requested IP must be in range and free. */
  private allocateClusterIP(name: string, spec: Json, ranges: AllocationRanges, allocated: Allocated, taken: Taken): void {
    if (!needsClusterIP(spec) || isHeadless(spec)) return;
    const requested = text(spec.clusterIP) || text((Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [])[0]);
    if (requested === '') {
      const ip = this.nextIP(ranges, allocated);
      if (ip === undefined) throw Errors.internal(`failed to allocate a serviceIP: ${ErrFull}`);
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
      allocated.ips.add(ip);
      taken.ips.push(ip);
      return;
    }
    // A malformed address is left to validation ("must be a valid IP address").
    if (ipToNumber(requested) === undefined) return;
    const problem = this.ipProblem(requested, ranges, allocated);
    if (problem) throw clusterIPError(name, spec, `failed to allocate IP ${requested}: ${problem}`);
    spec.clusterIP = requested;
    spec.clusterIPs = [requested];
    allocated.ips.add(requested);
    taken.ips.push(requested);
  }

  private takePort(port: number, allocated: Allocated, taken: Taken): void {
    allocated.ports.add(port);
    taken.ports.push(port);
  }

  /** initNodePorts: ports of the same number share one node port; requested ones must be in range and free. */
  private allocateNodePortsOnCreate(name: string, spec: Json, ranges: AllocationRanges, allocated: Allocated, taken: Taken): void {
    const ports = records(spec.ports);
    const byServicePort = new Map<number, number>();
    ports.forEach((p, i) => {
      const nodePort = portNumber(p.nodePort);
      if (nodePort === 0 && !allocatesNodePorts(spec)) return;
      const servicePort = portNumber(p.port);
      const already = byServicePort.get(servicePort);
      if (already === undefined) {
        const requested = ports.slice(i).find((q) => portNumber(q.port) === servicePort && portNumber(q.nodePort) !== 0);
        if (requested) {
          const np = portNumber(requested.nodePort);
          const problem = this.portProblem(np, ranges, allocated);
          if (problem) throw nodePortError(name, i, np, problem);
          this.takePort(np, allocated, taken);
          p.nodePort = np;
          byServicePort.set(servicePort, np);
        } else {
          const np = this.nextPort(ranges, allocated);
          if (np === undefined) throw Errors.internal(`failed to allocate a nodePort: ${ErrFull}`);
          this.takePort(np, allocated, taken);
          p.nodePort = np;
          byServicePort.set(servicePort, np);
        }
      } else if (nodePort !== already) {
        if (nodePort === 0) {
          p.nodePort = already;
        } else {
          const problem = this.portProblem(nodePort, ranges, allocated);
          if (problem) throw nodePortError(name, i, nodePort, problem);
          this.takePort(nodePort, allocated, taken);
        }
      }
    });
  }

  /** allocHealthCheckNodePort: the requested one if free, else any. */
  private allocateHealthCheckNodePort(spec: Json, ranges: AllocationRanges, allocated: Allocated, taken: Taken): void {
    const requested = portNumber(spec.healthCheckNodePort);
    if (requested !== 0) {
      const problem = this.portProblem(requested, ranges, allocated);
      if (problem) throw Errors.internal(`failed to allocate requested HealthCheck NodePort ${requested}: ${problem}`);
      this.takePort(requested, allocated, taken);
      return;
    }
    const np = this.nextPort(ranges, allocated);
    if (np === undefined) throw Errors.internal(`failed to allocate a HealthCheck NodePort 0: ${ErrFull}`);
    this.takePort(np, allocated, taken);
    spec.healthCheckNodePort = np;
  }

  /** allocateCreate. `allocated` is updated with what this call takes. */
  create(name: string, spec: Json, ranges: AllocationRanges, allocated: Allocated): Taken {
    const taken: Taken = { ips: [], ports: [] };
    this.allocateClusterIP(name, spec, ranges, allocated, taken);
    if (needsNodePorts(spec)) this.allocateNodePortsOnCreate(name, spec, ranges, allocated, taken);
    if (needsHealthCheckNodePort(spec)) this.allocateHealthCheckNodePort(spec, ranges, allocated, taken);
    return taken;
  }

  /**
   * allocateUpdate. `allocated` must not contain this Service's own stored
   * values; values the old Service held and the new one drops are released by
   * storing the new one.
   */
  update(name: string, spec: Json, old: Json, ranges: AllocationRanges, allocated: Allocated): Taken {
    const taken: Taken = { ips: [], ports: [] };
    // ExternalName → a type with a cluster IP: allocate one (case A). Other
    // transitions keep or drop the IP, and validation refuses changed IPs. A
    // Service stored without an IP (before allocation existed) gets one too.
    const missingIP = needsClusterIP(spec) && !isHeadless(spec) && text(spec.clusterIP) === '';
    if ((!needsClusterIP(old) && needsClusterIP(spec)) || missingIP) this.allocateClusterIP(name, spec, ranges, allocated, taken);
    if (needsNodePorts(spec)) this.updateNodePorts(name, spec, old, ranges, allocated, taken);
    if (!needsHealthCheckNodePort(old) && needsHealthCheckNodePort(spec)) this.allocateHealthCheckNodePort(spec, ranges, allocated, taken);
    return taken;
  }

  /** updateNodePorts: new requests must be free; ports without a node port get one. */
  private updateNodePorts(name: string, spec: Json, old: Json, ranges: AllocationRanges, allocated: Allocated, taken: Taken): void {
    const oldNodePorts = needsNodePorts(old) ? records(old.ports).map((p) => portNumber(p.nodePort)).filter((n) => n > 0) : [];
    const seen: string[] = [];
    records(spec.ports).forEach((p, i) => {
      let nodePort = portNumber(p.nodePort);
      if (nodePort === 0 && !allocatesNodePorts(spec)) return;
      if (nodePort !== 0) {
        if (!oldNodePorts.includes(nodePort) && !taken.ports.includes(nodePort)) {
          const problem = this.portProblem(nodePort, ranges, allocated);
          if (problem) throw nodePortError(name, i, nodePort, problem);
          this.takePort(nodePort, allocated, taken);
        }
      } else {
        const np = this.nextPort(ranges, allocated);
        if (np === undefined) throw Errors.internal(`failed to allocate a nodePort: ${ErrFull}`);
        this.takePort(np, allocated, taken);
        p.nodePort = np;
        nodePort = np;
      }
      const protocol = text(p.protocol) || 'TCP';
      const key = `${protocol}/${nodePort}`;
      if (seen.includes(key)) throw Errors.internal(`duplicate nodePort: {${protocol} ${nodePort}}`);
      seen.push(key);
    });
  }
}

// ---- the admission plugin ---------------------------------------------------------------

/** Values held by requests whose write has not finished yet, by the uid of their Service. */
class InFlight {
  private readonly held = new Map<symbol, { uid: string; taken: Taken }>();

  hold(uid: string, taken: Taken): symbol {
    const token = Symbol(uid);
    this.held.set(token, { uid, taken });
    return token;
  }

  release(token: symbol): void {
    this.held.delete(token);
  }

  /** Everything held, except by `uid` (a Service never conflicts with itself). */
  addTo(allocated: Allocated, exceptUid: string | undefined): void {
    for (const { uid, taken } of this.held.values()) {
      if (uid === exceptUid) continue;
      for (const ip of taken.ips) allocated.ips.add(ip);
      for (const port of taken.ports) allocated.ports.add(port);
    }
  }

  get size(): number {
    return this.held.size;
  }
}

export interface ServiceAllocationOptions {
  /** Source of randomness for dynamic allocation (tests pass a seeded one). */
  random?: () => number;
  /** Runs `release` once the current write has finished; default: the next macrotask. */
  afterWrite?: (release: () => void) => void;
}

/** What the cluster holds now: every stored Service but `exceptUid`, plus requests in flight. */
function allocatedIn(cluster: ClusterReader, inFlight: InFlight, exceptUid: string | undefined): Allocated {
  const allocated: Allocated = { ips: new Set(), ports: new Set() };
  for (const svc of cluster.list('services')) {
    if (exceptUid !== undefined && svc.metadata.uid === exceptUid) continue;
    const t = serviceAllocations(svc);
    for (const ip of t.ips) allocated.ips.add(ip);
    for (const port of t.ports) allocated.ports.add(port);
  }
  inFlight.addTo(allocated, exceptUid);
  return allocated;
}

/** The per-cluster allocation plugin (cluster.ts creates one per cluster). */
export function serviceAllocationPlugin(opts: ServiceAllocationOptions = {}): AdmissionPlugin & { inFlight(): number } {
  const allocator = new ServiceAllocator(opts.random);
  const inFlight = new InFlight();
  const afterWrite = opts.afterWrite ?? ((release: () => void) => { setImmediate(release); });
  return {
    name: 'ServiceAllocation',
    resources: ['services'],
    phase: 'mutating',
    admit(req, cluster) {
      if (req.subresource !== '' || (req.operation !== 'CREATE' && req.operation !== 'UPDATE')) return {};
      const spec = record(req.object.spec);
      req.object.spec = spec;
      const uid = req.object.metadata.uid;
      const ranges = clusterAllocationRanges(cluster);
      // Most updates allocate nothing (labels, annotations, MetalLB's patches): list the Services only when a value is needed.
      let known: Allocated | undefined;
      const load = (): Allocated => (known ??= allocatedIn(cluster, inFlight, uid));
      const allocated: Allocated = { get ips() { return load().ips; }, get ports() { return load().ports; } };
      const taken = req.operation === 'CREATE' || !req.oldObject
        ? allocator.create(req.name, spec, ranges, allocated)
        : allocator.update(req.name, spec, record(req.oldObject.spec), ranges, allocated);
      if (!req.dryRun && (taken.ips.length || taken.ports.length)) {
        const token = inFlight.hold(uid ?? '', taken);
        afterWrite(() => inFlight.release(token));
      }
      return {};
    },
    inFlight: () => inFlight.size,
  };
}
