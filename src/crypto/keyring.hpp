#pragma once
/// @file
/// @brief Envelope encryption with per-tenant, per-classification data keys, key rotation, retirement
/// and crypto-shredding. The hot paths (`Encrypt`, `Decrypt`) read an immutable snapshot and take no
/// lock; administrative calls serialise on a mutex and publish a new snapshot.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "crypto/envelope.hpp"
#include "crypto/key_provider.hpp"
#include "crypto/keyring_store.hpp"

namespace gw::crypto {

struct KeyringOptions {
    /// Clock for `created_at`; defaults to `system_clock::now`.
    std::function<std::chrono::system_clock::time_point()> now;
};

/// One data-key version as reported by `Keyring::Status`.
struct KeyVersionStatus {
    std::string tenant;
    Classification classification = Classification::kInternal;
    std::uint32_t version = 0;
    std::chrono::system_clock::time_point created_at;
    bool active = false;                    ///< the newest version: new writes use it
    bool decryptable = false;               ///< not retired (version >= the min decrypt version)
    std::uint32_t min_decrypt_version = 0;  ///< of the (tenant, classification); 0 = nothing retired
};

namespace internal {
struct KeyringSnapshot;
}  // namespace internal

/// Owns the unwrapped data keys (memory only; the store holds them wrapped by the master key).
///
/// Threading: every method is thread-safe. `Encrypt`/`Decrypt` never block once the keys of the
/// (tenant, classification) exist; the first `Encrypt` for a new pair creates version 1, which calls
/// the master-key provider and the store (blocking): call `EnsureTenant` when a tenant is created, or
/// call `Encrypt` off the io threads. `Open`, `Reload`, `EnsureTenant`, `Rotate*`,
/// `SetMinDecryptVersion` and `ShredTenant` block (provider and store I/O): run them on a blocking
/// pool. `provider` and `store` must outlive the keyring.
class Keyring {
public:
    /// Loads and unwraps every stored key. kInternal when a key cannot be unwrapped (wrong master key)
    /// or the stored keys are inconsistent; provider/store errors pass through.
    static Result<std::unique_ptr<Keyring>> Open(
        MasterKeyProvider& provider, WrappedKeyStore& store, KeyringOptions options = {}
    );

    ~Keyring();
    Keyring(const Keyring&) = delete;
    Keyring& operator=(const Keyring&) = delete;

    /// Encrypts under the newest version of (ctx.tenant, classification), creating version 1 if none
    /// exists. `kPublic` is not encrypted: the result is a plaintext envelope. Errors: kInvalidArgument
    /// (empty tenant for an encrypted class); provider/store errors when a key has to be created.
    Result<std::vector<std::uint8_t>> Encrypt(
        const EnvelopeContext& ctx, Classification classification, std::string_view plaintext
    );

    /// `Encrypt` that never creates a key, so it never blocks (io and store threads): kUnavailable
    /// "no <class> data key for tenant 'T'" when (tenant, classification) has no active version.
    Result<std::vector<std::uint8_t>> EncryptWithExistingKey(
        const EnvelopeContext& ctx, Classification classification, std::string_view plaintext
    ) const;

    /// Decrypts an envelope written by `Encrypt` for the same (tenant, table, row). Errors:
    /// - kInternal "malformed envelope: ..." (bad header) or "ciphertext integrity check failed
    ///   (tenant/table/row mismatch or tampering)" (the tag does not verify);
    /// - kInternal when the envelope's classification is below `at_least` (a stored plaintext or a
    ///   lower class where the caller expects e.g. confidential data: a downgrade);
    /// - kNotFound "key version N of class C for tenant T is not available (unknown or shredded)" or
    ///   "... is retired (minimum decrypt version M)";
    /// - kInvalidArgument for an empty tenant when the envelope is encrypted.
    Result<std::string> Decrypt(
        const EnvelopeContext& ctx,
        std::span<const std::uint8_t> blob,
        Classification at_least = Classification::kPublic
    ) const;

    /// Creates version 1 of every encrypted class that `tenant` lacks. Idempotent.
    Result<void> EnsureTenant(std::string_view tenant);

    /// Creates version n+1 of (tenant, classification) and makes it the active version at once; older
    /// versions keep decrypting. Returns the new version. kInvalidArgument for `kPublic` or an empty
    /// tenant; kConflict if another process rotated concurrently (the keyring reloaded; retry).
    Result<std::uint32_t> Rotate(std::string_view tenant, Classification classification);

    /// `Rotate` for every tenant that has keys of `classification`; returns how many were rotated.
    Result<std::size_t> RotateAll(Classification classification);

    /// Retires versions below `version` (they stop decrypting; the wrapped keys stay stored, so a
    /// lower value re-enables them). kInvalidArgument unless 1 <= version <= the active version;
    /// kNotFound if the tenant has no keys of that class.
    Result<void> SetMinDecryptVersion(
        std::string_view tenant, Classification classification, std::uint32_t version
    );

    /// Deletes every key of `tenant` from the store and from memory: its ciphertexts become
    /// unreadable for good (crypto-shredding). A later `Encrypt` for the tenant starts a fresh key
    /// series at version 1; old ciphertexts then fail the integrity check instead of kNotFound.
    Result<void> ShredTenant(std::string_view tenant);

    /// Every key version, ordered by tenant, classification and version.
    std::vector<KeyVersionStatus> Status() const;

    /// The newest version of (tenant, classification), or nullopt when it has none (never created or
    /// shredded). Non-blocking (snapshot read): callers on io/store threads use it to avoid `Encrypt`
    /// creating a key (which blocks).
    std::optional<std::uint32_t> ActiveVersion(std::string_view tenant, Classification classification) const;

    /// True when `tenant` has an active key of every encrypted class (what `EnsureTenant` creates).
    /// Non-blocking.
    bool HasAllKeys(std::string_view tenant) const;

    /// Re-reads the store (e.g. after another process rotated).
    Result<void> Reload();

private:
    Keyring(MasterKeyProvider& provider, WrappedKeyStore& store, KeyringOptions options);

    std::shared_ptr<const internal::KeyringSnapshot> Load() const;
    void Publish(std::shared_ptr<const internal::KeyringSnapshot> snapshot);
    Result<void> ReloadLocked();
    Result<std::uint32_t> AddVersionLocked(std::string_view tenant, Classification classification);
    Result<std::shared_ptr<const internal::KeyringSnapshot>> EnsureActiveKey(
        std::string_view tenant, Classification classification
    );
    Result<std::shared_ptr<const internal::KeyringSnapshot>> EnsureActiveKeyLocked(
        std::string_view tenant, Classification classification
    );

    MasterKeyProvider& provider_;
    WrappedKeyStore& store_;
    KeyringOptions options_;
    std::mutex writer_mutex_;  ///< serialises every change (store write + publish)
    std::atomic<std::shared_ptr<const internal::KeyringSnapshot>> snapshot_;
};

}  // namespace gw::crypto
