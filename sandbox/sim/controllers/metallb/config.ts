// MetalLB's configuration as its controller and speakers read it: only the
// objects in MetalLB's own namespace count (internal/config reads nothing else).

import type { KubeObject } from '../../api/object.ts';
import { metallbConfig } from '../../kinds/metallb/index.ts';
import { parsePools, type Pools } from './allocator.ts';

export const IPADDRESSPOOLS = 'metallb.io/ipaddresspools';
export const L2ADVERTISEMENTS = 'metallb.io/l2advertisements';
export const SERVICEL2STATUSES = 'metallb.io/servicel2statuses';

type Lister = (resource: string, namespace?: string) => KubeObject[];

/** The IPAddressPools of metallb-system that are not being deleted, parsed. */
export function metallbPools(list: Lister): Pools {
  return parsePools(list(IPADDRESSPOOLS, metallbConfig.namespace).filter((p) => !p.metadata.deletionTimestamp), list('namespaces'));
}

/** The L2Advertisements of metallb-system that are not being deleted. */
export function metallbL2Advertisements(list: Lister): KubeObject[] {
  return list(L2ADVERTISEMENTS, metallbConfig.namespace).filter((a) => !a.metadata.deletionTimestamp);
}
