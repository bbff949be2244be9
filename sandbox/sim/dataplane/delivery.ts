// The last hop: a connection to a pod IP and one request on it. The guest
// that holds the address answers (or refuses, or stays silent while it boots,
// hangs or is paused); plain containers answer for themselves. A node that is
// powered off or cut off by a NetworkPartition fault swallows the packets,
// both ways, except between pods of that same partitioned node.

import type { GuestDelivery } from '../guest/runtime.ts';
import { containerAnswer } from './container-http.ts';
import type { Delivery } from './http-message.ts';
import type { NetworkSnapshot } from './network-view.ts';

/** The part of the guest runtime the network needs. */
export interface GuestDeliveryTarget {
  deliver(ip: string, port: number, method: string, path: string): GuestDelivery | undefined;
}

export interface DeliveryContext {
  snapshot: NetworkSnapshot;
  guests: GuestDeliveryTarget;
  now: number;
}

/** The node a connection leaves from (a guest's node, the node that took the traffic in); none for outside. */
export interface Origin {
  node?: string;
}

/** Whether packets between the origin and a node get through. */
export function pathOpen(snapshot: NetworkSnapshot, from: Origin, toNode: string | undefined): { open: true } | { open: false; why: string } {
  const target = toNode ? snapshot.nodes.get(toNode) : undefined;
  if (target?.poweredOff) return { open: false, why: `node ${target.name} is powered off` };
  const source = from.node ? snapshot.nodes.get(from.node) : undefined;
  if (source && toNode && source.name === toNode) return { open: true };
  if (target && !target.reachable) return { open: false, why: `node ${target.name} is cut off from the network` };
  if (source && !source.reachable) return { open: false, why: `node ${source.name} is cut off from the network` };
  return { open: true };
}

export function deliverToPod(ctx: DeliveryContext, ip: string, port: number, method: string, path: string, from: Origin): Delivery {
  const where = `${ip}:${port}`;
  const pod = ctx.snapshot.podsByIP.get(ip);
  const path_ = pathOpen(ctx.snapshot, from, pod?.nodeName);
  if (!path_.open) return { error: 'timeout', detail: `${where}: connection timed out (${path_.why})` };
  const answer = ctx.guests.deliver(ip, port, method, path);
  if (answer) return fromGuest(answer, where);
  if (pod && pod.phase === 'Running') return containerAnswer(pod.object, port, method, ctx.now);
  // Nobody holds the address: the packets go nowhere.
  return { error: 'timeout', detail: `${where}: connection timed out (no pod has this address)` };
}

function fromGuest(answer: GuestDelivery, where: string): Delivery {
  if ('error' in answer) {
    return answer.error === 'refused'
      ? { error: 'refused', detail: `${where}: connection refused` }
      : { error: 'timeout', detail: `${where}: connection timed out (the guest does not answer)` };
  }
  const reply = answer.reply;
  if (reply.kind === 'banner') return { error: 'protocol', detail: `${where}: the server did not answer in HTTP (${reply.banner.slice(0, 40)})` };
  const r = reply.response;
  return { status: r.status, reason: r.reason, headers: r.headers.map(([k, v]) => [k, v]), body: r.body };
}
