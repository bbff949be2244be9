// Cluster-level admission: checks that need to read other objects (KubeVirt's
// eviction and migration webhooks, namespace lifecycle). Kinds' own admit()
// hooks only see the object; plugins get a read-only view of the cluster.

import type { KubeObject } from './object.ts';
import type { AdmissionResult, KindDef, Operation, StrategyContext } from '../kinds/types.ts';

export interface ClusterReader {
  get(kind: KindDef | string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(kind: KindDef | string, namespace?: string): KubeObject[];
}

export interface AdmissionRequest {
  kind: KindDef;
  /** "" for the main resource, "status", "eviction"… */
  subresource: string;
  operation: Operation;
  object: KubeObject;
  oldObject?: KubeObject;
  namespace?: string;
  name: string;
  ctx: StrategyContext;
  dryRun: boolean;
}

export interface AdmissionPlugin {
  name: string;
  /** Store keys ("pods", "kubevirt.io/virtualmachineinstancemigrations") the plugin looks at. */
  resources: string[];
  /**
   * Mutating plugins change `req.object` in place and run before validation;
   * validating plugins run after. A plugin may also write to the cluster (KubeVirt's
   * eviction webhook patches the VMI) through `writer`, unless the request is a dry run.
   */
  phase: 'mutating' | 'validating';
  admit(req: AdmissionRequest, cluster: ClusterReader): AdmissionResult | Promise<AdmissionResult>;
}
