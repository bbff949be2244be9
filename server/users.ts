// Accounts: students and instructors, local, with scrypt-hashed passwords.

import { z } from 'zod';
import type { Database } from './db.ts';
import { conflict, invalid } from './errors.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import type { PublicUser, Role } from './user-types.ts';

export type { Role } from './user-types.ts';

export interface User extends PublicUser {
  createdAt: string;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  created_at: string;
}

export const usernameSchema = z.string()
  .regex(/^[a-z0-9]([a-z0-9._-]{0,38}[a-z0-9])?$/i, 'must be 1–40 letters, digits, ".", "_" or "-", starting and ending with a letter or digit');
export const passwordSchema = z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(200, 'must be at most 200 characters');

export const newUserSchema = z.object({
  username: usernameSchema,
  displayName: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
  password: passwordSchema,
  role: z.enum(['student', 'instructor']).default('student'),
}).strict();

export type NewUser = z.infer<typeof newUserSchema>;

function toUser(r: UserRow): User {
  return { id: r.id, username: r.username, displayName: r.display_name, role: r.role, createdAt: r.created_at };
}

export class Users {
  constructor(private readonly db: Database) {}

  async create(u: NewUser): Promise<User> {
    const parsed = newUserSchema.safeParse(u);
    if (!parsed.success) throw invalid(parsed.error.issues[0].message, parsed.error.issues[0].path.join('.'));
    if (await this.byUsername(u.username)) throw conflict(`user "${u.username}" already exists`);
    const hash = await hashPassword(u.password);
    const now = new Date().toISOString();
    const { lastID } = await this.db.run(
      'INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      [u.username, u.displayName ?? u.username, u.role ?? 'student', hash, now],
    );
    return (await this.byId(lastID))!;
  }

  async byId(id: number): Promise<User | undefined> {
    const r = await this.db.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
    return r ? toUser(r) : undefined;
  }

  async byUsername(username: string): Promise<User | undefined> {
    const r = await this.db.get<UserRow>('SELECT * FROM users WHERE username = ?', [username]);
    return r ? toUser(r) : undefined;
  }

  /** The user when the password is right; undefined for an unknown user or a wrong password alike. */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const r = await this.db.get<UserRow>('SELECT * FROM users WHERE username = ?', [username]);
    if (!r) {
      // Spend the same time as a real check, so timing does not tell which usernames exist.
      await verifyPassword(password, 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
      return undefined;
    }
    return (await verifyPassword(password, r.password_hash)) ? toUser(r) : undefined;
  }

  async list(role?: Role): Promise<User[]> {
    const rows = role
      ? await this.db.all<UserRow>('SELECT * FROM users WHERE role = ? ORDER BY username', [role])
      : await this.db.all<UserRow>('SELECT * FROM users ORDER BY username');
    return rows.map(toUser);
  }

  async hasInstructor(): Promise<boolean> {
    return (await this.db.get("SELECT 1 AS x FROM users WHERE role = 'instructor' LIMIT 1")) !== undefined;
  }
}
