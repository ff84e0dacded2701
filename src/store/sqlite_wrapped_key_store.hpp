#pragma once
/// @file
/// @brief `crypto::WrappedKeyStore` (the keyring's persistence port) over the embedded SQLite store
/// (`crypto_data_keys`, `crypto_key_policies`; migration 0003).

#include <chrono>
#include <string_view>

#include "base/error.hpp"
#include "crypto/keyring_store.hpp"
#include "store/embedded_store.hpp"

namespace gw::store {

struct SqliteWrappedKeyStoreOptions {
    /// How long `DeleteTenant` waits for readers and the writer to let the WAL checkpoint complete.
    std::chrono::milliseconds checkpoint_timeout{5'000};
};

/// Wrapped data keys and retirement policies in `gateway.db`. The store must outlive this object.
///
/// Threading: the port is synchronous, so every call blocks on `EmbeddedStore::ReadBlocking` /
/// `WriteBlocking` (the keyring's admin calls already run off the io threads). Thread-safe; never call
/// it on an io thread or a store thread (the latter returns kInternal). Each successful write has been
/// committed (`synchronous=FULL`) when the call returns.
///
/// Crypto-shredding (`DeleteTenant`): one write deletes the tenant's keys and policies with
/// `PRAGMA secure_delete=ON` on the writer connection (for that write only; the previous setting is
/// restored), so SQLite zeroes the deleted cells and any page it frees. After the commit,
/// `PRAGMA wal_checkpoint(TRUNCATE)` on a connection of its own copies the scrubbed pages into the
/// database file and truncates the WAL, whose older frames still hold the keys. So neither `gateway.db`
/// nor `gateway.db-wal` keeps the wrapped keys. `Insert` and `SetPolicy` run with `secure_delete=ON`
/// too, so pages of these tables that they free are zeroed. Not covered: backups and copies of the
/// database, and filesystem/SSD remnants of truncated or overwritten blocks.
class SqliteWrappedKeyStore final : public crypto::WrappedKeyStore {
public:
    explicit SqliteWrappedKeyStore(EmbeddedStore& store, SqliteWrappedKeyStoreOptions options = {});

    /// Every key (ordered by tenant, classification, version) and policy. kInternal when a stored row is
    /// out of range (the schema's checks make that corruption).
    Result<crypto::WrappedKeySet> LoadAll() override;

    /// kConflict if (tenant, classification, version) exists; kInvalidArgument for an empty tenant,
    /// `kPublic` or an unknown classification, version 0 or empty wrapped bytes.
    Result<void> Insert(const crypto::WrappedKeyRecord& record) override;

    /// Upsert of (tenant, classification). kInvalidArgument as for Insert.
    Result<void> SetPolicy(const crypto::KeyPolicyRecord& policy) override;

    /// Deletes the tenant's keys and policies and scrubs them from the database file and WAL (see the
    /// class comment). Deleting nothing is success. kUnavailable when the rows are deleted but the WAL
    /// checkpoint could not complete within `checkpoint_timeout` (a long read transaction): the deleted
    /// bytes may still be in the WAL; retrying is safe and finishes the job.
    Result<void> DeleteTenant(std::string_view tenant) override;

private:
    Result<void> CheckpointTruncate();

    EmbeddedStore& store_;
    SqliteWrappedKeyStoreOptions options_;
};

}  // namespace gw::store
