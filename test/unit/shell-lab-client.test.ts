// The lab shell's `lab` command against a stand-in for the web server's shell
// API: output and exit code passed through, usage errors, a refused token, a
// shell without the API.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../sandbox/shell/lab-client/main.ts';
import type { ShellIO } from '../../sandbox/shell/io.ts';
import { startFakeShellApi } from '../integration/terminal-fixture.ts';

let api: Awaited<ReturnType<typeof startFakeShellApi>>;
let dir: string;

before(async () => {
  api = await startFakeShellApi('good', { 'POST /api/shell/labs/ha-probes/finish': { exitCode: 0, output: 'ha-probes cleaned up\n' } });
  dir = mkdtempSync(join(tmpdir(), 'lab-client-'));
});
after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

async function lab(args: string[], settings?: object): Promise<{ code: number; out: string; err: string }> {
  const file = join(dir, 'shell-api.json');
  if (settings) writeFileSync(file, JSON.stringify(settings));
  let out = '';
  let err = '';
  const io = { out: (t: string) => { out += t; }, err: (t: string) => { err += t; }, env: { VIRTLAB_SHELL_API: settings ? file : join(dir, 'missing.json') } } as unknown as ShellIO;
  return { code: await main(args, io), out, err };
}

test('passes the platform\'s output and exit code through', async () => {
  assert.deepEqual(await lab(['finish', 'ha-probes'], { url: api.url, token: 'good' }), { code: 0, out: 'ha-probes cleaned up\n', err: '' });
});

test('says what is wrong: usage, lab ids, a refused token, no shell API', async () => {
  const cfg = { url: api.url, token: 'good' };
  assert.equal((await lab([], cfg)).code, 2);
  assert.match((await lab(['frobnicate'], cfg)).err, /unknown command "frobnicate" for "lab"/);
  assert.deepEqual(await lab(['grade'], cfg), { code: 2, out: '', err: 'error: lab grade needs a lab id (see `lab list`)\n' });
  assert.equal((await lab(['grade', '../etc'], cfg)).err, 'error: "../etc" is not a lab id (see `lab list`)\n');
  const refused = await lab(['grade', 'ha-probes'], { url: api.url, token: 'stale' });
  assert.equal(refused.code, 1);
  assert.match(refused.err, /refused this shell's token \(401\)/);
  const missing = await lab(['list']);
  assert.deepEqual(missing, { code: 1, out: '', err: 'error: the lab commands are not connected in this shell (the web platform gave it no shell API)\n' });
});
