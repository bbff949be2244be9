// apiextensions.k8s.io/v1 CustomResourceDefinition, served read-only: the
// API server lists one per custom kind (kubectl's CRD finder reads them).

import type { KindDef } from '../types.ts';
import { bool, dateTime, freeform, int, obj, str } from '../schema.ts';
import { atomicList, conditionList } from './definitions.ts';
import { createdAtColumn } from './table-cells.ts';

const names = obj({
  plural: str('Plural resource name used in URLs, e.g. virtualmachines.'),
  singular: str('Singular name, e.g. virtualmachine.'),
  shortNames: atomicList(str(), 'Short names, e.g. vm.'),
  kind: str('Kind in manifests, e.g. VirtualMachine.'),
  listKind: str('Kind of lists, e.g. VirtualMachineList.'),
  categories: atomicList(str(), 'Groups the resource belongs to, e.g. all.'),
}, { required: ['plural', 'kind'], description: 'The names a custom resource is served under.' });

const version = obj({
  name: str('Version name, e.g. v1.'),
  served: bool('Whether the version is served.'),
  storage: bool('Whether objects are stored in this version (exactly one).'),
  deprecated: bool('Whether the version is deprecated.'),
  deprecationWarning: str('Warning returned to clients of a deprecated version.'),
  schema: obj({ openAPIV3Schema: freeform('Structural schema of the custom resource.') }, { description: 'Validation schema.' }),
  subresources: obj({
    status: freeform('Enables the status subresource (empty object).'),
    scale: obj({
      specReplicasPath: str('JSON path of the desired replicas.'),
      statusReplicasPath: str('JSON path of the observed replicas.'),
      labelSelectorPath: str('JSON path of the serialized label selector.'),
    }, { required: ['specReplicasPath', 'statusReplicasPath'], description: 'Enables the scale subresource.' }),
  }, { description: 'Subresources served for this version.' }),
  additionalPrinterColumns: atomicList(obj({
    name: str('Column header.'),
    type: str('integer, number, string, boolean or date.'),
    format: str('Optional format of the column.'),
    description: str('Column description.'),
    priority: int('0 for normal output, higher for wide output only.'),
    jsonPath: str('JSON path of the value in each object.'),
  }, { required: ['name', 'type', 'jsonPath'] }), 'Columns of `kubectl get`.'),
  selectableFields: atomicList(obj({ jsonPath: str('JSON path of a field usable in field selectors.') }, { required: ['jsonPath'] }), 'Extra field-selector fields.'),
}, { required: ['name', 'served', 'storage'], description: 'One served version of a custom resource.' });

export const customResourceDefinitionKind: KindDef = {
  group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'],
  custom: false, tracksGeneration: true, verbs: ['get', 'list', 'watch'],
  subresources: { status: true },
  schemaName: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  schema: obj({
    spec: obj({
      group: str('API group of the custom resource.'),
      names,
      scope: str('Cluster or Namespaced.'),
      versions: atomicList(version, 'Served versions.'),
      conversion: freeform('How objects are converted between versions.'),
      preserveUnknownFields: bool('Deprecated; must be false.'),
    }, { required: ['group', 'names', 'scope', 'versions'], description: 'The custom resource served.' }),
    status: obj({
      conditions: conditionList(obj({
        type: str('Established, NamesAccepted, NonStructuralSchema, Terminating or KubernetesAPIApprovalPolicyConformant.'),
        status: str('True, False or Unknown.'),
        lastTransitionTime: dateTime('When the condition last changed status.'),
        reason: str('Machine-readable reason.'),
        message: str('Human-readable details.'),
      }, { required: ['type', 'status'] })),
      acceptedNames: { ...names, description: 'Names actually served.' },
      storedVersions: atomicList(str(), 'Versions objects have ever been stored in.'),
    }, { description: 'Whether the definition is established.' }),
  }, { required: ['spec'] }),
  description: 'Defines a custom resource kind served by the API server. Read-only in this cluster.',
  printerColumns: [createdAtColumn],
};
