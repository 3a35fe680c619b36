/// The schema as an ordered list of migrations (see docs/store.md for the tables), each in SQLite's
/// dialect here and in PostgreSQL's in `PostgresSchema`.
///
/// Conventions: every record table has `seq INTEGER PRIMARY KEY AUTOINCREMENT` (submission order, never
/// reused, the paging cursor) and a public `id TEXT UNIQUE` ("job_…", "model_…"). Timestamps are integer
/// milliseconds since 1970 (UTC). JSON columns carry `CHECK (json_valid(…))` so no code path can store
/// malformed JSON; enums carry `CHECK (… IN …)` so an unknown status can never be written.
enum Schema {
    static let jobNode = "ALTER TABLE jobs ADD COLUMN node TEXT CHECK (node IS NULL OR length(node) BETWEEN 1 AND 255);"

    static let migrations: [Migration] = [
        Migration(name: "0001_models_datasets", sql: """
            CREATE TABLE models (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE CHECK (id GLOB 'model_*'),
                name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 256),
                architecture TEXT NOT NULL CHECK (length(architecture) BETWEEN 1 AND 256),
                spec TEXT NOT NULL CHECK (json_valid(spec)),
                weights_path TEXT UNIQUE,
                weights_sha256 TEXT CHECK (weights_sha256 IS NULL OR length(weights_sha256) = 64),
                weights_size INTEGER CHECK (weights_size IS NULL OR weights_size >= 0),
                source TEXT NOT NULL CHECK (source IN ('builtin', 'upload', 'job')),
                source_job_id TEXT,
                created_at INTEGER NOT NULL,
                CHECK ((weights_path IS NULL) = (weights_sha256 IS NULL)
                   AND (weights_path IS NULL) = (weights_size IS NULL)),
                CHECK ((source = 'job') = (source_job_id IS NOT NULL))
            );
            CREATE TABLE datasets (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE CHECK (id GLOB 'dataset_*'),
                name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 256),
                path TEXT NOT NULL CHECK (length(path) >= 1),
                classes TEXT NOT NULL CHECK (json_valid(classes)),
                counts TEXT NOT NULL CHECK (json_valid(counts)),
                skipped TEXT NOT NULL CHECK (json_valid(skipped)),
                created_at INTEGER NOT NULL
            );
            """, postgres: PostgresSchema.modelsDatasets),
        Migration(name: "0002_jobs_events_commands", sql: """
            CREATE TABLE jobs (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE CHECK (id GLOB 'job_*'),
                name TEXT CHECK (name IS NULL OR length(name) BETWEEN 1 AND 256),
                status TEXT NOT NULL CHECK (status IN
                    ('queued', 'running', 'paused', 'succeeded', 'stopped', 'failed', 'cancelled')),
                priority INTEGER NOT NULL DEFAULT 0,
                spec TEXT NOT NULL CHECK (json_valid(spec)),
                model_id TEXT REFERENCES models(id) ON DELETE RESTRICT,
                created_at INTEGER NOT NULL,
                started_at INTEGER,
                finished_at INTEGER,
                phase TEXT,
                epoch INTEGER CHECK (epoch IS NULL OR epoch >= 0),
                step INTEGER CHECK (step IS NULL OR step >= 0),
                result TEXT CHECK (result IS NULL OR json_valid(result)),
                error_code TEXT,
                error_message TEXT,
                interrupted INTEGER NOT NULL DEFAULT 0 CHECK (interrupted IN (0, 1)),
                attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0)
            );
            CREATE INDEX jobs_by_status ON jobs (status, priority DESC, seq);
            CREATE INDEX jobs_by_model ON jobs (model_id);
            CREATE TABLE job_events (
                job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                id INTEGER NOT NULL CHECK (id >= 1),
                type TEXT NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
                payload TEXT NOT NULL CHECK (json_valid(payload)),
                created_at INTEGER NOT NULL,
                PRIMARY KEY (job_id, id)
            ) WITHOUT ROWID;
            CREATE TABLE job_commands (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE CHECK (id GLOB 'cmd_*'),
                job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                type TEXT NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
                payload TEXT NOT NULL CHECK (json_valid(payload)),
                status TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'rejected', 'cancelled')),
                message TEXT,
                created_at INTEGER NOT NULL,
                resolved_at INTEGER,
                CHECK ((status = 'pending') = (resolved_at IS NULL))
            );
            CREATE INDEX job_commands_by_job ON job_commands (job_id, status, seq);
            """, postgres: PostgresSchema.jobsEventsCommands),
        Migration(name: "0003_checkpoints_metrics", sql: """
            CREATE TABLE checkpoints (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE CHECK (id GLOB 'ckpt_*'),
                job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                kind TEXT NOT NULL CHECK (kind IN ('epoch', 'best', 'last')),
                epoch INTEGER NOT NULL CHECK (epoch >= 0),
                metrics TEXT NOT NULL CHECK (json_valid(metrics)),
                path TEXT NOT NULL UNIQUE,
                sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                size INTEGER NOT NULL CHECK (size >= 0),
                created_at INTEGER NOT NULL
            );
            CREATE UNIQUE INDEX checkpoints_one_best_one_last ON checkpoints (job_id, kind)
                WHERE kind IN ('best', 'last');
            CREATE UNIQUE INDEX checkpoints_one_per_epoch ON checkpoints (job_id, epoch) WHERE kind = 'epoch';
            CREATE TABLE job_metrics (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                phase TEXT NOT NULL CHECK (length(phase) BETWEEN 1 AND 64),
                epoch INTEGER NOT NULL CHECK (epoch >= 0),
                metrics TEXT NOT NULL CHECK (CASE WHEN json_valid(metrics) THEN json_type(metrics) = 'object' ELSE 0 END),
                created_at INTEGER NOT NULL,
                UNIQUE (job_id, phase, epoch)
            );
            """, postgres: PostgresSchema.checkpointsMetrics),
        // Poison jobs and idempotent event appends (docs/store.md, "Crashes" and "Events").
        Migration(name: "0004_crashes_event_keys", sql: """
            ALTER TABLE jobs ADD COLUMN crashes INTEGER NOT NULL DEFAULT 0 CHECK (crashes >= 0);
            ALTER TABLE job_events ADD COLUMN key TEXT CHECK (key IS NULL OR length(key) BETWEEN 1 AND 256);
            CREATE UNIQUE INDEX job_events_by_key ON job_events (job_id, key) WHERE key IS NOT NULL;
            """, postgres: PostgresSchema.crashesEventKeys),
        // The live training state of each job (docs/store.md, "Training state"), filled from the events
        // stored before it existed.
        Migration(name: "0005_job_training_state", sql: """
            CREATE TABLE job_training_state (
                job_id TEXT PRIMARY KEY NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                state TEXT NOT NULL CHECK (CASE WHEN json_valid(state) THEN json_type(state) = 'object' ELSE 0 END),
                event_id INTEGER NOT NULL CHECK (event_id >= 1),
                updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """, postgres: PostgresSchema.jobTrainingState, backfill: { try $0.backfillTrainingStates() }),
        // Experiments and their child jobs (Store+Experiments.swift).
        .experiments,
        // The node (thawd --node-id) whose worker last claimed each job. The same text in both dialects.
        Migration(name: "0007_job_node", sql: jobNode, postgres: jobNode),
        // Nodes and their heartbeats (Store+Nodes.swift).
        .nodes,
        // Leases on claimed jobs and who wrote each event (Store+Leases.swift).
        .leases,
    ]
}
