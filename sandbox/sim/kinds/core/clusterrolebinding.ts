// rbac.authorization.k8s.io/v1 ClusterRoleBinding: grants a ClusterRole
// cluster-wide.

import type { KindDef } from '../types.ts';
import { obj, ref } from '../schema.ts';
import { RBAC, atomicList } from './definitions.ts';
import { bindingColumns, defaultBinding, validateBinding, validateRoleRefUnchanged } from './rolebinding.ts';

export const clusterRoleBindingKind: KindDef = {
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', singular: 'clusterrolebinding',
  namespaced: false, custom: false, nameValidation: 'path-segment',
  schemaName: `${RBAC}.ClusterRoleBinding`,
  schema: obj({
    subjects: atomicList(ref(`${RBAC}.Subject`), 'Who is granted the role.'),
    roleRef: ref(`${RBAC}.RoleRef`, 'The ClusterRole granted. Cannot be changed.'),
  }, { required: ['roleRef'] }),
  description: 'Grants the permissions of a ClusterRole to subjects across the whole cluster.',
  printerColumns: bindingColumns('clusterRoleBinding'),
  defaults: defaultBinding,
  validate(o) {
    return validateBinding(o, ['ClusterRole'], false);
  },
  validateUpdate: validateRoleRefUnchanged,
};
