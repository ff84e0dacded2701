// The `anthropic-messages` wire API: POST {base_url}/messages (Anthropic Messages API).
#include <map>
#include <variant>

#include "providers/internal/error_classify.hpp"
#include "providers/internal/json_util.hpp"
#include "providers/internal/wire_format.hpp"

namespace gw::providers::internal {
namespace {

using domain::ModelError;
using domain::Role;
using domain::StopReason;

constexpr std::int64_t kDefaultMaxTokens = 4096;

std::optional<StopReason> MapStopReason(std::string_view r) {
    if (r == "end_turn" || r == "stop_sequence" || r == "pause_turn") {
        return StopReason::kStop;
    }
    if (r == "max_tokens") {
        return StopReason::kLength;
    }
    if (r == "tool_use") {
        return StopReason::kToolUse;
    }
    if (r == "refusal") {
        return StopReason::kError;
    }
    return std::nullopt;
}

void ApplyUsage(const json::object& u, domain::TokenUsage& out) {
    if (auto v = IntAt(u, "input_tokens")) {
        out.input = *v;
    }
    if (auto v = IntAt(u, "output_tokens")) {
        out.output = *v;
    }
    if (auto v = IntAt(u, "cache_read_input_tokens")) {
        out.cache_read = *v;
    }
    if (auto v = IntAt(u, "cache_creation_input_tokens")) {
        out.cache_write = *v;
    }
}

/// OpenAI-style tool_choice → Anthropic's.
Result<json::object> ToolChoice(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    std::string word;
    if (ec) {
        word = std::string(text);
    } else if (v.is_string()) {
        word = std::string(v.get_string());
    } else if (v.is_object()) {
        const auto& o = v.get_object();
        if (const auto* fn = ObjectAt(o, "function")) {
            return json::object{{"type", "tool"}, {"name", StringAt(*fn, "name")}};
        }
        return o;  // already Anthropic-shaped ({"type":"any"}, {"type":"tool","name":...})
    }
    if (word == "auto") {
        return json::object{{"type", "auto"}};
    }
    if (word == "required" || word == "any") {
        return json::object{{"type", "any"}};
    }
    if (word == "none") {
        return json::object{{"type", "none"}};
    }
    return MakeError(ErrorCode::kInvalidArgument, "unsupported tool_choice_json for anthropic-messages");
}

json::array Blocks(const domain::TranscriptEntry& entry) {
    json::array out;
    for (const auto& block : entry.content) {
        if (const auto* t = std::get_if<domain::TextBlock>(&block)) {
            if (t->text.empty()) {
                continue;  // the API refuses empty text blocks
            }
            std::string text = entry.role == Role::kSystem ? "System: " + t->text : t->text;
            out.push_back(json::object{{"type", "text"}, {"text", std::move(text)}});
        } else if (const auto* img = std::get_if<domain::ImageBlock>(&block)) {
            out.push_back(json::object{
                {"type", "image"},
                {"source", {{"type", "base64"}, {"media_type", img->mime_type}, {"data", img->data}}}});
        } else if (const auto* c = std::get_if<domain::ToolCallBlock>(&block)) {
            out.push_back(json::object{
                {"type", "tool_use"},
                {"id", c->id},
                {"name", c->name},
                {"input", ObjectOrEmpty(c->arguments_json)}});
        } else if (const auto* r = std::get_if<domain::ToolResultBlock>(&block)) {
            json::object result{
                {"type", "tool_result"}, {"tool_use_id", r->tool_call_id}, {"content", r->content}};
            if (r->is_error) {
                result["is_error"] = true;
            }
            out.push_back(std::move(result));
        }
        // Thinking blocks are not sent back (they would need the upstream signature).
    }
    return out;
}

/// Messages with consecutive same-role turns merged (tool results must share one user turn).
json::array Messages(const std::vector<domain::TranscriptEntry>& entries) {
    json::array messages;
    std::string last_role;
    for (const auto& entry : entries) {
        auto blocks = Blocks(entry);
        if (blocks.empty()) {
            continue;
        }
        const std::string role = entry.role == Role::kAssistant ? "assistant" : "user";
        if (role == last_role) {
            auto& content = messages.back().get_object()["content"].get_array();
            for (auto& b : blocks) {
                content.push_back(std::move(b));
            }
            continue;
        }
        messages.push_back(json::object{{"role", role}, {"content", std::move(blocks)}});
        last_role = role;
    }
    return messages;
}

class MessagesDecoder final : public StreamDecoder {
public:
    explicit MessagesDecoder(ResponseAccumulator& acc) : acc_(acc) {}

