-- 0001_init: the initial embedded (SQLite) schema.
--
-- Conventions for every migration in this directory:
--   * File name NNNN_name.sql; NNNN is the schema version (contiguous from 0001). Files are embedded into
--     the binary at build time and their SHA-256 is recorded in schema_migrations: never edit a file
--     after it has shipped, add a new one.
--   * Each file runs inside one transaction opened by the migrator: no BEGIN/COMMIT/VACUUM here.
--   * Every table carries tenant_id (tenants.id for the tenants table itself).
--   * Ids are TEXT (UUIDs, or caller-chosen keys such as 'default').
--   * Timestamps are INTEGER milliseconds since the Unix epoch, UTC (sortable, compact, index-friendly;
--     PostgreSQL mirrors them as timestamptz). schema_migrations.applied_at alone is ISO-8601 text.
--   * Tables are STRICT, so a value of the wrong type is an error instead of a silent coercion.

CREATE TABLE tenants (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

INSERT INTO tenants (id, name, created_at)
VALUES ('default', 'Default', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));

CREATE TABLE users (
    id         TEXT    NOT NULL PRIMARY KEY,
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    name       TEXT    NOT NULL,
    email      TEXT,
    created_at INTEGER NOT NULL,
    disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
) STRICT;

CREATE INDEX idx_users_tenant ON users (tenant_id);

-- user_id is not a foreign key: sessions and messages may belong to channel identities that have no
-- users row.
CREATE TABLE sessions (
    id            TEXT    NOT NULL PRIMARY KEY,
    tenant_id     TEXT    NOT NULL REFERENCES tenants (id),
    user_id       TEXT,
    session_key   TEXT    NOT NULL,
    agent_id      TEXT    NOT NULL,
    transcript_id TEXT,
    created_at    INTEGER NOT NULL,
    last_activity INTEGER NOT NULL,
    UNIQUE (tenant_id, session_key)
) STRICT;

CREATE INDEX idx_sessions_last_activity ON sessions (last_activity DESC);

CREATE TABLE messages (
    id              TEXT    NOT NULL PRIMARY KEY,
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id),
    session_id      TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    transcript_id   TEXT,
    parent_id       TEXT,
    user_id         TEXT,
    role            TEXT    NOT NULL,
    content         TEXT    NOT NULL,
    timestamp       INTEGER NOT NULL,
    idempotency_key TEXT
) STRICT;

CREATE INDEX idx_messages_user_id ON messages (user_id);
CREATE INDEX idx_messages_timestamp ON messages (timestamp DESC);
CREATE INDEX idx_messages_session ON messages (session_id, timestamp);
CREATE UNIQUE INDEX uq_messages_idempotency ON messages (tenant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- Append-only, hash-chained audit log: seq orders the chain, hash = H(prev_hash || canonical event).
CREATE TABLE audit_events (
    seq        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE,
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    time       INTEGER NOT NULL,
    principal  TEXT,
    action     TEXT    NOT NULL,
    resource   TEXT,
    decision   TEXT    NOT NULL,
    reason     TEXT,
    source_ip  TEXT,
    user_agent TEXT,
    request_id TEXT,
    prev_hash  TEXT,
    hash       TEXT    NOT NULL
) STRICT;

CREATE INDEX idx_audit_events_tenant_time ON audit_events (tenant_id, time);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
