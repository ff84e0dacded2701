#pragma once
/// @file
/// @brief Encryption at rest, assembled (issue #6): master-key provider (env, secret file or local key
/// file), the SQLite wrapped-key store, the keyring, the `ContentProtection` attached to the store and the
/// re-encryption/rotation job. Used by `serve` and the `keys` CLI.

#include <filesystem>
#include <memory>

#include "base/error.hpp"
#include "config/loader.hpp"
#include "crypto/key_provider.hpp"
#include "crypto/keyring.hpp"
#include "store/content_protection.hpp"
#include "store/embedded_store.hpp"
#include "store/reencryption_job.hpp"

namespace gw::obs {
class Registry;
}  // namespace gw::obs

namespace gw::store {

struct DataProtectionOptions {
    ClassificationPolicy policy;
    ReencryptionOptions reencryption;
    /// For tests: use this provider instead of `crypto::OpenMasterKeyProvider(data_dir, env)`.
    std::unique_ptr<crypto::MasterKeyProvider> provider;
};

/// Owns the keyring and its dependencies; attaches a ContentProtection to the store while it lives. The
/// store must outlive it. Not copyable. Blocking: `Open` and the destructor (joins the job).
class DataProtection {
public:
    /// Opens the master-key provider (`OPENCLAW_MASTER_KEY`, `OPENCLAW_MASTER_KEY_FILE`, else
    /// `<data_dir>/keys/master.key`, created 0600), loads and unwraps every data key and attaches the
    /// content protection to `store`. The job is created but not started. Errors: provider errors
    /// (kInvalidArgument, kNotFound, kPermissionDenied), kInternal when stored keys do not unwrap (a
    /// different master key), store errors.
    static Result<std::unique_ptr<DataProtection>> Open(
        EmbeddedStore& store,
        const std::filesystem::path& data_dir,
        const config::EnvLookup& env,
        DataProtectionOptions options = {}
    );

    /// Stops the job and detaches the protection from the store.
    ~DataProtection();
    DataProtection(const DataProtection&) = delete;
    DataProtection& operator=(const DataProtection&) = delete;

    crypto::Keyring& Keyring() { return *keyring_; }

    const crypto::MasterKeyProvider& Provider() const { return *provider_; }

    ContentProtection& Content() { return *content_; }

    ReencryptionJob& Reencryption() { return *job_; }

    /// The job's metrics (`openclaw_keys_reencrypted_total`, `openclaw_keys_reencrypt_pending`).
    void RegisterMetrics(obs::Registry& registry) { job_->RegisterMetrics(registry); }

private:
    DataProtection() = default;

    EmbeddedStore* store_ = nullptr;
    crypto::MasterKeyProvider* provider_ = nullptr;
    std::shared_ptr<crypto::Keyring> keyring_;  ///< aliases the owner of provider, key store and keyring
    std::shared_ptr<ContentProtection> content_;
    std::unique_ptr<ReencryptionJob> job_;
};

}  // namespace gw::store
