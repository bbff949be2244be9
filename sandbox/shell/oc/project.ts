// oc project [NAME]: without a name, shows the project in use; with one, makes
// it current. A project gets its own kubeconfig context, as oc does it
// (`<project>/<host-port>/<user>`, with a cluster `<host-port>` and a user
// `<user>/<host-port>` holding the same credentials); an existing context of
// that name is just selected.

import { isForbidden, isNotFound } from '../kube/errors.ts';
import { modifyConfig, type StanzaChange } from '../kube/kubeconfig-write.ts';
import type { RestConfig } from '../kube/kubeconfig.ts';
import type { OcContext } from './command.ts';
import { clusterNickname, confirmProjectAccess, contextNickname, displayNameForProject, getProjects, whoAmIName } from './projects-api.ts';

type Json = Record<string, unknown>;

export interface SwitchOptions {
  /** Only a project, never a context of that name (new-project). */
  projectOnly?: boolean;
  skipAccessValidation?: boolean;
  short?: boolean;
}

function hasMultipleServers(ctx: OcContext): boolean {
  const servers = new Set([...ctx.clientConfig().raw.clusters.values()].map((c) => c.value.server ?? ''));
  return servers.size > 1;
}

/** CreateConfig: the cluster, user and context stanzas for a project on this server. */
function projectStanzas(project: string, user: string, cfg: RestConfig): { context: string; stanzas: StanzaChange[] } {
  const clusterNick = clusterNickname(cfg.host);
  const userNick = `${user}/${clusterNick}`;
  const cluster: Json = { server: cfg.host };
  if (cfg.serverName) cluster['tls-server-name'] = cfg.serverName;
  if (cfg.caFile) cluster['certificate-authority'] = cfg.caFile;
  else if (cfg.caData) cluster['certificate-authority-data'] = cfg.caData.toString('base64');
  if (cfg.insecure) cluster['insecure-skip-tls-verify'] = true;
  const creds: Json = {};
  if (cfg.bearerTokenFile) creds.tokenFile = cfg.bearerTokenFile;
  else if (cfg.bearerToken) creds.token = cfg.bearerToken;
  if (cfg.certFile) creds['client-certificate'] = cfg.certFile;
  else if (cfg.certData) creds['client-certificate-data'] = cfg.certData.toString('base64');
  if (cfg.keyFile) creds['client-key'] = cfg.keyFile;
  else if (cfg.keyData) creds['client-key-data'] = cfg.keyData.toString('base64');
  return {
    context: contextNickname(project, clusterNick, userNick),
    stanzas: [
      { kind: 'clusters', name: clusterNick, value: cluster },
      { kind: 'users', name: userNick, value: creds },
      { kind: 'contexts', name: contextNickname(project, clusterNick, userNick), value: { cluster: clusterNick, namespace: project, user: userNick } },
    ],
  };
}

async function showProject(ctx: OcContext, short: boolean): Promise<void> {
  const config = ctx.clientConfig();
  const currentName = config.contextName();
  const current = config.raw.contexts.get(currentName)?.value;
  const project = current?.namespace ?? '';
  if (!project) {
    if (short) throw new Error('no project has been set');
    ctx.io.out('No project has been set. Pass a project name to make that the default.\n');
    return;
  }
  const host = config.restConfig().host;
  try {
    await confirmProjectAccess(ctx.client(), project);
  } catch (e) {
    if (isForbidden(e) || isNotFound(e)) throw new Error(`you do not have rights to view project "${project}" specified in your config or the project doesn't exist`);
    throw e;
  }
  if (short) {
    ctx.io.out(`${project}\n`);
    return;
  }
  const nick = contextNickname(project, current?.cluster ?? '', current?.user ?? '');
  ctx.io.out(currentName === nick
    ? `Using project "${project}" on server "${host}".\n`
    : `Using project "${project}" from context named "${currentName}" on server "${host}".\n`);
}

