import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { customKinds } from '../../sandbox/sim/kinds/custom-index.ts';
import { definitions } from '../../sandbox/sim/kinds/meta.ts';
import { KindRegistry } from '../../sandbox/sim/kinds/registry.ts';
import type { Schema } from '../../sandbox/sim/kinds/schema.ts';
import type { KindDef, StrategyContext } from '../../sandbox/sim/kinds/types.ts';
import {
  MIGRATION_FINALIZER, MIGRATION_VMI_LABEL, RUNNING_DEPRECATED_WARNING, VMI_FINALIZER, kubevirtClusterConfig, migrationKind,
  stableUUID, virtualMachineInstanceKind, virtualMachineKind, vmiTerminationGracePeriodSeconds,
} from '../../sandbox/sim/kinds/kubevirt/index.ts';

const NOW = Date.parse('2025-03-01T10:00:00Z');
const USER = 'kube:admin';
const CONTROLLER = 'system:serviceaccount:openshift-cnv:kubevirt-controller';
const ctx = (user = USER, subresource = ''): StrategyContext => ({ now: NOW, user, subresource });

type J = Record<string, any>;

function vmiSpec(over: J = {}): J {
  return {
    domain: {
      memory: { guest: '1Gi' },
      devices: {
        disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }, { name: 'cloudinitdisk', disk: { bus: 'virtio' } }],
        interfaces: [{ name: 'default', masquerade: {} }],
      },
    },
    networks: [{ name: 'default', pod: {} }],
    volumes: [
      { name: 'rootdisk', containerDisk: { image: 'quay.io/containerdisks/fedora:40' } },
      { name: 'cloudinitdisk', cloudInitNoCloud: { userData: '#cloud-config\npackages: [httpd]\nruncmd: [systemctl enable --now httpd]\n' } },
    ],
    ...over,
  };
}

function vm(spec: J, name = 'web1'): KubeObject {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace: 'ha' }, spec };
}

function vmi(spec: J, name = 'web1', labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name, namespace: 'ha', ...(labels ? { labels } : {}) }, spec };
}

function admitVM(spec: J, op: 'CREATE' | 'UPDATE' = 'CREATE') {
  const o = vm(spec);
  virtualMachineKind.defaults?.(o);
  return virtualMachineKind.admit!(o, op === 'UPDATE' ? vm(spec) : undefined, op, ctx());
}

function createVMI(spec: J, user = USER, labels?: Record<string, string>): { obj: KubeObject; result: ReturnType<NonNullable<KindDef['admit']>> } {
  const o = vmi(spec, 'web1', labels);
  virtualMachineInstanceKind.defaults?.(o);
  virtualMachineInstanceKind.prepareForCreate?.(o, ctx(user));
  return { obj: o, result: virtualMachineInstanceKind.admit!(o, undefined, 'CREATE', ctx(user)) };
}

// ---- registry, identity and columns -------------------------------------------

test('the custom kinds build a registry', () => {
  const reg = new KindRegistry(customKinds);
  assert.equal(reg.kind('kubevirt.io', 'v1', 'VirtualMachine'), virtualMachineKind);
  assert.equal(reg.resource('kubevirt.io', 'v1', 'virtualmachineinstances'), virtualMachineInstanceKind);
  assert.equal(reg.resource('kubevirt.io', 'v1', 'virtualmachineinstancemigrations'), migrationKind);
  assert.ok(reg.resource('instancetype.kubevirt.io', 'v1beta1', 'virtualmachineclusterpreferences'));
});

