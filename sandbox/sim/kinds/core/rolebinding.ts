// rbac.authorization.k8s.io/v1 RoleBinding: grants a Role or ClusterRole to
// users, groups and service accounts within one namespace.

import type { KubeObject } from '../../api/object.ts';
import type { KindDef, PrinterColumn } from '../types.ts';
import { obj, ref } from '../schema.ts';
import { RBAC, atomicList } from './definitions.ts';
import { invalid, notSupported, required, type FieldErrors } from './field-errors.ts';
import { ageColumn, jsonEqual, record, records, text } from './table-cells.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Users, groups and service accounts ("ns/name") of a binding, as the printers list them. */
export function bindingSubjects(o: KubeObject): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const out = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] };
  for (const s of records(o.subjects)) {
    if (s.kind === 'ServiceAccount') out.serviceAccounts.push(`${text(s.namespace)}/${text(s.name)}`);
    else if (s.kind === 'User') out.users.push(text(s.name));
    else if (s.kind === 'Group') out.groups.push(text(s.name));
  }
  return out;
}

/** Role, Age and the wide subject columns shared by both binding kinds. */
export function bindingColumns(scope: string): PrinterColumn[] {
  return [
    { name: 'Role', type: 'string', description: 'The granted role as Kind/name.', cell: (o) => `${text(record(o.roleRef).kind)}/${text(record(o.roleRef).name)}` },
    ageColumn,
    { name: 'Users', type: 'string', priority: 1, description: `Users in the ${scope}.`, cell: (o) => bindingSubjects(o).users.join(', ') },
    { name: 'Groups', type: 'string', priority: 1, description: `Groups in the ${scope}.`, cell: (o) => bindingSubjects(o).groups.join(', ') },
    { name: 'ServiceAccounts', type: 'string', priority: 1, description: `ServiceAccounts in the ${scope}.`, cell: (o) => bindingSubjects(o).serviceAccounts.join(', ') },
  ];
}

/** roleRef and subjects of a binding; `roleKinds` are the kinds it may refer to. */
export function validateBinding(o: KubeObject, roleKinds: string[], namespaced: boolean): FieldErrors {
  const errs: FieldErrors = [];
  const roleRef = record(o.roleRef);
  if (text(roleRef.apiGroup) !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', roleRef.apiGroup ?? '', [RBAC_GROUP]));
  if (!roleKinds.includes(text(roleRef.kind))) errs.push(notSupported('roleRef.kind', roleRef.kind ?? '', roleKinds));
  if (!text(roleRef.name)) errs.push(required('roleRef.name'));
  records(o.subjects).forEach((s, i) => {
    const p = `subjects[${i}]`;
    if (!text(s.name)) errs.push(required(`${p}.name`));
    switch (s.kind) {
      case 'ServiceAccount':
        if (text(s.apiGroup)) errs.push(notSupported(`${p}.apiGroup`, s.apiGroup, ['']));
        if (!namespaced && !text(s.namespace)) errs.push(required(`${p}.namespace`));
        break;
      case 'User':
      case 'Group':
        if (text(s.apiGroup) !== RBAC_GROUP) errs.push(notSupported(`${p}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
        break;
      default:
        errs.push(notSupported(`${p}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

/** apiGroup defaults of roleRef and of user and group subjects. */
export function defaultBinding(o: KubeObject): void {
  if (o.roleRef && typeof o.roleRef === 'object' && !text((o.roleRef as Record<string, unknown>).apiGroup)) {
    (o.roleRef as Record<string, unknown>).apiGroup = RBAC_GROUP;
  }
  for (const s of records(o.subjects)) {
    if (!text(s.apiGroup) && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = RBAC_GROUP;
  }
}

export function validateRoleRefUnchanged(o: KubeObject, old: KubeObject): FieldErrors {
  return jsonEqual(o.roleRef, old.roleRef) ? [] : [invalid('roleRef', o.roleRef, 'cannot change roleRef')];
}

export const roleBindingKind: KindDef = {
  group: RBAC_GROUP, version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', singular: 'rolebinding', namespaced: true,
  custom: false, nameValidation: 'path-segment',
  schemaName: `${RBAC}.RoleBinding`,
  schema: obj({
    subjects: atomicList(ref(`${RBAC}.Subject`), 'Who is granted the role.'),
    roleRef: ref(`${RBAC}.RoleRef`, 'The Role or ClusterRole granted, in this namespace. Cannot be changed.'),
  }, { required: ['roleRef'] }),
  description: 'Grants the permissions of a Role or ClusterRole to subjects within one namespace.',
  printerColumns: bindingColumns('roleBinding'),
  defaults: defaultBinding,
  validate(o) {
    return validateBinding(o, ['Role', 'ClusterRole'], true);
  },
  validateUpdate: validateRoleRefUnchanged,
};
