// Process entry of the jail init (bundled into the shell tools as lib/jail-init.cjs).

import { main } from '../jail-init/main.ts';

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`lab shell: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