test('KubeVirt identities: short names, categories, subresources, schema names', () => {
  assert.deepEqual(virtualMachineKind.shortNames, ['vm', 'vms']);
  assert.deepEqual(virtualMachineInstanceKind.shortNames, ['vmi', 'vmis']);
  assert.deepEqual(migrationKind.shortNames, ['vmim', 'vmims']);
  for (const k of [virtualMachineKind, virtualMachineInstanceKind, migrationKind]) {
    assert.deepEqual(k.categories, ['all']);
    assert.equal(k.custom, true);
    assert.equal(k.namespaced, true);
  }
  assert.equal(virtualMachineKind.schemaName, 'io.kubevirt.v1.VirtualMachine');
  assert.equal(virtualMachineInstanceKind.schemaName, 'io.kubevirt.v1.VirtualMachineInstance');
  assert.equal(migrationKind.schemaName, 'io.kubevirt.v1.VirtualMachineInstanceMigration');
  assert.deepEqual(virtualMachineKind.subresources, { status: true });
  assert.equal(virtualMachineInstanceKind.subresources, undefined, 'VMI has no status subresource');
  assert.deepEqual(migrationKind.subresources, { status: true });
});

test('instance type and preference kinds', () => {
  const byKind = new Map(customKinds.map((k) => [k.kind, k]));
  const it = byKind.get('VirtualMachineInstancetype')!;
  assert.equal(it.group, 'instancetype.kubevirt.io');
  assert.equal(it.version, 'v1beta1');
  assert.deepEqual(it.shortNames, ['vminstancetype', 'vminstancetypes', 'vmf', 'vmfs']);
  assert.deepEqual(it.categories, ['all']);
  assert.equal(it.namespaced, true);
  const cit = byKind.get('VirtualMachineClusterInstancetype')!;
  assert.deepEqual(cit.shortNames, ['vmclusterinstancetype', 'vmclusterinstancetypes', 'vmcf', 'vmcfs']);
  assert.equal(cit.namespaced, false);
  assert.equal(cit.categories, undefined);
  assert.deepEqual(byKind.get('VirtualMachinePreference')!.shortNames, ['vmpref', 'vmprefs', 'vmp', 'vmps']);
  const cp = byKind.get('VirtualMachineClusterPreference')!;
  assert.deepEqual(cp.shortNames, ['vmcp', 'vmcps']);
  assert.equal(cp.namespaced, false);
  const spec = it.schema.properties!.spec;
  assert.deepEqual(spec.required, ['cpu', 'memory']);
  assert.deepEqual(spec.properties!.cpu.required, ['guest']);
});

test('printer columns as the KubeVirt CRDs declare them', () => {
  const cols = (k: KindDef) => k.printerColumns.map((c) => ({ name: c.name, type: c.type, jsonPath: c.jsonPath, priority: c.priority ?? 0 }));
  assert.deepEqual(cols(virtualMachineKind), [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 0 },
    { name: 'Status', type: 'string', jsonPath: '.status.printableStatus', priority: 0 },
    { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status", priority: 0 },
  ]);
  assert.equal(virtualMachineKind.printerColumns[1].description, 'Human Readable Status');
  assert.deepEqual(cols(virtualMachineInstanceKind), [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 0 },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', priority: 0 },
    { name: 'IP', type: 'string', jsonPath: '.status.interfaces[0].ipAddress', priority: 0 },
    { name: 'NodeName', type: 'string', jsonPath: '.status.nodeName', priority: 0 },
    { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status", priority: 0 },
    { name: 'Live-Migratable', type: 'string', jsonPath: ".status.conditions[?(@.type=='LiveMigratable')].status", priority: 1 },
    { name: 'Paused', type: 'string', jsonPath: ".status.conditions[?(@.type=='Paused')].status", priority: 1 },
  ]);
  assert.deepEqual(cols(migrationKind), [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', priority: 0 },
    { name: 'VMI', type: 'string', jsonPath: '.spec.vmiName', priority: 0 },
  ]);
});

function walk(s: Schema | undefined, seen: Set<Schema>, visit: (s: Schema) => void): void {
  if (!s || seen.has(s)) return;
  seen.add(s);
  visit(s);
  if (s.$ref) walk(definitions.resolve(s), seen, visit);
  for (const p of Object.values(s.properties ?? {})) walk(p, seen, visit);
  walk(s.items, seen, visit);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, seen, visit);
  for (const a of s.allOf ?? []) walk(a, seen, visit);
}

