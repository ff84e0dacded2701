#pragma once
/// @file
/// @brief Formats Server-Sent Events for streaming responses (the inverse of SseParser).

#include <chrono>
#include <string>
#include <string_view>

namespace gw::net {

/// Builds `text/event-stream` frames. Stateless; all members are static and thread-safe.
class SseWriter {
public:
    /// One event: `event: <name>\n` (if `event` is not empty), `id: <id>\n` (if not empty), one
    /// `data: <line>\n` per line of `data` (split at CRLF, LF and CR, so multi-line data round-trips
    /// through SseParser), then the blank line. CR and LF are removed from `event` and `id` (they would
    /// break the framing), and NUL from `id`. `data` may be empty (`data: \n\n`, an event with empty data).
    static std::string Event(std::string_view data, std::string_view event = {}, std::string_view id = {});

    /// Appends the same to `out` (reuse one buffer for many events).
    static void AppendEvent(
        std::string& out, std::string_view data, std::string_view event = {}, std::string_view id = {}
    );

    /// A comment frame (`: <text>\n` per line, then a blank line), e.g. as a keep-alive ping.
    /// Clients ignore it.
    static std::string Comment(std::string_view text);

    /// `retry: <ms>\n\n`: the client's reconnection delay.
    static std::string Retry(std::chrono::milliseconds delay);
};

}  // namespace gw::net
