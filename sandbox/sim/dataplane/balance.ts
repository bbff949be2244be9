// HAProxy's balance algorithms for a route backend, over weighted servers.
// Weight 0 servers stay in the backend (a sticky cookie may still name them)
// but the algorithm never picks them.

export const BALANCE_ALGORITHMS = ['roundrobin', 'leastconn', 'source', 'random'] as const;
export type BalanceAlgorithm = typeof BALANCE_ALGORITHMS[number];

export interface WeightedServer {
  id: string;
  weight: number;
}

export function isBalanceAlgorithm(v: string | undefined): v is BalanceAlgorithm {
  return (BALANCE_ALGORITHMS as readonly string[]).includes(v ?? '');
}

/** FNV-1a over the address text: a stable spread of client addresses (balance source). */
function addressHash(ip: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ip.length; i++) {
    h ^= ip.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Walks the servers to the one that owns position `at` of the total weight. */
function byWeight(servers: WeightedServer[], at: number): WeightedServer {
  let acc = 0;
  for (const s of servers) {
    acc += s.weight;
    if (at < acc) return s;
  }
  return servers[servers.length - 1];
}

/** One backend's balancing state (the round-robin position). */
export class BackendBalancer {
  /** Smooth weighted round robin: each server's running credit. */
  private readonly credit = new Map<string, number>();

  choose(algorithm: BalanceAlgorithm, all: WeightedServer[], clientIp: string, random: () => number, exclude?: ReadonlySet<string>): WeightedServer | undefined {
    const servers = all.filter((s) => s.weight > 0 && !exclude?.has(s.id));
    if (!servers.length) return undefined;
    const total = servers.reduce((a, s) => a + s.weight, 0);
    switch (algorithm) {
      case 'source':
        // Map-based hashing: the same client lands on the same server while the server set stays the same.
        return byWeight(servers, addressHash(clientIp) % total);
      case 'random':
        return byWeight(servers, Math.floor(random() * total) % total);
      case 'leastconn':
        // Requests never overlap in the simulator, so every server has 0 connections and
        // HAProxy's tie-break, a rotation, decides.
      case 'roundrobin':
      default:
        return this.nextInRotation(servers, total);
    }
  }

  private nextInRotation(servers: WeightedServer[], total: number): WeightedServer {
    for (const id of [...this.credit.keys()]) if (!servers.some((s) => s.id === id)) this.credit.delete(id);
    let best: WeightedServer | undefined;
    let bestCredit = -Infinity;
    for (const s of servers) {
      const c = (this.credit.get(s.id) ?? 0) + s.weight;
      this.credit.set(s.id, c);
      if (c > bestCredit) {
        best = s;
        bestCredit = c;
      }
    }
    this.credit.set(best!.id, bestCredit - total);
    return best!;
  }
}
