-- 0007_drop_redundant_indexes: indexes no query uses, dropped to make the chat write path cheaper
-- (issue #3 performance pass, docs/adr/0003). Every message, session and run write paid for them: a
-- random-UUID or timestamp index leaf page dirtied (and written to the WAL) per row.
--
-- idx_sessions_last_activity (last_activity DESC): every session listing is tenant-scoped and ordered by
--   (last_activity DESC, id DESC), served by idx_sessions_tenant_activity (0002).
-- idx_messages_timestamp (timestamp DESC): no query orders or filters messages by timestamp (history
--   pages by (transcript_id, seq): uq_messages_transcript_seq).
-- idx_messages_user_id (user_id): messages.user_id is not a foreign key and no query filters on it.
-- idx_messages_run (tenant_id, run_id): no query selects messages by run (runs are read from `runs`).
--
-- Kept: primary keys and unique constraints; the foreign-key child indexes that make ON DELETE CASCADE
-- from sessions cheap (idx_messages_session, idx_transcripts_session, idx_runs_session);
-- uq_messages_transcript_seq (history), uq_messages_idempotency, idx_runs_running (recovery),
-- idx_messages_key_version (re-encryption), idx_sessions_tenant_activity and uq_sessions_label (lists).

DROP INDEX IF EXISTS idx_sessions_last_activity;
DROP INDEX IF EXISTS idx_messages_timestamp;
DROP INDEX IF EXISTS idx_messages_user_id;
DROP INDEX IF EXISTS idx_messages_run;