test('every schema reference of the custom kinds resolves', () => {
  for (const k of customKinds) {
    let refs = 0;
    walk(k.schema, new Set(), (s) => {
      if (s.$ref) {
        refs++;
        assert.ok(definitions.resolve(s), `${k.kind}: ${s.$ref}`);
      }
    });
    if (k.custom) assert.equal(refs, 0, `${k.kind}: CRD schemas are inline`);
  }
});

test('KubeVirt schemas carry no enum that would pre-empt the webhook messages', () => {
  const spec = virtualMachineKind.schema.properties!.spec;
  assert.equal(spec.properties!.runStrategy.enum, undefined);
  assert.match(spec.properties!.runStrategy.description!, /RerunOnFailure/);
  assert.match(spec.properties!.runStrategy.description!, /WaitAsReceiver/);
  assert.deepEqual(spec.required, ['template']);
  const tspec = spec.properties!.template.properties!.spec;
  assert.deepEqual(tspec.required, ['domain']);
  assert.deepEqual(tspec.properties!.domain.required, ['devices']);
  assert.equal(tspec.properties!.evictionStrategy.enum, undefined);
  assert.equal(virtualMachineKind.schema.properties!.status.properties!.printableStatus.default, 'Stopped');
});

// ---- VM admission ---------------------------------------------------------------

const VM_WEBHOOK = 'virtualmachine-validator.kubevirt.io';

test('VM admission: running and runStrategy rules with the v1.5+ texts', () => {
  const cases: { spec: J; field: string; message: string }[] = [
    { spec: { running: true, runStrategy: 'Always' }, field: 'spec.running', message: 'Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead' },
    { spec: {}, field: 'spec.running', message: 'RunStrategy must be specified' },
    { spec: { runStrategy: 'Sometimes' }, field: 'spec.runStrategy', message: 'Invalid RunStrategy (Sometimes)' },
    { spec: { runStrategy: 'WaitAsReceiver' }, field: 'spec.runStrategy', message: 'Invalid RunStrategy (WaitAsReceiver), DecentralizedLiveMigration feature gate is not enabled in kubevirt resource' },
  ];
  for (const c of cases) {
    const r = admitVM({ ...c.spec, template: { spec: vmiSpec() } });
    assert.deepEqual(r.denied, {
      webhook: VM_WEBHOOK, code: 422, reason: 'Invalid', message: c.message,
      causes: [{ reason: 'FieldValueInvalid', field: c.field, message: c.message }],
    }, JSON.stringify(c.spec));
    assert.equal(r.warnings, undefined);
  }
});

test('VM admission: WaitAsReceiver is accepted with the feature gate', () => {
  kubevirtClusterConfig.featureGates.add('DecentralizedLiveMigration');
  try {
    assert.deepEqual(admitVM({ runStrategy: 'WaitAsReceiver', template: { spec: vmiSpec() } }), {});
  } finally {
    kubevirtClusterConfig.featureGates.delete('DecentralizedLiveMigration');
  }
});

test('VM admission: valid strategies pass; spec.running passes with the deprecation warning', () => {
  for (const rs of ['Always', 'RerunOnFailure', 'Manual', 'Halted', 'Once']) {
    assert.deepEqual(admitVM({ runStrategy: rs, template: { spec: vmiSpec() } }), {}, rs);
  }
  const r = admitVM({ running: false, template: { spec: vmiSpec() } }, 'UPDATE');
  assert.equal(r.denied, undefined);
  assert.deepEqual(r.warnings, [RUNNING_DEPRECATED_WARNING]);
  assert.equal(RUNNING_DEPRECATED_WARNING, 'spec.running is deprecated, please use spec.runStrategy instead.');
});

