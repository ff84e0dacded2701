#include "config/internal/scalars.hpp"

#include <array>
#include <limits>
#include <utility>

namespace gw::config::internal {
namespace {

bool IsDigit(char c) {
    return c >= '0' && c <= '9';
}

/// Parses a non-empty run of decimal digits at the start of `text`, advancing it. nullopt on overflow
/// or when there is no digit.
std::optional<std::uint64_t> TakeDigits(std::string_view& text) {
    std::size_t i = 0;
    std::uint64_t value = 0;
    constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
    while (i < text.size() && IsDigit(text[i])) {
        const auto digit = static_cast<std::uint64_t>(text[i] - '0');
        if (value > (kMax - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
        ++i;
    }
    if (i == 0) {
        return std::nullopt;
    }
    text.remove_prefix(i);
    return value;
}

/// Splits "<digits>[ ]<unit>" into number and unit (unit may be empty).
std::optional<std::pair<std::uint64_t, std::string_view>> SplitNumberUnit(std::string_view text) {
    auto number = TakeDigits(text);
    if (!number) {
        return std::nullopt;
    }
    if (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
        if (text.empty()) {
            return std::nullopt;
        }
    }
    return std::pair{*number, text};
}

std::optional<std::uint64_t> CheckedMul(std::uint64_t a, std::uint64_t b) {
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) {
        return std::nullopt;
    }
    return a * b;
}

struct Unit {
    std::string_view name;
    std::uint64_t factor;
};

}  // namespace

std::optional<std::int64_t> ParseInteger(std::string_view text) {
    bool negative = false;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    auto magnitude = TakeDigits(text);
    if (!magnitude || !text.empty()) {
        return std::nullopt;
    }
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (negative) {
        if (*magnitude > kMax + 1) {
            return std::nullopt;
        }
        return *magnitude == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                                      : -static_cast<std::int64_t>(*magnitude);
    }
    if (*magnitude > kMax) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(*magnitude);
}

std::optional<bool> ParseBool(std::string_view text) {
    if (text == "true" || text == "True" || text == "TRUE") {
        return true;
    }
    if (text == "false" || text == "False" || text == "FALSE") {
        return false;
    }
    return std::nullopt;
}

std::optional<std::chrono::microseconds> ParseDuration(std::string_view text) {
    static constexpr std::array<Unit, 5> kUnits{{
        {"us", 1},
        {"ms", 1'000},
        {"s", 1'000'000},
        {"m", 60'000'000},
        {"h", 3'600'000'000},
    }};
    auto parts = SplitNumberUnit(text);
    if (!parts) {
        return std::nullopt;
    }
    auto [number, unit] = *parts;
    std::uint64_t factor = 0;
    if (unit.empty()) {
        factor = 1'000;  // a plain integer means milliseconds
    }
    for (const auto& u : kUnits) {
        if (unit == u.name) {
            factor = u.factor;
        }
    }
    if (factor == 0) {
        return std::nullopt;
    }
    auto micros = CheckedMul(number, factor);
    if (!micros || *micros > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return std::nullopt;
    }
    return std::chrono::microseconds{static_cast<std::int64_t>(*micros)};
}

std::optional<std::uint64_t> ParseSize(std::string_view text) {
    static constexpr std::array<Unit, 7> kUnits{{
        {"B", 1},
        {"KB", 1'000},
        {"MB", 1'000'000},
        {"GB", 1'000'000'000},
        {"KiB", 1ULL << 10},
        {"MiB", 1ULL << 20},
        {"GiB", 1ULL << 30},
    }};
    auto parts = SplitNumberUnit(text);
    if (!parts) {
        return std::nullopt;
    }
    auto [number, unit] = *parts;
    std::uint64_t factor = unit.empty() ? 1 : 0;
    for (const auto& u : kUnits) {
        if (unit == u.name) {
            factor = u.factor;
        }
    }
    if (factor == 0) {
        return std::nullopt;
    }
    return CheckedMul(number, factor);
}

std::string FormatDuration(std::chrono::microseconds d) {
    static constexpr std::array<Unit, 5> kUnits{{
        {"h", 3'600'000'000},
        {"m", 60'000'000},
        {"s", 1'000'000},
        {"ms", 1'000},
        {"us", 1},
    }};
    const auto count = d.count();
    if (count == 0) {
        return "0ms";
    }
    for (const auto& u : kUnits) {
        const auto factor = static_cast<std::int64_t>(u.factor);
        if (count % factor == 0) {
            return std::to_string(count / factor) + std::string(u.name);
        }
    }
    return std::to_string(count) + "us";  // unreachable: the last unit divides everything
}

std::string FormatSize(std::uint64_t bytes) {
    static constexpr std::array<Unit, 3> kUnits{{
        {"GiB", 1ULL << 30},
        {"MiB", 1ULL << 20},
        {"KiB", 1ULL << 10},
    }};
    if (bytes != 0) {
        for (const auto& u : kUnits) {
            if (bytes % u.factor == 0) {
                return std::to_string(bytes / u.factor) + std::string(u.name);
            }
        }
    }
    return std::to_string(bytes);
}

}  // namespace gw::config::internal
