// `lab serve`: the web platform (JSON API, lab pages, shells) in the
// foreground until Ctrl-C or SIGTERM; every embedded cluster is snapshotted on
// the way out and restored by the next start on the same data folder.

import { Command, InvalidArgumentError } from 'commander';
import type { CliIO } from '../io.ts';
import { labOptions } from '../lab/options.ts';

// Kept in step with server/server.ts, which is loaded only when `lab serve` runs (express and sqlite3 are not needed by the other commands).
const DEFAULT_PORT = 8080;
const DEFAULT_DATA_DIR = '.virtlab/server';

interface ServeFlags {
  host: string;
  port: number;
  dataDir: string;
  cluster: string;
  socket?: string;
  adminPassword?: string;
  unsafeShell?: boolean;
  timeScale?: number;
  labsDir?: string;
}

function portNumber(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError(`--port must be a port number between 0 and 65535, got "${v}"`);
  return n;
}

function clusterSpec(v: string): string {
  if (v === 'embedded' || (v.startsWith('kubeconfig:') && v.length > 'kubeconfig:'.length)) return v;
  throw new InvalidArgumentError(`--cluster must be "embedded" or "kubeconfig:PATH", got "${v}"`);
}

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`--time-scale must be a number greater than 0, got "${v}"`);
  return n;
}

export function serveCommand(io: CliIO): Command {
  return new Command('serve')
    .description('run the web platform: lab pages, shells, grading, the instructor dashboard (default http://127.0.0.1:8080)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 picks a free one)', portNumber, DEFAULT_PORT)
    .option('--data-dir <dir>', 'database and server state', DEFAULT_DATA_DIR)
    .option('--cluster <where>', 'the students\' clusters: "embedded" (one simulated cluster each) or "kubeconfig:PATH" (a namespace each on that cluster)', clusterSpec, 'embedded')
    .option('--socket <path>', 'also listen on this unix socket (the shells\' `lab` reaches the server through it)')
    .option('--admin-password <password>', 'on first run, create instructor "admin" with this password (or set VIRTLAB_ADMIN_PASSWORD)')
    .option('--time-scale <x>', 'embedded clusters run this many times faster (default: the lab\'s own time scale)', positive)
    .option('--unsafe-shell', 'run student shells without the bubblewrap jail (development only)')
    .option('--labs-dir <dir>', 'folder of labs (default: the repository\'s labs/)')
    .action(async (flags: ServeFlags, self: Command) => {
      const labsDir = labOptions(self).labsDir;
      const { startServer } = await import('../../server/server.ts');
      // A fresh checkout has no web/dist yet, and an edited web/src needs a new bundle.
      const { ensureWebBuilt } = await import('../../web/build.ts');
      await ensureWebBuilt((line) => io.err(`${line}\n`)).catch((e: unknown) => io.err(`the web UI could not be built (${e instanceof Error ? e.message : String(e)}); the API still serves\n`));
      const server = await startServer({
        host: flags.host,
        port: flags.port,
        dataDir: flags.dataDir,
        cluster: flags.cluster,
        ...(flags.socket ? { socketPath: flags.socket } : {}),
        ...(flags.adminPassword ? { adminPassword: flags.adminPassword } : {}),
        ...(flags.timeScale ? { timeScale: flags.timeScale } : {}),
        ...(labsDir ? { labsDir } : {}),
        unsafeShell: flags.unsafeShell === true,
        log: (line) => io.err(`${line}\n`),
      });
      if (server.bootstrapToken) {
        io.out(`No instructor account yet. Create one with this one-time setup token (valid until the next start):\n`
          + `  ${server.url}/setup?token=${server.bootstrapToken}\n`
          + `  or: curl -X POST ${server.url}/api/bootstrap -H 'content-type: application/json' -d '{"token":"${server.bootstrapToken}","username":"admin","password":"..."}'\n`);
      }
      io.out(`ready: ${server.url} (cluster ${flags.cluster}, data ${flags.dataDir}${server.socketPath ? `, socket ${server.socketPath}` : ''})\n`);
      const signal = await io.untilStopped();
      io.out(`stopping (${signal}): saving the clusters\n`);
      await server.close();
    });
}
