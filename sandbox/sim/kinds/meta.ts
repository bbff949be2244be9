// Shared apimachinery definitions (meta/v1) every kind's schema refers to.

import { SchemaDefinitions, arr, bool, dateTime, freeform, int, obj, ref, str, stringMap } from './schema.ts';

export const definitions = new SchemaDefinitions();

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export const ownerReferenceRef = definitions.define(`${META}.OwnerReference`, obj({
  apiVersion: str('API version of the referent.'),
  kind: str('Kind of the referent.'),
  name: str('Name of the referent.'),
  uid: str('UID of the referent.'),
  controller: bool('If true, this reference points to the managing controller.'),
  blockOwnerDeletion: bool('If true, the owner cannot be deleted from the key-value store until this reference is removed (foreground deletion).'),
}, { description: 'Identifies an owning object. Dependents are garbage-collected once every owner is gone.', required: ['apiVersion', 'kind', 'name', 'uid'] }));

export const managedFieldsEntryRef = definitions.define(`${META}.ManagedFieldsEntry`, obj({
  apiVersion: str('Version of the resource the field set applies to.'),
  fieldsType: str('Format of the field set; always "FieldsV1".'),
  fieldsV1: freeform('The set of fields owned by this manager.'),
  manager: str('Identifier of the workflow managing these fields.'),
  operation: str('The operation that set these fields: Apply or Update.'),
  subresource: str('Subresource written to, if any (e.g. "status").'),
  time: dateTime('When these fields were last changed.'),
}, { description: 'Records which manager owns which fields of an object (server-side apply).' }));

export const objectMetaRef = definitions.define(`${META}.ObjectMeta`, obj({
  name: str('Unique name within a namespace. Required when creating, unless generateName is set. Cannot be updated.'),
  generateName: str('Prefix the server uses to generate a unique name when name is empty.'),
  namespace: str('The namespace the object lives in; empty for cluster-scoped objects.'),
  uid: str('Unique identity of this object in time, set by the server. Read-only.'),
  resourceVersion: str('Opaque version of this object, used for optimistic concurrency and watches. Read-only.'),
  generation: int('Sequence number of a specific generation of the desired state, set by the server. Read-only.', 'int64'),
  creationTimestamp: dateTime('When this object was created, set by the server. Read-only.'),
  deletionTimestamp: dateTime('When this object will be deleted; set by the server when a graceful deletion is requested. Read-only.'),
  deletionGracePeriodSeconds: int('Seconds allowed for the object to terminate gracefully before it is removed. Read-only.', 'int64'),
  labels: stringMap('Key/value pairs used to organise and select objects.'),
  annotations: stringMap('Unstructured key/value metadata for tools and controllers.'),
  ownerReferences: {
    ...arr(ownerReferenceRef, 'Objects this object depends on; if all owners are deleted the object is garbage-collected.'),
    'x-kubernetes-patch-merge-key': 'uid', 'x-kubernetes-patch-strategy': 'merge',
    'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['uid'],
  },
  finalizers: {
    ...arr(str(), 'Conditions that must be cleared before the object is removed from the registry.'),
    'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set',
  },
  managedFields: arr(managedFieldsEntryRef, 'Field ownership for server-side apply. Usually not edited by hand.'),
  selfLink: str('Deprecated; not set.'),
}, { description: 'Standard metadata of every persisted object.' }));

export const listMetaRef = definitions.define(`${META}.ListMeta`, obj({
  resourceVersion: str('Version of the list, usable as a watch starting point.'),
  continue: str('Token for the next chunk of a paged list.'),
  remainingItemCount: int('Number of items after this chunk.', 'int64'),
}, { description: 'Metadata of list responses.' }));

export const labelSelectorRequirementRef = definitions.define(`${META}.LabelSelectorRequirement`, obj({
  key: str('The label key.'),
  operator: str('One of In, NotIn, Exists, DoesNotExist.'),
  values: arr(str(), 'Values for In and NotIn; must be empty for Exists and DoesNotExist.'),
}, { required: ['key', 'operator'], description: 'A selector requirement: a key, an operator and values.' }));

export const labelSelectorRef = definitions.define(`${META}.LabelSelector`, {
  ...obj({
    matchLabels: stringMap('Labels that must all match (ANDed).'),
    matchExpressions: arr(labelSelectorRequirementRef, 'Requirements that must all match (ANDed).'),
  }, { description: 'A label query over objects. An empty selector matches everything; a null one matches nothing.' }),
  'x-kubernetes-map-type': 'atomic',
});

export const conditionRef = definitions.define(`${META}.Condition`, obj({
  type: str('Condition type in CamelCase.'),
  status: str('True, False or Unknown.'),
  observedGeneration: int('The generation this condition was set for.', 'int64'),
  lastTransitionTime: dateTime('When the condition last changed status.'),
  reason: str('Machine-readable reason in CamelCase.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of an object\'s current state.' }));

export function metadataProperty(): ReturnType<typeof ref> {
  return ref(`${META}.ObjectMeta`, 'Standard object metadata.');
}
