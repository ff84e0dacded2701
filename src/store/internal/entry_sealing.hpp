#pragma once
/// @file
/// @brief Encryption at rest of a message row's protected part (content JSON + error message), and of
/// idempotency payloads. Runs on store threads; never blocks (ContentProtection::Seal/Open).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "crypto/envelope.hpp"
#include "domain/transcript.hpp"
#include "drivers/sqlite/connection.hpp"
#include "store/content_protection.hpp"

namespace gw::store::internal {

inline constexpr std::string_view kMessagesTable = "messages";

/// The protected columns of a message row as stored.
struct EntryPayloadColumns {
    std::string content;                       ///< JSON blocks (plaintext row) or '' (sealed row)
    std::optional<std::string> error_message;  ///< plaintext row only
    std::optional<std::vector<std::uint8_t>> sealed;
    std::optional<std::int64_t> key_class;
    std::optional<std::int64_t> key_version;
};

/// The plaintext sealed for a row: content JSON, then (if present) a NUL and the error message. JSON text
/// never contains a raw NUL, so the split is unambiguous.
std::string EntryPayloadPlaintext(std::string_view content_json, const std::optional<std::string>& error);

/// Seals an entry's content (already encoded as JSON) and error message under `classification`, bound to
/// (tenant, "messages", entry id). `protection` null or `kPublic`: a plaintext row.
Result<EntryPayloadColumns> SealEntryPayload(
    const ContentProtection* protection,
    crypto::Classification classification,
    const domain::TranscriptEntry& entry,
    std::string content_json
);

/// The (content JSON, error message) of a sealed row. Errors: kInternal "integrity check failed for
/// transcript entry <id>" (tampered, moved between rows or tenants, malformed); kNotFound "transcript
/// entry <id> is unreadable: ..." (key version shredded or retired); kInternal when no protection is
/// configured.
Result<std::pair<std::string, std::optional<std::string>>> OpenEntryPayload(
    const ContentProtection* protection,
    std::string_view tenant,
    std::string_view entry_id,
    std::span<const std::uint8_t> sealed
);

/// The classification of new entries of (tenant, session): the session's agent and `channel` metadata
/// through the policy. kPublic when `protection` is null. kNotFound for an unknown session.
Result<crypto::Classification> ClassifySession(
    sqlite::Connection& conn,
    const ContentProtection* protection,
    const std::string& tenant_id,
    const std::string& session_id
);

/// Seals an idempotency payload (`field` is "ack" or "result") into its TEXT form; plaintext when
/// `protection` is null or the tenant's class is public.
Result<std::string> SealIdempotencyPayload(
    const ContentProtection* protection,
    const std::string& tenant_id,
    const std::string& key,
    std::string_view field,
    const std::string& payload
);

/// Inverse of SealIdempotencyPayload (plaintext passes through). kInternal "integrity check failed for
/// idempotency record <key>" on tampering.
Result<std::string> OpenIdempotencyPayload(
    const ContentProtection* protection,
    const std::string& tenant_id,
    const std::string& key,
    std::string_view field,
    std::string stored
);

}  // namespace gw::store::internal