/** Makes a project (or a context of that name) current and says so, as `oc project NAME`. */
export async function switchProject(ctx: OcContext, argument: string, opts: SwitchOptions = {}): Promise<void> {
  const config = ctx.clientConfig();
  const raw = config.raw;
  const rest = config.restConfig();
  const currentName = config.contextName();
  const currentProject = raw.contexts.get(currentName)?.value.namespace ?? '';

  let contextInUse: string;
  let namespaceInUse: string;
  const stanzas: StanzaChange[] = [];
  const asContext = opts.projectOnly ? undefined : raw.contexts.get(argument);
  if (asContext) {
    contextInUse = argument;
    namespaceInUse = asContext.value.namespace ?? '';
  } else {
    if (!opts.skipAccessValidation) {
      try {
        await confirmProjectAccess(ctx.client(), argument);
      } catch (e) {
        if (!isNotFound(e) && !isForbidden(e)) throw e;
        let msg = isForbidden(e) ? `You are not a member of project "${argument}".` : `A project named "${argument}" does not exist on "${rest.host}".`;
        try {
          const projects = await getProjects(ctx.client());
          if (projects.length === 0) msg += "\nYou are not a member of any projects. You can request a project to be created with the 'new-project' command.";
          else if (projects.length === 1) msg += `\nYou have one project on this server: ${displayNameForProject(projects[0])}`;
          else msg += `\nYour projects are:${projects.map((p) => `\n* ${displayNameForProject(p)}`).join('')}`;
        } catch {
          // no list: the message stands alone
        }
        if (hasMultipleServers(ctx)) msg += "\nTo see projects on another server, pass '--server=<server>'.";
        throw new Error(msg);
      }
    }
    let user: string;
    try {
      user = await whoAmIName(ctx.client(), rest);
    } catch (e) {
      throw new Error(`unable to default to a user name: ${(e as Error).message}`);
    }
    const made = projectStanzas(argument, user, rest);
    stanzas.push(made.stanzas[0], made.stanzas[1]);
    // MergeConfig reuses a context that already says the same thing under another name.
    const wanted = made.stanzas[2].value;
    const existing = [...raw.contexts.values()].find((c) => c.value.cluster === wanted.cluster && c.value.user === wanted.user
      && (c.value.namespace ?? '') === wanted.namespace && Object.keys(c.value).every((k) => ['cluster', 'user', 'namespace'].includes(k)));
    if (existing) contextInUse = existing.name;
    else {
      contextInUse = made.context;
      stanzas.push(made.stanzas[2]);
    }
    namespaceInUse = argument;
  }

  modifyConfig(config.rules, raw, { currentContext: contextInUse, stanzas });

  if (opts.short) {
    ctx.io.out(`${namespaceInUse}\n`);
    return;
  }
  const ctxValue = stanzas.find((s) => s.kind === 'contexts' && s.name === contextInUse)?.value ?? raw.contexts.get(contextInUse)?.value ?? {};
  const nick = contextNickname(namespaceInUse, String(ctxValue.cluster ?? ''), String(ctxValue.user ?? ''));
  const host = rest.host;
  if (!namespaceInUse) ctx.io.out(`Now using context named "${contextInUse}" on server "${host}".\n`);
  else if (currentProject === namespaceInUse) ctx.io.out(`Already on project "${currentProject}" on server "${host}".\n`);
  else if (argument === namespaceInUse && contextInUse === nick) ctx.io.out(`Now using project "${namespaceInUse}" on server "${host}".\n`);
  else ctx.io.out(`Now using project "${namespaceInUse}" from context named "${contextInUse}" on server "${host}".\n`);
}

export async function run(ctx: OcContext): Promise<void> {
  if (ctx.args.length > 1) throw new Error('Only one argument is supported (project name or context name).');
  const short = ctx.flag<boolean>('short');
  if (ctx.args.length === 0) return showProject(ctx, short);
  return switchProject(ctx, ctx.args[0], { short });
}
