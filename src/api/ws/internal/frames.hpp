#pragma once
/// @file
/// @brief Wire frames of the OpenClaw protocol (reference §2.1): parsing client frames (`req`,
/// `cancel`), serialising `res` and `event` frames, and the ErrorShape with its closed code set.
/// Module-internal (includes Boost.JSON).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "base/error.hpp"

namespace gw::api::ws {

namespace json = boost::json;

/// The closed ErrorShape.code set.
enum class WsErrorCode {
    kNotLinked,
    kNotPaired,
    kAgentTimeout,
    kAgentResultNotFound,
    kInvalidRequest,
    kForbidden,
    kApprovalNotFound,
    kUnavailable,
};

/// "NOT_LINKED", ..., "UNAVAILABLE".
std::string_view WsErrorCodeName(WsErrorCode code) noexcept;

/// ErrorShape = {code, message, details?, retryable?, retryAfterMs?}.
struct WsError {
    WsErrorCode code = WsErrorCode::kInvalidRequest;
    std::string message;
    json::object details;  ///< omitted when empty
    bool retryable = false;
    std::optional<std::int64_t> retry_after_ms;
};

WsError InvalidRequest(std::string message);
/// Retryable UNAVAILABLE (e.g. "too many requests in flight").
WsError Unavailable(std::string message, std::optional<std::int64_t> retry_after_ms = std::nullopt);
/// FORBIDDEN "missing scope: <scope>" with details {code:"MISSING_SCOPE", missingScope, requiredScopes:[scope]}.
WsError MissingScope(std::string_view scope);
/// Maps an internal error: kInvalidArgument/kConflict → INVALID_REQUEST (message kept: callers only
/// pass user-facing messages), kNotFound → INVALID_REQUEST, kPermissionDenied/kUnauthenticated →
/// FORBIDDEN, kRateLimited/kUnavailable → retryable UNAVAILABLE, kDeadlineExceeded → AGENT_TIMEOUT,
/// anything else → UNAVAILABLE "internal error" (the internal message is not sent).
WsError FromError(const Error& error);

struct RequestFrame {
    std::string id;
    std::string method;
    json::value params;  ///< null when absent
    std::optional<std::string> traceparent;
};

struct CancelFrame {
    std::string id;
};

using ClientFrame = std::variant<RequestFrame, CancelFrame>;

/// Parses one client text frame. kInvalidArgument with a user-facing message for: not JSON, not an
/// object, unknown/missing `type`, missing/non-string `id` or `method`, empty id, id > 256 chars,
/// traceparent > 128 chars, unknown envelope keys. `RequestFrame::id` may be read from a frame that
/// failed validation via `BestEffortId` to echo it in the error `res`.
Result<ClientFrame> ParseClientFrame(std::string_view text);
std::optional<std::string> BestEffortId(std::string_view text);

/// {"type":"res","id":…,"ok":true,"payload":…} (payload omitted when null).
std::string SerializeOk(std::string_view id, const json::value& payload);
/// {"type":"res","id":…,"ok":false,"error":{…}}.
std::string SerializeError(std::string_view id, const WsError& error);
/// {"type":"event","event":…,"payload":<payload_json>,"seq":N}: `payload_json` is already-serialised
/// JSON (serialise once, send to many); `seq` omitted when nullopt (connect.challenge).
std::string SerializeEvent(std::string_view event, std::string_view payload_json, std::optional<std::int64_t> seq);

}  // namespace gw::api::ws
