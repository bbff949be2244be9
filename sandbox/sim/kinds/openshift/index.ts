// The OpenShift kinds the course uses: Routes, the Machine API and the cluster Network and Ingress configs.

import type { KindDef } from '../types.ts';
import { machineKind } from './machine.ts';
import { machineHealthCheckKind } from './machinehealthcheck.ts';
import { machineSetKind } from './machineset.ts';
import { networkConfigKind } from './network.ts';
import { ingressConfigKind } from './ingress-config.ts';
import { routeKind } from './route.ts';

export {
  routeKind, applyRouteDefaults, validateRouteSpec, routeHostCell, routeServicesCell, routePortCell, routeTerminationCell, ROUTE_V1,
} from './route.ts';
export { machineKind, MACHINE_V1BETA1 } from './machine.ts';
export { machineSetKind } from './machineset.ts';
export { machineHealthCheckKind } from './machinehealthcheck.ts';
export { networkConfigKind } from './network.ts';
export { ingressConfigKind } from './ingress-config.ts';

export const openshiftKinds: KindDef[] = [routeKind, machineKind, machineSetKind, machineHealthCheckKind, networkConfigKind, ingressConfigKind];
