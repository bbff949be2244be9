// instancetype.kubevirt.io/v1beta1: instance types (the CPU and memory a VM
// gets) and preferences (preferred devices and topology), namespaced and
// cluster-wide. Names and short names as virt-operator's crds.go declares them.

import type { Schema } from '../schema.ts';
import { bool, freeform, int, obj, quantity, str } from '../schema.ts';
import type { KindDef } from '../types.ts';

const GROUP = 'instancetype.kubevirt.io';
const VERSION = 'v1beta1';

const instancetypeSpec: Schema = {
  ...obj({
    cpu: obj({
      guest: int('Number of vCPUs exposed to the guest.', 'int32'),
      model: str('CPU model; defaults to the cluster CPU model.'),
      dedicatedCPUPlacement: bool('Pin each vCPU to a dedicated host CPU.'),
      isolateEmulatorThread: bool('Give the emulator thread its own host CPU.'),
      maxSockets: int('Upper bound of sockets for CPU hotplug.'),
      numa: freeform('NUMA topology.'),
      realtime: freeform('Real-time tuning.'),
    }, { description: 'vCPUs of VMs using this instance type.', required: ['guest'] }),
    memory: obj({
      guest: quantity('Memory exposed to the guest.'),
      hugepages: obj({ pageSize: str('Huge page size, e.g. 2Mi or 1Gi.') }, { description: 'Back guest memory with huge pages.' }),
      overcommitPercent: int('Percentage by which the memory request is lowered below the guest memory.'),
      maxGuest: quantity('Upper bound for memory hotplug.'),
    }, { description: 'Memory of VMs using this instance type.', required: ['guest'] }),
  }, { description: 'The resources an instance type gives a VM; the VM may not set them itself.', required: ['cpu', 'memory'] }),
  'x-kubernetes-preserve-unknown-fields': true,
};

const preferenceSpec: Schema = {
  ...obj({
    cpu: obj({
      preferredCPUTopology: str('How vCPUs are laid out: spread, cores, sockets, threads or any.'),
      spreadOptions: freeform('Ratio and axes for the spread topology.'),
      preferredCPUFeatures: freeform('CPU features to request.'),
    }, { description: 'Preferred vCPU layout.' }),
    devices: freeform('Preferred device settings, e.g. preferredDiskBus, preferredInterfaceModel.'),
    features: freeform('Preferred hypervisor features.'),
    firmware: freeform('Preferred firmware, e.g. preferredUseEfi.'),
    machine: freeform('Preferred machine type.'),
    clock: freeform('Preferred clock settings.'),
    requirements: freeform('Minimum CPU and memory the instance type must provide.'),
    preferredTerminationGracePeriodSeconds: int('Grace period used when the VM sets none.', 'int64'),
    preferredSubdomain: str('Subdomain used when the VM sets none.'),
    preferredArchitecture: str('Architecture used when the VM sets none.'),
  }, { description: 'Defaults applied to VMs using this preference when they do not set the field themselves.' }),
  'x-kubernetes-preserve-unknown-fields': true,
};

function kind(opts: {
  kind: string; plural: string; singular: string; namespaced: boolean; shortNames: string[]; categories?: string[];
  spec: Schema; description: string;
}): KindDef {
  return {
    group: GROUP,
    version: VERSION,
    kind: opts.kind,
    plural: opts.plural,
    singular: opts.singular,
    namespaced: opts.namespaced,
    shortNames: opts.shortNames,
    ...(opts.categories ? { categories: opts.categories } : {}),
    custom: true,
    schemaName: `io.kubevirt.instancetype.${VERSION}.${opts.kind}`,
    schema: obj({ spec: opts.spec }, { required: ['spec'] }),
    description: opts.description,
    printerColumns: [],
  };
}

export const virtualMachineInstancetypeKind = kind({
  kind: 'VirtualMachineInstancetype', plural: 'virtualmachineinstancetypes', singular: 'virtualmachineinstancetype',
  namespaced: true, shortNames: ['vminstancetype', 'vminstancetypes', 'vmf', 'vmfs'], categories: ['all'],
  spec: instancetypeSpec,
  description: 'A named size for virtual machines in one namespace: vCPUs and memory (and related resource settings) that VMs refer to through spec.instancetype.',
});

export const virtualMachineClusterInstancetypeKind = kind({
  kind: 'VirtualMachineClusterInstancetype', plural: 'virtualmachineclusterinstancetypes', singular: 'virtualmachineclusterinstancetype',
  namespaced: false, shortNames: ['vmclusterinstancetype', 'vmclusterinstancetypes', 'vmcf', 'vmcfs'],
  spec: instancetypeSpec,
  description: 'A cluster-wide named size for virtual machines: vCPUs and memory that VMs in any namespace can use through spec.instancetype.',
});

export const virtualMachinePreferenceKind = kind({
  kind: 'VirtualMachinePreference', plural: 'virtualmachinepreferences', singular: 'virtualmachinepreference',
  namespaced: true, shortNames: ['vmpref', 'vmprefs', 'vmp', 'vmps'], categories: ['all'],
  spec: preferenceSpec,
  description: 'Preferred settings (device models, topology, firmware) for virtual machines in one namespace, applied where a VM does not choose itself.',
});

export const virtualMachineClusterPreferenceKind = kind({
  kind: 'VirtualMachineClusterPreference', plural: 'virtualmachineclusterpreferences', singular: 'virtualmachineclusterpreference',
  namespaced: false, shortNames: ['vmcp', 'vmcps'],
  spec: preferenceSpec,
  description: 'Cluster-wide preferred settings (device models, topology, firmware) for virtual machines, applied where a VM does not choose itself.',
});

export const instancetypeKinds: KindDef[] = [
  virtualMachineInstancetypeKind,
  virtualMachineClusterInstancetypeKind,
  virtualMachinePreferenceKind,
  virtualMachineClusterPreferenceKind,
];
