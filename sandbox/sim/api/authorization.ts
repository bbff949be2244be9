// RBAC authorization: cluster administrators pass; every other user (service
// accounts with tokens from `kubectl create token`) is checked against the
// Roles, ClusterRoles and bindings in the cluster, as the RBAC authorizer does.

import type { KubeObject } from './object.ts';
import type { ClusterReader } from './admission.ts';

export interface UserInfo {
  username: string;
  groups: string[];
}

export interface ResourceAttributes {
  namespace?: string;
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export interface NonResourceAttributes {
  path: string;
  verb: string;
}

export interface Decision {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
}

/** Groups that hold every permission (kubeadm's system:masters, OpenShift's cluster-admins). */
export const SUPERUSER_GROUPS = ['system:masters', 'system:cluster-admins'];

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  if (s.kind === 'User') return s.name === user.username;
  if (s.kind === 'Group') return user.groups.includes(s.name);
  if (s.kind === 'ServiceAccount') return user.username === `system:serviceaccount:${s.namespace ?? bindingNamespace}:${s.name}`;
  return false;
}

function has(list: string[] | undefined, v: string): boolean {
  return !!list && (list.includes('*') || list.includes(v));
}

function ruleAllows(rule: PolicyRule, a: ResourceAttributes): boolean {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource ?? '';
  const resourceOk = has(rule.resources, res) || (!!a.subresource && has(rule.resources, `${a.resource}/*`)) || (!!a.subresource && has(rule.resources, `*/${a.subresource}`));
  return has(rule.verbs, a.verb) && has(rule.apiGroups, a.group ?? '') && resourceOk
    && (!rule.resourceNames?.length || (!!a.name && rule.resourceNames.includes(a.name)));
}

function nonResourceRuleAllows(rule: PolicyRule, a: NonResourceAttributes): boolean {
  return has(rule.verbs, a.verb) && !!rule.nonResourceURLs?.some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
}

/** Rules every authenticated user has (system:basic-user, system:discovery, self reviews, KubeVirt's kubevirt.io:default). */
const AUTHENTICATED_RULES: PolicyRule[] = [
  { apiGroups: ['subresources.kubevirt.io'], resources: ['version', 'guestfs'], verbs: ['get', 'list'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
  { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  { nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/version', '/version/', '/healthz', '/livez', '/readyz'], verbs: ['get'] },
];

export function authorize(cluster: ClusterReader, user: UserInfo, attrs: ResourceAttributes | NonResourceAttributes): Decision {
  if (user.groups.some((g) => SUPERUSER_GROUPS.includes(g))) return { allowed: true };
  const isResource = !('path' in attrs);
  const allows = (rules: PolicyRule[]): boolean => rules.some((r) => (isResource ? ruleAllows(r, attrs as ResourceAttributes) : nonResourceRuleAllows(r, attrs as NonResourceAttributes)));
  if (allows(AUTHENTICATED_RULES)) return { allowed: true };
  const roleRules = (ref: { kind: string; name: string }, namespace?: string): PolicyRule[] => {
    const role = ref.kind === 'ClusterRole'
      ? cluster.get('rbac.authorization.k8s.io/clusterroles', undefined, ref.name)
      : cluster.get('rbac.authorization.k8s.io/roles', namespace, ref.name);
    return ((role as KubeObject & { rules?: PolicyRule[] } | undefined)?.rules) ?? [];
  };
  for (const b of cluster.list('rbac.authorization.k8s.io/clusterrolebindings') as (KubeObject & { subjects?: Subject[]; roleRef: { kind: string; name: string } })[]) {
    if ((b.subjects ?? []).some((s) => subjectMatches(s, user, undefined)) && allows(roleRules(b.roleRef))) {
      return { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${b.metadata.name}" of ClusterRole "${b.roleRef.name}" to User "${user.username}"` };
    }
  }
  const ns = isResource ? (attrs as ResourceAttributes).namespace : undefined;
  if (ns) {
    for (const b of cluster.list('rbac.authorization.k8s.io/rolebindings', ns) as (KubeObject & { subjects?: Subject[]; roleRef: { kind: string; name: string } })[]) {
      if ((b.subjects ?? []).some((s) => subjectMatches(s, user, ns)) && allows(roleRules(b.roleRef, ns))) {
        return { allowed: true, reason: `RBAC: allowed by RoleBinding "${b.metadata.name}/${ns}" of ${b.roleRef.kind} "${b.roleRef.name}" to User "${user.username}"` };
      }
    }
  }
  return { allowed: false };
}

/** The apiserver's Forbidden message for a denied request. */
export function forbiddenMessage(user: UserInfo, a: ResourceAttributes): string {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = a.name ? `${a.resource}${a.group ? `.${a.group}` : ''} "${a.name}"` : `${a.resource}${a.group ? `.${a.group}` : ''}`;
  return `${what} is forbidden: User "${user.username}" cannot ${a.verb} resource "${res}" in API group "${a.group ?? ''}"${a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope'}`;
}
