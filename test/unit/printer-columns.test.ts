// Every kind's printer columns render: JSONPaths compile and cells come out
// for a bare object, so `kubectl get <anything>` never turns into a 500.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { allKinds } from '../../sandbox/sim/kinds/index.ts';
import { toTable } from '../../sandbox/sim/api/table.ts';
import { compileJsonPath } from '../../sandbox/sim/api/jsonpath.ts';

it('renders a table row for a bare object of every kind', () => {
  for (const kind of allKinds) {
    for (const col of kind.printerColumns) if (col.jsonPath) assert.doesNotThrow(() => compileJsonPath(col.jsonPath!), `${kind.kind} ${col.name}`);
    const obj = { apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version, kind: kind.kind, metadata: { name: 'x', namespace: kind.namespaced ? 'default' : undefined, creationTimestamp: '2026-01-01T00:00:00Z' } };
    const t = toTable(kind, [obj], { now: Date.parse('2026-01-04T00:00:00Z'), include: 'Metadata' });
    assert.equal(t.rows[0].cells.length, t.columnDefinitions.length, kind.kind);
  }
});
