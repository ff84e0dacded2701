// /v1/responses: request parsing (input items → SendRequest) and the response/item builders.
#include <boost/json.hpp>

#include "api/internal/responses_common.hpp"
#include "base/ids.hpp"
#include "domain/session_key.hpp"

namespace gw::api::internal {
namespace {

constexpr std::size_t kMaxImages = 8;

std::optional<RequestError> PartsInto(
    const json::value& content, domain::Role role, ParsedMessage& msg, std::size_t& images
) {
    if (content.is_string()) {
        msg.content.emplace_back(domain::TextBlock{std::string(content.as_string())});
        return std::nullopt;
    }
    if (!content.is_array()) {
        return RequestError{"message content must be a string or an array of parts", "input"};
    }
    for (const auto& part : content.as_array()) {
        const auto* obj = part.if_object();
        const auto* type = obj ? obj->if_contains("type") : nullptr;
        if (type == nullptr || !type->is_string()) {
            return RequestError{"every content part needs a type", "input"};
        }
        const std::string_view kind = type->as_string();
        if (kind == "input_text" || kind == "output_text" || kind == "text") {
            const auto* text = obj->if_contains("text");
            if (text == nullptr || !text->is_string()) {
                return RequestError{"text parts need a string text", "input"};
            }
            msg.content.emplace_back(domain::TextBlock{std::string(text->as_string())});
        } else if (kind == "input_image" && role == domain::Role::kUser) {
            if (++images > kMaxImages) {
                return RequestError{"at most 8 images are supported", "input"};
            }
            const auto* url = obj->if_contains("image_url");
            auto block = (url != nullptr && url->is_string()) ? ParseDataUrl(url->as_string()) : std::nullopt;
            if (!block) {
                return RequestError{"input_image must carry a base64 data URL in image_url", "input"};
            }
            msg.content.emplace_back(std::move(*block));
        } else {
            return RequestError{"unsupported content part type: " + std::string(kind), "input"};
        }
    }
    return std::nullopt;
}

std::optional<RequestError> ParseItems(const json::value& input, std::vector<ParsedMessage>& out) {
    if (input.is_string()) {
        ParsedMessage msg;
        msg.content.emplace_back(domain::TextBlock{std::string(input.as_string())});
        out.push_back(std::move(msg));
        return std::nullopt;
    }
    if (!input.is_array() || input.as_array().empty()) {
        return RequestError{"input must be a string or a non-empty array of items", "input"};
    }
    std::size_t images = 0;
    for (const auto& item : input.as_array()) {
        const auto* obj = item.if_object();
        if (obj == nullptr) {
            return RequestError{"every input item must be an object", "input"};
        }
        const auto* type_v = obj->if_contains("type");
        const std::string_view type = (type_v != nullptr && type_v->is_string())
                                          ? std::string_view(type_v->as_string())
                                          : std::string_view("message");
        if (type == "message") {
            const auto* role_v = obj->if_contains("role");
            const auto* content = obj->if_contains("content");
            if (role_v == nullptr || !role_v->is_string() || content == nullptr) {
                return RequestError{"message items need a role and content", "input"};
            }
            const std::string_view role = role_v->as_string();
            ParsedMessage msg;
            if (role == "user") {
                msg.role = domain::Role::kUser;
            } else if (role == "assistant") {
                msg.role = domain::Role::kAssistant;
            } else if (role == "system" || role == "developer") {
                msg.role = domain::Role::kSystem;
            } else {
                return RequestError{"unsupported message role: " + std::string(role), "input"};
            }
            if (auto err = PartsInto(*content, msg.role, msg, images)) {
                return err;
            }
            out.push_back(std::move(msg));
        } else if (type == "function_call") {
            const auto* call_id = obj->if_contains("call_id");
            const auto* name = obj->if_contains("name");
            const auto* args = obj->if_contains("arguments");
            if (call_id == nullptr || !call_id->is_string() || name == nullptr || !name->is_string()) {
                return RequestError{"function_call items need call_id and name", "input"};
            }
            domain::ToolCallBlock call{
                std::string(call_id->as_string()), std::string(name->as_string()), "{}"};
            if (args != nullptr && args->is_string()) {
                call.arguments_json = std::string(args->as_string());
            }
            if (out.empty() || out.back().role != domain::Role::kAssistant) {
                out.push_back(ParsedMessage{domain::Role::kAssistant, {}});
            }
            out.back().content.emplace_back(std::move(call));
        } else if (type == "function_call_output") {
            const auto* call_id = obj->if_contains("call_id");
            const auto* output = obj->if_contains("output");
            if (call_id == nullptr || !call_id->is_string() || call_id->as_string().empty() ||
                output == nullptr) {
                return RequestError{"function_call_output items need call_id and output", "input"};
            }
            std::string text =
                output->is_string() ? std::string(output->as_string()) : json::serialize(*output);
            ParsedMessage msg{domain::Role::kToolResult, {}};
            msg.content.emplace_back(domain::ToolResultBlock{
                std::string(call_id->as_string()), "", std::move(text), false});
            out.push_back(std::move(msg));
        } else if (type == "reasoning") {
            continue;  // reasoning items of earlier answers carry nothing the engine needs
        } else {
            return RequestError{"unsupported input item type: " + std::string(type), "input"};
        }
    }
    return std::nullopt;
}

ResponsesParse Fail(RequestError error) {
    return ResponsesParse{std::nullopt, std::move(error)};
}

}  // namespace

ResponsesParse ParseResponsesBody(
    const net::HttpRequest& http, const std::vector<std::string>& known_agents, const std::string& default_agent
) {
    std::string parse_error;
    auto parsed = ParseObject(http.body, parse_error);
    if (!parsed) {
        return Fail(RequestError{parse_error, ""});
    }
    const json::object& body = *parsed;
    ResponsesRequest out;
    out.model = "openclaw";
    if (const auto* model = body.if_contains("model"); model != nullptr && !model->is_null()) {
        if (!model->is_string()) {
            return Fail(RequestError{"model must be a string", "model"});
        }
        out.model = std::string(model->as_string());
    }
    if (auto err = ApplyTargetAndStream(http, body, out.model, known_agents, default_agent, out.send, out.stream)) {
        return Fail(std::move(*err));
    }
    const std::string agent_id = out.send.agent_id;
    for (std::string_view key : {"temperature", "top_p"}) {
        if (const auto* v = body.if_contains(key); v != nullptr && !v->is_null()) {
            auto num = NumberOf(*v);
            if (!num) {
                return Fail(RequestError{std::string(key) + " must be a number", std::string(key)});
            }
            (key == "temperature" ? out.send.temperature : out.send.top_p) = *num;
        }
    }
    if (const auto* v = body.if_contains("max_output_tokens"); v != nullptr && !v->is_null()) {
        auto count = TokenCountOf(*v);
        if (!count) {
            return Fail(RequestError{"max_output_tokens must be a positive integer", "max_output_tokens"});
        }
        out.send.max_output_tokens = *count;
    }
    if (const auto* choice = body.if_contains("tool_choice"); choice != nullptr && !choice->is_null()) {
        out.send.tool_choice_json = json::serialize(*choice);
    }
    if (const auto* tools = body.if_contains("tools")) {
        if (auto err = ParseClientTools(*tools, out.send)) {
            return Fail(std::move(*err));
        }
        for (const auto& spec : out.send.client_tools) {
            out.client_tool_names.push_back(spec.name);
        }
    }

    std::vector<ParsedMessage> messages;
    if (const auto* instructions = body.if_contains("instructions");
        instructions != nullptr && !instructions->is_null()) {
        if (!instructions->is_string()) {
            return Fail(RequestError{"instructions must be a string", "instructions"});
        }
        out.instructions = std::string(instructions->as_string());
        ParsedMessage system{domain::Role::kSystem, {}};
        system.content.emplace_back(domain::TextBlock{*out.instructions});
        messages.push_back(std::move(system));
    }
    const auto* input = body.if_contains("input");
    if (input == nullptr) {
        return Fail(RequestError{"input is required", "input"});
    }
    if (auto err = ParseItems(*input, messages)) {
        return Fail(std::move(*err));
    }

    // Session: header key (persistent: only the new message), previous_response_id (its session; every
    // item is new), else a new openresponses session.
    bool include_history = true;
    if (auto key = HeaderValue(http, "x-openclaw-session-key")) {
        if (auto ok = domain::CheckHttpSessionKey(*key); !ok) {
            return Fail(RequestError{ok.error().message, "x-openclaw-session-key"});
        }
        out.send.session_key = *key;
        include_history = false;
    } else if (const auto* prev = body.if_contains("previous_response_id");
               prev != nullptr && !prev->is_null()) {
        if (!prev->is_string() || !prev->as_string().starts_with("resp_") || prev->as_string().size() <= 5) {
            return Fail(RequestError{
                "previous_response_id must be a response id (resp_...)", "previous_response_id"});
        }
        out.previous_response_id = std::string(prev->as_string());  // session: ParseResponsesRequest
    } else {
        auto new_key = domain::OpenResponsesSessionKey(agent_id, NewUuid());
        if (!new_key) {
            return Fail(RequestError{new_key.error().message, "model"});
        }
        out.send.session_key = new_key->ToString();
    }
    if (auto err = FillMessages(std::move(messages), include_history, out.send, "input")) {
        return Fail(std::move(*err));
    }
    out.send.queue_mode = engine::QueueMode::kFollowup;
    return ResponsesParse{std::move(out), {}};
}

std::string ResponseId(std::string_view run_id) {
    return "resp_" + std::string(run_id);
}

std::string MessageId(std::string_view run_id) {
    return "msg_" + std::string(run_id);
}

json::object OutputTextPart(std::string_view text) {
    return json::object{{"type", "output_text"}, {"text", text}, {"annotations", json::array{}}};
}

json::object MessageItem(
    std::string_view id, std::string_view status, const std::string* text, std::string_view phase
) {
    json::array content;
    if (text != nullptr) {
        content.push_back(OutputTextPart(*text));
    }
    json::object item{
        {"type", "message"},
        {"id", id},
        {"role", "assistant"},
        {"status", status},
        {"content", std::move(content)}};
    if (!phase.empty()) {
        item["phase"] = phase;
    }
    return item;
}

json::object FunctionCallItem(const domain::ToolCallBlock& call, std::string_view status) {
    return json::object{
        {"type", "function_call"},
        {"id", "fc_" + call.id},
        {"call_id", call.id},
        {"name", call.name},
        {"arguments", call.arguments_json},
        {"status", status},
    };
}

json::object ResponseObject(
    const ResponsesRequest& req,
    std::string_view id,
    std::int64_t created_at,
    std::string_view status,
    json::array output,
    const domain::TokenUsage* usage
) {
    json::object obj{
        {"id", id},
        {"object", "response"},
        {"created_at", created_at},
        {"status", status},
        {"model", req.model},
        {"output", std::move(output)},
        {"previous_response_id",
         req.previous_response_id ? json::value(*req.previous_response_id) : json::value(nullptr)},
        {"instructions", req.instructions ? json::value(*req.instructions) : json::value(nullptr)},
    };
    obj["usage"] = usage != nullptr ? json::value(ResponsesUsage(*usage)) : json::value(nullptr);
    return obj;
}

}  // namespace gw::api::internal
