// Every kind the embedded cluster serves besides the Kubernetes built-ins:
// KubeVirt, MetalLB, OpenShift Routes, the Machine API and the cluster Network config.

import type { KindDef } from './types.ts';
import { kubevirtKinds } from './kubevirt/index.ts';
import { metallbKinds } from './metallb/index.ts';
import { openshiftKinds } from './openshift/index.ts';
import { faultKind } from './sim/fault.ts';

export const customKinds: KindDef[] = [...kubevirtKinds, ...metallbKinds, ...openshiftKinds, faultKind];
