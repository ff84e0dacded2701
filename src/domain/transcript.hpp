#pragma once
/// @file
/// @brief Transcript entries: an ordered tree (id, parent_id) of messages in the pi session format that
/// OpenClaw writes (roles user / assistant / toolResult; blocks text / thinking / toolCall / image).
/// Plain values; serialisation lives in the store.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.hpp"
#include "domain/token_usage.hpp"

namespace gw::domain {

inline constexpr std::size_t kDefaultHistoryLimit = 200;
inline constexpr std::size_t kMaxHistoryLimit = 1000;  ///< chat.history `limit` maximum
inline constexpr std::size_t kMaxEntriesPerAppend = 1000;

enum class Role {
    kUser,
    kAssistant,
    kToolResult,
    kSystem,  ///< operator notes and session events (chat.inject, `[OpenClaw session event]`)
};

/// "user", "assistant", "toolResult", "system".
std::string_view RoleName(Role role) noexcept;
std::optional<Role> ParseRole(std::string_view name) noexcept;

/// Why the model stopped (pi-ai `stopReason`).
enum class StopReason { kStop, kLength, kToolUse, kError, kAborted };

/// "stop", "length", "toolUse", "error", "aborted".
std::string_view StopReasonName(StopReason reason) noexcept;
std::optional<StopReason> ParseStopReason(std::string_view name) noexcept;

struct TextBlock {
    std::string text;
    friend bool operator==(const TextBlock&, const TextBlock&) = default;
};

struct ThinkingBlock {
    std::string text;
    friend bool operator==(const ThinkingBlock&, const ThinkingBlock&) = default;
};

/// A tool call requested by the model. `arguments_json` is JSON text; the store keeps it as a JSON value
/// (compacted) when it parses, verbatim otherwise (models do emit broken JSON).
struct ToolCallBlock {
    std::string id;
    std::string name;
    std::string arguments_json;
    friend bool operator==(const ToolCallBlock&, const ToolCallBlock&) = default;
};

/// The outcome of a tool call, carried by a `toolResult` entry.
struct ToolResultBlock {
    std::string tool_call_id;
    std::string tool_name;
    std::string content;
    bool is_error = false;
    friend bool operator==(const ToolResultBlock&, const ToolResultBlock&) = default;
};

struct ImageBlock {
    std::string mime_type;
    std::string data;  ///< base64
    friend bool operator==(const ImageBlock&, const ImageBlock&) = default;
};

using ContentBlock = std::variant<TextBlock, ThinkingBlock, ToolCallBlock, ToolResultBlock, ImageBlock>;

/// One transcript message. Entries form a tree through `parent_id` (a branch is a path from a root to a
/// leaf); `seq` orders them by append time within their transcript.
struct TranscriptEntry {
    std::string id;                        ///< caller-chosen, unique (UUID)
    std::optional<std::string> parent_id;  ///< nullopt for a root
    std::string transcript_id;
    std::string session_id;
    std::string tenant_id;
    std::string user_id;  ///< owning user of the session
    Role role = Role::kUser;
    std::vector<ContentBlock> content;
    std::optional<std::string> provider;
    std::optional<std::string> model;
    std::optional<TokenUsage> usage;
    std::optional<StopReason> stop_reason;
    std::optional<std::string> error_message;  ///< with StopReason::kError
    std::optional<std::string> run_id;
    std::int64_t created_at_ms = 0;              ///< 0: the store stamps its clock
    std::optional<std::string> idempotency_key;  ///< unique per tenant (OpenClaw `<IK>:user`)
    std::int64_t seq = 0;                        ///< assigned by the store: 1, 2, ... per transcript

    friend bool operator==(const TranscriptEntry&, const TranscriptEntry&) = default;
};

/// Structural checks before a write: non-empty id and transcript/session/tenant ids, not its own parent,
/// at least one block, blocks allowed for the role (toolCall and thinking only from the assistant, a
/// toolResult entry holds exactly its toolResult blocks), non-negative usage, usage/stop reason only on
/// assistant entries. kInvalidArgument naming the problem.
Result<void> ValidateEntry(const TranscriptEntry& entry);

/// The text blocks of an entry joined with "\n" (previews, titles, search).
std::string EntryText(const TranscriptEntry& entry);

/// A page of a transcript in `seq` order.
struct HistoryQuery {
    std::string tenant_id;
    std::string transcript_id;
    std::size_t limit =
        kDefaultHistoryLimit;                ///< the latest `limit` entries; clamped to [1, kMaxHistoryLimit]
    std::optional<std::int64_t> before_seq;  ///< only entries with seq < before_seq (paging backwards)
};

struct HistoryPage {
    std::vector<TranscriptEntry> entries;  ///< ascending seq
    std::int64_t total_entries = 0;        ///< in the whole transcript
    std::optional<std::int64_t>
        next_before_seq;  ///< pass as before_seq for the previous page; unset at the start
};

}  // namespace gw::domain
