#include "domain/session_key.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "domain/internal/key_text.hpp"

namespace gw::domain {

namespace {

using internal::AsciiLower;
using internal::SplitSegments;
using internal::Trim;

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

/// A [start, end) byte range of the raw key whose case OpenClaw keeps.
struct PreservedSpan {
    std::size_t start;
    std::size_t end;
    bool trim;  ///< Signal segments are trimmed, Matrix tails are kept verbatim
};

constexpr std::string_view kThreadMarker = ":thread:";

/// Signal group ids: `(^|:)signal:group:([^:]+)` anywhere, non-overlapping, left to right.
void CollectSignalSpans(std::string_view lower, std::vector<PreservedSpan>& spans) {
    constexpr std::string_view kHead = "signal:group:";
    std::size_t from = 0;
    while (from < lower.size()) {
        const std::size_t at = lower.find(kHead, from);
        if (at == std::string_view::npos) {
            return;
        }
        const std::size_t start = at + kHead.size();
        std::size_t end = lower.find(':', start);
        if (end == std::string_view::npos) {
            end = lower.size();
        }
        if ((at == 0 || lower[at - 1] == ':') && end > start) {
            spans.push_back({start, end, true});
            from = end;
        } else {
            from = at + 1;
        }
    }
}

/// Matrix room/event ids: everything after `agent:<id>:matrix:<kind>:` (or an unscoped
/// `matrix:<kind>:` head) except a `:thread:` marker.
void CollectMatrixSpans(std::string_view lower, std::vector<PreservedSpan>& spans) {
    constexpr std::array<std::string_view, 2> kKinds = {"channel", "group"};
    for (std::string_view kind : kKinds) {
        const std::string head = "matrix:" + std::string(kind) + ":";
        std::size_t tail = std::string_view::npos;
        if (lower.starts_with("agent:")) {
            const std::size_t colon = lower.find(':', 6);
            if (colon != std::string_view::npos && colon > 6 && lower.substr(colon + 1).starts_with(head)) {
                tail = colon + 1 + head.size();
            }
        }
        if (tail == std::string_view::npos && lower.starts_with(head)) {
            tail = head.size();
        }
        if (tail == std::string_view::npos || tail >= lower.size()) {
            continue;
        }
        const std::size_t marker = lower.substr(tail).rfind(kThreadMarker);
        if (marker == std::string_view::npos) {
            spans.push_back({tail, lower.size(), false});
            continue;
        }
        spans.push_back({tail, tail + marker, false});
        const std::size_t thread_start = tail + marker + kThreadMarker.size();
        if (thread_start < lower.size()) {
            spans.push_back({thread_start, lower.size(), false});
        }
    }
}

/// Rejects ASCII control characters and malformed UTF-8 (overlongs, surrogates, > U+10FFFF).
Result<void> CheckCharacters(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            return Invalid("session key contains a control character");
        }
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t extra = 0;
        unsigned lo = 0x80;
        unsigned hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            extra = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            extra = 2;
            lo = c == 0xe0 ? 0xa0 : lo;
            hi = c == 0xed ? 0x9f : hi;
        } else if (c >= 0xf0 && c <= 0xf4) {
            extra = 3;
            lo = c == 0xf0 ? 0x90 : lo;
            hi = c == 0xf4 ? 0x8f : hi;
        } else {
            return Invalid("session key is not valid UTF-8");
        }
        if (text.size() - i - 1 < extra) {
            return Invalid("session key is not valid UTF-8");
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            if (b < (k == 1 ? lo : 0x80U) || b > (k == 1 ? hi : 0xbfU)) {
                return Invalid("session key is not valid UTF-8");
            }
        }
        i += 1 + extra;
    }
    return Ok();
}

std::string JoinSegments(const std::vector<std::string_view>& parts, std::size_t first) {
    std::string out;
    for (std::size_t i = first; i < parts.size(); ++i) {
        if (!out.empty()) {
            out += ':';
        }
        out += parts[i];
    }
    return out;
}

bool IsIdChar(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

}  // namespace

SessionKey::SessionKey(std::string agent_id, std::string rest)
    : agent_id_(std::move(agent_id)), rest_(std::move(rest)), full_("agent:" + agent_id_ + ":" + rest_) {}

bool IsValidAgentId(std::string_view value) noexcept {
    const std::string_view id = Trim(value);
    if (id.empty() || id.size() > kMaxAgentIdLength) {
        return false;
    }
    const char first = AsciiLower(id.front());
    if (!((first >= 'a' && first <= 'z') || (first >= '0' && first <= '9'))) {
        return false;
    }
    return std::all_of(id.begin(), id.end(), [](char c) { return IsIdChar(AsciiLower(c)); });
}

