#include "store/data_protection.hpp"

#include <utility>

#include "crypto/master_key_source.hpp"
#include "obs/log.hpp"
#include "store/sqlite_wrapped_key_store.hpp"

namespace gw::store {

namespace {

/// Provider, key store and keyring live and die together (the keyring holds references to both).
struct KeyringOwner {
    std::unique_ptr<crypto::MasterKeyProvider> provider;
    std::unique_ptr<SqliteWrappedKeyStore> key_store;
    std::unique_ptr<crypto::Keyring> keyring;
};

}  // namespace

Result<std::unique_ptr<DataProtection>> DataProtection::Open(
    EmbeddedStore& store,
    const std::filesystem::path& data_dir,
    const config::EnvLookup& env,
    DataProtectionOptions options
) {
    auto owner = std::make_shared<KeyringOwner>();
    if (options.provider) {
        owner->provider = std::move(options.provider);
    } else {
        auto provider = crypto::OpenMasterKeyProvider(data_dir, env);
        if (!provider) {
            return provider.error();
        }
        owner->provider = std::move(*provider);
    }
    // Fail fast and create the local key file on the first start, not at the first write.
    if (auto* local = dynamic_cast<crypto::LocalMasterKeyProvider*>(owner->provider.get())) {
        if (auto key = local->MasterKey(); !key) {
            Error error = key.error();
            error.message = "master key (" + owner->provider->Describe() + "): " + error.message;
            return error;
        }
    }
    owner->key_store = std::make_unique<SqliteWrappedKeyStore>(store);
    auto keyring = crypto::Keyring::Open(*owner->provider, *owner->key_store);
    if (!keyring) {
        Error error = keyring.error();
        error.message = "keyring (" + owner->provider->Describe() + "): " + error.message;
        return error;
    }
    owner->keyring = std::move(*keyring);

    std::unique_ptr<DataProtection> dp(new DataProtection());
    dp->store_ = &store;
    dp->provider_ = owner->provider.get();
    dp->keyring_ = std::shared_ptr<crypto::Keyring>(owner, owner->keyring.get());
    dp->content_ = std::make_shared<ContentProtection>(dp->keyring_, std::move(options.policy));
    dp->job_ = std::make_unique<ReencryptionJob>(store, dp->keyring_, std::move(options.reencryption));
    store.SetContentProtection(dp->content_);
    obs::Log(
        obs::LogLevel::kInfo,
        "gw.store",
        "encryption at rest enabled",
        {{"master_key", owner->provider->Describe()},
         {"default_classification",
          crypto::ClassificationName(dp->content_->Policy().default_classification)}}
    );
    return dp;
}

DataProtection::~DataProtection() {
    if (job_) {
        job_->Stop();
    }
    if (store_ != nullptr && store_->GetContentProtection() == content_) {
        store_->SetContentProtection(nullptr);
    }
}

}  // namespace gw::store
