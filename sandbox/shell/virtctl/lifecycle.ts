// virtctl start | stop | restart | migrate | migrate-cancel: PUT to the VM's
// subresources at virt-api (subresources.kubevirt.io/v1), or for
// migrate-cancel, deleting the VM's active VirtualMachineInstanceMigration.

import { CommandError, type CommandContext } from './command.ts';

const SUBRESOURCES = '/apis/subresources.kubevirt.io/v1';
const MIGRATION_VMI_LABEL = 'kubevirt.io/vmi-name';

/** setDryRunOption: announces the dry run and returns the option for the body. */
function dryRun(ctx: CommandContext): { dryRun?: string[] } {
  if (!ctx.flag<boolean>('dry-run')) return {};
  ctx.io.out('Dry Run execution\n');
  return { dryRun: ['All'] };
}

function vmPath(ctx: CommandContext, name: string, sub: string): string {
  return `${SUBRESOURCES}/namespaces/${encodeURIComponent(ctx.namespace())}/virtualmachines/${encodeURIComponent(name)}/${sub}`;
}

async function put(ctx: CommandContext, name: string, sub: string, body: Record<string, unknown>, prefix: string): Promise<void> {
  try {
    await ctx.client().request('PUT', vmPath(ctx, name, sub), { body });
  } catch (e) {
    throw new CommandError(`${prefix}${(e as Error).message}`);
  }
}

/** --force and --grace-period come together or not at all. */
function forceGrace(ctx: CommandContext): number | undefined {
  const force = ctx.flag<boolean>('force');
  if (ctx.changed('grace-period') !== force) throw new CommandError('Must both use --force=true and set --grace-period.');
  return force ? ctx.flag<number>('grace-period') : undefined;
}

function scheduled(ctx: CommandContext, name: string, verb: string): void {
  ctx.io.out(`VM ${name} was scheduled to ${verb}\n`);
}

async function start(ctx: CommandContext, name: string): Promise<void> {
  const body = { ...(ctx.flag<boolean>('paused') ? { paused: true } : {}), ...dryRun(ctx) };
  await put(ctx, name, 'start', body, 'Error starting VirtualMachine ');
  scheduled(ctx, name, 'start');
}

async function stop(ctx: CommandContext, name: string): Promise<void> {
  const opts = dryRun(ctx);
  const grace = forceGrace(ctx);
  if (grace !== undefined) await put(ctx, name, 'stop', { gracePeriod: grace, ...opts }, 'Error force stopping VirtualMachine, ');
  else await put(ctx, name, 'stop', opts, 'Error stopping VirtualMachine ');
  scheduled(ctx, name, 'stop');
}

async function restart(ctx: CommandContext, name: string): Promise<void> {
  const opts = dryRun(ctx);
  const grace = forceGrace(ctx);
  if (grace !== undefined) await put(ctx, name, 'restart', { gracePeriodSeconds: grace, ...opts }, 'Error force restarting VirtualMachine, ');
  else await put(ctx, name, 'restart', opts, 'Error restarting VirtualMachine ');
  scheduled(ctx, name, 'restart');
}

async function migrate(ctx: CommandContext, name: string): Promise<void> {
  await put(ctx, name, 'migrate', dryRun(ctx), 'Error migrating VirtualMachine ');
  scheduled(ctx, name, 'migrate');
}

interface Migration {
  metadata: { name: string };
  status?: { phase?: string };
}

/** Cancels the VM's migration in flight by deleting its migration object. */
async function migrateCancel(ctx: CommandContext, name: string): Promise<void> {
  const ns = encodeURIComponent(ctx.namespace());
  const base = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancemigrations`;
  let list: { items?: Migration[] };
  try {
    list = await ctx.client().get(base, { query: { labelSelector: `${MIGRATION_VMI_LABEL}==${name}` } });
  } catch (e) {
    throw new CommandError(`Error fetching virtual machine instance migration list  ${(e as Error).message}`);
  }
  const active = (list.items ?? []).find((m) => m.status?.phase !== 'Succeeded' && m.status?.phase !== 'Failed');
  if (!active) throw new CommandError(`Found no migration to cancel for ${name}`);
  try {
    await ctx.client().request('DELETE', `${base}/${encodeURIComponent(active.metadata.name)}`, { body: {} });
  } catch (e) {
    throw new CommandError(`Error canceling migration ${active.metadata.name} of a VirtualMachine ${name}: ${(e as Error).message}`);
  }
  scheduled(ctx, name, 'migrate-cancel');
}

export async function run(ctx: CommandContext): Promise<void> {
  const name = ctx.args[0];
  // GetNamespaceAndClient comes first, so configuration errors win.
  ctx.namespace();
  try {
    ctx.client();
  } catch (e) {
    throw new CommandError(`Cannot obtain KubeVirt client: ${(e as Error).message}`);
  }
  switch (ctx.def.name) {
    case 'start': return start(ctx, name);
    case 'stop': return stop(ctx, name);
    case 'restart': return restart(ctx, name);
    case 'migrate': return migrate(ctx, name);
    case 'migrate-cancel': return migrateCancel(ctx, name);
    default: throw new Error(`lifecycle: unexpected command ${ctx.def.name}`);
  }
}