test('VM admission: causes from the template come before the run strategy, joined by ", "', () => {
  const spec = vmiSpec();
  spec.domain.devices.disks.push({ name: 'datadisk', disk: { bus: 'virtio' } });
  const r = admitVM({ template: { spec } });
  assert.equal(r.denied?.message, "spec.template.spec.domain.devices.disks[2].Name 'datadisk' not found., RunStrategy must be specified");
  assert.deepEqual(r.denied?.causes?.[0], {
    reason: 'FieldValueInvalid', field: 'spec.template.spec.domain.devices.disks[2].name',
    message: "spec.template.spec.domain.devices.disks[2].Name 'datadisk' not found.",
  });
});

test('VM admission: template checks', () => {
  const msg = (spec: J) => admitVM({ runStrategy: 'Always', template: { spec } }).denied?.message;
  // Probes need exactly one handler.
  assert.equal(msg(vmiSpec({ readinessProbe: { httpGet: { port: 80 }, tcpSocket: { port: 80 } } })),
    'spec.template.spec.readinessProbe must have exactly one probe type set');
  assert.equal(msg(vmiSpec({ livenessProbe: { periodSeconds: 5 } })),
    'either spec.template.spec.livenessProbe.tcpSocket, spec.template.spec.livenessProbe.exec or spec.template.spec.livenessProbe.httpGet must be set if a spec.template.spec.livenessProbe is specified');
  // guestAgentPing and exec are handlers too.
  assert.equal(msg(vmiSpec({ livenessProbe: { guestAgentPing: {} }, readinessProbe: { exec: { command: ['true'] } } })), undefined);
  // Interfaces and networks must pair up.
  assert.equal(msg(vmiSpec({ networks: [] })), "Masquerade interface only implemented with pod network, spec.template.spec.domain.devices.interfaces[0].name 'default' not found.");
  assert.equal(msg(vmiSpec({ networks: [{ name: 'default', multus: { networkName: 'br1' } }] })),
    'Masquerade interface only implemented with pod network');
  // Eviction strategy values.
  assert.equal(msg(vmiSpec({ evictionStrategy: 'Migrate' })), 'spec.template.spec.evictionStrategy is set with an unrecognized option: Migrate');
  for (const e of ['None', 'LiveMigrate', 'LiveMigrateIfPossible', 'External']) assert.equal(msg(vmiSpec({ evictionStrategy: e })), undefined, e);
  // Duplicate boot order.
  const boot = vmiSpec();
  boot.domain.devices.disks[0].bootOrder = 1;
  boot.domain.devices.disks[1].bootOrder = 1;
  assert.equal(msg(boot), 'Boot order for spec.template.spec.domain.devices.disks[1].bootOrder already set for a different device.');
  // A volume needs exactly one source; cloud-init needs data.
  assert.equal(msg(vmiSpec({ volumes: [{ name: 'rootdisk', containerDisk: { image: 'x' }, emptyDisk: { capacity: '1Gi' } }, { name: 'cloudinitdisk', cloudInitNoCloud: {} }] })),
    'spec.template.spec.volumes[0] must have exactly one source type set, spec.template.spec.volumes[1].cloudInitNoCloud must have at least one userdatasource or one networkdatasource set.');
  // A volume without a disk is fine for a VM (a disk is defaulted).
  assert.equal(msg(vmiSpec({ volumes: [...vmiSpec().volumes, { name: 'scratch', emptyDisk: { capacity: '1Gi' } }] })), undefined);
});

