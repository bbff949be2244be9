// rbac.authorization.k8s.io/v1 Role: permissions within one namespace.

import type { KindDef } from '../types.ts';
import { obj, ref } from '../schema.ts';
import { RBAC, atomicList } from './definitions.ts';
import { invalid, required, type FieldErrors } from './field-errors.ts';
import { createdAtColumn, records } from './table-cells.ts';

/** ValidatePolicyRule: verbs, and either resources with API groups or non-resource URLs. */
export function validatePolicyRules(rules: unknown, namespaced: boolean): FieldErrors {
  const errs: FieldErrors = [];
  records(rules).forEach((r, i) => {
    const p = `rules[${i}]`;
    const list = (k: string): unknown[] => (Array.isArray(r[k]) ? r[k] as unknown[] : []);
    if (!list('verbs').length) errs.push(required(`${p}.verbs`, 'verbs must contain at least one value'));
    if (list('nonResourceURLs').length) {
      if (namespaced) errs.push(invalid(`${p}.nonResourceURLs`, r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      if (list('apiGroups').length || list('resources').length || list('resourceNames').length) {
        errs.push(invalid(`${p}.nonResourceURLs`, r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (!list('apiGroups').length) errs.push(required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
    if (!list('resources').length) errs.push(required(`${p}.resources`, 'resource rules must supply at least one resource'));
  });
  return errs;
}

export const roleKind: KindDef = {
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', singular: 'role', namespaced: true,
  custom: false, nameValidation: 'path-segment',
  schemaName: `${RBAC}.Role`,
  schema: obj({
    rules: atomicList(ref(`${RBAC}.PolicyRule`), 'What the role allows.'),
  }),
  description: 'A set of permissions on resources of one namespace, granted through RoleBindings.',
  printerColumns: [createdAtColumn],
  validate(o) {
    return validatePolicyRules(o.rules, true);
  },
};
