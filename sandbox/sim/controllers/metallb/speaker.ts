// MetalLB's speakers in layer 2 mode (metallb-system/speaker, one per node):
// for each LoadBalancer Service with an address, the node elected among the
// live speakers announces it, keeps a ServiceL2Status saying so and tells the
// Service (nodeAssigned). A speaker is live while its node is up, reachable
// and Ready. When nothing announces the address (no ready endpoint, no
// L2Advertisement for its pool, no eligible node) there is no ServiceL2Status:
// that is how the data plane knows an address does not answer.

import { createHash } from 'node:crypto';
import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { deepEqual } from '../../api/rest-storage.ts';
import { metallbConfig } from '../../kinds/metallb/index.ts';
import { FAULTS } from '../../kinds/sim/fault.ts';
import { nodeReachable } from '../../faults/queries.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import { isConflict, isNotFound } from '../../runtime/client.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import type { StoreEvent } from '../../store/object-store.ts';
import type { ControllerDeps } from '../types.ts';
import { cidrContains, parseAddress, type Address, type Pools } from './allocator.ts';
import { ingressIPs, isMetalLBService } from './converge.ts';
import { IPADDRESSPOOLS, L2ADVERTISEMENTS, SERVICEL2STATUSES, metallbL2Advertisements, metallbPools } from './config.ts';
import {
  advertisementsFor, announcedInterfaces, electL2Leader, nodeEligibilityFacts, nodeReady, parseL2Advertisements,
} from './l2-election.ts';
import { jsonClone } from '../../api/json-clone.ts';

const ENDPOINTSLICES = 'discovery.k8s.io/endpointslices';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export const Label = {
  node: 'metallb.io/node',
  serviceName: 'metallb.io/service-name',
  serviceNamespace: 'metallb.io/service-namespace',
} as const;

export const Reason = {
  nodeAssigned: 'nodeAssigned',
  announceFailed: 'announceFailed',
} as const;

/** The network interfaces of a simulated node. */
const NODE_INTERFACES = ['eth0'];
const PROTOCOL = 'layer2';

/** generateName's alphabet (no vowels, no confusable digits). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `l2-xxxxx` like the speaker's generateName, but the same for the same Service and node. */
function statusName(svcKey: string, node: string): string {
  const h = createHash('sha256').update(`${svcKey}@${node}`).digest();
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[h[i] % NAME_ALPHABET.length];
  return `l2-${suffix}`;
}

/** The pool whose prefixes hold every address (the speaker's poolFor). */
function poolFor(pools: Pools, ips: readonly Address[]): string | undefined {
  return pools.list.find((p) => ips.every((ip) => p.cidrs.some((c) => cidrContains(c, ip))))?.name;
}

interface Announcement {
  node: string;
  interfaces?: string[];
}

