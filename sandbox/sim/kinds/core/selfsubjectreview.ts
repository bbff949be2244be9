// authentication.k8s.io/v1 SelfSubjectReview: "who am I?" (`kubectl auth
// whoami`). Create-only; the server fills status with the caller's identity.

import type { KindDef } from '../types.ts';
import { mapOf, obj, str } from '../schema.ts';
import { atomicList } from './definitions.ts';

export const selfSubjectReviewKind: KindDef = {
  group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews',
  singular: 'selfsubjectreview', namespaced: false, custom: false, verbs: ['create'],
  schemaName: 'io.k8s.api.authentication.v1.SelfSubjectReview',
  schema: obj({
    status: obj({
      userInfo: obj({
        username: str('User name.'),
        uid: str('Unique ID of the user.'),
        groups: atomicList(str(), 'Groups of the user.'),
        extra: mapOf(atomicList(str()), 'Extra attributes from the authenticator.'),
      }, { description: 'The authenticated user.' }),
    }, { description: 'Filled by the server.' }),
  }),
  description: 'Returns the identity the API server sees for the caller. Created, answered, and never stored.',
  printerColumns: [],
};
