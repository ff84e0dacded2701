// The `openai-completions` wire API: POST {base_url}/chat/completions (OpenAI, DeepSeek, Qwen, vLLM,
// Ollama, llama.cpp servers).
#include <variant>

#include "providers/internal/error_classify.hpp"
#include "providers/internal/json_util.hpp"
#include "providers/internal/wire_format.hpp"

namespace gw::providers::internal {
namespace {

using domain::ModelError;
using domain::Role;
using domain::StopReason;

std::optional<StopReason> MapFinishReason(std::string_view r) {
    if (r == "stop") {
        return StopReason::kStop;
    }
    if (r == "length") {
        return StopReason::kLength;
    }
    if (r == "tool_calls" || r == "function_call") {
        return StopReason::kToolUse;
    }
    if (r == "content_filter") {
        return StopReason::kError;
    }
    return std::nullopt;
}

void ApplyUsage(const json::object& u, domain::TokenUsage& out) {
    const std::int64_t prompt = IntAt(u, "prompt_tokens").value_or(0);
    std::int64_t cached = 0;
    if (const auto* details = ObjectAt(u, "prompt_tokens_details")) {
        cached = IntAt(*details, "cached_tokens").value_or(0);
    }
    out.cache_read = cached;
    out.input = prompt - cached;
    out.output = IntAt(u, "completion_tokens").value_or(0);
    out.total = IntAt(u, "total_tokens").value_or(0);
}

/// `"auto"` (JSON) or a bare word, or an object.
Result<json::value> ToolChoice(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (!ec) {
        return v;
    }
    if (text == "auto" || text == "none" || text == "required") {
        return json::value(json::string(text));
    }
    return MakeError(ErrorCode::kInvalidArgument, "tool_choice_json is not valid JSON");
}

json::object Message(std::string_view role, json::value content) {
    json::object m;
    m["role"] = role;
    m["content"] = std::move(content);
    return m;
}

json::value UserContent(const domain::TranscriptEntry& entry) {
    bool has_image = false;
    for (const auto& block : entry.content) {
        has_image = has_image || std::holds_alternative<domain::ImageBlock>(block);
    }
    if (!has_image) {
        return json::string(JoinedText(entry));
    }
    json::array parts;
    for (const auto& block : entry.content) {
        if (const auto* t = std::get_if<domain::TextBlock>(&block)) {
            parts.push_back(json::object{{"type", "text"}, {"text", t->text}});
        } else if (const auto* img = std::get_if<domain::ImageBlock>(&block)) {
            parts.push_back(json::object{{"type", "image_url"}, {"image_url", {{"url", ImageDataUrl(*img)}}}}
            );
        }
    }
    return parts;
}

void AppendEntry(const domain::TranscriptEntry& entry, json::array& messages) {
    switch (entry.role) {
        case Role::kSystem: {
            auto text = JoinedText(entry);
            if (!text.empty()) {
                messages.push_back(Message("system", json::string(text)));
            }
            break;
        }
        case Role::kUser:
            messages.push_back(Message("user", UserContent(entry)));
            break;
        case Role::kAssistant: {
            json::array calls;
            for (const auto& block : entry.content) {
                if (const auto* c = std::get_if<domain::ToolCallBlock>(&block)) {
                    calls.push_back(json::object{
                        {"id", c->id},
                        {"type", "function"},
                        {"function", {{"name", c->name}, {"arguments", c->arguments_json}}}});
                }
            }
            auto text = JoinedText(entry);
            if (text.empty() && calls.empty()) {
                break;  // thinking only: nothing the API accepts back
            }
            auto m =
                Message("assistant", text.empty() ? json::value(nullptr) : json::value(json::string(text)));
            if (!calls.empty()) {
                m["tool_calls"] = std::move(calls);
            }
            messages.push_back(std::move(m));
            break;
        }
        case Role::kToolResult:
            for (const auto& block : entry.content) {
                if (const auto* r = std::get_if<domain::ToolResultBlock>(&block)) {
                    auto m = Message("tool", json::string(r->content));
                    m["tool_call_id"] = r->tool_call_id;
                    messages.push_back(std::move(m));
                }
            }
            break;
    }
}

/// Applies one `choices[0]`-style object (`delta` when streaming, `message` otherwise).
std::optional<ModelError> ApplyChoicePart(const json::object& part, ResponseAccumulator& acc) {
    acc.AddThinking(StringAt(part, "reasoning_content"));
    acc.AddThinking(StringAt(part, "reasoning"));
    acc.AddText(StringAt(part, "content"));
    if (const auto* calls = ArrayAt(part, "tool_calls")) {
        int position = 0;
        for (const auto& item : *calls) {
            if (!item.is_object()) {
                return Malformed("tool_calls entry is not an object");
            }
            const auto& tc = item.get_object();
            const int index = static_cast<int>(IntAt(tc, "index").value_or(position++));
            const json::object empty;
            const auto* fn = ObjectAt(tc, "function");
            const auto& f = fn != nullptr ? *fn : empty;
            if (!acc.HasToolCall(index)) {
                std::string id(StringAt(tc, "id"));
                std::string name(StringAt(f, "name"));
                if (name.empty()) {
                    return Malformed("tool call " + std::to_string(index) + " has arguments before its name");
                }
                if (id.empty()) {
                    id = "call_" + std::to_string(index);
                }
                acc.StartToolCall(index, std::move(id), std::move(name));
            }
            acc.AddToolArguments(index, StringAt(f, "arguments"));
        }
    }
    return std::nullopt;
}

std::optional<ModelError> ErrorIn(const json::object& o) {
    const auto* err = o.if_contains("error");
    if (err == nullptr || err->is_null()) {
        return std::nullopt;
    }
    if (err->is_string()) {
        return ClassifyErrorObject("", "", err->get_string());
    }
    if (!err->is_object()) {
        return ClassifyErrorObject("", "", "unknown error");
    }
    const auto& e = err->get_object();
    std::string code(StringAt(e, "code"));
    if (auto n = IntAt(e, "code")) {
        code = std::to_string(*n);
    }
    return ClassifyErrorObject(StringAt(e, "type"), code, StringAt(e, "message"));
}

class CompletionsDecoder final : public StreamDecoder {
public:
    explicit CompletionsDecoder(ResponseAccumulator& acc) : acc_(acc) {}

