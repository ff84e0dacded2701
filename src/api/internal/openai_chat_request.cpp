#include "api/internal/openai_chat_request.hpp"

#include <algorithm>
#include <cmath>

#include "base/ids.hpp"
#include "crypto/sha256.hpp"
#include "domain/session_key.hpp"

namespace gw::api::internal {
namespace {

constexpr std::size_t kMaxImageParts = 8;
constexpr std::size_t kMaxStopSequences = 4;

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

std::optional<RequestError> TextParts(const json::value& content, std::string& out, std::string_view param) {
    if (content.is_null()) {
        return std::nullopt;
    }
    if (content.is_string()) {
        out = std::string(content.as_string());
        return std::nullopt;
    }
    if (!content.is_array()) {
        return RequestError{"message content must be a string or an array of parts", std::string(param)};
    }
    for (const auto& part : content.as_array()) {
        const auto* obj = part.if_object();
        const auto* type = obj ? obj->if_contains("type") : nullptr;
        if (type == nullptr || !type->is_string()) {
            return RequestError{"every content part needs a type", std::string(param)};
        }
        if (type->as_string() != "text" && type->as_string() != "input_text") {
            return RequestError{
                "unsupported content part type for this role: " + std::string(type->as_string()),
                std::string(param)};
        }
        const auto* text = obj->if_contains("text");
        if (text == nullptr || !text->is_string()) {
            return RequestError{"text parts need a string text", std::string(param)};
        }
        out += out.empty() ? "" : "\n";
        out += std::string(text->as_string());
    }
    return std::nullopt;
}

std::optional<RequestError> UserContent(
    const json::value& content, ParsedMessage& msg, std::size_t& images, std::string_view param
) {
    if (content.is_string()) {
        msg.content.emplace_back(domain::TextBlock{std::string(content.as_string())});
        return std::nullopt;
    }
    if (!content.is_array()) {
        return RequestError{"user message content must be a string or an array of parts", std::string(param)};
    }
    for (const auto& part : content.as_array()) {
        const auto* obj = part.if_object();
        const auto* type = obj ? obj->if_contains("type") : nullptr;
        if (type == nullptr || !type->is_string()) {
            return RequestError{"every content part needs a type", std::string(param)};
        }
        const std::string_view kind = type->as_string();
        if (kind == "text") {
            const auto* text = obj->if_contains("text");
            if (text == nullptr || !text->is_string()) {
                return RequestError{"text parts need a string text", std::string(param)};
            }
            msg.content.emplace_back(domain::TextBlock{std::string(text->as_string())});
        } else if (kind == "image_url") {
            if (++images > kMaxImageParts) {
                return RequestError{"at most 8 image_url parts are supported", std::string(param)};
            }
            const auto* image = obj->if_contains("image_url");
            const json::value* url = nullptr;
            if (image != nullptr && image->is_object()) {
                url = image->as_object().if_contains("url");
            } else if (image != nullptr && image->is_string()) {
                url = image;
            }
            if (url == nullptr || !url->is_string()) {
                return RequestError{"image_url parts need a url", std::string(param)};
            }
            auto block = ParseDataUrl(url->as_string());
            if (!block) {
                return RequestError{
                    "image_url must be a base64 data URL (data:image/...;base64,...)", std::string(param)};
            }
            msg.content.emplace_back(std::move(*block));
        } else {
            return RequestError{"unsupported content part type: " + std::string(kind), std::string(param)};
        }
    }
    return std::nullopt;
}

std::optional<RequestError> ParseMessage(const json::value& value, ParsedMessage& msg, std::size_t& images) {
    const std::string param = "messages";
    const auto* obj = value.if_object();
    const auto* role = obj ? obj->if_contains("role") : nullptr;
    if (role == nullptr || !role->is_string()) {
        return RequestError{"every message needs a role", param};
    }
    const std::string_view r = role->as_string();
    const json::value* content_ptr = obj->if_contains("content");
    const json::value content = content_ptr ? *content_ptr : json::value(nullptr);
    if (r == "system" || r == "developer") {
        msg.role = domain::Role::kSystem;
        std::string text;
        if (auto err = TextParts(content, text, param)) {
            return err;
        }
        msg.content.emplace_back(domain::TextBlock{std::move(text)});
    } else if (r == "user") {
        msg.role = domain::Role::kUser;
        if (auto err = UserContent(content, msg, images, param)) {
            return err;
        }
    } else if (r == "assistant") {
        msg.role = domain::Role::kAssistant;
        std::string text;
        if (auto err = TextParts(content, text, param)) {
            return err;
        }
        if (!text.empty()) {
            msg.content.emplace_back(domain::TextBlock{std::move(text)});
        }
        if (const auto* calls = obj->if_contains("tool_calls"); calls != nullptr && !calls->is_null()) {
            if (!calls->is_array()) {
                return RequestError{"tool_calls must be an array", param};
            }
            for (const auto& call : calls->as_array()) {
                const auto* c = call.if_object();
                const auto* fn = c ? c->if_contains("function") : nullptr;
                const auto* id = c ? c->if_contains("id") : nullptr;
                if (fn == nullptr || !fn->is_object() || id == nullptr || !id->is_string()) {
                    return RequestError{"tool_calls need an id and a function", param};
                }
                const auto* name = fn->as_object().if_contains("name");
                const auto* args = fn->as_object().if_contains("arguments");
                if (name == nullptr || !name->is_string()) {
                    return RequestError{"tool_calls[].function needs a name", param};
                }
                domain::ToolCallBlock block{
                    std::string(id->as_string()), std::string(name->as_string()), "{}"};
                if (args != nullptr && args->is_string()) {
                    block.arguments_json = std::string(args->as_string());
                } else if (args != nullptr && args->is_object()) {
                    block.arguments_json = json::serialize(*args);
                }
                msg.content.emplace_back(std::move(block));
            }
        }
    } else if (r == "tool") {
        msg.role = domain::Role::kToolResult;
        const auto* id = obj->if_contains("tool_call_id");
        if (id == nullptr || !id->is_string() || id->as_string().empty()) {
            return RequestError{"tool messages need a tool_call_id", param};
        }
        std::string text;
        if (auto err = TextParts(content, text, param)) {
            return err;
        }
        msg.content.emplace_back(domain::ToolResultBlock{
            std::string(id->as_string()), "", std::move(text), false});
    } else {
        return RequestError{"unsupported message role: " + std::string(r), param};
    }
    return std::nullopt;
}

std::optional<RequestError> ParseSampling(const json::object& body, ChatRequest& out) {
    auto& send = out.send;
    json::object extra;
    if (const auto* n = body.if_contains("n"); n != nullptr && !n->is_null()) {
        auto v = NumberOf(*n);
        if (!v || *v != 1) {
            return RequestError{"only n=1 is supported", "n"};
        }
    }
    if (const auto* stop = body.if_contains("stop"); stop != nullptr && !stop->is_null()) {
        if (stop->is_array()) {
            if (stop->as_array().size() > kMaxStopSequences) {
                return RequestError{"at most 4 stop sequences are supported", "stop"};
            }
            for (const auto& s : stop->as_array()) {
                if (!s.is_string()) {
                    return RequestError{"stop sequences must be strings", "stop"};
                }
            }
        } else if (!stop->is_string()) {
            return RequestError{"stop must be a string or an array of strings", "stop"};
        }
        extra["stop"] = *stop;
    }
    for (std::string_view key : {"seed", "presence_penalty", "frequency_penalty"}) {
        if (const auto* v = body.if_contains(key); v != nullptr && !v->is_null()) {
            if (!NumberOf(*v)) {
                return RequestError{std::string(key) + " must be a number", std::string(key)};
            }
            extra[key] = *v;
        }
    }
    for (std::string_view key : {"temperature", "top_p"}) {
        if (const auto* v = body.if_contains(key); v != nullptr && !v->is_null()) {
            auto num = NumberOf(*v);
            if (!num) {
                return RequestError{std::string(key) + " must be a number", std::string(key)};
            }
            (key == "temperature" ? send.temperature : send.top_p) = *num;
        }
    }
    for (std::string_view key : {"max_tokens", "max_completion_tokens"}) {
        if (const auto* v = body.if_contains(key); v != nullptr && !v->is_null()) {
            auto count = TokenCountOf(*v);
            if (!count) {
                return RequestError{std::string(key) + " must be a positive integer", std::string(key)};
            }
            send.max_output_tokens = *count;  // max_completion_tokens wins (later)
        }
    }
    if (!extra.empty()) {
        send.extra_params_json = json::serialize(extra);
    }
    if (const auto* choice = body.if_contains("tool_choice"); choice != nullptr && !choice->is_null()) {
        send.tool_choice_json = json::serialize(*choice);
    }
    if (const auto* so = body.if_contains("stream_options"); so != nullptr && so->is_object()) {
        if (const auto* iu = so->as_object().if_contains("include_usage"); iu != nullptr && iu->is_bool()) {
            out.include_usage = iu->as_bool();
        }
    }
    return std::nullopt;
}

ChatParse Fail(RequestError error) {
    return ChatParse{std::nullopt, std::move(error)};
}

}  // namespace

std::optional<double> NumberOf(const json::value& value) {
    if (value.is_double()) {
        return value.as_double();
    }
    if (value.is_int64()) {
        return static_cast<double>(value.as_int64());
    }
    if (value.is_uint64()) {
        return static_cast<double>(value.as_uint64());
    }
    return std::nullopt;
}

std::optional<std::int64_t> TokenCountOf(const json::value& value) {
    auto num = NumberOf(value);
    if (!num || !(*num >= 1 && *num <= kMaxTokenCount) || *num != std::floor(*num)) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(*num);
}

std::optional<RequestError> ApplyTargetAndStream(
    const net::HttpRequest& http,
    const json::object& body,
    std::string_view model,
    const std::vector<std::string>& known_agents,
    std::string_view default_agent,
    engine::SendRequest& send,
    bool& stream
) {
    auto agent = ResolveAgentTarget(model, known_agents, default_agent);
    if (!agent) {
        return RequestError{
            "unknown model: " + std::string(model) +
                " (use openclaw, openclaw/default or openclaw/<agentId>)",
            "model",
            400,
            "invalid_request_error",
            "model_not_found"};
    }
    std::string agent_id = *agent;
    if (auto err = ApplyOpenClawHeaders(http, known_agents, agent_id, send)) {
        return err;
    }
    if (const auto* flag = body.if_contains("stream"); flag != nullptr && !flag->is_null()) {
        if (!flag->is_bool()) {
            return RequestError{"stream must be a boolean", "stream"};
        }
        stream = flag->as_bool();
    }
    send.stream = stream;
    return std::nullopt;
}

std::optional<RequestError> ApplyOpenClawHeaders(
    const net::HttpRequest& http,
    const std::vector<std::string>& known_agents,
    std::string& agent_id,
    engine::SendRequest& send
) {
    if (auto header = HeaderValue(http, "x-openclaw-agent-id")) {
        auto id = Lower(*header);
        if (std::find(known_agents.begin(), known_agents.end(), id) == known_agents.end()) {
            return RequestError{
                "unknown agent: " + *header,
                "x-openclaw-agent-id",
                400,
                "invalid_request_error",
                "model_not_found"};
        }
        agent_id = id;
    }
    if (auto header = HeaderValue(http, "x-openclaw-model")) {
        if (!LooksLikeModelRef(*header)) {
            return RequestError{"x-openclaw-model must be provider/model", "x-openclaw-model"};
        }
        send.model_override = *header;
    }
    if (auto key = HeaderValue(http, "Idempotency-Key")) {
        send.idempotency_key = *key;
    }
    send.agent_id = agent_id;
    return std::nullopt;
}

ChatParse ParseChatRequest(
    const net::HttpRequest& http, const std::vector<std::string>& known_agents, std::string_view default_agent
) {
    std::string parse_error;
    auto parsed = ParseObject(http.body, parse_error);
    if (!parsed) {
        return Fail(RequestError{parse_error, ""});
    }
    const json::object& body = *parsed;
    ChatRequest out;
    out.model = "openclaw";
    if (const auto* model = body.if_contains("model"); model != nullptr && !model->is_null()) {
        if (!model->is_string()) {
            return Fail(RequestError{"model must be a string", "model"});
        }
        out.model = std::string(model->as_string());
    }
    if (auto err =
            ApplyTargetAndStream(http, body, out.model, known_agents, default_agent, out.send, out.stream)) {
        return Fail(std::move(*err));
    }
    const std::string agent_id = out.send.agent_id;
    if (auto err = ParseSampling(body, out)) {
        return Fail(std::move(*err));
    }
    if (const auto* tools = body.if_contains("tools")) {
        if (auto err = ParseClientTools(*tools, out.send)) {
            return Fail(std::move(*err));
        }
        for (const auto& spec : out.send.client_tools) {
            out.client_tool_names.push_back(spec.name);
        }
    }

    const auto* messages = body.if_contains("messages");
    if (messages == nullptr || !messages->is_array() || messages->as_array().empty()) {
        return Fail(RequestError{"messages must be a non-empty array", "messages"});
    }
    std::vector<ParsedMessage> parsed_messages;
    std::size_t images = 0;
    for (const auto& m : messages->as_array()) {
        ParsedMessage msg;
        if (auto err = ParseMessage(m, msg, images)) {
            return Fail(std::move(*err));
        }
        parsed_messages.push_back(std::move(msg));
    }

    // Session: header key, else the OpenAI `user`'s persistent session, else a new stateless one.
    bool persistent = true;
    if (auto key = HeaderValue(http, "x-openclaw-session-key")) {
        if (auto ok = domain::CheckHttpSessionKey(*key); !ok) {
            return Fail(RequestError{ok.error().message, "x-openclaw-session-key"});
        }
        out.send.session_key = *key;
    } else if (const auto* user = body.if_contains("user");
               user != nullptr && user->is_string() && !user->as_string().empty()) {
        auto user_key = domain::OpenAiUserSessionKey(agent_id, user->as_string());
        if (!user_key) {
            return Fail(RequestError{"user: " + user_key.error().message, "user"});
        }
        out.send.session_key = user_key->ToString();
    } else {
        // Stateless: a new session per request. A retried request (same Idempotency-Key) must land in the
        // same session, or the engine would see the key reused elsewhere; derive the id from the key.
        auto new_key = domain::OpenAiSessionKey(
            agent_id,
            out.send.idempotency_key
                ? "idem-" + crypto::Sha256Hex(agent_id + "\n" + *out.send.idempotency_key).substr(0, 32)
                : NewTimeOrderedUuid()
        );
        if (!new_key) {
            return Fail(RequestError{new_key.error().message, "model"});
        }
        out.send.session_key = new_key->ToString();
        persistent = false;
    }
    if (auto err = FillMessages(std::move(parsed_messages), !persistent, out.send, "messages")) {
        return Fail(std::move(*err));
    }
    out.send.queue_mode = engine::QueueMode::kFollowup;
    return ChatParse{std::move(out), {}};
}

}  // namespace gw::api::internal
