#include "store/internal/entry_sealing.hpp"

#include <utility>

#include "obs/log.hpp"
#include "store/internal/conversation_codec.hpp"
#include "store/internal/conversation_rows.hpp"

namespace gw::store::internal {

namespace {

constexpr std::string_view kIdempotencyTable = "idempotency_keys";

void LogUnreadable(std::string_view what, std::string_view id, const Error& error) {
    obs::Log(
        obs::LogLevel::kWarn,
        "gw.store",
        "stored value failed to decrypt",
        {{"what", what}, {"id", id}, {"error", error.message}}
    );
}

/// Keyring errors → the store's: tampering/corruption is kInternal "integrity check failed for <what>
/// <id>", an unavailable key keeps kNotFound.
Error MapOpenError(std::string_view what, std::string_view id, const Error& error) {
    LogUnreadable(what, id, error);
    if (error.code == ErrorCode::kNotFound) {
        return MakeError(
            ErrorCode::kNotFound,
            std::string(what) + " " + std::string(id) + " is unreadable: " + error.message
        );
    }
    return MakeError(
        ErrorCode::kInternal, "integrity check failed for " + std::string(what) + " " + std::string(id)
    );
}

}  // namespace

std::string EntryPayloadPlaintext(std::string_view content_json, const std::optional<std::string>& error) {
    std::string out(content_json);
    if (error) {
        out.push_back('\0');
        out += *error;
    }
    return out;
}

Result<EntryPayloadColumns> SealEntryPayload(
    const ContentProtection* protection,
    crypto::Classification classification,
    const domain::TranscriptEntry& entry,
    std::string content_json
) {
    EntryPayloadColumns out;
    if (protection == nullptr || classification == crypto::Classification::kPublic) {
        out.content = std::move(content_json);
        out.error_message = entry.error_message;
        return out;
    }
    const crypto::EnvelopeContext ctx{entry.tenant_id, kMessagesTable, entry.id};
    auto sealed =
        protection->Seal(ctx, classification, EntryPayloadPlaintext(content_json, entry.error_message));
    if (!sealed) {
        Error error = sealed.error();
        error.message = "entry " + entry.id + ": " + error.message;
        return error;
    }
    out.sealed = std::move(sealed->envelope);
    out.key_class = static_cast<std::int64_t>(sealed->classification);
    out.key_version = static_cast<std::int64_t>(sealed->key_version);
    return out;
}

Result<std::pair<std::string, std::optional<std::string>>> OpenEntryPayload(
    const ContentProtection* protection,
    std::string_view tenant,
    std::string_view entry_id,
    std::span<const std::uint8_t> sealed
) {
    if (protection == nullptr) {
        return MakeError(
            ErrorCode::kInternal,
            "transcript entry " + std::string(entry_id) + " is encrypted and no keyring is configured"
        );
    }
    auto plain = protection->Open(crypto::EnvelopeContext{tenant, kMessagesTable, entry_id}, sealed);
    if (!plain) {
        return MapOpenError("transcript entry", entry_id, plain.error());
    }
    const std::size_t nul = plain->find('\0');
    if (nul == std::string::npos) {
        return std::make_pair(std::move(*plain), std::optional<std::string>());
    }
    std::optional<std::string> error(plain->substr(nul + 1));
    plain->resize(nul);
    return std::make_pair(std::move(*plain), std::move(error));
}

Result<crypto::Classification> ClassifySession(
    sqlite::Connection& conn,
    const ContentProtection* protection,
    const std::string& tenant_id,
    const std::string& session_id
) {
    if (protection == nullptr) {
        return crypto::Classification::kPublic;
    }
    auto stmt = PrepareBound(
        conn,
        "SELECT agent_id, metadata FROM sessions WHERE id = ?1 AND tenant_id = ?2",
        session_id,
        tenant_id
    );
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->Step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return MakeError(ErrorCode::kNotFound, "session " + session_id + " not found");
    }
    const std::string agent = ColText(*stmt, 0);
    auto metadata = DecodeMetadata(stmt->ColumnText(1));
    if (!metadata) {
        return metadata.error();
    }
    auto channel = metadata->find("channel");
    return protection->Classify(ClassificationSubject{
        tenant_id, agent, channel == metadata->end() ? std::string_view() : std::string_view(channel->second)}
    );
}

Result<std::string> SealIdempotencyPayload(
    const ContentProtection* protection,
    const std::string& tenant_id,
    const std::string& key,
    std::string_view field,
    const std::string& payload
) {
    if (protection == nullptr) {
        return payload;
    }
    const crypto::Classification c = protection->Classify(ClassificationSubject{tenant_id, {}, {}});
    if (c == crypto::Classification::kPublic) {
        return payload;
    }
    const std::string table = std::string(kIdempotencyTable) + "." + std::string(field);
    auto sealed = protection->Seal(crypto::EnvelopeContext{tenant_id, table, key}, c, payload);
    if (!sealed) {
        return sealed.error();
    }
    return EncodeSealedText(sealed->envelope);
}

Result<std::string> OpenIdempotencyPayload(
    const ContentProtection* protection,
    const std::string& tenant_id,
    const std::string& key,
    std::string_view field,
    std::string stored
) {
    if (!IsSealedText(stored)) {
        return stored;
    }
    if (protection == nullptr) {
        return MakeError(
            ErrorCode::kInternal, "idempotency record " + key + " is encrypted and no keyring is configured"
        );
    }
    auto envelope = DecodeSealedText(stored);
    if (!envelope) {
        return MapOpenError("idempotency record", key, envelope.error());
    }
    const std::string table = std::string(kIdempotencyTable) + "." + std::string(field);
    auto plain = protection->Open(crypto::EnvelopeContext{tenant_id, table, key}, *envelope);
    if (!plain) {
        return MapOpenError("idempotency record", key, plain.error());
    }
    return std::move(*plain);
}

}  // namespace gw::store::internal
