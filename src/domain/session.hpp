#pragma once
/// @file
/// @brief Session: the row behind a session key (OpenClaw `sessionKey → sessionId`), plus the patch,
/// filter and page types of sessions.list / sessions.patch. Plain values; no I/O.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "domain/token_usage.hpp"

namespace gw::domain {

/// Tenant and owning user of every session and message until identity lands.
inline constexpr std::string_view kDefaultTenantId = "default";
inline constexpr std::string_view kDefaultUserId = "default";

inline constexpr std::size_t kMaxSessionLabelLength = 512;  ///< OpenClaw SESSION_LABEL_MAX_LENGTH
inline constexpr std::size_t kMaxModelOverrideLength = 256;
inline constexpr std::size_t kMaxThinkingLevelLength = 32;
inline constexpr std::size_t kMaxMetadataEntries = 64;
inline constexpr std::size_t kMaxMetadataKeyLength = 64;
inline constexpr std::size_t kMaxMetadataValueLength = 2048;
inline constexpr std::size_t kDefaultSessionListLimit = 50;
inline constexpr std::size_t kMaxSessionListLimit = 1000;

/// One conversation bucket. `transcript_id` is OpenClaw's `sessionId`: reset points it at a new transcript
/// and keeps the old one.
struct Session {
    std::string id;  ///< row id (UUID), stable across resets
    std::string tenant_id;
    std::string user_id;      ///< owning user: the creator (GetOrCreate never changes it)
    std::string session_key;  ///< canonical `agent:<agentId>:<rest>`
    std::string agent_id;
    std::string transcript_id;  ///< the current transcript
    std::int64_t created_at_ms = 0;
    std::int64_t last_activity_ms = 0;          ///< OpenClaw `updatedAt`; Touch and appends advance it
    std::int64_t transcript_started_at_ms = 0;  ///< OpenClaw `sessionStartedAt` (daily reset compares it)
    std::optional<std::string> label;           ///< unique per (tenant, agent) when set
    std::optional<std::string> model_override;  ///< `provider/model` chosen with /model or sessions.patch
    std::optional<std::string> thinking_level;
    bool archived = false;
    bool pinned = false;
    std::map<std::string, std::string> metadata;  ///< chatType, channel, displayName, origin, ...
    TokenUsage usage;                             ///< summed over the current transcript's assistant turns
    std::optional<std::string> last_run_id;

    friend bool operator==(const Session&, const Session&) = default;
};

/// A sessions.patch. For the double optionals: nullopt leaves the field, an empty inner optional clears it.
struct SessionPatch {
    std::optional<std::optional<std::string>> label;
    std::optional<std::optional<std::string>> model_override;
    std::optional<std::optional<std::string>> thinking_level;
    std::optional<bool> archived;
    std::optional<bool> pinned;
    std::optional<std::map<std::string, std::string>> metadata;  ///< replaces the whole map

    bool Empty() const noexcept {
        return !label && !model_override && !thinking_level && !archived && !pinned && !metadata;
    }
};

/// Trims the label (as OpenClaw's parseSessionLabel) and checks every limit above; an empty label, control
/// characters or an oversized value give kInvalidArgument naming the field.
Result<SessionPatch> NormalizeSessionPatch(SessionPatch patch);

/// Keyset position in sessions.list order (last_activity descending, then id descending).
struct SessionCursor {
    std::int64_t last_activity_ms = 0;
    std::string id;

    friend bool operator==(const SessionCursor&, const SessionCursor&) = default;
};

enum class ArchivedFilter { kExclude, kInclude, kOnly };

/// sessions.list filters; every field narrows the result. The tenant is a separate, mandatory argument.
struct SessionFilter {
    std::optional<std::string> agent_id;
    std::optional<std::string> user_id;
    std::optional<std::int64_t> active_since_ms;  ///< `activeMinutes`: last_activity >= this
    std::optional<std::string> search;            ///< case-insensitive substring of key or label
    ArchivedFilter archived = ArchivedFilter::kExclude;
    std::size_t limit = kDefaultSessionListLimit;  ///< clamped to [1, kMaxSessionListLimit]
    std::optional<SessionCursor> after;            ///< continue after this position
};

struct SessionPage {
    std::vector<Session> sessions;      ///< most recently active first
    std::optional<SessionCursor> next;  ///< set when more rows follow
};

}  // namespace gw::domain
