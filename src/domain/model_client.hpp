#pragma once
/// @file
/// @brief ModelClient: the port through which the run engine calls an LLM. The `providers` module
/// implements it per wire API (openai-completions, openai-responses, anthropic-messages) and adds
/// retries and the fallback chain; the engine only sees this interface. Plain values; no I/O here.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/error.hpp"
#include "domain/token_usage.hpp"
#include "domain/transcript.hpp"

namespace gw::domain {

/// A tool offered to the model: name, description and JSON-Schema parameters (JSON object text).
struct ToolSpec {
    std::string name;
    std::string description;
    std::string parameters_json = R"({"type":"object","properties":{}})";

    friend bool operator==(const ToolSpec&, const ToolSpec&) = default;
};

/// `provider/model` as configured (`openai/gpt-4o-mini`). The model part may contain '/'.
struct ModelRef {
    std::string provider;
    std::string model;

    std::string ToString() const { return provider + "/" + model; }
    friend bool operator==(const ModelRef&, const ModelRef&) = default;
};

/// Parses `provider/model` (both parts non-empty; the first '/' splits). kInvalidArgument otherwise.
Result<ModelRef> ParseModelRef(std::string_view text);

/// One model call. `messages` are transcript entries in conversation order (roles user, assistant,
/// toolResult; kSystem entries are sent as system notes). Adapters translate them to their wire format.
struct ModelRequest {
    ModelRef model;
    /// Tried in order when `model` fails after its retries, unless the error is kBadRequest,
    /// kContextLength or kAborted, or output had already started (OpenClaw `model.fallbacks`).
    std::vector<ModelRef> fallbacks;
    std::string system_prompt;
    std::vector<TranscriptEntry> messages;
    std::vector<ToolSpec> tools;
    std::optional<std::string> tool_choice_json;  ///< OpenAI `tool_choice` JSON ("auto", {...}); passed on
    std::optional<std::int64_t> max_output_tokens;
    std::optional<double> temperature;
    std::optional<double> top_p;
    /// Other OpenAI-style sampling fields (`seed`, `stop`, `presence_penalty`, `frequency_penalty`) as
    /// a JSON object text; adapters forward what their API supports and drop the rest.
    std::optional<std::string> extra_params_json;
    std::string end_user;  ///< stable caller id forwarded as `user` / `metadata.user_id` (may be empty)
    bool stream = true;    ///< false: one non-streaming upstream call (deltas are then sent at the end)
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

/// An incremental piece of the answer while it streams.
struct ModelDelta {
    enum class Kind {
        kText,      ///< `text` is appended to the answer
        kThinking,  ///< `text` is appended to the reasoning
        kToolCall,  ///< tool call `tool_index`: first delta carries id and name, later ones arguments
    };
    Kind kind = Kind::kText;
    std::string text;
    int tool_index = 0;
    std::string tool_call_id;
    std::string tool_name;
    std::string arguments_delta;
};

/// Receives deltas in order on the calling coroutine's executor. Deltas of a failed attempt that the
/// client then retries are never delivered: a client retries or falls back only before the first delta.
using DeltaSink = std::function<void(const ModelDelta&)>;

/// The completed answer of one call.
struct ModelResponse {
    std::vector<ContentBlock> content;  ///< thinking, text and toolCall blocks in model order
    TokenUsage usage;
    StopReason stop_reason = StopReason::kStop;
    std::string response_id;  ///< upstream id (chatcmpl-…, resp_…, msg_…)
    ModelRef model;           ///< the model that actually answered (after fallback)
    int attempts = 1;         ///< upstream calls made, including retries and fallbacks
};

/// Why a call failed. Retryable kinds: kRateLimited, kOverloaded, kTimeout, kConnection, kServer.
enum class ModelErrorKind {
    kNotConfigured,    ///< no such provider/model in the configuration
    kAuth,             ///< 401/403 from upstream
    kBadRequest,       ///< 400/404/422 other than context length
    kContextLength,    ///< the prompt does not fit the model
    kRateLimited,      ///< 429
    kOverloaded,       ///< 503/529, `overloaded_error`
    kServer,           ///< other 5xx
    kTimeout,          ///< deadline or idle timeout
    kConnection,       ///< refused, reset, TLS failure, reset mid-stream
    kMalformedStream,  ///< unparsable body, chunk or event order
    kAborted,          ///< cancelled by the caller (abort, client gone)
};

/// "not_configured", "auth", "bad_request", "context_length", "rate_limited", "overloaded", "server",
/// "timeout", "connection", "malformed_stream", "aborted" (metric label `reason`).
std::string_view ModelErrorKindName(ModelErrorKind kind) noexcept;
bool IsRetryable(ModelErrorKind kind) noexcept;

struct ModelError {
    ModelErrorKind kind = ModelErrorKind::kServer;
    std::string message;  ///< for logs and the caller; never contains the API key
    int http_status = 0;  ///< upstream status when there was one
    std::optional<std::chrono::milliseconds> retry_after;
    bool output_started = false;  ///< deltas were already delivered (no retry happened after them)
    ModelRef model;               ///< the last model tried
    int attempts = 1;
};

/// Either the answer or a classified failure.
struct ModelResult {
    std::optional<ModelResponse> response;
    std::optional<ModelError> error;

    bool ok() const noexcept { return response.has_value(); }
};

/// Calls a model. Implementations are thread-safe; the awaitable resumes on the caller's executor and
/// honours terminal cancellation of the awaiting coroutine (the upstream connection is closed, and the
/// result is kAborted).
class ModelClient {
public:
    virtual ~ModelClient() = default;

    /// Streams deltas to `sink` (may be empty) and returns the complete answer or a classified error.
    virtual boost::asio::awaitable<ModelResult> Complete(ModelRequest request, DeltaSink sink) = 0;
};

}  // namespace gw::domain
