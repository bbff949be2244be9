// oc projects: every project (or namespace) the user can see, the current one starred.

import type { OcContext } from './command.ts';
import { confirmProjectAccess, contextNickname, displayAnnotation, displayNameForProject, getProjects } from './projects-api.ts';

export async function run(ctx: OcContext): Promise<void> {
  if (ctx.args.length > 0) throw new Error('no arguments should be passed');
  const short = ctx.flag<boolean>('short');
  const config = ctx.clientConfig();
  const host = config.restConfig().host;
  const currentName = config.contextName();
  const current = config.raw.contexts.get(currentName)?.value;
  const currentProject = current?.namespace ?? '';
  const client = ctx.client();

  let currentExists = false;
  if (currentProject) {
    try {
      await confirmProjectAccess(client, currentProject);
      currentExists = true;
    } catch {
      // shown without a star
    }
  }
  const projects = (await getProjects(client)).sort((a, b) => a.name.localeCompare(b.name));
  let msg = '';
  if (projects.length === 0) {
    if (!short) msg += "You are not a member of any projects. You can request a project to be created with the 'new-project' command.";
  } else if (projects.length === 1) {
    msg += short ? projects[0].name : `You have one project on this server: ${JSON.stringify(displayNameForProject(projects[0]))}.`;
  } else {
    if (!short) msg += "You have access to the following projects and can switch between them with 'oc project <projectname>':\n";
    projects.forEach((p, i) => {
      const marker = currentExists && !short ? (p.name === currentProject ? '  * ' : '    ') : '';
      const display = displayAnnotation(p);
      if (display && display !== p.name && !short) msg += `\n${marker}${p.name} - ${display}`;
      else msg += `${short && i === 0 ? '' : '\n'}${marker}${p.name}`;
    });
  }
  ctx.io.out(`${msg}\n`);
  // oc stays quiet about a current project it cannot see.
  if (projects.length > 0 && !short && currentExists) {
    const nick = contextNickname(currentProject, current?.cluster ?? '', current?.user ?? '');
    ctx.io.out(currentName === nick
      ? `\nUsing project "${currentProject}" on server "${host}".\n`
      : `\nUsing project "${currentProject}" from context named "${currentName}" on server "${host}".\n`);
  }
}
