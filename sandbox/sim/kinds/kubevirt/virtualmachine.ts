// kubevirt.io/v1 VirtualMachine: the CRD as virt-operator installs it, the
// VM mutating webhook's defaults and the virtualmachine-validator.kubevirt.io
// admission rules (pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go).

import type { StatusCause } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { Schema } from '../schema.ts';
import { arr, bool, dateTime, freeform, int, obj, str, stringMap } from '../schema.ts';
import type { AdmissionResult, KindDef, Operation, StrategyContext } from '../types.ts';
import {
  applyVmTemplateSpecDefaults, applyVmiSpecDefaults, asArr, asObj, cause, ensureObj, kubevirtClusterConfig, kubevirtConditions,
  kubevirtDenial, stableUUID, validateDiscontinuedBindings, validateVmiMetadata, validateVmiSpec, vmiSpecSchema,
} from './vmi-spec-schema.ts';
import type { Json } from './vmi-spec-schema.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const VM_WEBHOOK = 'virtualmachine-validator.kubevirt.io';
export const RUNNING_DEPRECATED_WARNING = 'spec.running is deprecated, please use spec.runStrategy instead.';

const RUN_STRATEGIES = ['Halted', 'Manual', 'Always', 'RerunOnFailure', 'Once'];

const RUN_STRATEGY_DESCRIPTION = [
  'When the virtual machine should be running; replaces the deprecated spec.running (set one of the two, not both).',
  'Always: an instance always exists; if it stops, fails or is deleted, a new one is started (spec.running: true).',
  'RerunOnFailure: the instance is restarted after a failure, but not after the guest shuts down cleanly.',
  'Once: the instance runs once and is not restarted, whatever the outcome.',
  'Manual: KubeVirt never starts or restarts the instance by itself; use virtctl start, stop and restart.',
  'Halted: no instance is running; an existing one is stopped (spec.running: false).',
  'WaitAsReceiver: the VM waits as the target of a decentralized live migration (needs the DecentralizedLiveMigration feature gate).',
].join(' ');

function matcher(what: string): Schema {
  return obj({
    name: str(`Name of the ${what}.`),
    kind: str(`Kind of the ${what}, cluster-wide or namespaced.`),
    revisionName: str('ControllerRevision that captured the object when the VM was created.'),
    inferFromVolume: str('Volume whose labels name the object to use.'),
    inferFromVolumeFailurePolicy: str('Reject or Ignore when inference fails.'),
  }, { description: `The ${what} the VM uses.` });
}

const vmSpecSchema: Schema = obj({
  running: bool('Deprecated: true runs the VM (like runStrategy Always), false stops it (like Halted). Mutually exclusive with runStrategy.'),
  runStrategy: str(RUN_STRATEGY_DESCRIPTION),
  template: obj({
    metadata: {
      ...obj({
        labels: stringMap('Labels given to each instance; Services select VMs through them.'),
        annotations: stringMap('Annotations given to each instance.'),
        name: str('Ignored; instances are named after the VM.'),
        namespace: str('Ignored; instances live in the VM namespace.'),
      }, { description: 'Metadata copied onto each VirtualMachineInstance.' }),
      nullable: true,
      'x-kubernetes-preserve-unknown-fields': true,
    },
    spec: vmiSpecSchema,
  }, { description: 'The VirtualMachineInstance created whenever the VM is started.' }),
  dataVolumeTemplates: arr(freeform('A DataVolume created together with the VM and owned by it.'), 'DataVolumes to create for the VM (CDI).'),
  instancetype: matcher('instance type'),
  preference: matcher('preference'),
  updateVolumesStrategy: str('How volume changes are applied to a running VM: Replacement or Migration.'),
  liveUpdateFeatures: freeform('Deprecated live-update settings.'),
}, { description: 'The desired state of a virtual machine.', required: ['template'] });

