import { test } from 'node:test';
import assert from 'node:assert/strict';

import { formatFieldError } from '../../sandbox/sim/api/errors.ts';
import { findUnknownFields, pruneUnknownFields, validateSchemaTypes } from '../../sandbox/sim/api/schema-check.ts';
import {
  arr, bool, enumOf, freeform, int, intOrString, keyedList, mapOf, obj, ref, SchemaDefinitions, str, stringMap,
  type Schema,
} from '../../sandbox/sim/kinds/schema.ts';

const defs = new SchemaDefinitions();
const objectMeta = defs.define('ObjectMeta', obj({ name: str(), namespace: str(), labels: stringMap(), annotations: stringMap() }));
const disk = defs.define('Disk', obj({ name: str(), disk: obj({ bus: enumOf(['virtio', 'sata', 'scsi']) }), cdrom: obj({}) }, { required: ['name'] }));

const vmSchema: Schema = obj({
  apiVersion: str(),
  kind: str(),
  metadata: objectMeta,
  spec: obj({
    running: bool(),
    runStrategy: enumOf(['Always', 'Halted', 'Manual', 'RerunOnFailure']),
    template: obj({
      metadata: ref('ObjectMeta', 'template metadata'),
      spec: obj({
        domain: obj({
          cpu: obj({ cores: int() }),
          memory: obj({ guest: intOrString() }),
          devices: obj({ disks: keyedList(disk, 'name') }),
        }, { required: ['devices'] }),
        nodeSelector: stringMap(),
        volumes: arr(obj({ name: str(), containerDisk: obj({ image: str() }) })),
      }),
    }),
    dataVolumeTemplates: arr({ type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: freeform() } }),
    extra: freeform(),
    resources: mapOf(obj({ limit: int() })),
    labelsAnything: { type: 'object', additionalProperties: true },
    nothingAllowed: { type: 'object', additionalProperties: false, properties: { only: str() } },
    undescribed: { description: 'no structural information' },
    ratio: { type: 'number' },
    size: { type: 'integer' },
    stamp: { type: 'string', format: 'date-time' },
    nullableThing: { type: 'string', nullable: true },
    name: { type: 'string', maxLength: 5, pattern: '^[a-z]+$' },
    count: { type: 'integer', minimum: 1, maximum: 3 },
    level: { type: 'integer', enum: [1, 2] },
  }, { required: ['template'] }),
  status: freeform(),
});

const validVm = () => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachine',
  metadata: { name: 'testvm', labels: { app: 'x' } },
  spec: {
    running: true,
    template: {
      metadata: { labels: { 'kubevirt.io/domain': 'testvm' } },
      spec: {
        domain: { cpu: { cores: 2 }, memory: { guest: '1Gi' }, devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }] } },
        nodeSelector: { 'kubernetes.io/hostname': 'node01' },
        volumes: [{ name: 'root', containerDisk: { image: 'quay.io/containerdisks/fedora' } }],
      },
    },
  },
  status: { anything: { goes: [1, 2] } },
});

test('a valid object has no unknown fields and no errors', () => {
  assert.deepEqual(findUnknownFields(validVm(), vmSchema, defs), []);
  assert.deepEqual(validateSchemaTypes(validVm(), vmSchema, defs), []);
  assert.deepEqual(pruneUnknownFields(validVm(), vmSchema, defs), validVm());
});

test('findUnknownFields: dotted paths with list indexes, in document order', () => {
  const vm = validVm() as Record<string, any>;
  vm.spec.bogusField = 1;
  vm.spec.template.spec.domain.devices.disks.push({ name: 'data', foo: true, disk: { bus: 'sata', speed: 'fast' } });
  vm.spec.template.spec.domain.cpu.threads = 2;
  vm.metadata.color = 'blue';
  vm.topLevel = {};
  assert.deepEqual(findUnknownFields(vm, vmSchema, defs), [
    'metadata.color',
    'spec.template.spec.domain.cpu.threads',
    'spec.template.spec.domain.devices.disks[1].foo',
    'spec.template.spec.domain.devices.disks[1].disk.speed',
    'spec.bogusField',
    'topLevel',
  ]);
  assert.deepEqual(findUnknownFields(vm.spec, effectiveSpec(), defs, 'spec'), [
    'spec.template.spec.domain.cpu.threads',
    'spec.template.spec.domain.devices.disks[1].foo',
    'spec.template.spec.domain.devices.disks[1].disk.speed',
    'spec.bogusField',
  ], 'path prefix');
});

function effectiveSpec(): Schema {
  return vmSchema.properties!.spec;
}

