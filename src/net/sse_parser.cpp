#include "net/sse_parser.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

namespace gw::net {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

SseParser::SseParser(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {
    event_.event.clear();
}

Result<void> SseParser::Feed(std::string_view bytes, const Callback& on_event) {
    if (failed_) {
        return *failed_;
    }
    if (at_start_) {
        while (!bytes.empty() && bom_matched_ < kBom.size() && bytes.front() == kBom[bom_matched_]) {
            ++bom_matched_;
            bytes.remove_prefix(1);
        }
        if (bom_matched_ < kBom.size() && bytes.empty()) {
            return Ok();  // still a possible BOM prefix
        }
        at_start_ = false;
        if (bom_matched_ < kBom.size() && bom_matched_ > 0) {
            // Not a BOM after all: the bytes matched so far are content.
            const std::string prefix(kBom.substr(0, bom_matched_));
            bom_matched_ = 0;
            if (auto r = Feed(prefix, on_event); !r) {
                return r;
            }
        }
    }
    while (!bytes.empty()) {
        if (skip_lf_) {
            skip_lf_ = false;
            if (bytes.front() == '\n') {
                bytes.remove_prefix(1);
                continue;
            }
        }
        const auto pos = bytes.find_first_of("\r\n");
        if (pos == std::string_view::npos) {
            if (auto r = CheckSize(line_.size() + bytes.size()); !r) {
                return r;
            }
            line_.append(bytes);
            break;
        }
        const std::string_view part = bytes.substr(0, pos);
        skip_lf_ = bytes[pos] == '\r';
        bytes.remove_prefix(pos + 1);
        if (auto r = CheckSize(line_.size() + part.size()); !r) {
            return r;
        }
        Result<void> r = Ok();
        if (line_.empty()) {
            r = ProcessLine(part, on_event);
        } else {
            line_.append(part);
            r = ProcessLine(line_, on_event);
            line_.clear();
        }
        if (!r) {
            return r;
        }
    }
    return Ok();
}

Result<void> SseParser::CheckSize(std::size_t pending_line) {
    const std::size_t total = pending_line + event_.event.size() + event_.data.size();
    if (total <= max_event_bytes_) {
        return Ok();
    }
    failed_ = MakeError(
        ErrorCode::kUpstreamError,
        "SSE event exceeds the limit of " + std::to_string(max_event_bytes_) + " bytes"
    );
    line_.clear();
    line_.shrink_to_fit();
    event_.data.clear();
    event_.data.shrink_to_fit();
    return *failed_;
}

Result<void> SseParser::ProcessLine(std::string_view line, const Callback& on_event) {
    if (line.empty()) {
        Dispatch(on_event);
        return Ok();
    }
    if (line.front() == ':') {
        return Ok();  // comment
    }
    std::string_view field = line;
    std::string_view value;
    if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
    }
    if (field == "data") {
        if (has_data_) {
            event_.data.push_back('\n');
        }
        event_.data.append(value);
        has_data_ = true;
    } else if (field == "event") {
        event_.event.assign(value);
        has_event_name_ = true;
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) {
            last_id_.assign(value);
        }
    } else if (field == "retry") {
        std::uint64_t ms = 0;
        const auto* end = value.data() + value.size();
        const auto res = std::from_chars(value.data(), end, ms);
        // Only ASCII digits (from_chars would also accept nothing else, but not an empty value or
        // trailing garbage); out-of-range values are ignored.
        if (!value.empty() && res.ec == std::errc() && res.ptr == end &&
            ms <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            retry_ = std::chrono::milliseconds(static_cast<std::int64_t>(ms));
        }
    }
    return Ok();
}

void SseParser::Dispatch(const Callback& on_event) {
    if (has_data_) {
        event_.id = last_id_;
        if (event_.event.empty()) {
            event_.event = "message";
        }
        on_event(event_);
    }
    event_.event.clear();
    event_.data.clear();
    has_data_ = false;
    has_event_name_ = false;
}

bool SseParser::Incomplete() const noexcept {
    return !line_.empty() || has_data_ || has_event_name_ || (at_start_ && bom_matched_ > 0);
}

void SseParser::Reset() {
    line_.clear();
    event_ = SseEvent{};
    event_.event.clear();
    last_id_.clear();
    retry_.reset();
    failed_.reset();
    bom_matched_ = 0;
    at_start_ = true;
    skip_lf_ = false;
    has_data_ = false;
    has_event_name_ = false;
}

}  // namespace gw::net
