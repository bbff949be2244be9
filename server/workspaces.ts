// A student's workspace: the cluster the labs run on (made by the cluster
// provider on the first `lab start`), the provider's state for it, and the
// tokens of the student's shells for the shell API. One per user.

import { randomBytes } from 'node:crypto';
import type { Database } from './db.ts';
import { sha256 } from './login-sessions.ts';
import type { User } from './users.ts';

export interface Workspace {
  id: string;
  userId: number;
  username: string;
  /** Which provider made it (embedded, kubeconfig). */
  provider: string;
  /** The provider's own data (tokens, ports…), JSON-safe. */
  state: Record<string, unknown>;
}

interface WorkspaceRow {
  id: string;
  user_id: number;
  username: string;
  provider: string;
  state: string;
}

function toWorkspace(r: WorkspaceRow): Workspace {
  return { id: r.id, userId: r.user_id, username: r.username, provider: r.provider, state: JSON.parse(r.state) as Record<string, unknown> };
}

const SELECT = 'SELECT w.id, w.user_id, u.username, w.provider, w.state FROM workspaces w JOIN users u ON u.id = w.user_id';

export class Workspaces {
  constructor(private readonly db: Database) {}

  /** The user's workspace, made (empty, no cluster yet) on first use. */
  async forUser(user: Pick<User, 'id'>, provider: string): Promise<Workspace> {
    const found = await this.ofUser(user.id);
    if (found) return found;
    // Cluster names and namespaces are derived from the id: a DNS label.
    const id = `ws-${user.id}-${randomBytes(3).toString('hex')}`;
    await this.db.run('INSERT OR IGNORE INTO workspaces (id, user_id, provider, state, created_at) VALUES (?, ?, ?, ?, ?)',
      [id, user.id, provider, '{}', new Date().toISOString()]);
    return (await this.ofUser(user.id))!;
  }

  async ofUser(userId: number): Promise<Workspace | undefined> {
    const r = await this.db.get<WorkspaceRow>(`${SELECT} WHERE w.user_id = ?`, [userId]);
    return r ? toWorkspace(r) : undefined;
  }

  async byId(id: string): Promise<Workspace | undefined> {
    const r = await this.db.get<WorkspaceRow>(`${SELECT} WHERE w.id = ?`, [id]);
    return r ? toWorkspace(r) : undefined;
  }

  async all(provider?: string): Promise<Workspace[]> {
    const rows = provider
      ? await this.db.all<WorkspaceRow>(`${SELECT} WHERE w.provider = ? ORDER BY w.id`, [provider])
      : await this.db.all<WorkspaceRow>(`${SELECT} ORDER BY w.id`);
    return rows.map(toWorkspace);
  }

  async saveState(ws: Workspace, state: Record<string, unknown>): Promise<void> {
    ws.state = state;
    await this.db.run('UPDATE workspaces SET state = ? WHERE id = ?', [JSON.stringify(state), ws.id]);
  }

  /** A new token for one of the workspace's shells (shown once; only its hash is kept). */
  async issueShellToken(ws: Workspace): Promise<string> {
    const token = `vls_${randomBytes(24).toString('base64url')}`;
    await this.db.run('INSERT INTO shell_tokens (token_hash, workspace_id, created_at) VALUES (?, ?, ?)', [sha256(token), ws.id, new Date().toISOString()]);
    return token;
  }

  async byShellToken(token: string): Promise<Workspace | undefined> {
    const r = await this.db.get<WorkspaceRow>(
      `${SELECT} JOIN shell_tokens t ON t.workspace_id = w.id WHERE t.token_hash = ?`, [sha256(token)]);
    return r ? toWorkspace(r) : undefined;
  }

  async revokeShellToken(token: string): Promise<void> {
    await this.db.run('DELETE FROM shell_tokens WHERE token_hash = ?', [sha256(token)]);
  }

  async revokeAllShellTokens(): Promise<void> {
    await this.db.run('DELETE FROM shell_tokens');
  }
}