test('VM admission: reserved labels in the template, data volume templates, discontinued bindings', () => {
  const withLabel = admitVM({ runStrategy: 'Always', template: { metadata: { labels: { 'kubevirt.io/nodeName': 'w1' } }, spec: vmiSpec() } });
  assert.deepEqual(withLabel.denied?.causes, [{ reason: 'FieldValueNotSupported', field: 'spec.template.metadata.labels', message: 'creation of the following reserved kubevirt.io/ labels on a VMI object is prohibited' }]);
  const dv = admitVM({ runStrategy: 'Always', dataVolumeTemplates: [{ metadata: { name: 'root' }, spec: { storage: {} } }], template: { spec: vmiSpec() } });
  assert.equal(dv.denied?.message, "DataVolumeTemplate entry spec.dataVolumeTemplate[0] must be referenced in the VMI template's 'volumes' list");
  const passt = vmiSpec();
  passt.domain.devices.interfaces = [{ name: 'default', passt: {} }];
  const r = admitVM({ runStrategy: 'Always', template: { spec: passt } });
  assert.deepEqual(r.denied?.causes, [{ reason: 'FieldValueInvalid', field: 'spec.template.spec.domain.devices.interfaces[0].passt', message: 'Passt network binding has been discontinued since v1.3' }]);
});

test('VM admission: more than ten causes are cut off', () => {
  const spec = vmiSpec();
  for (let i = 0; i < 11; i++) spec.domain.devices.disks.push({ name: `d${i}` });
  const r = admitVM({ runStrategy: 'Always', template: { spec } });
  assert.equal(r.denied?.causes?.length, 10);
  assert.match(r.denied!.message, /, and 1 more validation errors$/);
});

test('VM admission: status writes and deletions are not checked', () => {
  const o = vm({ running: true, runStrategy: 'Always', template: { spec: vmiSpec() } });
  assert.deepEqual(virtualMachineKind.admit!(o, o, 'UPDATE', ctx(USER, 'status')), {});
  assert.deepEqual(virtualMachineKind.admit!(o, o, 'DELETE', ctx()), {});
});

// ---- VM defaults ----------------------------------------------------------------

