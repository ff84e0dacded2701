-- 0005_encryption_at_rest: sealed (encrypted) transcript content and the re-encryption job's progress
-- (issue #6). Conventions as in 0001_init.sql. Written only through the store's transcript repository and
-- store::ReencryptionJob; the envelope format is documented in src/crypto/envelope.hpp.
--
-- A message row is either
--   * plaintext: sealed IS NULL, content holds the JSON block array and error_message the error text
--     (classification `public`, and rows written before this migration), or
--   * sealed: sealed holds one AES-256-GCM envelope of (content JSON, error message) whose associated data
--     binds tenant, table ('messages'), row id, classification and key version; content is '' and
--     error_message NULL. key_class (1 internal, 2 confidential, 3 restricted) and key_version repeat the
--     envelope header so the re-encryption job finds rows under old key versions through an index.
ALTER TABLE messages ADD COLUMN sealed BLOB;
ALTER TABLE messages ADD COLUMN key_class INTEGER CHECK (key_class IS NULL OR key_class BETWEEN 1 AND 3);
ALTER TABLE messages ADD COLUMN key_version INTEGER CHECK (key_version IS NULL OR key_version >= 1);

CREATE INDEX idx_messages_key_version ON messages (tenant_id, key_class, key_version) WHERE sealed IS NOT NULL;

-- The background re-encryption job walks messages by rowid; cursor is the last rowid handled in the
-- current pass (0 = start of a pass), so a restarted process resumes where it stopped. One row (id = 1).
CREATE TABLE crypto_reencrypt_state (
    id                 INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    cursor             INTEGER NOT NULL DEFAULT 0 CHECK (cursor >= 0),
    passes_completed   INTEGER NOT NULL DEFAULT 0,
    reencrypted_total  INTEGER NOT NULL DEFAULT 0,
    failed_total       INTEGER NOT NULL DEFAULT 0,
    updated_at         INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO crypto_reencrypt_state (id) VALUES (1);
