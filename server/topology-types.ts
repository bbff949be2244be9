// The topology the lab page draws, as GET /api/workspace/topology sends it.
// Types only, no imports: the browser bundle (web/) reads them too.

export interface TopologyNode {
  name: string;
  roles: string[];
  ready: boolean;
  schedulable: boolean;
}

export interface TopologyVm {
  namespace: string;
  name: string;
  status?: string;
  runStrategy?: string;
}

export interface TopologyVmi {
  namespace: string;
  name: string;
  node?: string;
  phase?: string;
  ready: boolean;
  ip?: string;
  /** The VM that owns it, if any. */
  vm?: string;
}

export interface TopologyService {
  namespace: string;
  name: string;
  type: string;
  clusterIP?: string;
  externalIPs: string[];
  ports: { port: number; targetPort?: number | string; nodePort?: number; protocol?: string }[];
  /** VMIs whose launcher pods the selector matches, with whether each is a ready endpoint. */
  vmis: { name: string; ready: boolean }[];
}

export interface TopologyRoute {
  namespace: string;
  name: string;
  host?: string;
  service?: string;
  admitted: boolean;
}

export interface Topology {
  nodes: TopologyNode[];
  vms: TopologyVm[];
  vmis: TopologyVmi[];
  services: TopologyService[];
  routes: TopologyRoute[];
}
