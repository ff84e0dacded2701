-- 0004_audit_chain: the audit log's hash chain (issue #5), written only through store::SqliteAuditLog.
-- Conventions as in 0001_init.sql. The chain format (canonical bytes, hash, mac) is documented in
-- src/domain/audit.hpp and src/store/README.md.
--
-- audit_events is rebuilt, because SQLite can neither drop a foreign key nor add NOT NULL columns in place:
--   * tenant_id is no longer a foreign key to tenants: authentication failures name tenants that may not
--     exist ('' = not attributed), and audit records must outlive a deleted tenant. An audit append must
--     never fail on referential integrity (the log fails closed: a failed append refuses the request).
--   * seq is assigned by the chain (audit_head.seq + 1, in the appending transaction), not AUTOINCREMENT.
--   * every text column is NOT NULL ('' = absent), so the canonical form has no NULL-versus-'' ambiguity.
--   * new columns: factors (JSON array of strings), details (JSON object of strings), mac (hex
--     HMAC-SHA256 of the hash, NULL when the log has no key).
--   * UPDATE and DELETE are refused by triggers (an attacker with file access can drop them; the chain and
--     `audit verify` are what detect tampering).
-- No code wrote audit_events before this migration; rows that exist anyway are carried over as they are
-- (their hashes follow no known scheme, so `audit verify` reports them).
CREATE TABLE audit_events_v4 (
    seq        INTEGER NOT NULL PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    tenant_id  TEXT    NOT NULL,
    time       INTEGER NOT NULL,
    principal  TEXT    NOT NULL DEFAULT '',
    factors    TEXT    NOT NULL DEFAULT '[]',
    action     TEXT    NOT NULL,
    resource   TEXT    NOT NULL DEFAULT '',
    decision   TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    source_ip  TEXT    NOT NULL DEFAULT '',
    user_agent TEXT    NOT NULL DEFAULT '',
    request_id TEXT    NOT NULL DEFAULT '',
    details    TEXT    NOT NULL DEFAULT '{}',
    prev_hash  TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    mac        TEXT
) STRICT;

INSERT INTO audit_events_v4 (seq, id, tenant_id, time, principal, action, resource, decision, reason,
                             source_ip, user_agent, request_id, prev_hash, hash)
SELECT seq, id, tenant_id, time, coalesce(principal, ''), action, coalesce(resource, ''), decision,
       coalesce(reason, ''), coalesce(source_ip, ''), coalesce(user_agent, ''), coalesce(request_id, ''),
       coalesce(prev_hash, ''), hash
FROM audit_events;

DROP TABLE audit_events;

ALTER TABLE audit_events_v4 RENAME TO audit_events;

-- Per-tenant reports (keyset on seq) and time-range reports.
CREATE INDEX idx_audit_events_tenant_time ON audit_events (tenant_id, time);
CREATE INDEX idx_audit_events_tenant_seq ON audit_events (tenant_id, seq);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

-- The chain head: the last record's (seq, hash), updated in the transaction that appends it. Appends read
-- it to link the next record (under the write lock, so concurrent appenders and other processes are
-- serialised); `audit verify` compares it with the last record, so deleting records from the tail is
-- detected, not only gaps. Exactly one row (id = 1); seq 0 and the genesis hash for an empty log.
CREATE TABLE audit_head (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL CHECK (seq >= 0),
    hash TEXT    NOT NULL
) STRICT;

INSERT INTO audit_head (id, seq, hash)
SELECT 1,
       coalesce((SELECT max(seq) FROM audit_events), 0),
       coalesce((SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1),
                '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit_head is required by the audit chain');
END;
