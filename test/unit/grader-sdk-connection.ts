// A ClusterConnection onto a test cluster for the grader SDK tests: the
// harness kubeconfig through @kubernetes/client-node, and cluster time that
// moves only when a check sleeps (the ManualClock advances and controllers settle).

import { KubeConfig } from '@kubernetes/client-node';
import type { Capability, ClusterConnection } from '../../graders/sdk/index.ts';
import { createExternalHttp } from '../../graders/sdk/index.ts';
import type { Sim } from '../integration/harness.ts';

export const EMBEDDED: Capability[] = ['kubevirt', 'metallb', 'routes', 'machine-api', 'faults', 'embedded'];

export function simConnection(sim: Sim, capabilities: Capability[] = EMBEDDED): ClusterConnection {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(sim.kubeconfig);
  return {
    kubeConfig,
    server: sim.api.url,
    capabilities: new Set(capabilities),
    time: { now: () => sim.clock.now(), sleep: (s) => sim.advance(s) },
    http: createExternalHttp(),
  };
}
