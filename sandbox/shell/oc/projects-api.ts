// Projects as oc sees them: project.openshift.io when the cluster serves it,
// else the Namespaces (oc's own fallback for plain Kubernetes); and the
// kubeconfig context oc makes for a project, named
// `<project>/<host-port with dots as dashes>/<user>`.

import { createHash } from 'node:crypto';
import type { RestClient } from '../kube/client.ts';
import { isForbidden, isNotFound } from '../kube/errors.ts';
import type { RestConfig } from '../kube/kubeconfig.ts';

type Json = Record<string, unknown>;

export interface Project {
  name: string;
  annotations: Record<string, string>;
}

const DISPLAY_NAME = 'openshift.io/display-name';

function toProject(o: Json): Project {
  const meta = (o.metadata ?? {}) as Json;
  return { name: String(meta.name ?? ''), annotations: (meta.annotations ?? {}) as Record<string, string> };
}

/** ConfirmProjectAccess: the project, or failing that the namespace, must be readable. */
export async function confirmProjectAccess(client: RestClient, name: string): Promise<void> {
  let projectErr: unknown;
  try {
    await client.get(`/apis/project.openshift.io/v1/projects/${encodeURIComponent(name)}`, { target: { resource: 'projects.project.openshift.io', name } });
    return;
  } catch (e) {
    if (!isNotFound(e) && !isForbidden(e)) throw e;
    projectErr = e;
  }
  try {
    await client.get(`/api/v1/namespaces/${encodeURIComponent(name)}`);
    return;
  } catch {
    throw projectErr;
  }
}

/** GetProjects: the project list, or the namespaces where there are no projects. */
export async function getProjects(client: RestClient): Promise<Project[]> {
  try {
    const list = await client.get<{ items?: Json[] }>('/apis/project.openshift.io/v1/projects');
    return (list.items ?? []).map(toProject);
  } catch (e) {
    if (!isNotFound(e) && !isForbidden(e)) throw e;
  }
  const list = await client.get<{ items?: Json[] }>('/api/v1/namespaces');
  return (list.items ?? []).map(toProject);
}

export function displayNameForProject(p: Project): string {
  const display = p.annotations[DISPLAY_NAME] || p.annotations.displayName || '';
  return display && display !== p.name ? `${display} (${p.name})` : p.name;
}

export function displayAnnotation(p: Project): string {
  return p.annotations[DISPLAY_NAME] || p.annotations.displayName || '';
}

/** project.WhoAmI: the user name from a SelfSubjectReview, else users/~, else a name made from the token. */
export async function whoAmIName(client: RestClient, cfg: RestConfig): Promise<string> {
  try {
    const r = await client.request<{ status?: { userInfo?: { username?: string } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: { userInfo: {} } },
    });
    return r?.status?.userInfo?.username ?? '';
  } catch {
    // fall back to the OpenShift user API
  }
  try {
    const me = await client.get<Json>('/apis/user.openshift.io/v1/users/~');
    return String((me.metadata as Json | undefined)?.name ?? '');
  } catch (e) {
    if (!isNotFound(e) && !isForbidden(e)) throw e;
    if (cfg.bearerToken) {
      const h = createHash('sha256').update(cfg.bearerToken).digest().subarray(0, 9);
      return `token-${h.toString('base64url')}`;
    }
    if (cfg.username) return cfg.username;
    throw e;
  }
}

/** host:port of the server (default port by scheme), dots made dashes. */
export function clusterNickname(host: string): string {
  const u = new URL(host.includes('://') ? host : `https://${host}`);
  const port = u.port || (u.protocol === 'http:' ? '80' : '443');
  return `${u.hostname}:${port}`.replaceAll('.', '-');
}

/** GetContextNickname: namespace/cluster/user, the user without its /cluster part. */
export function contextNickname(namespace: string, cluster: string, user: string): string {
  return `${namespace}/${cluster}/${user.split('/')[0]}`;
}