    std::optional<ModelError> OnEvent(const net::SseEvent& ev) override {
        auto obj = ParseEventObject(ev.data);
        if (!obj) {
            return Malformed("unparsable anthropic event '" + Truncate(ev.event, 40) + "'");
        }
        const std::string type(ev.event != "message" ? std::string_view(ev.event) : StringAt(*obj, "type"));
        if (type == "ping") {
            return std::nullopt;
        }
        if (type == "error") {
            const json::object empty;
            const auto* err = ObjectAt(*obj, "error");
            const auto& e = err != nullptr ? *err : empty;
            return ClassifyErrorObject(StringAt(e, "type"), "", StringAt(e, "message"));
        }
        if (finished_) {
            return std::nullopt;
        }
        if (type == "message_start") {
            if (started_) {
                return Malformed("duplicate message_start");
            }
            started_ = true;
            if (const auto* message = ObjectAt(*obj, "message")) {
                acc_.SetResponseId(std::string(StringAt(*message, "id")));
                if (const auto* usage = ObjectAt(*message, "usage")) {
                    ApplyUsage(*usage, acc_.Usage());
                }
            }
            return std::nullopt;
        }
        const bool known = type == "content_block_start" || type == "content_block_delta" ||
                           type == "content_block_stop" || type == "message_delta" || type == "message_stop";
        if (!known) {
            return std::nullopt;
        }
        if (!started_) {
            return Malformed(type + " before message_start");
        }
        if (type == "message_stop") {
            finished_ = true;
            return std::nullopt;
        }
        if (type == "message_delta") {
            if (const auto* delta = ObjectAt(*obj, "delta")) {
                if (auto reason = MapStopReason(StringAt(*delta, "stop_reason"))) {
                    acc_.SetStopReason(*reason);
                }
            }
            if (const auto* usage = ObjectAt(*obj, "usage")) {
                ApplyUsage(*usage, acc_.Usage());
            }
            return std::nullopt;
        }
        const auto index = IntAt(*obj, "index");
        if (!index) {
            return Malformed(type + " without index");
        }
        const int i = static_cast<int>(*index);
        if (type == "content_block_start") {
            return Start(i, *obj);
        }
        auto it = open_.find(i);
        if (it == open_.end()) {
            return Malformed(type + " for block " + std::to_string(i) + " that is not open");
        }
        if (type == "content_block_stop") {
            if (it->second.kind == Kind::kTool && acc_.ToolArguments(i).empty() &&
                !it->second.input.empty()) {
                acc_.AddToolArguments(i, it->second.input);
            }
            open_.erase(it);
            return std::nullopt;
        }
        const auto* delta = ObjectAt(*obj, "delta");
        if (delta == nullptr) {
            return Malformed("content_block_delta without delta");
        }
        const auto dtype = StringAt(*delta, "type");
        const Kind kind = it->second.kind;
        if (dtype == "text_delta" && kind == Kind::kText) {
            acc_.AddText(StringAt(*delta, "text"));
        } else if (dtype == "thinking_delta" && kind == Kind::kThinking) {
            acc_.AddThinking(StringAt(*delta, "thinking"));
        } else if (dtype == "input_json_delta" && kind == Kind::kTool) {
            acc_.AddToolArguments(i, StringAt(*delta, "partial_json"));
        } else if (dtype == "text_delta" || dtype == "thinking_delta" || dtype == "input_json_delta") {
            return Malformed(std::string(dtype) + " for a block of another type");
        }
        return std::nullopt;  // signature_delta, citations_delta, ...
    }

    bool Finished() const override { return finished_; }

private:
    enum class Kind { kText, kThinking, kTool, kOther };

    struct Block {
        Kind kind = Kind::kOther;
        std::string input;  ///< tool_use `input` given up front (non-streaming style)
    };

    std::optional<ModelError> Start(int i, const json::object& obj) {
        if (seen_.count(i) != 0) {
            return Malformed("content_block_start for block " + std::to_string(i) + " twice");
        }
        seen_[i] = true;
        const auto* cb = ObjectAt(obj, "content_block");
        if (cb == nullptr) {
            return Malformed("content_block_start without content_block");
        }
        const auto btype = StringAt(*cb, "type");
        Block block;
        if (btype == "text") {
            block.kind = Kind::kText;
            acc_.AddText(StringAt(*cb, "text"));
        } else if (btype == "thinking") {
            block.kind = Kind::kThinking;
            acc_.AddThinking(StringAt(*cb, "thinking"));
        } else if (btype == "tool_use") {
            block.kind = Kind::kTool;
            acc_.StartToolCall(i, std::string(StringAt(*cb, "id")), std::string(StringAt(*cb, "name")));
            if (const auto* input = ObjectAt(*cb, "input"); input != nullptr && !input->empty()) {
                block.input = json::serialize(*input);
            }
        }
        open_[i] = std::move(block);
        return std::nullopt;
    }

