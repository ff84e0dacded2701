// The `openai-responses` wire API: POST {base_url}/responses (OpenAI Responses API).
#include <set>
#include <variant>

#include "providers/internal/error_classify.hpp"
#include "providers/internal/json_util.hpp"
#include "providers/internal/wire_format.hpp"

namespace gw::providers::internal {
namespace {

using domain::ModelError;
using domain::Role;
using domain::StopReason;

void ApplyUsage(const json::object& u, domain::TokenUsage& out) {
    const std::int64_t input = IntAt(u, "input_tokens").value_or(0);
    std::int64_t cached = 0;
    if (const auto* details = ObjectAt(u, "input_tokens_details")) {
        cached = IntAt(*details, "cached_tokens").value_or(0);
    }
    out.cache_read = cached;
    out.input = input - cached;
    out.output = IntAt(u, "output_tokens").value_or(0);
    out.total = IntAt(u, "total_tokens").value_or(0);
}

/// Status and usage of a `response` object (completed, incomplete).
void ApplyResponse(const json::object& response, ResponseAccumulator& acc) {
    if (auto id = StringAt(response, "id"); !id.empty()) {
        acc.SetResponseId(std::string(id));
    }
    if (const auto* usage = ObjectAt(response, "usage")) {
        ApplyUsage(*usage, acc.Usage());
    }
    if (StringAt(response, "status") == "incomplete") {
        std::string_view reason;
        if (const auto* details = ObjectAt(response, "incomplete_details")) {
            reason = StringAt(*details, "reason");
        }
        acc.SetStopReason(reason == "content_filter" ? StopReason::kError : StopReason::kLength);
    }
}

ModelError ErrorOf(const json::object& o) {
    const auto* nested = ObjectAt(o, "error");
    const auto& e = nested != nullptr ? *nested : o;
    std::string code(StringAt(e, "code"));
    return ClassifyErrorObject(StringAt(e, "type"), code, StringAt(e, "message"));
}

Result<json::value> ToolChoice(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) {
        if (text == "auto" || text == "none" || text == "required") {
            return json::value(json::string(text));
        }
        return MakeError(ErrorCode::kInvalidArgument, "tool_choice_json is not valid JSON");
    }
    if (v.is_object()) {
        if (const auto* fn = ObjectAt(v.get_object(), "function")) {
            return json::value(json::object{{"type", "function"}, {"name", StringAt(*fn, "name")}});
        }
    }
    return v;
}

json::object MessageItem(std::string_view role, json::array content) {
    return json::object{{"type", "message"}, {"role", role}, {"content", std::move(content)}};
}

void AppendEntry(const domain::TranscriptEntry& entry, json::array& input) {
    switch (entry.role) {
        case Role::kSystem:
        case Role::kUser: {
            json::array parts;
            for (const auto& block : entry.content) {
                if (const auto* t = std::get_if<domain::TextBlock>(&block)) {
                    parts.push_back(json::object{{"type", "input_text"}, {"text", t->text}});
                } else if (const auto* img = std::get_if<domain::ImageBlock>(&block)) {
                    parts.push_back(json::object{{"type", "input_image"}, {"image_url", ImageDataUrl(*img)}});
                }
            }
            if (!parts.empty()) {
                input.push_back(MessageItem(entry.role == Role::kSystem ? "system" : "user", std::move(parts))
                );
            }
            break;
        }
        case Role::kAssistant:
            for (const auto& block : entry.content) {
                if (const auto* t = std::get_if<domain::TextBlock>(&block)) {
                    if (!t->text.empty()) {
                        input.push_back(MessageItem(
                            "assistant", json::array{json::object{{"type", "output_text"}, {"text", t->text}}}
                        ));
                    }
                } else if (const auto* c = std::get_if<domain::ToolCallBlock>(&block)) {
                    input.push_back(json::object{
                        {"type", "function_call"},
                        {"call_id", c->id},
                        {"name", c->name},
                        {"arguments", c->arguments_json}});
                }
            }
            break;
        case Role::kToolResult:
            for (const auto& block : entry.content) {
                if (const auto* r = std::get_if<domain::ToolResultBlock>(&block)) {
                    input.push_back(json::object{
                        {"type", "function_call_output"},
                        {"call_id", r->tool_call_id},
                        {"output", r->content}});
                }
            }
            break;
    }
}

/// A function_call output item (added / done, or a non-streaming output entry).
void FunctionCallItem(int index, const json::object& item, ResponseAccumulator& acc) {
    if (!acc.HasToolCall(index)) {
        std::string id(StringAt(item, "call_id"));
        if (id.empty()) {
            id = std::string(StringAt(item, "id"));
        }
        acc.StartToolCall(index, std::move(id), std::string(StringAt(item, "name")));
    }
    if (acc.ToolArguments(index).empty()) {
        acc.AddToolArguments(index, StringAt(item, "arguments"));
    }
}

class ResponsesDecoder final : public StreamDecoder {
public:
    explicit ResponsesDecoder(ResponseAccumulator& acc) : acc_(acc) {}

