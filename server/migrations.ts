// The database schema, as numbered migrations: migration N (1-based) brings
// PRAGMA user_version from N-1 to N. Never edit a released migration; add one.

export const MIGRATIONS: readonly string[] = [
  // 1: accounts, login sessions, workspaces (a student's cluster), lab progress, grade runs.
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('student', 'instructor')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
  );

  -- id is the SHA-256 of the cookie value: a leaked database holds no usable cookie.
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions(user_id);

  -- One per student: the cluster (embedded or a namespace of a real one) and what reaches it.
  CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL
  );

  -- Tokens of the student's shells for the server's shell API; stored as SHA-256.
  CREATE TABLE shell_tokens (
    token_hash TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
  );

  -- The latest snapshot of an embedded cluster (gzip of the JSON ClusterSnapshot).
  CREATE TABLE cluster_snapshots (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    taken_at TEXT NOT NULL,
    data BLOB NOT NULL
  );

  CREATE TABLE lab_states (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    lab_id TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    PRIMARY KEY (user_id, lab_id)
  );

  CREATE TABLE grade_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    lab_id TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('web', 'shell')),
    started_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    passed INTEGER NOT NULL,
    report TEXT NOT NULL
  );
  CREATE INDEX grade_runs_user_lab ON grade_runs(user_id, lab_id, id);

  CREATE TABLE check_results (
    grade_run_id INTEGER NOT NULL REFERENCES grade_runs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    check_id TEXT NOT NULL,
    step_id TEXT,
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('PASS', 'FAIL', 'ERROR', 'SKIP')),
    score REAL NOT NULL,
    points REAL NOT NULL,
    message TEXT NOT NULL,
    hint TEXT,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (grade_run_id, position)
  );

  -- Per step, the outcome of the latest grade run that looked at any of its checks.
  CREATE TABLE step_progress (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    lab_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('passed', 'failed', 'skipped')),
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    grade_run_id INTEGER NOT NULL REFERENCES grade_runs(id) ON DELETE CASCADE,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, lab_id, step_id)
  );
  `,
];
