#include "api/ws/internal/frames.hpp"

#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace gw::api::ws {
namespace {

constexpr std::size_t kMaxIdLength = 256;
constexpr std::size_t kMaxTraceparentLength = 128;

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::string Quote(std::string_view text) {
    return json::serialize(json::string(text));
}

json::value ErrorToJson(const WsError& error) {
    json::object out;
    out["code"] = WsErrorCodeName(error.code);
    out["message"] = error.message;
    if (!error.details.empty()) {
        out["details"] = error.details;
    }
    if (error.retryable) {
        out["retryable"] = true;
    }
    if (error.retry_after_ms) {
        out["retryAfterMs"] = *error.retry_after_ms;
    }
    return out;
}

// Returns the string at `key`, or an error naming the key.
Result<std::string> RequiredString(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    if (value == nullptr) {
        return Invalid("invalid frame: must have required property '" + std::string(key) + "'");
    }
    if (!value->is_string()) {
        return Invalid("invalid frame: /" + std::string(key) + " must be string");
    }
    return std::string(value->get_string());
}

Result<std::string> ParseId(const json::object& object) {
    auto id = RequiredString(object, "id");
    if (!id) {
        return id;
    }
    if (id->empty()) {
        return Invalid("invalid frame: /id must NOT be empty");
    }
    if (id->size() > kMaxIdLength) {
        return Invalid("invalid frame: /id must NOT have more than 256 characters");
    }
    return id;
}

Result<void> CheckKeys(const json::object& object, std::initializer_list<std::string_view> allowed) {
    for (const auto& entry : object) {
        bool known = false;
        for (std::string_view key : allowed) {
            known = known || entry.key() == key;
        }
        if (!known) {
            return Invalid("invalid frame: must NOT have additional properties");
        }
    }
    return Ok();
}

Result<ClientFrame> ParseRequest(const json::object& object) {
    if (auto keys = CheckKeys(object, {"type", "id", "method", "params", "traceparent", "expectedProfileId"});
        !keys) {
        return keys.error();
    }
    auto id = ParseId(object);
    if (!id) {
        return id.error();
    }
    auto method = RequiredString(object, "method");
    if (!method) {
        return method.error();
    }
    if (method->empty()) {
        return Invalid("invalid frame: /method must NOT be empty");
    }
    RequestFrame frame;
    frame.id = std::move(*id);
    frame.method = std::move(*method);
    if (const json::value* params = object.if_contains("params")) {
        frame.params = *params;
    }
    if (const json::value* trace = object.if_contains("traceparent")) {
        if (!trace->is_string()) {
            return Invalid("invalid frame: /traceparent must be string");
        }
        if (trace->get_string().size() > kMaxTraceparentLength) {
            return Invalid("invalid frame: /traceparent must NOT have more than 128 characters");
        }
        frame.traceparent = std::string(trace->get_string());
    }
    if (const json::value* profile = object.if_contains("expectedProfileId"); profile && !profile->is_string()) {
        return Invalid("invalid frame: /expectedProfileId must be string");
    }
    return ClientFrame{std::move(frame)};
}

Result<ClientFrame> ParseCancel(const json::object& object) {
    if (auto keys = CheckKeys(object, {"type", "id"}); !keys) {
        return keys.error();
    }
    auto id = ParseId(object);
    if (!id) {
        return id.error();
    }
    return ClientFrame{CancelFrame{std::move(*id)}};
}

}  // namespace

std::string_view WsErrorCodeName(WsErrorCode code) noexcept {
    switch (code) {
        case WsErrorCode::kNotLinked:
            return "NOT_LINKED";
        case WsErrorCode::kNotPaired:
            return "NOT_PAIRED";
        case WsErrorCode::kAgentTimeout:
            return "AGENT_TIMEOUT";
        case WsErrorCode::kAgentResultNotFound:
            return "AGENT_RESULT_NOT_FOUND";
        case WsErrorCode::kInvalidRequest:
            return "INVALID_REQUEST";
        case WsErrorCode::kForbidden:
            return "FORBIDDEN";
        case WsErrorCode::kApprovalNotFound:
            return "APPROVAL_NOT_FOUND";
        case WsErrorCode::kUnavailable:
            return "UNAVAILABLE";
    }
    return "UNAVAILABLE";
}

