#include "obs/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <fmt/format.h>

namespace gw::obs {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_sink_mutex;
std::function<void(std::string_view)> g_test_sink;  // guarded by g_sink_mutex

void AppendTime(std::string& out) {
    using namespace std::chrono;
    auto now = system_clock::now();
    auto secs = time_point_cast<seconds>(now);
    auto millis = duration_cast<milliseconds>(now - secs).count();
    std::time_t t = system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    out.append(buf, n);
    fmt::format_to(std::back_inserter(out), ".{:03d}Z", static_cast<int>(millis));
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
    if (name == "trace")
        return LogLevel::kTrace;
    if (name == "debug")
        return LogLevel::kDebug;
    if (name == "info")
        return LogLevel::kInfo;
    if (name == "warn" || name == "warning")
        return LogLevel::kWarn;
    if (name == "error")
        return LogLevel::kError;
    if (name == "critical")
        return LogLevel::kCritical;
    if (name == "off")
        return LogLevel::kOff;
    return std::nullopt;
}

std::string_view LogLevelName(LogLevel level) noexcept {
    switch (level) {
        case LogLevel::kTrace:
            return "trace";
        case LogLevel::kDebug:
            return "debug";
        case LogLevel::kInfo:
            return "info";
        case LogLevel::kWarn:
            return "warn";
        case LogLevel::kError:
            return "error";
        case LogLevel::kCritical:
            return "critical";
        case LogLevel::kOff:
            return "off";
    }
    return "info";
}

void InitLogging(LogLevel level) {
    g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

void SetLogSinkForTest(std::function<void(std::string_view)> sink) {
    std::lock_guard lock(g_sink_mutex);
    g_test_sink = std::move(sink);
}

bool LogEnabled(LogLevel level) noexcept {
    return level != LogLevel::kOff && static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void AppendJsonEscaped(std::string& out, std::string_view s) {
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (u < 0x20) {
                    fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(u));
                } else {
                    out.push_back(c);
                }
        }
    }
}

std::string FormatLogLine(
    LogLevel level, std::string_view logger, std::string_view message, std::initializer_list<LogField> fields
) {
    std::string line;
    line.reserve(128 + message.size());
    line += "{\"time\":\"";
    AppendTime(line);
    line += "\",\"level\":\"";
    line += LogLevelName(level);
    line += "\",\"logger\":\"";
    AppendJsonEscaped(line, logger);
    line += "\",\"msg\":\"";
    AppendJsonEscaped(line, message);
    line += '"';
    for (const auto& f : fields) {
        line += ",\"";
        AppendJsonEscaped(line, f.key);
        line += "\":\"";
        AppendJsonEscaped(line, f.value);
        line += '"';
    }
    line += '}';
    return line;
}

void Log(
    LogLevel level, std::string_view logger, std::string_view message, std::initializer_list<LogField> fields
) {
    if (!LogEnabled(level)) {
        return;
    }
    std::string line = FormatLogLine(level, logger, message, fields);
    std::lock_guard lock(g_sink_mutex);
    if (g_test_sink) {
        g_test_sink(line);
        return;
    }
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
}

}  // namespace gw::obs
