// The clusters behind the workspaces, one interface for both kinds: the
// embedded cluster (default: one simulated cluster per student, in this
// process) and a real cluster reached by a kubeconfig (a namespace, a
// ServiceAccount and a token per student). Graders, the lab runs and the
// topology view go through it and never learn which kind they talk to.

import type { KubeObject } from '../sandbox/sim/api/object.ts';
import type { ClusterConnection } from '../graders/sdk/types.ts';
import type { LabSpec } from '../cli/lab/schema.ts';
import type { Workspace } from './workspaces.ts';

/** What a student's shell needs to reach the workspace's cluster (see sandbox/shell/jail/shell-env.ts). */
export interface ClusterAccess {
  /** https://host:port of the API server. */
  server: string;
  /** Bearer token of the student's user: scoped to this workspace's cluster (or namespace). */
  token: string;
  caPem?: string;
  /** Namespace of the kubeconfig's context. */
  namespace?: string;
  /** http://host:port of the external data-plane proxy (embedded clusters). */
  proxy?: string;
}

/** The kinds the topology view reads. */
export type TopologyResource = 'nodes' | 'pods' | 'services' | 'routes' | 'virtualmachines' | 'virtualmachineinstances';

/** A read-only view of a workspace's objects, for the topology and its change feed. */
export interface ClusterObjects {
  list(resource: TopologyResource): Promise<KubeObject[]>;
  /** `changed` is called after objects of the topology's kinds change; returns the unsubscribe. */
  watch(changed: () => void): () => void;
}

export interface ClusterProvider {
  /** `embedded` or `kubeconfig`: stored with each workspace. */
  readonly kind: string;
  /** Brings back the clusters of existing workspaces (after a restart). */
  restore(workspaces: Workspace[]): Promise<void>;
  /** Creates the workspace's cluster (or namespace and credentials) when missing; a new one is sized for `lab`. */
  ensure(ws: Workspace, lab?: LabSpec): Promise<void>;
  /** Whether ensure() made the workspace's cluster. */
  exists(ws: Workspace): boolean;
  /** The shell's access; tokens exist before the cluster does, so a shell opened early works once the lab starts. */
  accessFor(ws: Workspace): Promise<ClusterAccess>;
  /** A kubeconfig (YAML) with that access, for the student's shells only. */
  kubeconfigFor(ws: Workspace): Promise<string>;
  /** A connection for graders and lab runs (may carry more rights than the student's token). */
  connectionFor(ws: Workspace): Promise<ClusterConnection>;
  /** http://host:port of the workspace's external proxy, if it has one. */
  proxyFor(ws: Workspace): string | undefined;
  objectsOf(ws: Workspace): ClusterObjects | undefined;
  /** Saves what must survive a restart: all workspaces, or one right away. */
  persist(ws?: Workspace): Promise<void>;
  close(): Promise<void>;
}
