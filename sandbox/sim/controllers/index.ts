// The controllers every embedded cluster runs, in start order. cluster.ts is
// the only place that starts them; controllers never import each other.

import type { Controller } from '../runtime/controller.ts';
import type { ControllerDeps } from './types.ts';
import { garbageCollector } from './gc/controller.ts';
import { namespaceController } from './namespace/controller.ts';
import { serviceAccountController } from './serviceaccount/controller.ts';
import { kubeletController } from './kubelet/controller.ts';

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
  // New controllers: add one line each here (scheduler, node-lifecycle, vm, vmi, virt-handler, migration, evacuation, machine, machineset, mhc, fault).
];
