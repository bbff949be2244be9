// Embedded-cluster snapshots in sqlite: the latest ClusterSnapshot of each
// workspace, gzipped JSON, replaced in one statement (so a kill -9 leaves
// either the old or the new snapshot, never half of one).

import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import type { ClusterSnapshot } from '../sandbox/sim/cluster-snapshot.ts';
import type { Database } from './db.ts';

const gzipAsync = promisify(gzip);

export async function saveClusterSnapshot(db: Database, workspaceId: string, snap: ClusterSnapshot): Promise<number> {
  // Compressed on libuv's thread pool: the API shares the event loop with every cluster.
  const data = await gzipAsync(Buffer.from(JSON.stringify(snap)), { level: 1 });
  await db.run(
    'INSERT INTO cluster_snapshots (workspace_id, taken_at, data) VALUES (?, ?, ?) ON CONFLICT(workspace_id) DO UPDATE SET taken_at = excluded.taken_at, data = excluded.data',
    [workspaceId, new Date(snap.takenAt).toISOString(), data],
  );
  return data.length;
}

export async function loadClusterSnapshot(db: Database, workspaceId: string): Promise<ClusterSnapshot | undefined> {
  const row = await db.get<{ data: Buffer }>('SELECT data FROM cluster_snapshots WHERE workspace_id = ?', [workspaceId]);
  if (!row) return undefined;
  return JSON.parse(gunzipSync(row.data).toString('utf8')) as ClusterSnapshot;
}