test('VM defaults: machine type, architecture, stable firmware UUID and serial; status reset on create', () => {
  const o = vm({ runStrategy: 'Always', template: { spec: vmiSpec() } });
  o.status = { printableStatus: 'Running' };
  virtualMachineKind.defaults!(o);
  virtualMachineKind.prepareForCreate!(o, ctx());
  const tspec = (o.spec as J).template.spec;
  assert.equal(tspec.domain.machine.type, 'q35');
  assert.equal(tspec.architecture, 'amd64');
  assert.equal(tspec.domain.firmware.uuid, stableUUID('ha', 'web1'));
  assert.match(tspec.domain.firmware.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(stableUUID('ha', 'web2'), tspec.domain.firmware.uuid);
  assert.equal(typeof tspec.domain.firmware.serial, 'string');
  assert.equal(o.status, undefined);
  // The VM template keeps what the user wrote otherwise (probes are defaulted on the VMI only).
  const probe = vm({ runStrategy: 'Always', template: { spec: vmiSpec({ readinessProbe: { httpGet: { port: 8080 } } }) } });
  virtualMachineKind.defaults!(probe);
  assert.deepEqual((probe.spec as J).template.spec.readinessProbe, { httpGet: { port: 8080 } });
  // A given machine type is kept.
  const q = vm({ runStrategy: 'Always', template: { spec: vmiSpec({ domain: { ...vmiSpec().domain, machine: { type: 'pc-q35-rhel9.4.0' } } }) } });
  virtualMachineKind.defaults!(q);
  assert.equal((q.spec as J).template.spec.domain.machine.type, 'pc-q35-rhel9.4.0');
});

test('VM defaults: printableStatus is Stopped when a status exists without one', () => {
  const o = vm({ runStrategy: 'Halted', template: { spec: vmiSpec() } });
  virtualMachineKind.defaults!(o);
  assert.equal(o.status, undefined);
  o.status = { created: false };
  virtualMachineKind.defaults!(o);
  assert.equal((o.status as J).printableStatus, 'Stopped');
  o.status = { printableStatus: 'Running' };
  virtualMachineKind.defaults!(o);
  assert.equal((o.status as J).printableStatus, 'Running');
});

// ---- VMI defaults and admission --------------------------------------------------

test('VMI defaults: watchdog model and action', () => {
  const spec = vmiSpec();
  spec.domain.devices.watchdog = { name: 'mywatchdog' };
  const { obj, result } = createVMI(spec);
  assert.deepEqual((obj.spec as J).domain.devices.watchdog, { name: 'mywatchdog', i6300esb: { action: 'reset' } });
  assert.deepEqual(result, {});
  const keep = vmiSpec();
  keep.domain.devices.watchdog = { name: 'wd', i6300esb: { action: 'poweroff' } };
  assert.deepEqual((createVMI(keep).obj.spec as J).domain.devices.watchdog, { name: 'wd', i6300esb: { action: 'poweroff' } });
  const empty = vmiSpec();
  empty.domain.devices.watchdog = { name: 'wd', i6300esb: {} };
  assert.deepEqual((createVMI(empty).obj.spec as J).domain.devices.watchdog, { name: 'wd', i6300esb: { action: 'reset' } });
});

test('VMI defaults: probes (values below 1 replaced, initialDelaySeconds left alone)', () => {
  const spec = vmiSpec({
    readinessProbe: { httpGet: { path: '/health', port: 8080 }, initialDelaySeconds: 120, periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 3, successThreshold: 3 },
    livenessProbe: { tcpSocket: { port: 3306 }, timeoutSeconds: 0 },
  });
  const s = createVMI(spec).obj.spec as J;
  assert.deepEqual(s.readinessProbe, { httpGet: { path: '/health', port: 8080 }, initialDelaySeconds: 120, periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 3, successThreshold: 3 });
  assert.deepEqual(s.livenessProbe, { tcpSocket: { port: 3306 }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
});

test('VMI defaults: grace period is not written; 30 s applies when unset', () => {
  const s = createVMI(vmiSpec()).obj.spec as J;
  assert.equal(s.terminationGracePeriodSeconds, undefined);
  assert.equal(vmiTerminationGracePeriodSeconds(s), 30);
  assert.equal(vmiTerminationGracePeriodSeconds({ terminationGracePeriodSeconds: 0 }), 0);
  assert.equal(vmiTerminationGracePeriodSeconds({ terminationGracePeriodSeconds: 180 }), 180);
});

test('VMI defaults: machine, firmware, CPU, memory, disks, pull policy, pod network', () => {
  const spec = vmiSpec({ volumes: [...vmiSpec().volumes, { name: 'scratch', emptyDisk: { capacity: '2Gi' } }] });
  spec.domain.resources = { requests: { memory: '2Gi' }, limits: { cpu: '1500m' } };
  delete spec.domain.memory;
  const { obj, result } = createVMI(spec);
  const s = obj.spec as J;
  assert.deepEqual(result, {});
  assert.equal(s.architecture, 'amd64');
  assert.equal(s.domain.machine.type, 'q35');
  assert.equal(s.domain.firmware.uuid, stableUUID('ha', 'web1'));
  assert.deepEqual(s.domain.features, { acpi: { enabled: true } });
  assert.deepEqual(s.domain.cpu, { sockets: 2, cores: 1, threads: 1, model: 'host-model' });
  assert.equal(s.domain.resources.requests.cpu, '1500m');
  assert.equal(s.domain.memory.guest, '2Gi');
  assert.deepEqual(s.domain.devices.disks[2], { name: 'scratch', disk: { bus: 'sata' } });
  assert.equal(s.volumes[0].containerDisk.imagePullPolicy, 'IfNotPresent');
  const latest = createVMI(vmiSpec({ volumes: [{ name: 'rootdisk', containerDisk: { image: 'quay.io/x/cirros' } }, vmiSpec().volumes[1]] })).obj.spec as J;
  assert.equal(latest.volumes[0].containerDisk.imagePullPolicy, 'Always');
  // No interfaces and no networks: the pod network with the cluster's default binding.
  const bare = vmiSpec({ networks: undefined });
  delete bare.networks;
  delete bare.domain.devices.interfaces;
  const b = createVMI(bare).obj.spec as J;
  assert.deepEqual(b.domain.devices.interfaces, [{ name: 'default', bridge: {} }]);
  assert.deepEqual(b.networks, [{ name: 'default', pod: {} }]);
});

test('VMI create: status, finalizer', () => {
  const { obj } = createVMI(vmiSpec());
  assert.deepEqual(obj.metadata.finalizers, [VMI_FINALIZER]);
  const st = obj.status as J;
  assert.equal(st.phase, 'Pending');
  assert.deepEqual(st.phaseTransitionTimestamps, [{ phase: 'Pending', phaseTransitionTimestamp: '2025-03-01T10:00:00Z' }]);
  assert.deepEqual(st.guestOSInfo, {});
  assert.equal(st.runtimeUser, 107);
  assert.deepEqual(st.memory, { guestAtBoot: '1Gi', guestCurrent: '1Gi', guestRequested: '1Gi' });
});

test('VMI admission on create', () => {
  const WEBHOOK = 'virtualmachineinstances-create-validator.kubevirt.io';
  const both = vmiSpec();
  both.domain.devices.watchdog = { name: 'wd', i6300esb: { action: 'reset' }, diag288: { action: 'reset' } };
  assert.deepEqual(createVMI(both).result.denied, {
    webhook: WEBHOOK, code: 422, reason: 'Invalid', message: 'amd64 only supports I6300ESB watchdog device',
    causes: [{ reason: 'FieldValueInvalid', field: 'spec.domain.devices.watchdog', message: 'amd64 only supports I6300ESB watchdog device' }],
  });
  const twoHandlers = createVMI(vmiSpec({ readinessProbe: { httpGet: { port: 80 }, exec: { command: ['x'] } } }));
  assert.equal(twoHandlers.result.denied?.message, 'spec.readinessProbe must have exactly one probe type set');
  const noHandler = createVMI(vmiSpec({ readinessProbe: { initialDelaySeconds: 5 } }));
  assert.deepEqual(noHandler.result.denied?.causes, [{
    reason: 'FieldValueRequired', field: 'spec.readinessProbe',
    message: 'either spec.readinessProbe.tcpSocket, spec.readinessProbe.exec or spec.readinessProbe.httpGet must be set if a spec.readinessProbe is specified',
  }]);
  const noMemory = vmiSpec();
  delete noMemory.domain.memory;
  assert.deepEqual(createVMI(noMemory).result.denied?.causes, [{
    reason: 'FieldValueRequired',
    message: "no memory requested, at least one of 'spec.domain.memory.guest', 'spec.domain.memory.hugepages.size' or 'spec.domain.resources.requests.memory' must be set",
  }]);
  const missingVolume = vmiSpec();
  missingVolume.domain.devices.disks.push({ name: 'data', disk: {} });
  assert.equal(createVMI(missingVolume).result.denied?.message, "spec.domain.devices.disks[2].Name 'data' not found.");
  // Reserved labels: refused for users, allowed for KubeVirt.
  assert.equal(createVMI(vmiSpec(), USER, { 'kubevirt.io/nodeName': 'w1' }).result.denied?.message, 'creation of the following reserved kubevirt.io/ labels on a VMI object is prohibited');
  assert.deepEqual(createVMI(vmiSpec(), CONTROLLER, { 'kubevirt.io/nodeName': 'w1' }).result, {});
});

test('VMI updates: spec is immutable and status belongs to KubeVirt', () => {
  const WEBHOOK = 'virtualmachineinstances-update-validator.kubevirt.io';
  const old = createVMI(vmiSpec(), CONTROLLER).obj;
  const next = structuredClone(old);
  (next.spec as J).terminationGracePeriodSeconds = 5;
  assert.deepEqual(virtualMachineInstanceKind.admit!(next, old, 'UPDATE', ctx()).denied, {
    webhook: WEBHOOK, code: 422, reason: 'Invalid', message: 'update of VMI object is restricted',
    causes: [{ reason: 'FieldValueNotSupported', message: 'update of VMI object is restricted' }],
  });
  assert.deepEqual(virtualMachineInstanceKind.admit!(next, old, 'UPDATE', ctx(CONTROLLER)), {});
  const relabel = structuredClone(old);
  relabel.metadata.labels = { 'kubevirt.io/nodeName': 'w2' };
  assert.equal(virtualMachineInstanceKind.admit!(relabel, old, 'UPDATE', ctx()).denied?.message, 'modification of the following reserved kubevirt.io/ labels on a VMI object is prohibited');
  const plainLabel = structuredClone(old);
  plainLabel.metadata.labels = { app: 'web' };
  assert.deepEqual(virtualMachineInstanceKind.admit!(plainLabel, old, 'UPDATE', ctx()), {});
  // Status written by a user is put back; KubeVirt's own writes go through.
  const byUser = structuredClone(old);
  (byUser.status as J).phase = 'Running';
  virtualMachineInstanceKind.prepareForUpdate!(byUser, old, ctx());
  assert.equal((byUser.status as J).phase, 'Pending');
  const byController = structuredClone(old);
  (byController.status as J).phase = 'Running';
  virtualMachineInstanceKind.prepareForUpdate!(byController, old, ctx(CONTROLLER));
  assert.equal((byController.status as J).phase, 'Running');
});

// ---- migrations -------------------------------------------------------------------

test('VMIM: label and finalizer on create, vmiName required, spec immutable', () => {
  const m: KubeObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'mig', namespace: 'ha' }, spec: { vmiName: 'web1' }, status: { phase: 'Running' } };
  migrationKind.prepareForCreate!(m, ctx());
  assert.deepEqual(m.metadata.labels, { [MIGRATION_VMI_LABEL]: 'web1' });
  assert.equal(MIGRATION_VMI_LABEL, 'kubevirt.io/vmi-name');
  assert.deepEqual(m.metadata.finalizers, [MIGRATION_FINALIZER]);
  assert.equal(MIGRATION_FINALIZER, 'kubevirt.io/migrationJobFinalize');
  assert.equal(m.status, undefined);
  assert.deepEqual(migrationKind.admit!(m, undefined, 'CREATE', ctx()), {});

  const noName: KubeObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'mig2', namespace: 'ha' }, spec: {} };
  assert.deepEqual(migrationKind.admit!(noName, undefined, 'CREATE', ctx()).denied, {
    webhook: 'migration-create-validator.kubevirt.io', code: 422, reason: 'Invalid', message: 'vmiName is missing',
    causes: [{ reason: 'FieldValueRequired', field: 'spec.vmiName', message: 'vmiName is missing' }],
  });
  const prio: KubeObject = { ...structuredClone(m), spec: { vmiName: 'web1', priority: 'system-critical' } };
  assert.equal(migrationKind.admit!(prio, undefined, 'CREATE', ctx()).denied?.message, 'Migration priority queue, only virt-controller is allowed to set priority field');
  assert.deepEqual(migrationKind.admit!(prio, undefined, 'CREATE', ctx(CONTROLLER)), {});

  const changed = structuredClone(m);
  (changed.spec as J).vmiName = 'web2';
  assert.deepEqual(migrationKind.admit!(changed, m, 'UPDATE', ctx()).denied, {
    webhook: 'migration-update-validator.kubevirt.io', code: 422, reason: 'Invalid', message: "update of Migration object's spec is restricted",
    causes: [{ reason: 'FieldValueNotSupported', message: "update of Migration object's spec is restricted" }],
  });
  const unlabeled = structuredClone(m);
  unlabeled.metadata.labels = { other: 'x' };
  assert.equal(migrationKind.admit!(unlabeled, m, 'UPDATE', ctx()).denied?.message, "selector label can't be modified on an in-flight migration");
  unlabeled.status = { phase: 'Succeeded' };
  assert.deepEqual(migrationKind.admit!(unlabeled, m, 'UPDATE', ctx()), {});
});
