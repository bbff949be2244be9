// oc whoami: the user of the session from a SelfSubjectReview (users/~ on older
// OpenShift); -t the bearer token, -c the kubeconfig's current context,
// --show-server the API URL, --show-console the web console URL.

import { isNotFound } from '../kube/errors.ts';
import type { OcContext } from './command.ts';
import { checkOutput, toYaml } from './printer.ts';

type Json = Record<string, unknown>;

async function consoleUrl(ctx: OcContext): Promise<string> {
  try {
    const cm = await ctx.client().get<Json>('/api/v1/namespaces/openshift-config-managed/configmaps/console-public');
    const url = (cm.data as Record<string, string> | undefined)?.consoleURL;
    if (!url) throw new Error('unable to determine console location from the cluster');
    return url;
  } catch (e) {
    if (isNotFound(e)) return ctx.clientConfig().restConfig().host;
    if (e instanceof Error && e.message.startsWith('unable to determine')) throw e;
    throw new Error(`unable to determine console location: ${(e as Error).message}`);
  }
}

export async function run(ctx: OcContext): Promise<void> {
  const output = ctx.flag<string>('output');
  checkOutput(output, ['json', 'yaml', 'name']);
  const token = ctx.flag<boolean>('show-token');
  const context = ctx.flag<boolean>('show-context');
  const server = ctx.flag<boolean>('show-server');
  const consoleFlag = ctx.flag<boolean>('show-console');
  const config = ctx.clientConfig();
  const rest = config.restConfig();
  if (output && (token || context || server || consoleFlag)) throw new Error('--output cannot be used with --show-token, --show-context, --show-server, or --show-console');
  if (token && !rest.bearerToken) throw new Error('no token is currently in use for this session');
  if (context && !config.raw.currentContext) throw new Error('no context has been set');
  if (token) return void ctx.io.out(`${rest.bearerToken}\n`);
  if (context) return void ctx.io.out(`${config.raw.currentContext}\n`);
  if (server) return void ctx.io.out(`${rest.host}\n`);
  if (consoleFlag) return void ctx.io.out(`${await consoleUrl(ctx)}\n`);

  let user: Json;
  try {
    const r = await ctx.client().request<{ status?: { userInfo?: { username?: string; groups?: string[] } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: { userInfo: {} } },
    });
    const info = r?.status?.userInfo ?? {};
    user = { kind: 'User', apiVersion: 'user.openshift.io/v1', metadata: { name: info.username ?? '' }, groups: info.groups ?? null };
  } catch {
    user = await ctx.client().get<Json>('/apis/user.openshift.io/v1/users/~', { target: { resource: 'users.user.openshift.io', name: '~' } });
  }
  const name = String((user.metadata as Json | undefined)?.name ?? '');
  if (output === 'json') ctx.io.out(`${JSON.stringify(user, null, 4)}\n`);
  else if (output === 'yaml') ctx.io.out(toYaml(user));
  else if (output === 'name') ctx.io.out(`user.user.openshift.io/${name}\n`);
  else ctx.io.out(`${name}\n`);
}