WsError InvalidRequest(std::string message) {
    WsError error;
    error.code = WsErrorCode::kInvalidRequest;
    error.message = std::move(message);
    return error;
}

WsError Unavailable(std::string message, std::optional<std::int64_t> retry_after_ms) {
    WsError error;
    error.code = WsErrorCode::kUnavailable;
    error.message = std::move(message);
    error.retryable = true;
    error.retry_after_ms = retry_after_ms;
    return error;
}

WsError MissingScope(std::string_view scope) {
    WsError error;
    error.code = WsErrorCode::kForbidden;
    error.message = "missing scope: " + std::string(scope);
    error.details["code"] = "MISSING_SCOPE";
    error.details["missingScope"] = scope;
    error.details["requiredScopes"] = json::array{json::string(scope)};
    return error;
}

WsError FromError(const Error& error) {
    WsError out;
    switch (error.code) {
        case ErrorCode::kInvalidArgument:
        case ErrorCode::kConflict:
        case ErrorCode::kNotFound:
            out.code = WsErrorCode::kInvalidRequest;
            out.message = error.message;
            break;
        case ErrorCode::kPermissionDenied:
        case ErrorCode::kUnauthenticated:
            out.code = WsErrorCode::kForbidden;
            out.message = error.message;
            break;
        case ErrorCode::kRateLimited:
        case ErrorCode::kUnavailable:
            out.code = WsErrorCode::kUnavailable;
            out.message = error.message;
            out.retryable = true;
            break;
        case ErrorCode::kDeadlineExceeded:
            out.code = WsErrorCode::kAgentTimeout;
            out.message = error.message;
            break;
        default:
            out.code = WsErrorCode::kUnavailable;
            out.message = "internal error";
            break;
    }
    return out;
}

Result<ClientFrame> ParseClientFrame(std::string_view text) {
    boost::system::error_code ec;
    json::value value = json::parse(text, ec);
    if (ec) {
        return Invalid("invalid frame: not valid JSON");
    }
    if (!value.is_object()) {
        return Invalid("invalid frame: must be object");
    }
    const json::object& object = value.get_object();
    const json::value* type = object.if_contains("type");
    if (type == nullptr) {
        return Invalid("invalid frame: must have required property 'type'");
    }
    if (type->is_string() && type->get_string() == "req") {
        return ParseRequest(object);
    }
    if (type->is_string() && type->get_string() == "cancel") {
        return ParseCancel(object);
    }
    return Invalid("invalid frame: /type must be equal to one of the allowed values");
}

std::optional<std::string> BestEffortId(std::string_view text) {
    boost::system::error_code ec;
    json::value value = json::parse(text, ec);
    if (ec || !value.is_object()) {
        return std::nullopt;
    }
    const json::value* id = value.get_object().if_contains("id");
    if (id == nullptr || !id->is_string() || id->get_string().empty() || id->get_string().size() > kMaxIdLength) {
        return std::nullopt;
    }
    return std::string(id->get_string());
}

std::string SerializeOk(std::string_view id, const json::value& payload) {
    json::object frame;
    frame["type"] = "res";
    frame["id"] = id;
    frame["ok"] = true;
    if (!payload.is_null()) {
        frame["payload"] = payload;
    }
    return json::serialize(frame);
}

std::string SerializeError(std::string_view id, const WsError& error) {
    json::object frame;
    frame["type"] = "res";
    frame["id"] = id;
    frame["ok"] = false;
    frame["error"] = ErrorToJson(error);
    return json::serialize(frame);
}

std::string SerializeEvent(std::string_view event, std::string_view payload_json, std::optional<std::int64_t> seq) {
    std::string out;
    out.reserve(payload_json.size() + event.size() + 64);
    out += R"({"type":"event","event":)";
    out += Quote(event);
    if (!payload_json.empty()) {
        out += R"(,"payload":)";
        out += payload_json;
    }
    if (seq) {
        out += R"(,"seq":)";
        out += std::to_string(*seq);
    }
    out += '}';
    return out;
}

}  // namespace gw::api::ws
