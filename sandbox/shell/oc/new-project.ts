// oc new-project NAME: a ProjectRequest where the cluster serves
// project.openshift.io; elsewhere (plain Kubernetes, the embedded cluster) a
// Namespace with the annotations OpenShift's project template sets. Then the
// project becomes current, as `oc project NAME` would make it.

import { StatusError, isNotFound } from '../kube/errors.ts';
import type { OcContext } from './command.ts';
import { switchProject } from './project.ts';
import { whoAmIName } from './projects-api.ts';

type Json = Record<string, unknown>;

const NEW_APP_HINT = `
You can add applications to this project with the 'new-app' command. For example, try:

    oc new-app rails-postgresql-example

to build a new example application in Ruby. Or use kubectl to deploy a simple Kubernetes application:

    kubectl create deployment hello-node --image=registry.k8s.io/e2e-test-images/agnhost:2.43 -- /agnhost serve-hostname

`;

/** Namespace errors in the words of the ProjectRequest API they stand in for. */
function asProjectError(e: unknown, name: string): unknown {
  if (!(e instanceof StatusError)) return e;
  if (e.reason === 'AlreadyExists') {
    return new StatusError({ ...e.status, message: `project.project.openshift.io ${JSON.stringify(name)} already exists`, details: { name, group: 'project.openshift.io', kind: 'project' } });
  }
  if (e.reason === 'Invalid' && e.status.details) {
    return new StatusError({ ...e.status, details: { ...e.status.details, kind: 'ProjectRequest', group: 'project.openshift.io' } });
  }
  return e;
}

async function createProject(ctx: OcContext, name: string): Promise<void> {
  const client = ctx.client();
  const displayName = ctx.flag<string>('display-name');
  const description = ctx.flag<string>('description');
  let hasProjectApi = true;
  try {
    await client.get('/apis/project.openshift.io/v1/projectrequests', { target: { resource: 'projectrequests.project.openshift.io' } });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    hasProjectApi = false;
  }
  if (hasProjectApi) {
    await client.request('POST', '/apis/project.openshift.io/v1/projectrequests', {
      body: { kind: 'ProjectRequest', apiVersion: 'project.openshift.io/v1', metadata: { name, annotations: {} }, displayName, description },
    });
    return;
  }
  const annotations: Record<string, string> = {
    'openshift.io/description': description,
    'openshift.io/display-name': displayName,
    'openshift.io/requester': await whoAmIName(client, ctx.clientConfig().restConfig()),
  };
  const namespace: Json = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } };
  try {
    await client.request('POST', '/api/v1/namespaces', { body: namespace });
  } catch (e) {
    throw asProjectError(e, name);
  }
}

export async function run(ctx: OcContext): Promise<void> {
  if (ctx.args.length !== 1) throw new Error('must have exactly one argument');
  const name = ctx.args[0];
  const host = ctx.clientConfig().restConfig().host;
  await createProject(ctx, name);
  if (ctx.flag<boolean>('skip-config-write')) {
    ctx.io.out(`Project ${JSON.stringify(name)} created on server ${JSON.stringify(host)}.\n\nTo switch to this project and start adding applications, use:\n\n    oc project ${name}\n`);
    return;
  }
  await switchProject(ctx, name, { projectOnly: true, skipAccessValidation: true });
  ctx.io.out(NEW_APP_HINT);
}
