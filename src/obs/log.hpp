#pragma once
/// @file
/// @brief Structured logging: one JSON object per line on stdout
/// (`{"time","level","logger","msg",...fields}`). Thread-safe. Never pass secrets as fields.

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace gw::obs {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };

std::optional<LogLevel> ParseLogLevel(std::string_view name);
std::string_view LogLevelName(LogLevel level) noexcept;

/// One extra key/value of a log line. Values are written as JSON strings (escaped).
struct LogField {
    std::string_view key;
    std::string_view value;
};

/// Sets the minimum level; lines go to stdout. Safe to call again (e.g. on reload).
void InitLogging(LogLevel level);

/// Routes lines to `sink` instead of stdout (tests). Pass nullptr to restore stdout.
void SetLogSinkForTest(std::function<void(std::string_view line)> sink);

bool LogEnabled(LogLevel level) noexcept;

/// Formats one JSON line (no trailing newline). Exposed for tests and for `Log`.
std::string FormatLogLine(
    LogLevel level, std::string_view logger, std::string_view message, std::initializer_list<LogField> fields
);

void Log(
    LogLevel level,
    std::string_view logger,
    std::string_view message,
    std::initializer_list<LogField> fields = {}
);

/// Appends `s` to `out` as the body of a JSON string (without quotes), escaping as RFC 8259 requires.
void AppendJsonEscaped(std::string& out, std::string_view s);

}  // namespace gw::obs