    std::optional<ModelError> OnEvent(const net::SseEvent& ev) override {
        if (finished_) {
            return std::nullopt;
        }
        if (ev.data == "[DONE]") {
            finished_ = true;
            return std::nullopt;
        }
        auto obj = ParseEventObject(ev.data);
        if (!obj) {
            return Malformed("unparsable chat.completion.chunk");
        }
        if (auto err = ErrorIn(*obj)) {
            return err;
        }
        if (auto id = StringAt(*obj, "id"); !id.empty()) {
            acc_.SetResponseId(std::string(id));
        }
        if (const auto* usage = ObjectAt(*obj, "usage")) {
            ApplyUsage(*usage, acc_.Usage());
        }
        const auto* choices = ArrayAt(*obj, "choices");
        if (choices == nullptr) {
            return std::nullopt;  // e.g. a usage-only chunk from servers that omit `choices`
        }
        for (const auto& c : *choices) {
            if (!c.is_object()) {
                return Malformed("choice is not an object");
            }
            const auto& choice = c.get_object();
            if (IntAt(choice, "index").value_or(0) != 0) {
                continue;
            }
            if (const auto* delta = ObjectAt(choice, "delta")) {
                if (auto err = ApplyChoicePart(*delta, acc_)) {
                    return err;
                }
            }
            if (auto reason = MapFinishReason(StringAt(choice, "finish_reason"))) {
                acc_.SetStopReason(*reason);
            }
        }
        return std::nullopt;
    }

    bool Finished() const override { return finished_; }

private:
    ResponseAccumulator& acc_;
    bool finished_ = false;
};

class OpenAiCompletions final : public WireFormat {
public:
    std::string_view Api() const override { return "openai-completions"; }