test('findUnknownFields: what is accepted below', () => {
  const spec = {
    template: { spec: { domain: { devices: {} } } },
    extra: { any: { thing: 1 } }, // preserve-unknown-fields
    undescribed: { free: 'form' }, // no structural information
    labelsAnything: { a: { b: 1 } }, // additionalProperties: true
    resources: { cpu: { limit: 1, burst: 2 } }, // map values are schema-checked
    dataVolumeTemplates: [{ apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'dv', whatever: 1 }, spec: { x: 1 }, junk: 1 }],
    nothingAllowed: { only: 'x', other: 'y' },
    size: { not: 'an integer' }, // a type mismatch is validateSchemaTypes' business
    ratio: [1, { a: 1 }],
  };
  assert.deepEqual(findUnknownFields(spec, effectiveSpec(), defs, 'spec'), [
    'spec.resources.cpu.burst',
    'spec.dataVolumeTemplates[0].junk',
    'spec.nothingAllowed.other',
  ]);
  assert.deepEqual(findUnknownFields({ a: 1 }, undefined, defs), [], 'no schema accepts everything');
  assert.deepEqual(findUnknownFields({ a: 1 }, { type: 'object' }, defs), ['a'], 'an empty struct knows no field');
  assert.deepEqual(findUnknownFields('x', vmSchema, defs), []);
});

test('pruneUnknownFields removes exactly the unknown fields and does not mutate', () => {
  const vm = validVm() as Record<string, any>;
  vm.spec.bogusField = 1;
  vm.spec.template.spec.domain.devices.disks.push({ name: 'data', foo: true });
  vm.spec.extra = { keep: { me: 1 } };
  const before = structuredClone(vm);
  const pruned = pruneUnknownFields(vm, vmSchema, defs) as Record<string, any>;
  assert.deepEqual(vm, before, 'input untouched');
  assert.equal('bogusField' in pruned.spec, false);
  assert.deepEqual(pruned.spec.template.spec.domain.devices.disks[1], { name: 'data' });
  assert.deepEqual(pruned.spec.extra, { keep: { me: 1 } });
  assert.deepEqual(pruned.status, vm.status);
  assert.notEqual(pruned.status, vm.status, 'a copy');
  assert.deepEqual(findUnknownFields(pruned, vmSchema, defs), []);
});

const messages = (value: unknown, schema: Schema = vmSchema, path = '') => validateSchemaTypes(value, schema, defs, path).map(formatFieldError);

test('type errors in the CRD style', () => {
  const vm = validVm() as Record<string, any>;
  vm.spec.running = 'yes';
  const errs = validateSchemaTypes(vm, vmSchema, defs);
  assert.deepEqual(errs, [{
    type: 'Invalid', field: 'spec.running', value: 'string',
    detail: 'spec.running in body must be of type boolean: "string"',
  }]);
  assert.deepEqual(errs.map(formatFieldError), ['spec.running: Invalid value: "string": spec.running in body must be of type boolean: "string"']);

  assert.deepEqual(messages({ size: 1.5, ratio: 2, stamp: 'not-a-date', nodes: 1 }, { type: 'object', properties: { size: { type: 'integer' }, ratio: { type: 'number' }, stamp: { type: 'string', format: 'date-time' } } }), [
    'size: Invalid value: "number": size in body must be of type integer: "number"',
  ], 'integers must be whole; an integer is a number; date-time is not checked');
  assert.deepEqual(messages({ template: [] }, effectiveSpec(), 'spec'), [
    'spec.template: Invalid value: "array": spec.template in body must be of type object: "array"',
  ]);
  assert.deepEqual(messages({ template: { spec: { domain: { devices: {} } } }, runStrategy: 5, ratio: 'x' }, effectiveSpec(), 'spec'), [
    'spec.runStrategy: Invalid value: "integer": spec.runStrategy in body must be of type string: "integer"',
    'spec.runStrategy: Unsupported value: 5: supported values: "Always", "Halted", "Manual", "RerunOnFailure"',
    'spec.ratio: Invalid value: "string": spec.ratio in body must be of type number: "string"',
  ]);
});

test('format int32 on integers: kube-openapi compares the observed format for non-strings', () => {
  const cores = (v: unknown) => messages({ cores: v }, obj({ cores: int() }));
  assert.deepEqual(cores(4), []);
  assert.deepEqual(cores('two'), ['cores: Invalid value: "string": cores in body must be of type integer: "string"']);
  assert.deepEqual(cores(1.5), ['cores: Invalid value: "double": cores in body must be of type int32: "double"']);
  assert.deepEqual(cores(true), ['cores: Invalid value: "": cores in body must be of type int32: ""']);
  assert.deepEqual(cores([1]), ['cores: Invalid value: "array": cores in body must be of type integer: "array"']);
});

