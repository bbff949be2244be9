// The controllers every embedded cluster runs, in start order. cluster.ts is
// the only place that starts them; controllers never import each other.

import type { Controller } from '../runtime/controller.ts';
import type { ControllerDeps } from './types.ts';
import { garbageCollector } from './gc/controller.ts';
import { namespaceController } from './namespace/controller.ts';
import { serviceAccountController } from './serviceaccount/controller.ts';
import { kubeletController } from './kubelet/controller.ts';
import { nodeStatusController } from './kubelet/node-status.ts';
import { schedulerController } from './scheduler/controller.ts';
import { nodeLifecycleController } from './node-lifecycle/controller.ts';
import { taintEvictionController } from './node-lifecycle/taint-eviction.ts';
import { podGcController } from './node-lifecycle/pod-gc.ts';
import { virtHandlerHeartbeatController } from './kubevirt-node/heartbeat.ts';
import { kubevirtNodeController } from './kubevirt-node/controller.ts';
import { faultController } from './fault/controller.ts';
import { machineController } from './machine/controller.ts';
import { machineDrainController } from './machine/drain.ts';
import { machineSetController } from './machineset/controller.ts';
import { machineHealthCheckController } from './mhc/controller.ts';
import { migrationController } from './migration/controller.ts';
import { migrationHandlerController } from './migration/handler.ts';
import { evacuationController } from './evacuation/controller.ts';
import { vmController } from './vm/controller.ts';
import { vmiController } from './vmi/controller.ts';
import { virtHandlerController } from './virt-handler/controller.ts';
import { routerController } from './router/controller.ts';
import { metallbController } from './metallb/controller.ts';
import { metallbSpeaker } from './metallb/speaker.ts';
import { endpointsController } from './endpoints/controller.ts';
import { endpointSliceController } from './endpointslice/controller.ts';

export interface ControllerFactory {
  /** Service account the controller acts as (system:serviceaccount:<namespace>:<name>). */
  serviceAccount: { namespace: string; name: string };
  create(deps: ControllerDeps): Controller;
}

export const controllerFactories: ControllerFactory[] = [
  { serviceAccount: { namespace: 'kube-system', name: 'generic-garbage-collector' }, create: garbageCollector },
  { serviceAccount: { namespace: 'kube-system', name: 'namespace-controller' }, create: namespaceController },
  { serviceAccount: { namespace: 'kube-system', name: 'service-account-controller' }, create: serviceAccountController },
  { serviceAccount: { namespace: 'kube-system', name: 'kubelet' }, create: kubeletController },
  { serviceAccount: { namespace: 'kube-system', name: 'kubelet' }, create: nodeStatusController },
  { serviceAccount: { namespace: 'kube-system', name: 'kube-scheduler' }, create: schedulerController },
  { serviceAccount: { namespace: 'kube-system', name: 'node-controller' }, create: nodeLifecycleController },
  { serviceAccount: { namespace: 'kube-system', name: 'taint-eviction-controller' }, create: taintEvictionController },
  { serviceAccount: { namespace: 'kube-system', name: 'pod-garbage-collector' }, create: podGcController },
  { serviceAccount: { namespace: 'kube-system', name: 'endpoint-controller' }, create: endpointsController },
  { serviceAccount: { namespace: 'kube-system', name: 'endpointslice-controller' }, create: endpointSliceController },
  { serviceAccount: { namespace: 'openshift-cnv', name: 'kubevirt-handler' }, create: virtHandlerHeartbeatController },
  { serviceAccount: { namespace: 'openshift-cnv', name: 'kubevirt-controller' }, create: kubevirtNodeController },
  { serviceAccount: { namespace: 'kube-system', name: 'virtlab-fault-injector' }, create: faultController },
  { serviceAccount: { namespace: 'openshift-cnv', name: 'kubevirt-controller' }, create: vmController },
  { serviceAccount: { namespace: 'openshift-cnv', name: 'kubevirt-controller' }, create: vmiController },
  { serviceAccount: { namespace: 'openshift-cnv', name: 'kubevirt-handler' }, create: virtHandlerController },
  { serviceAccount: { namespace: 'openshift-cnv', name: 'kubevirt-controller' }, create: migrationController },
  { serviceAccount: { namespace: 'openshift-cnv', name: 'kubevirt-handler' }, create: migrationHandlerController },
  { serviceAccount: { namespace: 'openshift-cnv', name: 'kubevirt-controller' }, create: evacuationController },
  { serviceAccount: { namespace: 'openshift-machine-api', name: 'machine-api-controllers' }, create: machineController },
  { serviceAccount: { namespace: 'openshift-machine-api', name: 'machine-api-controllers' }, create: machineDrainController },
  { serviceAccount: { namespace: 'openshift-machine-api', name: 'machine-api-controllers' }, create: machineSetController },
  { serviceAccount: { namespace: 'openshift-machine-api', name: 'machine-api-controllers' }, create: machineHealthCheckController },
  { serviceAccount: { namespace: 'openshift-ingress', name: 'router' }, create: routerController },
  { serviceAccount: { namespace: 'metallb-system', name: 'controller' }, create: metallbController },
  { serviceAccount: { namespace: 'metallb-system', name: 'speaker' }, create: metallbSpeaker },
];
