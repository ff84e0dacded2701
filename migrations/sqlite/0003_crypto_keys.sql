-- 0003_crypto_keys: the keyring's persistence (issue #6, encryption at rest), written only through
-- store::SqliteWrappedKeyStore (the crypto::WrappedKeyStore port).
--
-- crypto_data_keys holds every data-key version of a (tenant, classification), wrapped (encrypted) by the
-- master key; the unwrapped keys exist only in process memory. classification: 1 internal,
-- 2 confidential, 3 restricted (public data has no keys). version is a uint32 >= 1.
--
-- tenant_id is deliberately NOT a foreign key to tenants (id): the keyring may create a tenant's keys
-- before (or without) a tenants row (provisioning order, tenants known only from identity claims), and
-- deleting a tenant's keys must be the crypto-shredding path (Keyring::ShredTenant), which also clears
-- the unwrapped keys from memory and scrubs the WAL; an ON DELETE CASCADE would bypass both.
CREATE TABLE crypto_data_keys (
    tenant_id      TEXT    NOT NULL CHECK (tenant_id <> ''),
    classification INTEGER NOT NULL CHECK (classification BETWEEN 1 AND 3),
    version        INTEGER NOT NULL CHECK (version BETWEEN 1 AND 4294967295),
    wrapped        BLOB    NOT NULL CHECK (length(wrapped) > 0),
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, classification, version)
) STRICT, WITHOUT ROWID;

-- Versions below min_decrypt_version are retired (no longer decrypt). One row per (tenant,
-- classification) at most; absent means nothing is retired.
CREATE TABLE crypto_key_policies (
    tenant_id           TEXT    NOT NULL CHECK (tenant_id <> ''),
    classification      INTEGER NOT NULL CHECK (classification BETWEEN 1 AND 3),
    min_decrypt_version INTEGER NOT NULL CHECK (min_decrypt_version BETWEEN 0 AND 4294967295),
    PRIMARY KEY (tenant_id, classification)
) STRICT, WITHOUT ROWID;
