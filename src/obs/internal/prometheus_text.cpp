#include "obs/internal/prometheus_text.hpp"

#include <charconv>
#include <cmath>
#include <iterator>
#include <system_error>

namespace gw::obs::internal {
namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

bool IsCont(unsigned char c) noexcept {
    return (c & 0xC0U) == 0x80U;
}

/// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) noexcept {
    auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = at(i);
    std::size_t rest = s.size() - i;
    if (c < 0x80U)
        return 1;
    if (c >= 0xC2U && c <= 0xDFU)
        return rest >= 2 && IsCont(at(i + 1)) ? 2 : 0;
    if (c >= 0xE0U && c <= 0xEFU) {
        if (rest < 3 || !IsCont(at(i + 1)) || !IsCont(at(i + 2)))
            return 0;
        if (c == 0xE0U && at(i + 1) < 0xA0U)
            return 0;  // overlong
        if (c == 0xEDU && at(i + 1) > 0x9FU)
            return 0;  // UTF-16 surrogate
        return 3;
    }
    if (c >= 0xF0U && c <= 0xF4U) {
        if (rest < 4 || !IsCont(at(i + 1)) || !IsCont(at(i + 2)) || !IsCont(at(i + 3)))
            return 0;
        if (c == 0xF0U && at(i + 1) < 0x90U)
            return 0;  // overlong
        if (c == 0xF4U && at(i + 1) > 0x8FU)
            return 0;  // > U+10FFFF
        return 4;
    }
    return 0;
}

void AppendEscaped(std::string& out, std::string_view s, bool escape_quote) {
    for (std::size_t i = 0; i < s.size();) {
        char c = s[i];
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && escape_quote) {
            out += "\\\"";
        } else {
            std::size_t n = Utf8SequenceLength(s, i);
            if (n == 0) {
                out += kReplacementChar;
                ++i;
            } else {
                out.append(s.substr(i, n));
                i += n;
            }
            continue;
        }
        ++i;
    }
}

bool IsNameChar(char c, bool first) noexcept {
    return (c >= 'a' && c <= 'z') || c == '_' || (!first && c >= '0' && c <= '9');
}

bool IsValidSnakeName(std::string_view name) noexcept {
    if (name.empty())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (!IsNameChar(name[i], i == 0))
            return false;
    }
    return true;
}

}  // namespace

void AppendDouble(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
        return;
    }
    if (std::isinf(v)) {
        out += v > 0 ? "+Inf" : "-Inf";
        return;
    }
    if (v == std::trunc(v) && std::fabs(v) < 1e15) {
        AppendInt(out, static_cast<std::int64_t>(v));
        return;
    }
    // Shortest round-trip digits. Plain std::to_chars picks whichever notation is shorter
    // ("5e-04"); bucket bounds read better as "0.0005", so use fixed notation for decimal
    // exponents in [-4, 21) and scientific ("1e+21", "1.5e-07") outside, as Go/JS do.
    char buf[64];
    auto sci = std::to_chars(std::begin(buf), std::end(buf), v, std::chars_format::scientific);
    std::string_view text(std::begin(buf), static_cast<std::size_t>(sci.ptr - std::begin(buf)));
    int exponent = 0;
    if (auto e = text.find('e'); e != std::string_view::npos) {
        std::string_view digits = text.substr(e + 1);
        if (!digits.empty() && digits.front() == '+')
            digits.remove_prefix(1);
        std::from_chars(digits.data(), digits.data() + digits.size(), exponent);
    }
    if (exponent >= -4 && exponent < 21) {
        auto fixed = std::to_chars(std::begin(buf), std::end(buf), v, std::chars_format::fixed);
        // 64 bytes hold any fixed-notation double with |exponent| < 21 (sign, 21 digits, '.', 17+4).
        out.append(std::begin(buf), fixed.ec == std::errc() ? fixed.ptr : std::begin(buf));
        return;
    }
    out.append(text);
}

void AppendUint(std::string& out, std::uint64_t v) {
    char buf[24];
    auto [ptr, ec] = std::to_chars(std::begin(buf), std::end(buf), v);
    out.append(std::begin(buf), ec == std::errc() ? ptr : std::begin(buf));
}

void AppendInt(std::string& out, std::int64_t v) {
    char buf[24];
    auto [ptr, ec] = std::to_chars(std::begin(buf), std::end(buf), v);
    out.append(std::begin(buf), ec == std::errc() ? ptr : std::begin(buf));
}

void AppendLabelValue(std::string& out, std::string_view v) {
    AppendEscaped(out, v, true);
}

void AppendHelp(std::string& out, std::string_view help) {
    AppendEscaped(out, help, false);
}

bool IsValidMetricName(std::string_view name) noexcept {
    return IsValidSnakeName(name);
}

bool IsValidLabelName(std::string_view name) noexcept {
    return IsValidSnakeName(name) && !name.starts_with("__");
}

std::string_view TypeWord(MetricType type, std::string_view name) noexcept {
    switch (type) {
        case MetricType::kCounter:
            return "counter";
        case MetricType::kGauge:
            return name.ends_with("_count") ? "untyped" : "gauge";
        case MetricType::kHistogram:
            return "histogram";
        case MetricType::kUntyped:
            return "untyped";
    }
    return "untyped";
}

}  // namespace gw::obs::internal
