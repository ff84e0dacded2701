#pragma once
/// @file
/// @brief Master-key providers: the key that wraps (encrypts) every data key. `MasterKeyProvider` is
/// the port (a KMS implements `WrapKey`/`UnwrapKey` and never reveals its key); the two local
/// implementations keep a 32-byte AES-256 key in process memory. Thread-safe.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "config/options.hpp"
#include "crypto/aead.hpp"

namespace gw::crypto {

/// Wraps and unwraps data keys. `aad` names what the key is for (tenant, class, version) and must be
/// given again to unwrap. Implementations must be thread-safe; calls may block (file I/O, a KMS
/// round-trip), so run them on a blocking-pool thread, never on an io thread.
class MasterKeyProvider {
public:
    virtual ~MasterKeyProvider() = default;

    /// Encrypts `data_key`. The result is opaque and self-describing (first byte = wrap format).
    virtual Result<std::vector<std::uint8_t>> WrapKey(
        const Aes256GcmKey& data_key, std::span<const std::uint8_t> aad
    ) = 0;

    /// Inverse of `WrapKey`. kInternal when `wrapped` was not produced by this master key with `aad`.
    virtual Result<Aes256GcmKey> UnwrapKey(
        std::span<const std::uint8_t> wrapped, std::span<const std::uint8_t> aad
    ) = 0;

    /// Where the master key comes from, for logs and errors (never key material).
    virtual std::string Describe() const = 0;
};

/// Wrap format 0x01: `0x01 || nonce(12) || AES-256-GCM(master, data key)(32) || tag(16)` (61 bytes).
inline constexpr std::uint8_t kWrapFormatLocalAesGcm = 0x01;

/// A provider whose master key is available in memory. Wraps with AES-256-GCM (format 0x01).
class LocalMasterKeyProvider : public MasterKeyProvider {
public:
    /// The master key. Errors depend on the source (see the implementations).
    virtual Result<Aes256GcmKey> MasterKey() = 0;

    Result<std::vector<std::uint8_t>> WrapKey(const Aes256GcmKey& data_key, std::span<const std::uint8_t> aad)
        final;
    Result<Aes256GcmKey> UnwrapKey(std::span<const std::uint8_t> wrapped, std::span<const std::uint8_t> aad)
        final;
};

/// A 32-byte random key in a local file, created on first use. Blocking (file I/O) on the first call.
///
/// Creation: missing parent directories are created and the parent is set to 0700; the key is written
/// to a temporary 0600 file, fsynced and hard-linked into place, so concurrent first starts agree on
/// one key. Refused (kPermissionDenied) when the file or its directory is accessible to group/other
/// in a way that matters (file: any group/other bit; directory: group/other write), when the file is
/// owned by another uid, or is a symlink; refused (kInvalidArgument) when it is not a regular file or
/// not exactly 32 bytes. Other I/O failures are kInternal. The key is cached after the first read.
class LocalKeyFileProvider final : public LocalMasterKeyProvider {
public:
    explicit LocalKeyFileProvider(std::filesystem::path path);

    Result<Aes256GcmKey> MasterKey() override;
    std::string Describe() const override;

private:
    std::filesystem::path path_;
    std::mutex mutex_;
    std::optional<Aes256GcmKey> key_;
};

/// A key supplied from outside: an environment variable, a secret file or a `config::Secret`.
/// Accepted encodings: 64 hex digits, standard base64 (44 characters with padding) or base64url
/// (43 characters, no padding), each decoding to exactly 32 bytes. Leading and trailing whitespace
/// (a secret file's final newline) is ignored. Anything else is kInvalidArgument naming the source
/// (never the value).
class StaticKeyProvider final : public LocalMasterKeyProvider {
public:
    /// `source` describes where `encoded` came from (e.g. "env:GW_MASTER_KEY") for messages.
    static Result<std::unique_ptr<StaticKeyProvider>> FromEncoded(
        std::string_view encoded, std::string source
    );

    /// Reads environment variable `name`; kNotFound when it is unset or empty.
    static Result<std::unique_ptr<StaticKeyProvider>> FromEnv(const std::string& name);

    /// Reads the whole file (a mounted secret); kNotFound when it does not exist. Blocking.
    static Result<std::unique_ptr<StaticKeyProvider>> FromFile(const std::filesystem::path& path);

    /// Uses a secret already resolved by `config` (inline, env:NAME or file:PATH); kNotFound if unset.
    static Result<std::unique_ptr<StaticKeyProvider>> FromSecret(const config::Secret& secret);

    Result<Aes256GcmKey> MasterKey() override { return key_.Clone(); }

    std::string Describe() const override { return "static master key from " + source_; }

private:
    StaticKeyProvider(Aes256GcmKey key, std::string source)
        : key_(std::move(key)), source_(std::move(source)) {}

    Aes256GcmKey key_;
    std::string source_;
};

}  // namespace gw::crypto