const vmStatusSchema: Schema = {
  ...obj({
    printableStatus: { ...str('Short human-readable state shown by kubectl: Stopped, Provisioning, Starting, Running, Paused, Stopping, Terminating, Migrating, CrashLoopBackOff, ErrorUnschedulable, ErrImagePull, ImagePullBackOff, ErrorPvcNotFound, DataVolumeError, WaitingForVolumeBinding, WaitingForReceiver or Unknown.'), default: 'Stopped' },
    created: bool('An instance of this VM exists.'),
    ready: bool('The instance exists and is Ready.'),
    runStrategy: str('The run strategy last applied by the controller.'),
    conditions: kubevirtConditions('Ready, Failure, Paused, RestartRequired and the conditions copied from the instance.'),
    stateChangeRequests: arr(obj({
      action: str('Start or Stop.'),
      uid: str('UID of the instance a Stop applies to.'),
      data: stringMap('Extra settings, e.g. paused: "true".'),
    }, { required: ['action'] }), 'Pending start and stop requests, handled first to last.'),
    startFailure: obj({
      consecutiveFailCount: int('Instances in a row that failed before reaching Running.'),
      lastFailedVMIUID: str('UID of the last failed instance.'),
      retryAfterTimestamp: dateTime('No new instance is started before this time.'),
    }, { description: 'Crash-loop backoff state.' }),
    observedGeneration: int('Generation of the VM the status was computed for.', 'int64'),
    desiredGeneration: int('Generation of the VM the running instance should match.', 'int64'),
    volumeRequests: arr(freeform(), 'Pending volume hotplug requests.'),
    volumeSnapshotStatuses: arr(freeform(), 'Which volumes can be snapshotted.'),
    snapshotInProgress: str('Name of a snapshot being taken.'),
    restoreInProgress: str('Name of a restore in progress.'),
    memoryDumpRequest: freeform('State of a memory dump request.'),
    volumeUpdateState: freeform('State of volume updates.'),
    instancetypeRef: freeform('The instance type in use.'),
    preferenceRef: freeform('The preference in use.'),
    changedBlockTracking: freeform('Changed block tracking state.'),
  }, { description: 'The observed state of the VM; written by the VM controller.' }),
  'x-kubernetes-preserve-unknown-fields': true,
};

function templateSpec(o: KubeObject): Json | undefined {
  return asObj(asObj(asObj(o.spec)?.template)?.spec);
}

function validateRunStrategy(spec: Json): StatusCause[] {
  const causes: StatusCause[] = [];
  const hasRunning = spec.running !== undefined && spec.running !== null;
  const hasStrategy = spec.runStrategy !== undefined && spec.runStrategy !== null;
  if (hasRunning && hasStrategy) {
    causes.push(cause('FieldValueInvalid', 'Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead', 'spec.running'));
  }
  if (!hasRunning && !hasStrategy) {
    causes.push(cause('FieldValueInvalid', 'RunStrategy must be specified', 'spec.running'));
  }
  if (hasStrategy) {
    const rs = String(spec.runStrategy);
    if (rs === 'WaitAsReceiver') {
      if (!kubevirtClusterConfig.featureGates.has('DecentralizedLiveMigration')) {
        causes.push(cause('FieldValueInvalid', 'Invalid RunStrategy (WaitAsReceiver), DecentralizedLiveMigration feature gate is not enabled in kubevirt resource', 'spec.runStrategy'));
      }
    } else if (!RUN_STRATEGIES.includes(rs)) {
      causes.push(cause('FieldValueInvalid', `Invalid RunStrategy (${rs})`, 'spec.runStrategy'));
    }
  }
  return causes;
}

function validateDataVolumeTemplates(spec: Json): StatusCause[] {
  const causes: StatusCause[] = [];
  const volumes = asArr(asObj(asObj(spec.template)?.spec)?.volumes).map((v) => asObj(v) ?? {});
  asArr(spec.dataVolumeTemplates).forEach((raw, i) => {
    const dvt = asObj(raw) ?? {};
    const p = `spec.dataVolumeTemplate[${i}]`;
    const name = asObj(dvt.metadata)?.name;
    if (typeof name !== 'string' || name === '') {
      causes.push(cause('FieldValueRequired', `'name' field must not be empty for DataVolumeTemplate entry ${p}.name.`, `${p}.name`));
      return;
    }
    const dvSpec = asObj(dvt.spec) ?? {};
    if (dvSpec.pvc === undefined && dvSpec.storage === undefined) {
      causes.push(cause('FieldValueInvalid', 'Missing Data volume PVC or Storage', `${p}.PVC.Storage`));
      return;
    }
    if (dvSpec.pvc !== undefined && dvSpec.storage !== undefined) {
      causes.push(cause('FieldValueInvalid', 'Duplicate storage definition, both target storage and target pvc defined', `${p}.PVC.Storage`));
      return;
    }
    const referenced = volumes.some((v) => asObj(v.persistentVolumeClaim)?.claimName === name || asObj(v.dataVolume)?.name === name);
    if (!referenced) {
      causes.push(cause('FieldValueRequired', `DataVolumeTemplate entry ${p} must be referenced in the VMI template's 'volumes' list`, p));
    }
  });
  return causes;
}

