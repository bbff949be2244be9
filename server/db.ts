// The server's sqlite3 database: promise helpers over the callback API, WAL
// journaling (a kill -9 loses nothing that was committed), foreign keys on,
// and numbered migrations applied in order, each in its own transaction.

import sqlite3 from 'sqlite3';
import { MIGRATIONS } from './migrations.ts';

export type SqlValue = string | number | bigint | Buffer | null;
export type Row = Record<string, unknown>;

export class Database {
  private constructor(private readonly db: sqlite3.Database, readonly file: string) {}

  /** Opens (creating if needed) the database file and brings its schema up to date. */
  static async open(file: string): Promise<Database> {
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const d = new sqlite3.Database(file, (e) => (e ? reject(new Error(`cannot open database ${file}: ${e.message}`)) : resolve(d)));
    });
    const db = new Database(raw, file);
    // Another process (a second `lab serve` on the same data dir) holding a write lock makes us wait, not fail.
    raw.configure('busyTimeout', 5000);
    if (file !== ':memory:') await db.get('PRAGMA journal_mode = WAL');
    await db.run('PRAGMA synchronous = NORMAL');
    await db.run('PRAGMA foreign_keys = ON');
    await db.migrate();
    return db;
  }

  run(sql: string, params: SqlValue[] = []): Promise<{ lastID: number; changes: number }> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function done(this: sqlite3.RunResult, e: Error | null) {
        if (e) reject(e);
        else resolve({ lastID: this.lastID, changes: this.changes });
      });
    });
  }

  get<T = Row>(sql: string, params: SqlValue[] = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, params, (e: Error | null, row: T | undefined) => (e ? reject(e) : resolve(row)));
    });
  }

  all<T = Row>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (e: Error | null, rows: T[]) => (e ? reject(e) : resolve(rows)));
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (e) => (e ? reject(e) : resolve())));
  }

  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Runs fn inside BEGIN IMMEDIATE … COMMIT (ROLLBACK on error). One
   * connection serves the whole process, so transactions are queued: their
   * statements must not interleave with another transaction's.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      await this.run('BEGIN IMMEDIATE');
      try {
        const out = await fn();
        await this.run('COMMIT');
        return out;
      } catch (e) {
        await this.run('ROLLBACK').catch(() => {});
        throw e;
      }
    });
    this.queue = next.catch(() => {});
    return next;
  }

  /** The schema version: how many migrations have been applied. */
  async version(): Promise<number> {
    const row = await this.get<{ user_version: number }>('PRAGMA user_version');
    return row?.user_version ?? 0;
  }

  private async migrate(): Promise<void> {
    const current = await this.version();
    if (current > MIGRATIONS.length) {
      throw new Error(`database ${this.file} has schema version ${current}, newer than this server knows (${MIGRATIONS.length}): upgrade virtlab`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      await this.transaction(async () => {
        await this.exec(MIGRATIONS[v]);
        await this.run(`PRAGMA user_version = ${v + 1}`);
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((e) => (e ? reject(e) : resolve())));
  }
}
