// Versioned schema of project.sqlite. A migration is appended, never edited: projects in the wild were
// written by the earlier ones. `PRAGMA user_version` records the last migration applied.

export interface Migration {
  version: number
  description: string
  sql: string
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'project metadata, artifacts, datasets, models, feature sets, runs and metrics',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE artifacts (
        sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        file TEXT NOT NULL UNIQUE,
        dtype TEXT NOT NULL,
        shape TEXT NOT NULL,
        bytes INTEGER NOT NULL CHECK (bytes >= 0),
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('features', 'triplets', 'similarity', 'concepts', 'images')),
        name TEXT NOT NULL,
        source_path TEXT,
        artifact TEXT REFERENCES artifacts (sha256),
        meta TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        meta TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE feature_sets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        dataset_id INTEGER REFERENCES datasets (id) ON DELETE SET NULL,
        model_id INTEGER REFERENCES models (id) ON DELETE SET NULL,
        layer TEXT,
        artifact TEXT NOT NULL REFERENCES artifacts (sha256),
        n INTEGER NOT NULL CHECK (n > 0),
        p INTEGER NOT NULL CHECK (p > 0),
        meta TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        params TEXT NOT NULL DEFAULT '{}',
        result TEXT,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE run_artifacts (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        artifact TEXT NOT NULL REFERENCES artifacts (sha256),
        PRIMARY KEY (run_id, role)
      ) STRICT;
      CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        step INTEGER NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (run_id, name, step)
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'jobs with their state, progress and metric streams',
    sql: `
      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        spec TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'cancelled', 'failed', 'done')),
        fraction REAL NOT NULL DEFAULT 0 CHECK (fraction BETWEEN 0 AND 1),
        stage TEXT NOT NULL DEFAULT '',
        eta_seconds REAL,
        error TEXT,
        result TEXT,
        run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      ) STRICT;
      CREATE INDEX jobs_state ON jobs (state);
      CREATE TABLE job_metrics (
        job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        step INTEGER NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (job_id, name, step)
      ) STRICT;
    `,
  },
  {
    version: 3,
    description: 'the compute backend of each job and its last checkpoint',
    sql: `
      ALTER TABLE jobs ADD COLUMN backend TEXT;
      ALTER TABLE jobs ADD COLUMN checkpoint_at TEXT;
    `,
  },
  {
    version: 4,
    // Nothing ever wrote it (a job's curves are job_metrics), so every project showed "0 metric values".
    description: 'the unused per-run metrics table dropped',
    sql: `
      DROP TABLE metrics;
    `,
  },
]

export const SCHEMA_VERSION = migrations[migrations.length - 1]!.version