test('enum → NotSupported with the supported values', () => {
  assert.deepEqual(messages({ runStrategy: 'Sometimes', template: { spec: { domain: { devices: {} } } } }, effectiveSpec(), 'spec'), [
    'spec.runStrategy: Unsupported value: "Sometimes": supported values: "Always", "Halted", "Manual", "RerunOnFailure"',
  ]);
  const errs = validateSchemaTypes({ level: 3, template: { spec: { domain: { devices: {} } } } }, effectiveSpec(), defs, 'spec');
  assert.deepEqual(errs, [{ type: 'NotSupported', field: 'spec.level', value: 3, detail: 'supported values: "1", "2"' }]);
  assert.deepEqual(messages({ level: 2, template: { spec: { domain: { devices: {} } } } }, effectiveSpec(), 'spec'), []);
});

test('required → Required; null is absent unless nullable', () => {
  assert.deepEqual(messages({ spec: {} }), ['spec.template: Required value']);
  assert.deepEqual(messages({ spec: { template: null } }), ['spec.template: Required value'], 'a null counts as absent');
  assert.deepEqual(messages({ spec: { template: { spec: { domain: {} } } } }), ['spec.template.spec.domain.devices: Required value']);
  assert.deepEqual(messages({ spec: { template: { spec: { domain: { devices: { disks: [{ disk: { bus: 'ide' } }] } } } } } }), [
    'spec.template.spec.domain.devices.disks[0].disk.bus: Unsupported value: "ide": supported values: "virtio", "sata", "scsi"',
    'spec.template.spec.domain.devices.disks[0].name: Required value',
  ]);
  const nullable = { type: 'object', properties: { a: { type: 'string', nullable: true }, b: { type: 'string' } }, required: ['a', 'b'] } as Schema;
  assert.deepEqual(messages({ a: null, b: null }, nullable), ['b: Required value']);
  assert.deepEqual(messages({ running: null, template: { spec: { domain: { devices: {} } } } }, effectiveSpec(), 'spec'), [], 'null for an optional field is dropped');
  assert.deepEqual(messages({ xs: [null, 'a'] }, { type: 'object', properties: { xs: arr(str()) } }), [
    'xs[0]: Invalid value: "null": xs[0] in body must be of type string: "null"',
  ], 'a null list item is a type error');
  assert.deepEqual(messages({ nullableThing: null, template: { spec: { domain: { devices: {} } } } }, effectiveSpec(), 'spec'), []);
});

test('x-kubernetes-int-or-string accepts both and names both', () => {
  const guest = (v: unknown) => messages({ guest: v }, obj({ guest: intOrString() }));
  assert.deepEqual(guest('1Gi'), []);
  assert.deepEqual(guest(1073741824), []);
  assert.deepEqual(guest(true), ['guest: Invalid value: "boolean": guest in body must be of type integer,string: "boolean"']);
  assert.deepEqual(guest(1.5), ['guest: Invalid value: "number": guest in body must be of type integer,string: "number"']);
  assert.deepEqual(guest({}), ['guest: Invalid value: "object": guest in body must be of type integer,string: "object"']);
});

test('map values, maxLength, pattern, minimum, maximum', () => {
  const base = { template: { spec: { domain: { devices: {} } } } };
  assert.deepEqual(messages({ ...base, resources: { cpu: { limit: 'x' } } }, effectiveSpec(), 'spec'), [
    'spec.resources.cpu.limit: Invalid value: "string": spec.resources.cpu.limit in body must be of type integer: "string"',
  ]);
  assert.deepEqual(messages({ ...base, name: 'abcdef' }, effectiveSpec(), 'spec'), ['spec.name: Too long: may not be more than 5 bytes']);
  assert.deepEqual(messages({ ...base, name: 'AB' }, effectiveSpec(), 'spec'), [`spec.name: Invalid value: "AB": spec.name in body should match '^[a-z]+$'`]);
  assert.deepEqual(messages({ ...base, count: 0 }, effectiveSpec(), 'spec'), ['spec.count: Invalid value: 0: spec.count in body should be greater than or equal to 1']);
  assert.deepEqual(messages({ ...base, count: 4 }, effectiveSpec(), 'spec'), ['spec.count: Invalid value: 4: spec.count in body should be less than or equal to 3']);
  assert.deepEqual(messages({ template: { spec: { domain: { devices: {} }, nodeSelector: { a: 1 } } } }, effectiveSpec(), 'spec'), [
    'spec.template.spec.nodeSelector.a: Invalid value: "integer": spec.template.spec.nodeSelector.a in body must be of type string: "integer"',
  ]);
});

test('preserve-unknown-fields and schema-less subtrees are not type-checked', () => {
  const vm = validVm() as Record<string, any>;
  vm.status = { phase: 42, anything: [null] };
  vm.spec.extra = { x: [1, 'a', null] };
  vm.spec.undescribed = 7;
  assert.deepEqual(validateSchemaTypes(vm, vmSchema, defs), []);
});
