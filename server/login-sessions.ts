// Login sessions: a random cookie value per login (only its SHA-256 is
// stored), a CSRF token per session, an expiry. The cookie is httpOnly and
// SameSite=Strict: the browser sends it only with requests our own pages make,
// which includes the terminal WebSocket.

import { createHash, randomBytes } from 'node:crypto';
import type { Database } from './db.ts';
import type { User, Users } from './users.ts';

export const SESSION_COOKIE = 'virtlab_session';
/** Readable by the page's script: the double-submit copy of the CSRF token. */
export const CSRF_COOKIE = 'virtlab_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_TTL_SECONDS = 7 * 24 * 3600;

export interface LoginSession {
  id: string;
  user: User;
  csrfToken: string;
  expiresAt: string;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class LoginSessions {
  constructor(private readonly db: Database, private readonly users: Users, private readonly ttlSeconds = SESSION_TTL_SECONDS) {}

  /** A new session for the user: the cookie value to set and the session. */
  async create(user: User): Promise<{ cookie: string; session: LoginSession }> {
    const cookie = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = Date.now();
    const expiresAt = new Date(now + this.ttlSeconds * 1000).toISOString();
    const id = sha256(cookie);
    // Expired sessions nobody presents again would stay forever: each login sweeps them (ISO times sort as text).
    await this.db.run('DELETE FROM sessions WHERE expires_at <= ?', [new Date(now).toISOString()]);
    await this.db.run('INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      [id, user.id, csrfToken, new Date(now).toISOString(), expiresAt]);
    return { cookie, session: { id, user, csrfToken, expiresAt } };
  }

  /** The live session a cookie value belongs to, if any. */
  async lookup(cookie: string | undefined): Promise<LoginSession | undefined> {
    if (!cookie) return undefined;
    const id = sha256(cookie);
    const row = await this.db.get<{ user_id: number; csrf_token: string; expires_at: string }>(
      'SELECT user_id, csrf_token, expires_at FROM sessions WHERE id = ?', [id]);
    if (!row) return undefined;
    if (Date.parse(row.expires_at) <= Date.now()) {
      await this.db.run('DELETE FROM sessions WHERE id = ?', [id]);
      return undefined;
    }
    const user = await this.users.byId(row.user_id);
    return user ? { id, user, csrfToken: row.csrf_token, expiresAt: row.expires_at } : undefined;
  }

  /** Whether a session (by id) still holds: not signed out, not expired. */
  async isLive(id: string): Promise<boolean> {
    const row = await this.db.get<{ expires_at: string }>('SELECT expires_at FROM sessions WHERE id = ?', [id]);
    return row !== undefined && Date.parse(row.expires_at) > Date.now();
  }

  async delete(id: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE id = ?', [id]);
  }
}
