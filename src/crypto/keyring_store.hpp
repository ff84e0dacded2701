#pragma once
/// @file
/// @brief The persistence port of `Keyring`: wrapped data keys and per-(tenant, class) policies.
/// The SQLite implementation lives in the store module; `InMemoryWrappedKeyStore` serves tests and
/// ephemeral deployments (data encrypted with it is unreadable after a restart).

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/error.hpp"
#include "crypto/envelope.hpp"

namespace gw::crypto {

/// One data key, encrypted by the master key (`MasterKeyProvider::WrapKey`).
struct WrappedKeyRecord {
    std::string tenant;
    Classification classification = Classification::kInternal;
    std::uint32_t version = 0;          ///< >= 1, per (tenant, classification)
    std::vector<std::uint8_t> wrapped;  ///< opaque output of WrapKey
    std::chrono::system_clock::time_point created_at;
};

/// Versions below `min_decrypt_version` are retired: they no longer decrypt.
struct KeyPolicyRecord {
    std::string tenant;
    Classification classification = Classification::kInternal;
    std::uint32_t min_decrypt_version = 0;
};

/// Everything a keyring needs at start.
struct WrappedKeySet {
    std::vector<WrappedKeyRecord> keys;
    std::vector<KeyPolicyRecord> policies;
};

/// Durable storage for wrapped keys. Calls are blocking and come from `Keyring` (on whatever thread
/// calls it), serialised by the keyring's writer mutex except `LoadAll`. Implementations must be
/// thread-safe and make each successful call durable before returning.
class WrappedKeyStore {
public:
    virtual ~WrappedKeyStore() = default;

    /// Every key and policy. Errors: kUnavailable/kInternal from the backing store.
    virtual Result<WrappedKeySet> LoadAll() = 0;

    /// Adds a key. kConflict if (tenant, classification, version) already exists (another process
    /// created it first).
    virtual Result<void> Insert(const WrappedKeyRecord& record) = 0;

    /// Creates or replaces the policy of (tenant, classification).
    virtual Result<void> SetPolicy(const KeyPolicyRecord& policy) = 0;

    /// Deletes every key and policy of `tenant` (crypto-shredding). Deleting nothing is success.
    /// Implementations should make the deleted bytes unrecoverable where the backend allows it
    /// (e.g. SQLite `PRAGMA secure_delete`).
    virtual Result<void> DeleteTenant(std::string_view tenant) = 0;
};

/// A `WrappedKeyStore` in process memory. Thread-safe.
class InMemoryWrappedKeyStore final : public WrappedKeyStore {
public:
    Result<WrappedKeySet> LoadAll() override;
    Result<void> Insert(const WrappedKeyRecord& record) override;
    Result<void> SetPolicy(const KeyPolicyRecord& policy) override;
    Result<void> DeleteTenant(std::string_view tenant) override;

    /// Number of stored keys (tests).
    std::size_t KeyCount() const;

private:
    using KeyId = std::tuple<std::string, Classification, std::uint32_t>;
    using PolicyId = std::tuple<std::string, Classification>;

    mutable std::mutex mutex_;
    std::map<KeyId, WrappedKeyRecord> keys_;
    std::map<PolicyId, KeyPolicyRecord> policies_;
};

}  // namespace gw::crypto
