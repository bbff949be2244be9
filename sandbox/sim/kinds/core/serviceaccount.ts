// core/v1 ServiceAccount: an identity for pods, and the `token` subresource
// (TokenRequest) behind `kubectl create token`.

import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { bool, dateTime, int, obj, str } from '../schema.ts';
import { CORE, atomicList, coreRef, mapList, objectMeta } from './definitions.ts';
import { ageColumn, records } from './table-cells.ts';

definitions.define('io.k8s.api.authentication.v1.BoundObjectReference', obj({
  kind: str('Pod, Secret or Node.'),
  apiVersion: str('API version of the referent.'),
  name: str('Name of the referent.'),
  uid: str('UID of the referent.'),
}, { description: 'An object the token is bound to; the token stops working when it is deleted.' }));

definitions.define('io.k8s.api.authentication.v1.TokenRequest', {
  ...obj({
    apiVersion: str('authentication.k8s.io/v1.'),
    kind: str('TokenRequest.'),
    metadata: objectMeta(),
    spec: obj({
      audiences: atomicList(str(), 'Intended audiences of the token; the API server\'s when empty.'),
      expirationSeconds: int('Requested validity of the token.', 'int64'),
      boundObjectRef: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.authentication.v1.BoundObjectReference' }], description: 'Object the token is bound to.' },
    }, { description: 'What token is requested.' }),
    status: obj({
      token: str('The token.'),
      expirationTimestamp: dateTime('When the token expires.'),
    }, { description: 'The issued token.' }),
  }, { required: ['spec'], description: 'Requests a token for a service account. Posted to serviceaccounts/<name>/token.' }),
  'x-kubernetes-group-version-kind': [{ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }],
});

export const serviceAccountKind: KindDef = {
  group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', namespaced: true,
  shortNames: ['sa'], custom: false,
  extraSubresources: [{ name: 'token', kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] }],
  schemaName: `${CORE}.ServiceAccount`,
  schema: obj({
    secrets: mapList(coreRef('ObjectReference'), ['name'], 'Legacy token secrets of the account.', { key: 'name' }),
    imagePullSecrets: atomicList(coreRef('LocalObjectReference'), 'Pull secrets added to every pod that runs as this account.'),
    automountServiceAccountToken: bool('Whether pods get the account\'s token mounted; pods may override it.'),
  }),
  description: 'An identity for processes that run in pods, used to authenticate to the API server.',
  printerColumns: [
    { name: 'Secrets', type: 'string', description: 'Number of token secrets.', cell: (o) => records(o.secrets).length },
    ageColumn,
  ],
};