export function metallbSpeaker(deps: ControllerDeps): Controller {
  const { client } = deps;
  const recorders = new Map<string, EventRecorder>();
  const recorderFor = (node: string): EventRecorder => {
    let r = recorders.get(node);
    if (!r) recorders.set(node, (r = deps.recorder({ component: 'metallb-speaker', host: node })));
    return r;
  };

  /** A node's speaker is a live member: the machine is on and reachable, and the node is Ready. */
  const speakerUp = (node: KubeObject): boolean => nodeReady(node) && nodeReachable(client, node.metadata.name!);

  async function desiredAnnouncement(svc: KubeObject | undefined): Promise<Announcement | undefined> {
    if (!svc || !isMetalLBService(svc)) return undefined;
    const ips = ingressIPs(svc).map(parseAddress);
    if (ips.length === 0 || ips.some((ip) => !ip)) return undefined;
    const pools = metallbPools((r, ns) => client.list(r, ns));
    const pool = poolFor(pools, ips as Address[]);
    if (!pool) return undefined;
    const nodes = client.list('nodes');
    const ads = parseL2Advertisements(
      metallbL2Advertisements((r, ns) => client.list(r, ns)),
      client.list(IPADDRESSPOOLS, metallbConfig.namespace),
      nodes,
    );
    const slices = client.list(ENDPOINTSLICES, svc.metadata.namespace).filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === svc.metadata.name);
    const texts = (ips as Address[]).map((ip) => ip.text);
    const election = electL2Leader(svc, texts, advertisementsFor(ads, pool, svc), slices, nodes, speakerUp);
    if (!election.node) return undefined;
    const interfaces = announcedInterfaces(election.ads, election.node);
    if (interfaces && !interfaces.some((i) => NODE_INTERFACES.includes(i))) {
      for (const ip of texts) {
        await recorderFor(election.node).event(svc, 'Warning', Reason.announceFailed,
          `the interfaces specified by LB IP ${JSON.stringify(ip)} doesn't exist in assigned node ${JSON.stringify(election.node)} with protocol ${JSON.stringify(PROTOCOL)}`);
      }
      return undefined;
    }
    return { node: election.node, ...(interfaces ? { interfaces } : {}) };
  }

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const svc = client.get('services', namespace, name);
    const want = await desiredAnnouncement(svc);
    const existing = client.list(SERVICEL2STATUSES, metallbConfig.namespace)
      .filter((s) => s.metadata.labels?.[Label.serviceName] === name && s.metadata.labels?.[Label.serviceNamespace] === namespace);

    // Keep the announcing node's status; every other one goes.
    const keep = want ? existing.find((s) => s.metadata.labels?.[Label.node] === want.node) : undefined;
    for (const s of existing) {
      if (s !== keep) await client.delete(SERVICEL2STATUSES, s.metadata.namespace, s.metadata.name!);
    }
    if (!want || !svc) return;

    const status: Record<string, unknown> = {
      node: want.node, serviceName: name, serviceNamespace: namespace,
      ...(want.interfaces ? { interfaces: want.interfaces.map((i) => ({ name: i })) } : {}),
    };
    let obj = keep;
    if (!obj) {
      const fresh: KubeObject = {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'ServiceL2Status',
        metadata: {
          name: statusName(key, want.node),
          namespace: metallbConfig.namespace,
          labels: { [Label.node]: want.node, [Label.serviceName]: name, [Label.serviceNamespace]: namespace! },
        },
        spec: {},
      };
      try {
        obj = await client.create(SERVICEL2STATUSES, fresh);
      } catch (e) {
        if (!isConflict(e)) throw e;
        obj = client.get(SERVICEL2STATUSES, metallbConfig.namespace, fresh.metadata.name!);
        if (!obj) throw e;
      }
      await recorderFor(want.node).event(svc, 'Normal', Reason.nodeAssigned,
        `announcing from node ${JSON.stringify(want.node)} with protocol ${JSON.stringify(PROTOCOL)}`);
    }
    const cur = isPlainObject(obj.status) ? obj.status : {};
    if (deepEqual(cur, status)) return;
    try {
      await client.updateStatus(SERVICEL2STATUSES, { ...jsonClone(obj), status });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Services that may be announced (or were): LoadBalancers with an address. */
  const announcedKeys = (): string[] => client.list('services').filter((s) => isMetalLBService(s) && ingressIPs(s).length > 0).map(keyOf);
  const statusKeys = (): string[] => client.list(SERVICEL2STATUSES, metallbConfig.namespace)
    .filter((s) => s.metadata.labels?.[Label.serviceNamespace] && s.metadata.labels?.[Label.serviceName])
    .map((s) => `${s.metadata.labels![Label.serviceNamespace]}/${s.metadata.labels![Label.serviceName]}`);
  const everything = (): string[] => [...new Set([...announcedKeys(), ...statusKeys()])];

  const changed = (ev: StoreEvent | undefined, facts: (o: KubeObject) => unknown): boolean =>
    !ev || ev.type !== 'MODIFIED' || !ev.previous || !deepEqual(facts(ev.previous), facts(ev.object));

  return {
    name: 'metallb-speaker',
    watches: [
      { resource: 'services', map: (s) => [keyOf(s)] },
      {
        resource: ENDPOINTSLICES,
        map: (s) => {
          const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
          return svc ? [`${s.metadata.namespace}/${svc}`] : [];
        },
      },
      { resource: 'nodes', map: (n, ev) => (ev && changed(ev, nodeEligibilityFacts) ? everything() : []) },
      { resource: FAULTS, map: (_f, ev) => (ev ? everything() : []) },
      { resource: IPADDRESSPOOLS, map: (p, ev) => (ev && changed(ev, (o) => [o.spec, o.metadata.labels, !!o.metadata.deletionTimestamp]) ? everything() : []) },
      { resource: L2ADVERTISEMENTS, map: (_a, ev) => (ev ? everything() : []) },
      {
        resource: SERVICEL2STATUSES,
        map: (s) => {
          const ns = s.metadata.labels?.[Label.serviceNamespace];
          const svc = s.metadata.labels?.[Label.serviceName];
          return ns && svc ? [`${ns}/${svc}`] : [];
        },
      },
    ],
    reconcile,
  };
}
