#include "domain/transcript.hpp"

#include <array>
#include <utility>

namespace gw::domain {

namespace {

constexpr std::array<std::pair<Role, std::string_view>, 4> kRoles = {{
    {Role::kUser, "user"},
    {Role::kAssistant, "assistant"},
    {Role::kToolResult, "toolResult"},
    {Role::kSystem, "system"},
}};

constexpr std::array<std::pair<StopReason, std::string_view>, 5> kStopReasons = {{
    {StopReason::kStop, "stop"},
    {StopReason::kLength, "length"},
    {StopReason::kToolUse, "toolUse"},
    {StopReason::kError, "error"},
    {StopReason::kAborted, "aborted"},
}};

Error Invalid(const TranscriptEntry& entry, std::string_view what) {
    return MakeError(
        ErrorCode::kInvalidArgument, "transcript entry '" + entry.id + "': " + std::string(what)
    );
}

bool NonNegative(const TokenUsage& u) noexcept {
    return u.input >= 0 && u.output >= 0 && u.cache_read >= 0 && u.cache_write >= 0 && u.total >= 0;
}

/// Checks one block against the entry's role.
Result<void> CheckBlock(const TranscriptEntry& entry, const ContentBlock& block) {
    const bool assistant = entry.role == Role::kAssistant;
    const bool tool_result = entry.role == Role::kToolResult;
    if (std::holds_alternative<ToolResultBlock>(block) != tool_result) {
        return Invalid(
            entry,
            tool_result ? "a toolResult entry holds only toolResult blocks"
                        : "toolResult blocks belong to toolResult entries"
        );
    }
    if (const auto* call = std::get_if<ToolCallBlock>(&block)) {
        if (!assistant) {
            return Invalid(entry, "toolCall blocks belong to assistant entries");
        }
        if (call->id.empty() || call->name.empty()) {
            return Invalid(entry, "a toolCall block needs an id and a name");
        }
    }
    if (std::holds_alternative<ThinkingBlock>(block) && !assistant) {
        return Invalid(entry, "thinking blocks belong to assistant entries");
    }
    if (const auto* result = std::get_if<ToolResultBlock>(&block); result && result->tool_call_id.empty()) {
        return Invalid(entry, "a toolResult block needs a tool_call_id");
    }
    if (const auto* image = std::get_if<ImageBlock>(&block); image && image->mime_type.empty()) {
        return Invalid(entry, "an image block needs a mime type");
    }
    return Ok();
}

}  // namespace

std::string_view RoleName(Role role) noexcept {
    for (const auto& [value, name] : kRoles) {
        if (value == role) {
            return name;
        }
    }
    return "user";
}

std::optional<Role> ParseRole(std::string_view name) noexcept {
    for (const auto& [value, text] : kRoles) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

std::string_view StopReasonName(StopReason reason) noexcept {
    for (const auto& [value, name] : kStopReasons) {
        if (value == reason) {
            return name;
        }
    }
    return "stop";
}

std::optional<StopReason> ParseStopReason(std::string_view name) noexcept {
    for (const auto& [value, text] : kStopReasons) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

Result<void> ValidateEntry(const TranscriptEntry& entry) {
    if (entry.id.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "transcript entry without an id");
    }
    if (entry.transcript_id.empty() || entry.session_id.empty() || entry.tenant_id.empty()) {
        return Invalid(entry, "transcript, session and tenant ids are required");
    }
    if (entry.parent_id && (entry.parent_id->empty() || *entry.parent_id == entry.id)) {
        return Invalid(entry, "parent id must name another entry");
    }
    if (entry.content.empty()) {
        return Invalid(entry, "no content blocks");
    }
    for (const ContentBlock& block : entry.content) {
        if (auto ok = CheckBlock(entry, block); !ok) {
            return ok.error();
        }
    }
    if (entry.role != Role::kAssistant && (entry.usage || entry.stop_reason)) {
        return Invalid(entry, "usage and stop reason belong to assistant entries");
    }
    if (entry.usage && !NonNegative(*entry.usage)) {
        return Invalid(entry, "negative token usage");
    }
    if (entry.created_at_ms < 0) {
        return Invalid(entry, "negative timestamp");
    }
    if (entry.idempotency_key && entry.idempotency_key->empty()) {
        return Invalid(entry, "empty idempotency key");
    }
    return Ok();
}

std::string EntryText(const TranscriptEntry& entry) {
    std::string out;
    for (const ContentBlock& block : entry.content) {
        if (const auto* text = std::get_if<TextBlock>(&block)) {
            if (!out.empty()) {
                out += '\n';
            }
            out += text->text;
        }
    }
    return out;
}

}  // namespace gw::domain
