#include "providers/internal/accumulator.hpp"

#include <utility>
#include <variant>

namespace gw::providers::internal {

using domain::ModelDelta;

ResponseAccumulator::ResponseAccumulator(domain::DeltaSink sink) : sink_(std::move(sink)) {}

void ResponseAccumulator::Emit(const ModelDelta& delta) {
    if (!sink_) {
        return;
    }
    if (!first_delta_at_) {
        first_delta_at_ = std::chrono::steady_clock::now();
    }
    sink_(delta);
}

void ResponseAccumulator::AddText(std::string_view text) {
    if (text.empty()) {
        return;
    }
    auto& content = response_.content;
    if (content.empty() || !std::holds_alternative<domain::TextBlock>(content.back())) {
        content.emplace_back(domain::TextBlock{});
    }
    std::get<domain::TextBlock>(content.back()).text.append(text);
    ModelDelta d;
    d.kind = ModelDelta::Kind::kText;
    d.text = std::string(text);
    Emit(d);
}

void ResponseAccumulator::AddThinking(std::string_view text) {
    if (text.empty()) {
        return;
    }
    auto& content = response_.content;
    if (content.empty() || !std::holds_alternative<domain::ThinkingBlock>(content.back())) {
        content.emplace_back(domain::ThinkingBlock{});
    }
    std::get<domain::ThinkingBlock>(content.back()).text.append(text);
    ModelDelta d;
    d.kind = ModelDelta::Kind::kThinking;
    d.text = std::string(text);
    Emit(d);
}

domain::ToolCallBlock& ResponseAccumulator::Tool(const ToolSlot& slot) {
    return std::get<domain::ToolCallBlock>(response_.content[slot.block]);
}

bool ResponseAccumulator::StartToolCall(int key, std::string id, std::string name) {
    if (tools_.count(key) != 0) {
        return false;
    }
    const ToolSlot slot{response_.content.size(), static_cast<int>(tools_.size())};
    tools_.emplace(key, slot);
    response_.content.emplace_back(domain::ToolCallBlock{id, name, ""});
    ModelDelta d;
    d.kind = ModelDelta::Kind::kToolCall;
    d.tool_index = slot.ordinal;
    d.tool_call_id = std::move(id);
    d.tool_name = std::move(name);
    Emit(d);
    return true;
}

bool ResponseAccumulator::AddToolArguments(int key, std::string_view delta) {
    auto it = tools_.find(key);
    if (it == tools_.end()) {
        return false;
    }
    if (delta.empty()) {
        return true;
    }
    Tool(it->second).arguments_json.append(delta);
    ModelDelta d;
    d.kind = ModelDelta::Kind::kToolCall;
    d.tool_index = it->second.ordinal;
    d.arguments_delta = std::string(delta);
    Emit(d);
    return true;
}

std::string_view ResponseAccumulator::ToolArguments(int key) const {
    auto it = tools_.find(key);
    if (it == tools_.end()) {
        return {};
    }
    return std::get<domain::ToolCallBlock>(response_.content[it->second.block]).arguments_json;
}

domain::ModelResponse ResponseAccumulator::Take() {
    response_.stop_reason = stop_reason_.value_or(domain::StopReason::kStop);
    if (!tools_.empty() && response_.stop_reason == domain::StopReason::kStop) {
        response_.stop_reason = domain::StopReason::kToolUse;
    }
    for (auto& [key, slot] : tools_) {
        auto& call = Tool(slot);
        if (call.arguments_json.empty()) {
            call.arguments_json = "{}";
        }
    }
    auto& u = response_.usage;
    if (u.total == 0) {
        u.total = u.input + u.output + u.cache_read + u.cache_write;
    }
    return std::move(response_);
}

void EmitAll(const domain::ModelResponse& response, const domain::DeltaSink& sink) {
    if (!sink) {
        return;
    }
    int ordinal = 0;
    for (const auto& block : response.content) {
        ModelDelta d;
        if (const auto* text = std::get_if<domain::TextBlock>(&block)) {
            d.kind = ModelDelta::Kind::kText;
            d.text = text->text;
        } else if (const auto* thinking = std::get_if<domain::ThinkingBlock>(&block)) {
            d.kind = ModelDelta::Kind::kThinking;
            d.text = thinking->text;
        } else if (const auto* call = std::get_if<domain::ToolCallBlock>(&block)) {
            d.kind = ModelDelta::Kind::kToolCall;
            d.tool_index = ordinal++;
            d.tool_call_id = call->id;
            d.tool_name = call->name;
            d.arguments_delta = call->arguments_json;
        } else {
            continue;
        }
        sink(d);
    }
}

}  // namespace gw::providers::internal