/** The virtualmachine-validator.kubevirt.io webhook (create and update of the main resource). */
export function admitVirtualMachine(vm: KubeObject, _old: KubeObject | undefined, op: Operation, ctx: StrategyContext): AdmissionResult {
  if (op === 'DELETE' || ctx.subresource !== '') return {};
  if (vm.metadata.deletionTimestamp) return {};
  const spec = jsonClone(asObj(vm.spec) ?? {});
  const template = asObj(spec.template);
  const tspec = asObj(template?.spec);
  if (tspec) applyVmiSpecDefaults(tspec, vm.metadata.namespace ?? '', vm.metadata.name ?? '');

  if (op === 'CREATE' && tspec) {
    const discontinued = validateDiscontinuedBindings(tspec, 'spec.template.spec');
    if (discontinued.length) return { denied: kubevirtDenial(VM_WEBHOOK, discontinued) };
  }
  if (!template) {
    return { denied: kubevirtDenial(VM_WEBHOOK, [cause('FieldValueRequired', 'missing virtual machine template.', 'spec.template')]) };
  }
  const causes: StatusCause[] = [
    ...validateVmiMetadata(asObj(template.metadata), 'spec.template.metadata', ctx.user),
    ...validateVmiSpec(tspec ?? {}, 'spec.template.spec'),
    ...validateDataVolumeTemplates(spec),
    ...validateRunStrategy(spec),
  ];
  if (causes.length) return { denied: kubevirtDenial(VM_WEBHOOK, causes) };
  const s = asObj(vm.spec);
  if (s && s.running !== undefined && s.running !== null) return { warnings: [RUNNING_DEPRECATED_WARNING] };
  return {};
}

export const virtualMachineKind: KindDef = {
  group: 'kubevirt.io',
  version: 'v1',
  kind: 'VirtualMachine',
  plural: 'virtualmachines',
  singular: 'virtualmachine',
  namespaced: true,
  shortNames: ['vm', 'vms'],
  categories: ['all'],
  custom: true,
  subresources: { status: true },
  schemaName: 'io.kubevirt.v1.VirtualMachine',
  schema: obj({ spec: vmSpecSchema, status: vmStatusSchema }, { required: ['spec'] }),
  description: 'A virtual machine: its hardware, disks and networks (spec.template) and a run strategy that decides when KubeVirt keeps a VirtualMachineInstance of it running.',
  printerColumns: [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Status', type: 'string', description: 'Human Readable Status', jsonPath: '.status.printableStatus' },
    { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
  ],
  defaults(vm) {
    const spec = asObj(vm.spec);
    const tspec = spec ? asObj(asObj(spec.template)?.spec) : undefined;
    if (tspec) {
      applyVmTemplateSpecDefaults(tspec);
      // The VM controller gives every VM a stable firmware UUID when it has none.
      const fw = ensureObj(ensureObj(tspec, 'domain'), 'firmware');
      if (typeof fw.uuid !== 'string' || fw.uuid === '') fw.uuid = stableUUID(vm.metadata.namespace ?? '', vm.metadata.name ?? '');
    }
    const status = asObj(vm.status);
    if (status && status.printableStatus === undefined) status.printableStatus = 'Stopped';
  },
  prepareForCreate(vm) {
    delete vm.status;
    const tspec = templateSpec(vm);
    if (tspec) {
      const fw = ensureObj(ensureObj(tspec, 'domain'), 'firmware');
      if (typeof fw.uuid !== 'string' || fw.uuid === '') fw.uuid = stableUUID(vm.metadata.namespace ?? '', vm.metadata.name ?? '');
      if (typeof fw.serial !== 'string' || fw.serial === '') fw.serial = stableUUID(vm.metadata.namespace ?? '', vm.metadata.name ?? '', 'serial');
    }
  },
  admit: admitVirtualMachine,
};
