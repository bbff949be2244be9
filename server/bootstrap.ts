// The first instructor. On a fresh database nobody can log in, so `lab serve`
// either creates instructor "admin" from --admin-password (or
// VIRTLAB_ADMIN_PASSWORD), or prints a one-time setup token that
// POST /api/bootstrap redeems for an instructor account of one's choosing.
// Once an instructor exists the token is void.

import { randomBytes } from 'node:crypto';
import type { Database } from './db.ts';
import { conflict, forbidden } from './errors.ts';
import { sha256 } from './login-sessions.ts';
import type { NewUser, User, Users } from './users.ts';

const TOKEN_KEY = 'bootstrap_token_sha256';

export interface BootstrapOutcome {
  /** An instructor created from the admin password. */
  created?: User;
  /** A fresh one-time token to print (no instructor yet, no password given). */
  token?: string;
}

export class InstructorBootstrap {
  constructor(private readonly db: Database, private readonly users: Users) {}

  async prepare(opts: { adminPassword?: string; adminUsername?: string }): Promise<BootstrapOutcome> {
    if (await this.users.hasInstructor()) {
      await this.db.run('DELETE FROM settings WHERE key = ?', [TOKEN_KEY]);
      return {};
    }
    if (opts.adminPassword) {
      const created = await this.users.create({ username: opts.adminUsername ?? 'admin', password: opts.adminPassword, role: 'instructor', displayName: 'Instructor' });
      return { created };
    }
    // A new token every start: one printed by an earlier run stops working.
    const token = randomBytes(18).toString('base64url');
    await this.db.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [TOKEN_KEY, sha256(token)]);
    return { token };
  }

  /** Whether a setup token is waiting to be redeemed. */
  async pending(): Promise<boolean> {
    return (await this.db.get('SELECT 1 AS x FROM settings WHERE key = ?', [TOKEN_KEY])) !== undefined;
  }

  async redeem(token: string, account: Omit<NewUser, 'role'>): Promise<User> {
    if (await this.users.hasInstructor()) throw conflict('an instructor account exists already: log in, or ask an instructor to create your account');
    const row = await this.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [TOKEN_KEY]);
    if (!row || row.value !== sha256(token)) throw forbidden('the setup token is wrong or was already used: use the one `lab serve` printed last');
    const user = await this.users.create({ ...account, role: 'instructor' });
    await this.db.run('DELETE FROM settings WHERE key = ?', [TOKEN_KEY]);
    return user;
  }
}
