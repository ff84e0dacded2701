-- 0002_conversations: transcripts, runs and idempotency records; session settings; transcript entry
-- metadata (issue #3). Conventions as in 0001_init.sql.

-- One transcript per session reset (OpenClaw sessionId). sessions.transcript_id points at the current one;
-- older ones keep their entries. entry_count is the next-seq counter and the history total.
CREATE TABLE transcripts (
    id          TEXT    NOT NULL PRIMARY KEY,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    session_id  TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id     TEXT,
    created_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    entry_count INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX idx_transcripts_session ON transcripts (session_id, created_at);

ALTER TABLE sessions ADD COLUMN transcript_started_at INTEGER;
ALTER TABLE sessions ADD COLUMN label TEXT;
ALTER TABLE sessions ADD COLUMN model_override TEXT;
ALTER TABLE sessions ADD COLUMN thinking_level TEXT;
ALTER TABLE sessions ADD COLUMN archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1));
ALTER TABLE sessions ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1));
ALTER TABLE sessions ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE sessions ADD COLUMN input_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN output_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN cache_read_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN total_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN last_run_id TEXT;

-- sessions.list: one tenant, most recent first, keyset-paged on (last_activity, id).
CREATE INDEX idx_sessions_tenant_activity ON sessions (tenant_id, last_activity DESC, id DESC);
-- sessions.patch refuses a label another session of the same agent already uses.
CREATE UNIQUE INDEX uq_sessions_label ON sessions (tenant_id, agent_id, label) WHERE label IS NOT NULL;

-- Entry metadata. content holds the JSON array of blocks; seq orders entries within a transcript.
ALTER TABLE messages ADD COLUMN seq INTEGER;
ALTER TABLE messages ADD COLUMN run_id TEXT;
ALTER TABLE messages ADD COLUMN provider TEXT;
ALTER TABLE messages ADD COLUMN model TEXT;
ALTER TABLE messages ADD COLUMN stop_reason TEXT;
ALTER TABLE messages ADD COLUMN error_message TEXT;
ALTER TABLE messages ADD COLUMN input_tokens INTEGER;
ALTER TABLE messages ADD COLUMN output_tokens INTEGER;
ALTER TABLE messages ADD COLUMN cache_read_tokens INTEGER;
ALTER TABLE messages ADD COLUMN cache_write_tokens INTEGER;
ALTER TABLE messages ADD COLUMN total_tokens INTEGER;

-- Backfill rows written before this migration, so every session has a current transcript row and every
-- message a transcript and a seq.
UPDATE sessions
SET transcript_id = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
                    substr(lower(hex(randomblob(2))), 2) || '-' ||
                    substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' ||
                    lower(hex(randomblob(6)))
WHERE transcript_id IS NULL;

UPDATE sessions SET transcript_started_at = created_at WHERE transcript_started_at IS NULL;

UPDATE messages
SET transcript_id = (SELECT s.transcript_id FROM sessions AS s WHERE s.id = messages.session_id)
WHERE transcript_id IS NULL;

UPDATE messages
SET seq = (
    SELECT count(*) FROM messages AS m
    WHERE m.transcript_id = messages.transcript_id
      AND (m.timestamp < messages.timestamp OR (m.timestamp = messages.timestamp AND m.rowid <= messages.rowid))
);

INSERT INTO transcripts (id, tenant_id, session_id, user_id, created_at, entry_count)
SELECT s.transcript_id, s.tenant_id, s.id, s.user_id, s.created_at,
       (SELECT count(*) FROM messages AS m WHERE m.transcript_id = s.transcript_id)
FROM sessions AS s;

INSERT INTO transcripts (id, tenant_id, session_id, user_id, created_at, ended_at, entry_count)
SELECT m.transcript_id, min(m.tenant_id), min(m.session_id), min(m.user_id), min(m.timestamp), max(m.timestamp),
       count(*)
FROM messages AS m
WHERE m.transcript_id NOT IN (SELECT id FROM transcripts)
GROUP BY m.transcript_id;

CREATE UNIQUE INDEX uq_messages_transcript_seq ON messages (transcript_id, seq);
CREATE INDEX idx_messages_run ON messages (tenant_id, run_id) WHERE run_id IS NOT NULL;

-- One agent turn. id is the runId (OpenClaw uses the idempotency key), unique per tenant; a tenant's
-- idempotency key starts at most one run, ever.
CREATE TABLE runs (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id),
    id              TEXT    NOT NULL,
    session_id      TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    transcript_id   TEXT    NOT NULL,
    user_id         TEXT,
    idempotency_key TEXT,
    status          TEXT    NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'aborted')),
    stop_reason     TEXT,
    error           TEXT,
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE UNIQUE INDEX uq_runs_idempotency ON runs (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX idx_runs_session ON runs (session_id, started_at);
CREATE INDEX idx_runs_running ON runs (status) WHERE status = 'running';

-- Dedupe records for client idempotency keys: the first ack and, once known, the terminal result.
CREATE TABLE idempotency_keys (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
    key          TEXT    NOT NULL,
    ack          TEXT    NOT NULL,
    result       TEXT,
    ttl_ms       INTEGER NOT NULL CHECK (ttl_ms > 0),
    created_at   INTEGER NOT NULL,
    completed_at INTEGER,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX idx_idempotency_keys_expires ON idempotency_keys (expires_at);
