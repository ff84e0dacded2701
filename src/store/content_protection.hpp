#pragma once
/// @file
/// @brief Encryption at rest for stored conversation content (issue #6): which classification a value
/// gets (`ClassificationPolicy`) and sealing/opening it with the keyring's data keys
/// (`ContentProtection`). Attach one to the `EmbeddedStore` (`SetContentProtection`); the SQLite
/// repositories then seal transcript content, error messages and idempotency payloads on write and open
/// them on read.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/error.hpp"
#include "crypto/envelope.hpp"
#include "crypto/keyring.hpp"

namespace gw::store {

/// What a classification decision may depend on. Empty fields are unknown.
struct ClassificationSubject {
    std::string_view tenant_id;
    std::string_view agent_id;
    std::string_view channel;  ///< the session's `channel` metadata ("telegram", "slack", ...)
};

/// Classification by tenant, agent or channel. The most specific rule wins: channel, then agent, then
/// tenant, then `default_classification` (`confidential`). Plain data; config fills it (YAML sketch in
/// README.md). Thread-safe to read.
struct ClassificationPolicy {
    crypto::Classification default_classification = crypto::Classification::kConfidential;
    std::map<std::string, crypto::Classification, std::less<>> tenants;
    std::map<std::string, crypto::Classification, std::less<>> agents;
    std::map<std::string, crypto::Classification, std::less<>> channels;

    crypto::Classification Classify(const ClassificationSubject& subject) const;
};

/// A sealed value: the envelope and the key it used (kPublic / version 0: a plaintext envelope).
struct SealedValue {
    std::vector<std::uint8_t> envelope;
    crypto::Classification classification = crypto::Classification::kPublic;
    std::uint32_t key_version = 0;
};

/// Seals and opens stored values with the keyring. Thread-safe.
///
/// Blocking rules: `Seal` and `Open` never block (snapshot reads; `Seal` refuses with kUnavailable instead
/// of creating a key), so they run on store threads inside write/read functions. Keys are created by
/// `EnsureKeys` (awaitable, runs the blocking `Keyring::EnsureTenant` on a thread of its own) before a
/// write is submitted.
class ContentProtection {
public:
    /// `keyring` is shared: a queued write may still seal after the owner let go (the aliasing
    /// constructor can keep the keyring's provider and key store alive with it).
    ContentProtection(std::shared_ptr<crypto::Keyring> keyring, ClassificationPolicy policy = {});
    ~ContentProtection();
    ContentProtection(const ContentProtection&) = delete;
    ContentProtection& operator=(const ContentProtection&) = delete;

    crypto::Classification Classify(const ClassificationSubject& subject) const {
        return policy_.Classify(subject);
    }

    const ClassificationPolicy& Policy() const { return policy_; }

    crypto::Keyring& Keyring() const { return *keyring_; }

    /// Encrypts under the active key of (ctx.tenant, classification); `kPublic` gives a plaintext
    /// envelope. kUnavailable when the key does not exist yet (call EnsureKeys first; or the tenant was
    /// shredded meanwhile).
    Result<SealedValue> Seal(
        const crypto::EnvelopeContext& ctx, crypto::Classification classification, std::string_view plaintext
    ) const;

    /// `Keyring::Decrypt` (errors as documented there).
    Result<std::string> Open(const crypto::EnvelopeContext& ctx, std::span<const std::uint8_t> envelope)
        const;

    /// Makes sure `tenant` has an active key of every encrypted class. Fast path (keys exist): no
    /// suspension cost beyond a snapshot read. Otherwise runs `Keyring::EnsureTenant` on the protection's
    /// own thread and resumes on the caller's executor.
    boost::asio::awaitable<Result<void>> EnsureKeys(std::string tenant);

    /// EnsureKeys for threads that may block (CLI, tests, startup).
    Result<void> EnsureKeysBlocking(std::string_view tenant);

private:
    struct Worker;

    std::shared_ptr<crypto::Keyring> keyring_;
    ClassificationPolicy policy_;
    std::unique_ptr<Worker> worker_;
};

/// Text form of an envelope for TEXT columns (idempotency payloads): `gwenc1:` + base64.
inline constexpr std::string_view kSealedTextPrefix = "gwenc1:";

/// `kSealedTextPrefix` + base64(envelope).
std::string EncodeSealedText(std::span<const std::uint8_t> envelope);

/// True when `text` starts with `kSealedTextPrefix`.
bool IsSealedText(std::string_view text);

/// Inverse of EncodeSealedText; kInternal for bad base64.
Result<std::vector<std::uint8_t>> DecodeSealedText(std::string_view text);

}  // namespace gw::store
