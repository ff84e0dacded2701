#pragma once
/// @file
/// @brief Incremental Server-Sent Events parser (WHATWG HTML "event stream interpretation") for
/// reading LLM provider streams, with a bounded buffer.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace gw::net {

/// One dispatched event.
struct SseEvent {
    std::string event = "message";  ///< the `event:` field, "message" when absent or empty
    std::string data;               ///< `data:` lines joined with "\n" (no trailing newline)
    std::string id;                 ///< the last event id seen so far on the stream (it persists)
};

/// Parses an event stream fed in arbitrary slices. Follows the spec: a leading UTF-8 BOM is
/// skipped; lines end with CRLF, LF or CR (also when split across feeds); lines starting with ':'
/// are comments; `field:value` with one leading space of the value removed, a line without ':' is
/// a field with an empty value; fields event/data/id/retry, others ignored; an `id` containing NUL
/// is ignored; `retry` only when all ASCII digits; an empty line dispatches the event unless no
/// `data` was seen (then the pending event name is dropped). A partial event at end of stream is not
/// dispatched (see `Incomplete`). Bytes are passed through as they are (no UTF-8 validation).
/// "[DONE]" is ordinary data. Not thread-safe.
class SseParser {
public:
    using Callback = std::function<void(const SseEvent&)>;

    /// Default bound on one event: pending line + event name + data.
    static constexpr std::size_t kDefaultMaxEventBytes = 4 * 1024 * 1024;

    explicit SseParser(std::size_t max_event_bytes = kDefaultMaxEventBytes);

    /// Consumes `bytes`, calling `on_event` for every completed event, in order. Fails with
    /// kUpstreamError when one event (or one line) would exceed `max_event_bytes`; the parser then
    /// stays failed (every later call returns the same error) until `Reset`.
    Result<void> Feed(std::string_view bytes, const Callback& on_event);

    /// True if a partial line or an undispatched event is buffered (the stream ended mid-event).
    bool Incomplete() const noexcept;

    /// The last `id` value (persists across events); empty if none.
    const std::string& LastEventId() const noexcept { return last_id_; }

    /// The last valid `retry` value, if any.
    std::optional<std::chrono::milliseconds> Retry() const noexcept { return retry_; }

    /// Back to the start of a new stream (BOM handling, ids, retry and error cleared).
    void Reset();

private:
    Result<void> ProcessLine(std::string_view line, const Callback& on_event);
    void Dispatch(const Callback& on_event);
    Result<void> CheckSize(std::size_t pending_line);

    std::size_t max_event_bytes_;
    std::string line_;  ///< partial line carried over between feeds
    SseEvent event_;    ///< the event being built (event type buffer + data buffer)
    std::string last_id_;
    std::optional<std::chrono::milliseconds> retry_;
    std::optional<Error> failed_;
    std::size_t bom_matched_ = 0;  ///< BOM bytes seen at the start of the stream
    bool at_start_ = true;         ///< no content byte seen yet (BOM still possible)
    bool skip_lf_ = false;         ///< the last line ended with CR: ignore one following LF
    bool has_data_ = false;        ///< a `data` field was seen for the pending event
    bool has_event_name_ = false;  ///< an `event` field was seen for the pending event
};

}  // namespace gw::net
