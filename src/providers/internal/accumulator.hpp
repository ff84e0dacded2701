#pragma once
/// @file
/// @brief Private to providers: builds a ModelResponse from decoded wire events in model order and
/// forwards every piece to the caller's DeltaSink as it arrives.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/model_client.hpp"

namespace gw::providers::internal {

class ResponseAccumulator {
public:
    /// `sink` may be empty (non-streaming parse: deltas are emitted later by `EmitAll`).
    explicit ResponseAccumulator(domain::DeltaSink sink = {});

    void AddText(std::string_view text);
    void AddThinking(std::string_view text);

    /// Starts the tool call known on the wire as `key` (OpenAI index, Anthropic block index, Responses
    /// output index). False when `key` was already started.
    bool StartToolCall(int key, std::string id, std::string name);

    bool HasToolCall(int key) const { return tools_.count(key) != 0; }

    /// Appends argument text to tool call `key`; false when the call is unknown.
    bool AddToolArguments(int key, std::string_view delta);

    /// Arguments received so far for `key` (empty if unknown).
    std::string_view ToolArguments(int key) const;

    domain::TokenUsage& Usage() noexcept { return response_.usage; }

    void SetStopReason(domain::StopReason reason) noexcept { stop_reason_ = reason; }

    void SetResponseId(std::string id) { response_.response_id = std::move(id); }

    /// True once a delta went to the sink.
    bool Emitted() const noexcept { return first_delta_at_.has_value(); }

    std::optional<std::chrono::steady_clock::time_point> FirstDeltaAt() const noexcept {
        return first_delta_at_;
    }

    /// The response; the stop reason becomes kToolUse when tool calls were made and the wire said "stop".
    /// `usage.total` is computed when the wire gave none.
    domain::ModelResponse Take();

private:
    struct ToolSlot {
        std::size_t block = 0;  ///< index into response_.content
        int ordinal = 0;        ///< ModelDelta::tool_index
    };

    void Emit(const domain::ModelDelta& delta);
    domain::ToolCallBlock& Tool(const ToolSlot& slot);

    domain::DeltaSink sink_;
    domain::ModelResponse response_;
    std::optional<domain::StopReason> stop_reason_;
    std::map<int, ToolSlot> tools_;
    std::optional<std::chrono::steady_clock::time_point> first_delta_at_;
};

/// Sends `response.content` to `sink` as one delta per block (the end of a non-streaming call).
void EmitAll(const domain::ModelResponse& response, const domain::DeltaSink& sink);

}  // namespace gw::providers::internal
