#pragma once
/// @file
/// @brief Data classifications, the self-describing envelope ciphertext format and the AAD that binds
/// a ciphertext to its tenant, table, row, classification and key version. Thread-safe (pure functions).
///
/// Envelope format v1 (all integers big-endian):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 1 | format: 0x00 = plaintext (`kPublic` only), 0x01 = AES-256-GCM v1 |
/// | 1 | 1 | classification: 0 public, 1 internal, 2 confidential, 3 restricted |
/// | plaintext format: 2 | n | the plaintext itself (total size n + 2) |
/// | AES-GCM format: 2 | 4 | key version (uint32, >= 1) |
/// | 6 | 12 | nonce (random per encryption) |
/// | 18 | n | ciphertext (n = plaintext size) |
/// | 18 + n | 16 | GCM tag (total size n + 34) |
///
/// AAD (never stored; recomputed by the reader from its own context):
/// `"gw.envelope"(11 bytes) || format(1) || u32 len || tenant || u32 len || table || u32 len || row ||
/// classification(1) || key version(u32)`. Every variable field is length-prefixed, so no two distinct
/// (tenant, table, row) triples produce the same AAD (no shifting of bytes between fields).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "crypto/aead.hpp"

namespace gw::crypto {

/// How sensitive a value is. Each class except `kPublic` has its own data keys per tenant.
enum class Classification : std::uint8_t { kPublic = 0, kInternal = 1, kConfidential = 2, kRestricted = 3 };

inline constexpr std::size_t kClassificationCount = 4;

/// "public", "internal", "confidential", "restricted".
std::string_view ClassificationName(Classification classification) noexcept;

/// Inverse of `ClassificationName` (exact, lower case). kInvalidArgument otherwise.
Result<Classification> ParseClassification(std::string_view name);

/// Where a value lives. The views must outlive the call. `tenant` must be non-empty for encrypted
/// classes; `table` and `row` may be empty but then do not distinguish anything.
struct EnvelopeContext {
    std::string_view tenant;
    std::string_view table;
    std::string_view row;
};

inline constexpr std::uint8_t kEnvelopeFormatPlain = 0x00;
inline constexpr std::uint8_t kEnvelopeFormatAesGcmV1 = 0x01;
inline constexpr std::size_t kEnvelopePlainOverhead = 2;
inline constexpr std::size_t kEnvelopeHeaderSize = 2 + 4 + kAesGcmNonceSize;
inline constexpr std::size_t kEnvelopeAesGcmOverhead = kEnvelopeHeaderSize + kAesGcmTagSize;

/// The unauthenticated header of an envelope (format, class, key version; version 0 for plaintext).
/// Useful to find rows still encrypted under an old key version. Not proof of anything until the
/// envelope has been opened.
struct EnvelopeHeader {
    std::uint8_t format = kEnvelopeFormatPlain;
    Classification classification = Classification::kPublic;
    std::uint32_t key_version = 0;
};

/// Parses and checks the header: known format and class, plaintext only with `kPublic`, AES-GCM
/// never with `kPublic`, key version >= 1, size large enough. kInternal ("malformed envelope: ...")
/// otherwise (stored data is not caller input; corruption is an internal failure).
Result<EnvelopeHeader> ParseEnvelopeHeader(std::span<const std::uint8_t> blob);

/// The canonical AAD for an AES-GCM envelope (see the file comment).
std::vector<std::uint8_t> EnvelopeAad(
    const EnvelopeContext& ctx, Classification classification, std::uint32_t key_version
);

/// A plaintext (`kPublic`) envelope: `0x00 0x00 || plaintext`.
std::vector<std::uint8_t> SealPlainEnvelope(std::string_view plaintext);

/// Encrypts `plaintext` under `key` (which the caller chose for `classification` and `key_version`)
/// with a fresh random nonce. Precondition (GW_CHECK): classification is not `kPublic`, version >= 1.
std::vector<std::uint8_t> SealEnvelope(
    const Aes256GcmKey& key,
    const EnvelopeContext& ctx,
    Classification classification,
    std::uint32_t key_version,
    std::string_view plaintext
);

/// Opens an AES-GCM envelope whose header is `header` (from `ParseEnvelopeHeader(blob)`) with `key`.
/// kInternal "ciphertext integrity check failed (tenant/table/row mismatch or tampering)" when the tag
/// does not verify (other context, other key, or any modified byte).
Result<std::string> OpenEnvelope(
    const Aes256GcmKey& key,
    const EnvelopeContext& ctx,
    const EnvelopeHeader& header,
    std::span<const std::uint8_t> blob
);

}  // namespace gw::crypto
