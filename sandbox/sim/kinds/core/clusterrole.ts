// rbac.authorization.k8s.io/v1 ClusterRole: permissions cluster-wide, or
// reusable in many namespaces through RoleBindings.

import type { KindDef } from '../types.ts';
import { META } from '../meta.ts';
import { obj, ref } from '../schema.ts';
import { RBAC, atomicList } from './definitions.ts';
import { validatePolicyRules } from './role.ts';
import { createdAtColumn } from './table-cells.ts';

export const clusterRoleKind: KindDef = {
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', singular: 'clusterrole',
  namespaced: false, custom: false, nameValidation: 'path-segment',
  schemaName: `${RBAC}.ClusterRole`,
  schema: obj({
    rules: atomicList(ref(`${RBAC}.PolicyRule`), 'What the role allows. Filled by the controller for aggregated roles.'),
    aggregationRule: obj({
      clusterRoleSelectors: atomicList(ref(`${META}.LabelSelector`), 'ClusterRoles whose rules are aggregated into this one.'),
    }, { description: 'Builds the rules from other ClusterRoles chosen by label.' }),
  }),
  description: 'A set of permissions usable cluster-wide (ClusterRoleBinding) or in a namespace (RoleBinding), including on cluster-scoped resources.',
  printerColumns: [createdAtColumn],
  validate(o) {
    return validatePolicyRules(o.rules, false);
  },
};