    ResponseAccumulator& acc_;
    std::map<int, Block> open_;
    std::map<int, bool> seen_;
    bool started_ = false;
    bool finished_ = false;
};

class AnthropicMessages final : public WireFormat {
public:
    std::string_view Api() const override { return "anthropic-messages"; }

    Result<WireRequest> Build(const domain::ModelRequest& request, const config::ProviderOptions& provider)
        const override {
        json::object body;
        body["model"] = request.model.model;
        body["max_tokens"] = request.max_output_tokens.value_or(kDefaultMaxTokens);
        if (!request.system_prompt.empty()) {
            body["system"] = request.system_prompt;
        }
        body["messages"] = Messages(request.messages);
        if (!request.tools.empty()) {
            json::array tools;
            for (const auto& tool : request.tools) {
                auto params = ParseJsonText(tool.parameters_json, "parameters of tool " + tool.name);
                if (!params) {
                    return params.error();
                }
                json::object t{{"name", tool.name}, {"input_schema", std::move(*params)}};
                if (!tool.description.empty()) {
                    t["description"] = tool.description;
                }
                tools.push_back(std::move(t));
            }
            body["tools"] = std::move(tools);
            if (request.tool_choice_json) {
                auto choice = ToolChoice(*request.tool_choice_json);
                if (!choice) {
                    return choice.error();
                }
                if (StringAt(*choice, "type") == "none") {
                    body.erase("tools");  // older API versions have no "none"; offering nothing is the same
                } else {
                    body["tool_choice"] = std::move(*choice);
                }
            }
        }
        if (request.temperature) {
            body["temperature"] = *request.temperature;
        }
        if (request.top_p) {
            body["top_p"] = *request.top_p;
        }
        auto extra = ExtraParams(request);
        if (!extra) {
            return extra.error();
        }
        if (const auto* stop = extra->if_contains("stop")) {
            if (stop->is_string()) {
                body["stop_sequences"] = json::array{*stop};
            } else if (stop->is_array()) {
                body["stop_sequences"] = *stop;
            }
        }
        CopyKeys(*extra, body, {"top_k", "stop_sequences", "thinking"});
        if (!request.end_user.empty()) {
            body["metadata"] = {{"user_id", request.end_user}};
        }
        if (request.stream) {
            body["stream"] = true;
        }
        WireRequest out;
        out.path = "/messages";
        if (provider.api_key.IsSet()) {
            out.headers.emplace_back("x-api-key", provider.api_key.value);
        }
        out.headers.emplace_back("anthropic-version", "2023-06-01");
        out.body = json::serialize(body);
        return out;
    }

    std::unique_ptr<StreamDecoder> NewDecoder(ResponseAccumulator& acc) const override {
        return std::make_unique<MessagesDecoder>(acc);
    }

    std::optional<ModelError> ParseBody(std::string_view body, ResponseAccumulator& acc) const override {
        auto obj = ParseEventObject(body);
        if (!obj) {
            return Malformed("message body is not a JSON object");
        }
        if (StringAt(*obj, "type") == "error") {
            const json::object empty;
            const auto* err = ObjectAt(*obj, "error");
            const auto& e = err != nullptr ? *err : empty;
            return ClassifyErrorObject(StringAt(e, "type"), "", StringAt(e, "message"));
        }
        const auto* content = ArrayAt(*obj, "content");
        if (content == nullptr) {
            return Malformed("message without content");
        }
        acc.SetResponseId(std::string(StringAt(*obj, "id")));
        int i = 0;
        for (const auto& item : *content) {
            if (!item.is_object()) {
                return Malformed("content block is not an object");
            }
            const auto& b = item.get_object();
            const auto type = StringAt(b, "type");
            if (type == "text") {
                acc.AddText(StringAt(b, "text"));
            } else if (type == "thinking") {
                acc.AddThinking(StringAt(b, "thinking"));
            } else if (type == "tool_use") {
                acc.StartToolCall(i, std::string(StringAt(b, "id")), std::string(StringAt(b, "name")));
                const auto* input = ObjectAt(b, "input");
                acc.AddToolArguments(i, input != nullptr ? json::serialize(*input) : "{}");
            }
            ++i;
        }
        if (auto reason = MapStopReason(StringAt(*obj, "stop_reason"))) {
            acc.SetStopReason(*reason);
        }
        if (const auto* usage = ObjectAt(*obj, "usage")) {
            ApplyUsage(*usage, acc.Usage());
        }
        return std::nullopt;
    }
};

}  // namespace

std::unique_ptr<WireFormat> MakeAnthropicMessages() {
    return std::make_unique<AnthropicMessages>();
}

}  // namespace gw::providers::internal
