#include "api/ws/internal/projection.hpp"

#include <boost/json.hpp>

#include "domain/session_key.hpp"

namespace gw::api::ws {

namespace json = boost::json;

json::object UsageJson(const domain::TokenUsage& usage) {
    return json::object{
        {"input", usage.input},
        {"output", usage.output},
        {"cacheRead", usage.cache_read},
        {"cacheWrite", usage.cache_write},
        {"totalTokens", usage.total},
    };
}

namespace {

json::value BlockJson(const domain::ContentBlock& block) {
    if (const auto* text = std::get_if<domain::TextBlock>(&block)) {
        return json::object{{"type", "text"}, {"text", text->text}};
    }
    if (const auto* thinking = std::get_if<domain::ThinkingBlock>(&block)) {
        return json::object{{"type", "thinking"}, {"thinking", thinking->text}};
    }
    if (const auto* call = std::get_if<domain::ToolCallBlock>(&block)) {
        boost::system::error_code ec;
        json::value args = json::parse(call->arguments_json, ec);
        if (ec) {
            args = json::string(call->arguments_json);
        }
        return json::object{{"type", "toolCall"}, {"id", call->id}, {"name", call->name}, {"arguments", args}};
    }
    if (const auto* result = std::get_if<domain::ToolResultBlock>(&block)) {
        return json::object{{"type", "text"}, {"text", result->content}};
    }
    const auto& image = std::get<domain::ImageBlock>(block);
    return json::object{{"type", "image"}, {"data", image.data}, {"mimeType", image.mime_type}};
}

}  // namespace

json::object ProjectEntry(const domain::TranscriptEntry& entry) {
    json::object msg;
    msg["role"] = domain::RoleName(entry.role);
    json::array content;
    for (const auto& block : entry.content) {
        content.push_back(BlockJson(block));
    }
    if (entry.role == domain::Role::kToolResult) {
        for (const auto& block : entry.content) {
            if (const auto* result = std::get_if<domain::ToolResultBlock>(&block)) {
                msg["toolCallId"] = result->tool_call_id;
                msg["toolName"] = result->tool_name;
                msg["isError"] = result->is_error;
                break;
            }
        }
    }
    msg["content"] = std::move(content);
    msg["timestamp"] = entry.created_at_ms;
    if (entry.provider) {
        msg["provider"] = *entry.provider;
    }
    if (entry.model) {
        msg["model"] = *entry.model;
    }
    if (entry.usage) {
        msg["usage"] = UsageJson(*entry.usage);
    }
    if (entry.stop_reason) {
        msg["stopReason"] = domain::StopReasonName(*entry.stop_reason);
    }
    if (entry.error_message) {
        msg["errorMessage"] = *entry.error_message;
    }
    json::object meta{{"id", entry.id}, {"seq", entry.seq}};
    if (entry.run_id) {
        meta["runId"] = *entry.run_id;
    }
    msg["__openclaw"] = std::move(meta);
    return msg;
}

json::object AssistantTextMessage(std::string_view text, std::int64_t timestamp_ms) {
    return json::object{
        {"role", "assistant"},
        {"content", json::array{json::object{{"type", "text"}, {"text", text}}}},
        {"timestamp", timestamp_ms},
    };
}

std::string AgentOfSessionKey(std::string_view session_key) {
    auto key = domain::ParseSessionKey(session_key);
    return key ? key->AgentId() : std::string(domain::kDefaultAgentId);
}

}  // namespace gw::api::ws