std::string NormalizeAgentId(std::string_view value) {
    const std::string_view trimmed = Trim(value);
    if (trimmed.empty()) {
        return std::string(kDefaultAgentId);
    }
    std::string lower = internal::LowerAscii(trimmed);
    if (IsValidAgentId(lower)) {
        return lower;
    }
    std::string out;
    for (char c : lower) {
        if (IsIdChar(c)) {
            out += c;
        } else if (out.empty() || out.back() != '-') {
            out += '-';
        }
    }
    const auto first = out.find_first_not_of('-');
    out = first == std::string::npos ? std::string() : out.substr(first);
    while (!out.empty() && out.back() == '-') {
        out.pop_back();
    }
    out.resize(std::min(out.size(), kMaxAgentIdLength));
    return out.empty() ? std::string(kDefaultAgentId) : out;
}

std::string NormalizeSessionKeyCase(std::string_view key) {
    const std::string_view raw = Trim(key);
    const std::string lower = internal::LowerAscii(raw);
    if (lower.find("signal:") == std::string::npos && lower.find("matrix:") == std::string::npos) {
        return lower;
    }
    std::vector<PreservedSpan> spans;
    CollectSignalSpans(lower, spans);
    CollectMatrixSpans(lower, spans);
    std::sort(spans.begin(), spans.end(), [](const PreservedSpan& a, const PreservedSpan& b) {
        return a.start < b.start;
    });
    std::string out;
    out.reserve(raw.size());
    std::size_t cursor = 0;
    for (const PreservedSpan& span : spans) {
        if (span.end <= span.start || span.start < cursor) {
            continue;  // empty, or inside a range already emitted (OpenClaw skips those too)
        }
        out.append(lower, cursor, span.start - cursor);
        const std::string_view kept = raw.substr(span.start, span.end - span.start);
        out += span.trim ? Trim(kept) : kept;
        cursor = span.end;
    }
    out.append(lower, cursor, std::string::npos);
    return out;
}

Result<SessionKey> ParseSessionKey(std::string_view key) {
    const std::string_view trimmed = Trim(key);
    if (trimmed.empty()) {
        return Invalid("session key is empty");
    }
    if (trimmed.size() > kMaxSessionKeyLength) {
        return Invalid("session key is longer than " + std::to_string(kMaxSessionKeyLength) + " bytes");
    }
    if (auto chars = CheckCharacters(trimmed); !chars) {
        return chars.error();
    }
    const std::string normalized = NormalizeSessionKeyCase(trimmed);
    const std::vector<std::string_view> parts = SplitSegments(normalized);
    if (parts.empty() || parts.front() != "agent") {
        return Invalid("session key must be agent-scoped (agent:<agentId>:<rest>)");
    }
    if (parts.size() < 3) {
        return Invalid("malformed agent-scoped session key: expected agent:<agentId>:<rest>");
    }
    const std::string_view agent_id = Trim(parts[1]);
    if (!IsValidAgentId(agent_id)) {
        return Invalid("session key agent id must match [a-z0-9][a-z0-9_-]{0,63}");
    }
    SessionKey out(std::string(agent_id), JoinSegments(parts, 2));
    if (out.ToString().size() > kMaxSessionKeyLength) {
        return Invalid("session key is longer than " + std::to_string(kMaxSessionKeyLength) + " bytes");
    }
    return out;
}

Result<SessionKey> MakeSessionKey(std::string_view agent_id, std::string_view rest) {
    if (!IsValidAgentId(agent_id)) {
        return Invalid("agent id must match [a-z0-9][a-z0-9_-]{0,63}");
    }
    if (SplitSegments(rest).empty()) {
        return Invalid("session key has nothing after agent:<agentId>:");
    }
    std::string full = "agent:";
    full += Trim(agent_id);
    full += ':';
    full += rest;
    return ParseSessionKey(full);
}

Result<SessionKey> ResolveSessionKey(
    std::string_view request_key, std::string_view agent_id, std::string_view main_key
) {
    const std::string_view raw = Trim(request_key);
    if (raw.size() > kMaxRequestSessionKeyLength) {
        return Invalid(
            "session key is longer than " + std::to_string(kMaxRequestSessionKeyLength) + " bytes"
        );
    }
    if (auto chars = CheckCharacters(raw); !chars) {
        return chars.error();
    }
    const std::string agent = NormalizeAgentId(agent_id);
    const std::string lower = internal::LowerAscii(raw);
    if (raw.empty() || lower == kDefaultMainKey) {
        return MainSessionKey(agent, main_key);
    }
    if (lower.starts_with("agent:")) {
        return ParseSessionKey(raw);
    }
    return MakeSessionKey(agent, raw);
}

Result<void> CheckHttpSessionKey(std::string_view request_key) {
    constexpr std::array<std::string_view, 3> kReserved = {"subagent", "cron", "acp"};
    const std::string lower = internal::LowerAscii(Trim(request_key));
    const std::vector<std::string_view> parts = SplitSegments(lower);
    std::string_view head = parts.empty() ? std::string_view() : parts.front();
    if (head == "agent" && parts.size() >= 3) {
        head = parts[2];
    }
    for (std::string_view reserved : kReserved) {
        const bool raw_prefix = lower.starts_with(std::string(reserved) + ":");
        if (raw_prefix || head == reserved) {
            return Invalid(
                "session key prefix '" + std::string(reserved) +
                ":' is reserved for internal runs and refused over HTTP"
            );
        }
    }
    return Ok();
}

}  // namespace gw::domain
