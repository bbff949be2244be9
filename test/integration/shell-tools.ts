// Runs the lab shell's own commands (sandbox/shell/bin/virtctl, oc) as child
// processes against an embedded cluster, the way a student's shell runs them.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunResult, Sim } from './harness.ts';

export const SHELL_BIN = fileURLToPath(new URL('../../sandbox/shell/bin/', import.meta.url));

export interface ToolOptions {
  input?: string;
  /** Extra or replaced environment variables (KUBECONFIG defaults to the sim's). */
  env?: Record<string, string | undefined>;
  /** While the command runs, advance the cluster clock this many seconds every 200 ms. */
  advanceEvery?: number;
}

export function runTool(sim: Sim, tool: 'virtctl' | 'oc', args: string[], o: ToolOptions = {}): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: sim.dir, KUBECONFIG: sim.kubeconfig };
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(`${SHELL_BIN}${tool}`, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  if (o.input !== undefined) child.stdin.end(o.input);
  else child.stdin.end();
  let ticking: NodeJS.Timeout | undefined;
  if (o.advanceEvery) ticking = setInterval(() => { void sim.advance(o.advanceEvery!); }, 200);
  return new Promise((resolve) => child.on('close', (code) => {
    if (ticking) clearInterval(ticking);
    resolve({ code: code ?? -1, stdout, stderr });
  }));
}
