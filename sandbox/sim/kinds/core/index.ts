// The built-in Kubernetes kinds the embedded cluster serves, in discovery order.

import type { KindDef } from '../types.ts';
import { clusterRoleKind } from './clusterrole.ts';
import { clusterRoleBindingKind } from './clusterrolebinding.ts';
import { configMapKind } from './configmap.ts';
import { customResourceDefinitionKind } from './customresourcedefinition.ts';
import { daemonSetKind } from './daemonset.ts';
import { deploymentKind } from './deployment.ts';
import { endpointsKind } from './endpoints.ts';
import { endpointSliceKind } from './endpointslice.ts';
import { eventKind } from './event.ts';
import { leaseKind } from './lease.ts';
import { namespaceKind } from './namespace.ts';
import { nodeKind } from './node.ts';
import { persistentVolumeKind } from './persistentvolume.ts';
import { persistentVolumeClaimKind } from './persistentvolumeclaim.ts';
import { podKind } from './pod.ts';
import { podDisruptionBudgetKind } from './poddisruptionbudget.ts';
import { replicaSetKind } from './replicaset.ts';
import { roleKind } from './role.ts';
import { roleBindingKind } from './rolebinding.ts';
import { secretKind } from './secret.ts';
import { selfSubjectAccessReviewKind } from './selfsubjectaccessreview.ts';
import { selfSubjectReviewKind } from './selfsubjectreview.ts';
import { serviceKind } from './service.ts';
import { serviceAccountKind } from './serviceaccount.ts';
import { statefulSetKind } from './statefulset.ts';

export const coreKinds: KindDef[] = [
  // core/v1
  configMapKind,
  endpointsKind,
  eventKind,
  namespaceKind,
  nodeKind,
  persistentVolumeClaimKind,
  persistentVolumeKind,
  podKind,
  secretKind,
  serviceAccountKind,
  serviceKind,
  // apps/v1
  daemonSetKind,
  deploymentKind,
  replicaSetKind,
  statefulSetKind,
  // discovery.k8s.io, coordination.k8s.io, policy
  endpointSliceKind,
  leaseKind,
  podDisruptionBudgetKind,
  // rbac.authorization.k8s.io
  clusterRoleBindingKind,
  clusterRoleKind,
  roleBindingKind,
  roleKind,
  // authentication, authorization, apiextensions
  selfSubjectReviewKind,
  selfSubjectAccessReviewKind,
  customResourceDefinitionKind,
];

export { qosClass, defaultPodSpec, validatePodSpec, defaultPullPolicy } from './pod.ts';
export { summarizePod } from './pod-printer.ts';
export { nodeStatusCell } from './node.ts';
export { serviceExternalIP, servicePorts } from './service.ts';
