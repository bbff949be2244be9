// virtctl pause|unpause vm|vmi NAME: PUT .../virtualmachineinstances/NAME/{pause,unpause}.
// For a VM the VM is read first, so a missing VMI can be explained by the run strategy.

import { isNotFound } from '../kube/errors.ts';
import { CommandError, type CommandContext } from './command.ts';

type Json = Record<string, unknown>;

/** The VM's run strategy, as KubeVirt's VirtualMachine.RunStrategy() derives it. */
function runStrategy(vm: Json): string {
  const spec = (vm.spec ?? {}) as Json;
  const hasRunning = spec.running !== undefined && spec.running !== null;
  const hasStrategy = spec.runStrategy !== undefined && spec.runStrategy !== null;
  if (hasRunning && hasStrategy) throw new Error('running and runstrategy are mutually exclusive');
  if (hasRunning) return spec.running === true ? 'Always' : 'Halted';
  return hasStrategy ? String(spec.runStrategy) : 'Halted';
}

export async function run(ctx: CommandContext): Promise<void> {
  const verb = ctx.def.name as 'pause' | 'unpause';
  const type = ctx.args[0].toLowerCase();
  const name = ctx.args[1];
  const ns = encodeURIComponent(ctx.namespace());
  try {
    ctx.client();
  } catch (e) {
    throw new CommandError(`Cannot obtain KubeVirt client: ${(e as Error).message}`);
  }
  const body: Json = {};
  if (ctx.flag<boolean>('dry-run')) {
    ctx.io.out('Dry Run execution\n');
    body.dryRun = ['All'];
  }
  const callVmi = (vmi: string): Promise<unknown> => ctx.client().request('PUT', `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${encodeURIComponent(vmi)}/${verb}`, { body });
  const gerund = verb === 'pause' ? 'pausing' : 'unpausing';

  switch (type) {
    case 'vm':
    case 'virtualmachine': {
      let vm: Json;
      try {
        vm = await ctx.client().get<Json>(`/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/${encodeURIComponent(name)}`);
      } catch (e) {
        throw new CommandError(`Error getting VirtualMachine ${name}: ${(e as Error).message}`);
      }
      const vmiName = String((vm.metadata as Json | undefined)?.name ?? name);
      try {
        await callVmi(vmiName);
      } catch (e) {
        if (verb === 'pause' && isNotFound(e)) {
          let strategy: string;
          try {
            strategy = runStrategy(vm);
          } catch (inner) {
            throw new CommandError(`Error pausing VirtualMachineInstance ${vmiName}: ${(inner as Error).message}`);
          }
          if (strategy === 'Halted') throw new CommandError(`Error pausing VirtualMachineInstance ${vmiName}. VirtualMachine ${vmiName} is not set to run`);
          throw new CommandError(`Error pausing VirtualMachineInstance ${vmiName}, it was not found`);
        }
        throw new CommandError(`Error ${gerund} VirtualMachineInstance ${vmiName}: ${(e as Error).message}`);
      }
      ctx.io.out(`VMI ${vmiName} was scheduled to ${verb}\n`);
      return;
    }
    case 'vmi':
    case 'virtualmachineinstance':
      try {
        await callVmi(name);
      } catch (e) {
        throw new CommandError(`Error ${gerund} VirtualMachineInstance ${name}: ${(e as Error).message}`);
      }
      ctx.io.out(`VMI ${name} was scheduled to ${verb}\n`);
      return;
    default:
      // virtctl v1.3.1 silently does nothing for any other type.
      return;
  }
}
