// IPv4 literals and prefixes, for telling which network an address belongs to.

/** The address as a 32-bit number, or undefined when it is not a dotted IPv4 literal. */
export function ipv4ToNumber(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function isIPv4(ip: string): boolean {
  return ipv4ToNumber(ip) !== undefined;
}

/** True when `ip` lies in `cidr` ("10.128.0.0/14"). */
export function inCidr(ip: string, cidr: string): boolean {
  const slash = cidr.indexOf('/');
  const base = ipv4ToNumber(slash < 0 ? cidr : cidr.slice(0, slash));
  const addr = ipv4ToNumber(ip);
  const bits = slash < 0 ? 32 : Number(cidr.slice(slash + 1));
  if (base === undefined || addr === undefined || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((addr & mask) >>> 0) === ((base & mask) >>> 0);
}

/** `10.128.2.15` → `10-128-2-15`, the label CoreDNS uses for pod and endpoint A records. */
export function dashedIp(ip: string): string {
  return ip.replace(/\./g, '-');
}

/** `10-128-2-15` → `10.128.2.15` when the label is a dashed IPv4 address. */
export function undashIp(label: string): string | undefined {
  const ip = label.replace(/-/g, '.');
  return /^\d+-\d+-\d+-\d+$/.test(label) && isIPv4(ip) ? ip : undefined;
}
