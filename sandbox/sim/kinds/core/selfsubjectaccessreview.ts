// authorization.k8s.io/v1 SelfSubjectAccessReview: "may I do this?"
// (`kubectl auth can-i`). Create-only; the answer comes back in status.

import type { KindDef } from '../types.ts';
import { definitions, META } from '../meta.ts';
import { bool, obj, ref, str } from '../schema.ts';
import { atomicList } from './definitions.ts';

const AUTHZ = 'io.k8s.api.authorization.v1';

definitions.define(`${AUTHZ}.ResourceAttributes`, obj({
  namespace: str('Namespace of the action; empty means all namespaces for namespaced resources.'),
  verb: str('get, list, watch, create, update, patch, delete, deletecollection, or *.'),
  group: str('API group of the resource; * for all.'),
  version: str('API version of the resource; * for all.'),
  resource: str('Resource, e.g. pods; * for all.'),
  subresource: str('Subresource, e.g. log or eviction.'),
  name: str('Name of the object; empty means all.'),
  fieldSelector: obj({
    rawSelector: str('Field selector as in a list request.'),
    requirements: atomicList(obj({
      key: str('Field key.'),
      operator: str('In, NotIn, Exists or DoesNotExist.'),
      values: atomicList(str(), 'Values for In and NotIn.'),
    }, { required: ['key', 'operator'] }), 'Parsed requirements.'),
  }, { description: 'Field selector limiting the action.' }),
  labelSelector: obj({
    rawSelector: str('Label selector as in a list request.'),
    requirements: atomicList(ref(`${META}.LabelSelectorRequirement`), 'Parsed requirements.'),
  }, { description: 'Label selector limiting the action.' }),
}, { description: 'An action on a resource.' }));

definitions.define(`${AUTHZ}.NonResourceAttributes`, obj({
  path: str('URL path, e.g. /healthz.'),
  verb: str('HTTP verb in lower case, e.g. get.'),
}, { description: 'An action on a non-resource URL.' }));

export const selfSubjectAccessReviewKind: KindDef = {
  group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview', namespaced: false, custom: false, verbs: ['create'],
  schemaName: `${AUTHZ}.SelfSubjectAccessReview`,
  schema: obj({
    spec: obj({
      resourceAttributes: ref(`${AUTHZ}.ResourceAttributes`, 'A resource action.'),
      nonResourceAttributes: ref(`${AUTHZ}.NonResourceAttributes`, 'A non-resource URL action.'),
    }, { description: 'The action to check; exactly one of the two.' }),
    status: obj({
      allowed: bool('Whether the action is allowed.'),
      denied: bool('Whether the action is explicitly denied.'),
      reason: str('Why, if known.'),
      evaluationError: str('Authorization errors met while evaluating.'),
    }, { description: 'The answer, filled by the server.' }),
  }, { required: ['spec'] }),
  description: 'Asks whether the current user may perform an action. Created, answered, and never stored.',
  printerColumns: [],
};
