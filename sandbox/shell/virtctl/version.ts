// virtctl version [-c]: this client's version.Info, then virt-api's, as Go's %#v prints them.

import type { CommandContext } from './command.ts';
import { CLIENT_VERSION, goSyntax, serverVersion } from './version-info.ts';

export async function run(ctx: CommandContext): Promise<void> {
  ctx.io.out(`Client Version: ${goSyntax(CLIENT_VERSION)}\n`);
  if (ctx.flag<boolean>('client')) return;
  const server = await serverVersion(ctx.client());
  ctx.io.out(`Server Version: ${goSyntax(server ?? {})}\n`);
}
