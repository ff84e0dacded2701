#include "domain/audit.hpp"

#include <string>
#include <utility>

namespace gw::domain {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, "audit event: " + std::move(message));
}

/// Length of the well-formed UTF-8 sequence at `s[i]` (RFC 3629: no overlongs, no surrogates, at most
/// U+10FFFF) and its code point, or 0 when malformed.
std::size_t DecodeUtf8(std::string_view s, std::size_t i, char32_t& cp) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    std::size_t len = 0;
    char32_t min_cp = 0;
    if ((b0 & 0xE0U) == 0xC0U) {
        len = 2;
        min_cp = 0x80;
        cp = b0 & 0x1FU;
    } else if ((b0 & 0xF0U) == 0xE0U) {
        len = 3;
        min_cp = 0x800;
        cp = b0 & 0x0FU;
    } else if ((b0 & 0xF8U) == 0xF0U) {
        len = 4;
        min_cp = 0x10000;
        cp = b0 & 0x07U;
    } else {
        return 0;
    }
    if (i + len > s.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0U) != 0x80U) {
            return 0;
        }
        cp = (cp << 6U) | (byte(i + k) & 0x3FU);
    }
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

bool IsControl(char32_t cp) noexcept {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/// Malformed bytes and control characters become U+FFFD; cut to kMaxAuditTextBytes with "…".
std::string CleanText(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size()) {
        char32_t cp = 0;
        const std::size_t len = DecodeUtf8(in, i, cp);
        if (len == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        if (IsControl(cp)) {
            out += kReplacement;
        } else {
            out.append(in.substr(i, len));
        }
        i += len;
    }
    if (out.size() <= kMaxAuditTextBytes) {
        return out;
    }
    std::size_t cut = kMaxAuditTextBytes - kEllipsis.size();
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0U) == 0x80U) {
        --cut;  // back to the start of the character that straddles the limit
    }
    out.resize(cut);
    out += kEllipsis;
    return out;
}

bool IsActionChar(char c, bool first) noexcept {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    return alnum || (!first && (c == '_' || c == '.' || c == ':' || c == '-'));
}

bool IsValidAction(std::string_view action) noexcept {
    if (action.empty() || action.size() > kMaxAuditActionBytes) {
        return false;
    }
    for (std::size_t i = 0; i < action.size(); ++i) {
        if (!IsActionChar(action[i], i == 0)) {
            return false;
        }
    }
    return true;
}

bool IsValidDetailKey(std::string_view key) noexcept {
    if (key.empty() || key.size() > kMaxAuditDetailKeyBytes) {
        return false;
    }
    for (char c : key) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

void AppendNetstring(std::string& out, std::string_view field) {
    out += std::to_string(field.size());
    out += ':';
    out.append(field);
    out += ',';
}

void AppendNetstring(std::string& out, std::int64_t value) {
    AppendNetstring(out, std::to_string(value));
}

}  // namespace

std::string_view AuditDecisionName(AuditDecision decision) noexcept {
    switch (decision) {
        case AuditDecision::kAllow:
            return "allow";
        case AuditDecision::kDeny:
            return "deny";
        case AuditDecision::kError:
            return "error";
    }
    return "error";  // unreachable for valid enumerators
}

std::optional<AuditDecision> ParseAuditDecision(std::string_view name) noexcept {
    for (AuditDecision d : {AuditDecision::kAllow, AuditDecision::kDeny, AuditDecision::kError}) {
        if (name == AuditDecisionName(d)) {
            return d;
        }
    }
    return std::nullopt;
}

Result<AuditEvent> NormalizeAuditEvent(AuditEvent event) {
    if (!IsValidAction(event.action)) {
        return Invalid("action must match [a-z0-9][a-z0-9_.:-]{0,63}");
    }
    if (event.time_ms < 0) {
        return Invalid("negative time");
    }
    if (event.factors.size() > kMaxAuditFactors) {
        return Invalid("more than " + std::to_string(kMaxAuditFactors) + " factors");
    }
    if (event.details.size() > kMaxAuditDetails) {
        return Invalid("more than " + std::to_string(kMaxAuditDetails) + " details");
    }
    for (std::string* field :
         {&event.tenant_id,
          &event.principal,
          &event.resource,
          &event.reason,
          &event.source_ip,
          &event.user_agent,
          &event.request_id}) {
        *field = CleanText(*field);
    }
    for (std::string& factor : event.factors) {
        factor = CleanText(factor);
    }
    for (auto& [key, value] : event.details) {
        if (!IsValidDetailKey(key)) {
            return Invalid("detail keys must match [a-z0-9_.-]{1,64}");
        }
        value = CleanText(value);
    }
    return event;
}

std::string CanonicalAuditBytes(std::int64_t seq, std::string_view id, const AuditEvent& event) {
    return CanonicalAuditBytes(seq, id, event, AuditDecisionName(event.decision));
}

std::string CanonicalAuditBytes(
    std::int64_t seq, std::string_view id, const AuditEvent& event, std::string_view decision_text
) {
    std::string out;
    out.reserve(256);
    AppendNetstring(out, kAuditCanonicalVersion);
    AppendNetstring(out, seq);
    AppendNetstring(out, id);
    AppendNetstring(out, event.time_ms);
    AppendNetstring(out, event.tenant_id);
    AppendNetstring(out, event.principal);
    AppendNetstring(out, static_cast<std::int64_t>(event.factors.size()));
    for (const std::string& factor : event.factors) {
        AppendNetstring(out, factor);
    }
    AppendNetstring(out, event.action);
    AppendNetstring(out, event.resource);
    AppendNetstring(out, decision_text);
    AppendNetstring(out, event.reason);
    AppendNetstring(out, event.source_ip);
    AppendNetstring(out, event.user_agent);
    AppendNetstring(out, event.request_id);
    AppendNetstring(out, static_cast<std::int64_t>(event.details.size()));
    for (const auto& [key, value] : event.details) {  // std::map: ascending byte order of keys
        AppendNetstring(out, key);
        AppendNetstring(out, value);
    }
    return out;
}

Result<void> ValidateAuditFilter(const AuditFilter& filter) {
    if (filter.limit < 1 || filter.limit > kMaxAuditQueryLimit) {
        return MakeError(
            ErrorCode::kInvalidArgument, "audit query limit must be 1.." + std::to_string(kMaxAuditQueryLimit)
        );
    }
    if (filter.since_ms && filter.until_ms && *filter.since_ms >= *filter.until_ms) {
        return MakeError(ErrorCode::kInvalidArgument, "audit query: since must be before until");
    }
    return Ok();
}

}  // namespace gw::domain
