#include "providers/internal/error_classify.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>

#include <boost/json.hpp>

namespace gw::providers::internal {
namespace {

namespace json = boost::json;
using domain::ModelError;
using domain::ModelErrorKind;

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return out;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

std::optional<double> ParseNumber(std::string_view s) {
    s = Trim(s);
    if (s.empty()) {
        return std::nullopt;
    }
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return std::max(v, 0.0);
}

std::string_view StringAt(const json::object& o, std::string_view key) {
    if (const auto* v = o.if_contains(key); v != nullptr && v->is_string()) {
        return v->get_string();
    }
    return {};
}

struct ErrorFields {
    std::string type;
    std::string code;
    std::string message;
};

/// OpenAI `{"error":{message,type,code}}`, Anthropic `{"type":"error","error":{type,message}}`, or a
/// bare `{"message":...}` / `{"error":"text"}`.
ErrorFields ExtractError(std::string_view body) {
    ErrorFields f;
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) {
        return f;
    }
    const auto& o = v.get_object();
    const json::object* err = &o;
    if (const auto* e = o.if_contains("error")) {
        if (e->is_object()) {
            err = &e->get_object();
        } else if (e->is_string()) {
            f.message = std::string(e->get_string());
            return f;
        }
    }
    f.type = std::string(StringAt(*err, "type"));
    f.message = std::string(StringAt(*err, "message"));
    if (const auto* c = err->if_contains("code")) {
        if (c->is_string()) {
            f.code = std::string(c->get_string());
        } else if (c->is_int64()) {
            f.code = std::to_string(c->get_int64());
        }
    }
    return f;
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::optional<std::string_view> retry_after,
    std::optional<std::string_view> retry_after_ms,
    std::chrono::system_clock::time_point now
) {
    using std::chrono::milliseconds;
    if (retry_after_ms) {
        if (auto ms = ParseNumber(*retry_after_ms)) {
            return milliseconds(static_cast<std::int64_t>(std::min(*ms, 86'400'000.0)));
        }
    }
    if (!retry_after) {
        return std::nullopt;
    }
    if (auto s = ParseNumber(*retry_after)) {
        return milliseconds(static_cast<std::int64_t>(std::min(*s, 86'400.0) * 1000.0));
    }
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
    const std::string text(Trim(*retry_after));
    std::tm tm{};
    const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == nullptr || *end != '\0') {
        return std::nullopt;
    }
    const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
    if (at <= now) {
        return milliseconds(0);
    }
    return std::chrono::duration_cast<milliseconds>(at - now);
}

bool HasContextLengthMarker(std::string_view text) {
    const std::string t = Lower(text);
    for (std::string_view marker :
         {"context_length_exceeded",
          "maximum context length",
          "prompt is too long",
          "exceeds the context window",
          "context window exceeds",
          "too many input tokens",
          "input is too long"}) {
        if (t.find(marker) != std::string::npos) {
            return true;
        }
    }
    return false;
}

ModelError ClassifyErrorObject(std::string_view type, std::string_view code, std::string_view message) {
    ModelError e;
    const std::string t = Lower(type);
    const std::string c = Lower(code);
    const std::string joined = t + " " + c + " " + std::string(message);
    if (t == "overloaded_error" || c == "overloaded" || c == "server_is_overloaded" ||
        t == "service_unavailable_error") {
        e.kind = ModelErrorKind::kOverloaded;
    } else if (t == "rate_limit_error" || c == "rate_limit_exceeded" || t == "rate_limit_exceeded" || t == "insufficient_quota" || c == "insufficient_quota") {
        e.kind = ModelErrorKind::kRateLimited;
    } else if (t == "authentication_error" || t == "permission_error" || c == "invalid_api_key") {
        e.kind = ModelErrorKind::kAuth;
    } else if (HasContextLengthMarker(joined)) {
        e.kind = ModelErrorKind::kContextLength;
    } else if (t == "invalid_request_error" || t == "not_found_error" || c == "invalid_prompt" || c == "invalid_request_error") {
        e.kind = ModelErrorKind::kBadRequest;
    } else if (t == "timeout_error" || c == "timeout") {
        e.kind = ModelErrorKind::kTimeout;
    } else {
        e.kind = ModelErrorKind::kServer;  // api_error, server_error, unknown: transient by default
    }
    std::string label = !type.empty() ? std::string(type) : std::string(code);
    e.message = "upstream error" + (label.empty() ? std::string() : " " + label) +
                (message.empty() ? std::string() : ": " + Truncate(message));
    return e;
}

ModelError ClassifyHttpError(
    int status, std::string_view body, std::optional<std::chrono::milliseconds> retry_after
) {
    const ErrorFields f = ExtractError(body);
    ModelError e;
    e.http_status = status;
    e.retry_after = retry_after;
    const std::string lower_type = Lower(f.type);
    if (status == 401 || status == 403) {
        e.kind = ModelErrorKind::kAuth;
    } else if (status == 429) {
        e.kind = ModelErrorKind::kRateLimited;
    } else if (status == 503 || status == 529 || lower_type == "overloaded_error") {
        e.kind = ModelErrorKind::kOverloaded;
    } else if (status == 408) {
        e.kind = ModelErrorKind::kTimeout;
    } else if (status >= 500) {
        e.kind = ModelErrorKind::kServer;
    } else if (HasContextLengthMarker(f.code) || HasContextLengthMarker(f.message) || (f.message.empty() && HasContextLengthMarker(body.substr(0, 4096)))) {
        e.kind = ModelErrorKind::kContextLength;
    } else {
        e.kind = ModelErrorKind::kBadRequest;
    }
    std::string detail = f.message;
    if (detail.empty()) {
        // Not a JSON error body: keep a printable prefix (HTML error pages, plain text).
        detail = std::string(body.substr(0, 200));
        std::replace_if(
            detail.begin(), detail.end(), [](unsigned char ch) { return ch < 0x20; }, ' '
        );
    }
    std::string label = !f.type.empty() ? f.type : f.code;
    e.message = "HTTP " + std::to_string(status) + (label.empty() ? std::string() : " " + label) +
                (detail.empty() ? std::string() : ": " + Truncate(detail));
    return e;
}

ModelError ClassifyTransportError(const Error& error) {
    ModelError e;
    switch (error.code) {
        case ErrorCode::kDeadlineExceeded:
            e.kind = ModelErrorKind::kTimeout;
            break;
        case ErrorCode::kUpstreamError:
            e.kind = error.message.find("truncated") != std::string::npos ? ModelErrorKind::kConnection
                                                                          : ModelErrorKind::kMalformedStream;
            break;
        case ErrorCode::kInvalidArgument:
            e.kind = ModelErrorKind::kNotConfigured;
            break;
        default:
            e.kind = ModelErrorKind::kConnection;
            break;
    }
    e.message = error.message;
    return e;
}

ModelError Malformed(std::string what) {
    ModelError e;
    e.kind = ModelErrorKind::kMalformedStream;
    e.message = std::move(what);
    return e;
}

std::string Truncate(std::string_view text, std::size_t max) {
    if (text.size() <= max) {
        return std::string(text);
    }
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return std::string(text.substr(0, cut)) + "…";
}

std::string Redact(std::string text, std::string_view secret) {
    if (secret.size() < 4) {
        return text;
    }
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
        text.replace(pos, secret.size(), "[redacted]");
        pos += 10;
    }
    return text;
}

}  // namespace gw::providers::internal