    std::optional<ModelError> OnEvent(const net::SseEvent& ev) override {
        auto obj = ParseEventObject(ev.data);
        if (!obj) {
            return Malformed("unparsable responses event '" + Truncate(ev.event, 40) + "'");
        }
        const std::string type(ev.event != "message" ? std::string_view(ev.event) : StringAt(*obj, "type"));
        if (type == "error") {
            return ErrorOf(*obj);
        }
        if (type == "response.failed") {
            const auto* response = ObjectAt(*obj, "response");
            return ErrorOf(response != nullptr ? *response : *obj);
        }
        if (finished_ || type.rfind("response.", 0) != 0) {
            return std::nullopt;
        }
        if (type == "response.created") {
            if (created_) {
                return Malformed("duplicate response.created");
            }
            created_ = true;
            if (const auto* response = ObjectAt(*obj, "response")) {
                ApplyResponse(*response, acc_);
            }
            return std::nullopt;
        }
        if (!created_) {
            return Malformed(type + " before response.created");
        }
        if (type == "response.completed" || type == "response.incomplete") {
            if (const auto* response = ObjectAt(*obj, "response")) {
                ApplyResponse(*response, acc_);
            }
            finished_ = true;
            return std::nullopt;
        }
        const int index = static_cast<int>(IntAt(*obj, "output_index").value_or(-1));
        if (type == "response.output_item.added" || type == "response.output_item.done") {
            const auto* item = ObjectAt(*obj, "item");
            if (item == nullptr || index < 0) {
                return Malformed(type + " without item or output_index");
            }
            items_.insert(index);
            if (StringAt(*item, "type") == "function_call") {
                FunctionCallItem(index, *item, acc_);
            }
            return std::nullopt;
        }
        const bool text = type == "response.output_text.delta";
        const bool reasoning =
            type == "response.reasoning_summary_text.delta" || type == "response.reasoning_text.delta";
        const bool args = type == "response.function_call_arguments.delta";
        const bool args_done = type == "response.function_call_arguments.done";
        if (!text && !reasoning && !args && !args_done) {
            return std::nullopt;
        }
        if (items_.count(index) == 0) {
            return Malformed(type + " for output item " + std::to_string(index) + " that was not added");
        }
        if (text) {
            acc_.AddText(StringAt(*obj, "delta"));
        } else if (reasoning) {
            acc_.AddThinking(StringAt(*obj, "delta"));
        } else if (!acc_.HasToolCall(index)) {
            return Malformed(type + " for an item that is not a function call");
        } else if (args) {
            acc_.AddToolArguments(index, StringAt(*obj, "delta"));
        } else if (acc_.ToolArguments(index).empty()) {
            acc_.AddToolArguments(index, StringAt(*obj, "arguments"));
        }
        return std::nullopt;
    }

    bool Finished() const override { return finished_; }

private:
    ResponseAccumulator& acc_;
    std::set<int> items_;
    bool created_ = false;
    bool finished_ = false;
};

class OpenAiResponses final : public WireFormat {
public:
    std::string_view Api() const override { return "openai-responses"; }

    Result<WireRequest> Build(const domain::ModelRequest& request, const config::ProviderOptions& provider)
        const override {
        json::object body;
        body["model"] = request.model.model;
        if (!request.system_prompt.empty()) {
            body["instructions"] = request.system_prompt;
        }
        json::array input;
        for (const auto& entry : request.messages) {
            AppendEntry(entry, input);
        }
        body["input"] = std::move(input);
        if (!request.tools.empty()) {
            json::array tools;
            for (const auto& tool : request.tools) {
                auto params = ParseJsonText(tool.parameters_json, "parameters of tool " + tool.name);
                if (!params) {
                    return params.error();
                }
                json::object t{{"type", "function"}, {"name", tool.name}, {"parameters", std::move(*params)}};
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
                body["tool_choice"] = std::move(*choice);
            }
        }
        if (request.max_output_tokens) {
            body["max_output_tokens"] = *request.max_output_tokens;
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
        CopyKeys(*extra, body, {"reasoning", "text", "parallel_tool_calls", "service_tier", "truncation"});
        if (auto effort = StringAt(*extra, "reasoning_effort");
            !effort.empty() && !body.contains("reasoning")) {
            body["reasoning"] = {{"effort", effort}};
        }
        body["store"] = false;
        if (request.stream) {
            body["stream"] = true;
        }
        WireRequest out;
        out.path = "/responses";
        if (provider.api_key.IsSet()) {
            out.headers.emplace_back("Authorization", "Bearer " + provider.api_key.value);
        }
        out.body = json::serialize(body);
        return out;
    }

    std::unique_ptr<StreamDecoder> NewDecoder(ResponseAccumulator& acc) const override {
        return std::make_unique<ResponsesDecoder>(acc);
    }

    std::optional<ModelError> ParseBody(std::string_view body, ResponseAccumulator& acc) const override {
        auto obj = ParseEventObject(body);
        if (!obj) {
            return Malformed("response body is not a JSON object");
        }
        if (const auto* err = ObjectAt(*obj, "error");
            err != nullptr || StringAt(*obj, "status") == "failed") {
            return ErrorOf(*obj);
        }
        const auto* output = ArrayAt(*obj, "output");
        if (output == nullptr) {
            return Malformed("response without output");
        }
        int index = 0;
        for (const auto& v : *output) {
            if (!v.is_object()) {
                return Malformed("output item is not an object");
            }
            const auto& item = v.get_object();
            const auto type = StringAt(item, "type");
            if (type == "message") {
                if (const auto* content = ArrayAt(item, "content")) {
                    for (const auto& part : *content) {
                        if (part.is_object() && StringAt(part.get_object(), "type") == "output_text") {
                            acc.AddText(StringAt(part.get_object(), "text"));
                        }
                    }
                }
            } else if (type == "reasoning") {
                if (const auto* summary = ArrayAt(item, "summary")) {
                    for (const auto& part : *summary) {
                        if (part.is_object()) {
                            acc.AddThinking(StringAt(part.get_object(), "text"));
                        }
                    }
                }
            } else if (type == "function_call") {
                FunctionCallItem(index, item, acc);
            }
            ++index;
        }
        ApplyResponse(*obj, acc);
        return std::nullopt;
    }
};

}  // namespace

std::unique_ptr<WireFormat> MakeOpenAiResponses() {
    return std::make_unique<OpenAiResponses>();
}

}  // namespace gw::providers::internal