    Result<WireRequest> Build(const domain::ModelRequest& request, const config::ProviderOptions& provider)
        const override {
        json::object body;
        body["model"] = request.model.model;
        json::array messages;
        if (!request.system_prompt.empty()) {
            messages.push_back(Message("system", json::string(request.system_prompt)));
        }
        for (const auto& entry : request.messages) {
            AppendEntry(entry, messages);
        }
        body["messages"] = std::move(messages);
        if (!request.tools.empty()) {
            json::array tools;
            for (const auto& tool : request.tools) {
                auto params = ParseJsonText(tool.parameters_json, "parameters of tool " + tool.name);
                if (!params) {
                    return params.error();
                }
                json::object fn{{"name", tool.name}, {"parameters", std::move(*params)}};
                if (!tool.description.empty()) {
                    fn["description"] = tool.description;
                }
                tools.push_back(json::object{{"type", "function"}, {"function", std::move(fn)}});
            }
            body["tools"] = std::move(tools);
            if (request.tool_choice_json) {
                auto choice = ToolChoice(*request.tool_choice_json);
                if (!choice) {
                    return choice.error();
                }
                body["tool_choice"] = std::move(*choice);
            }
        }
        if (request.max_output_tokens) {
            const bool openai = provider.base_url.find("api.openai.com") != std::string::npos;
            body[openai ? "max_completion_tokens" : "max_tokens"] = *request.max_output_tokens;
        }
        if (request.temperature) {
            body["temperature"] = *request.temperature;
        }
        if (request.top_p) {
            body["top_p"] = *request.top_p;
        }
        if (!request.end_user.empty()) {
            body["user"] = request.end_user;
        }
        auto extra = ExtraParams(request);
        if (!extra) {
            return extra.error();
        }
        CopyKeys(
            *extra,
            body,
            {"seed",
             "stop",
             "presence_penalty",
             "frequency_penalty",
             "logit_bias",
             "response_format",
             "parallel_tool_calls",
             "reasoning_effort",
             "service_tier"}
        );
        if (request.stream) {
            body["stream"] = true;
            body["stream_options"] = {{"include_usage", true}};
        }
        WireRequest out;
        out.path = "/chat/completions";
        if (provider.api_key.IsSet()) {
            out.headers.emplace_back("Authorization", "Bearer " + provider.api_key.value);
        }
        out.body = json::serialize(body);
        return out;
    }

    std::unique_ptr<StreamDecoder> NewDecoder(ResponseAccumulator& acc) const override {
        return std::make_unique<CompletionsDecoder>(acc);
    }

    std::optional<ModelError> ParseBody(std::string_view body, ResponseAccumulator& acc) const override {
        auto obj = ParseEventObject(body);
        if (!obj) {
            return Malformed("chat.completion body is not a JSON object");
        }
        if (auto err = ErrorIn(*obj)) {
            return err;
        }
        acc.SetResponseId(std::string(StringAt(*obj, "id")));
        const auto* choices = ArrayAt(*obj, "choices");
        if (choices == nullptr || choices->empty() || !choices->front().is_object()) {
            return Malformed("chat.completion without choices");
        }
        const auto& choice = choices->front().get_object();
        if (const auto* message = ObjectAt(choice, "message")) {
            if (auto err = ApplyChoicePart(*message, acc)) {
                return err;
            }
        }
        if (auto reason = MapFinishReason(StringAt(choice, "finish_reason"))) {
            acc.SetStopReason(*reason);
        }
        if (const auto* usage = ObjectAt(*obj, "usage")) {
            ApplyUsage(*usage, acc.Usage());
        }
        return std::nullopt;
    }
};

}  // namespace

std::unique_ptr<WireFormat> MakeOpenAiCompletions() {
    return std::make_unique<OpenAiCompletions>();
}

std::unique_ptr<WireFormat> MakeWireFormat(std::string_view api) {
    if (api == "openai-completions") {
        return MakeOpenAiCompletions();
    }
    if (api == "anthropic-messages") {
        return MakeAnthropicMessages();
    }
    if (api == "openai-responses") {
        return MakeOpenAiResponses();
    }
    return nullptr;
}

}  // namespace gw::providers::internal
