// Every lab of labs/ that has a grader is proven with `lab test` (fresh
// embedded cluster: its checks fail after `lab start`, pass after `lab solve`,
// and `lab finish` cleans up). Labs join this suite as their graders land;
// the fixture lab pack is always proven too, so the suite never passes empty.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../cli/main.ts';
import { captureIO } from '../cli-io.ts';
import { defaultLabsDir, graderFileFor, labDirs } from '../../cli/lab/loader.ts';

const FIXTURE_LABS = fileURLToPath(new URL('../fixtures/labs', import.meta.url));

function gradedLabs(dir: string): string[] {
  return labDirs(dir).filter((d) => graderFileFor(d, basename(d)) !== undefined).map((d) => basename(d));
}

async function labTest(id: string, labsDir: string): Promise<void> {
  const io = captureIO();
  const code = await main(['test', id, '--labs-dir', labsDir], io);
  assert.equal(code, 0, `lab test ${id} found violations:\n${io.text()}`);
  assert.match(io.text(), new RegExp(`\\nok {4}${id} `));
}

describe('lab test on every lab', () => {
  const labs = gradedLabs(defaultLabsDir());
  for (const id of labs) {
    it(`proves labs/${id}`, async () => { await labTest(id, defaultLabsDir()); });
  }
  it('proves the fixture lab pack (test/fixtures/labs)', async () => {
    const fixtures = gradedLabs(FIXTURE_LABS);
    assert.ok(fixtures.length > 0, 'the fixture pack has a graded lab');
    for (const id of fixtures) await labTest(id, FIXTURE_LABS);
  });
});
