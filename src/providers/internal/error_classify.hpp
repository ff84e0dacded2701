#pragma once
/// @file
/// @brief Private to providers: maps upstream statuses, error bodies, error events and transport
/// failures to domain::ModelError.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "domain/model_client.hpp"

namespace gw::providers::internal {

/// `Retry-After` (delta seconds, possibly fractional, or an HTTP-date relative to `now`) or OpenAI's
/// `retry-after-ms` (preferred when present). Past dates give 0; garbage gives nullopt.
std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::optional<std::string_view> retry_after,
    std::optional<std::string_view> retry_after_ms,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now()
);

/// A non-2xx response: 401/403 auth, 408 timeout, 429 rate_limited, 503/529 or `overloaded_error`
/// overloaded, other 5xx server, 400 with a context-length marker context_length, other 4xx
/// bad_request. The message carries the upstream error text (truncated).
domain::ModelError ClassifyHttpError(
    int status, std::string_view body, std::optional<std::chrono::milliseconds> retry_after
);

/// An error reported inside a stream or a 2xx body (`{"error":{type,code,message}}`, Anthropic
/// `error` event, Responses `response.failed`): by type/code and message markers.
domain::ModelError ClassifyErrorObject(
    std::string_view type, std::string_view code, std::string_view message
);

/// True when `text` mentions a context-window overflow.
bool HasContextLengthMarker(std::string_view text);

/// A transport failure from net::HttpClient: kDeadlineExceeded timeout, kUnavailable connection,
/// kUpstreamError "truncated" connection else malformed_stream, kInvalidArgument not_configured.
domain::ModelError ClassifyTransportError(const Error& error);

/// A malformed-stream error with `what`.
domain::ModelError Malformed(std::string what);

/// `text` cut to `max` bytes (on a UTF-8 boundary) with "…" appended when cut.
std::string Truncate(std::string_view text, std::size_t max = 300);

/// Replaces every occurrence of `secret` in `text` with "[redacted]" (no-op for secrets under 4 bytes).
std::string Redact(std::string text, std::string_view secret);

}  // namespace gw::providers::internal
