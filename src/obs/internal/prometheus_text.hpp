#pragma once
/// @file
/// @brief Prometheus text format 0.0.4 building blocks (private to obs).

#include <cstdint>
#include <string>
#include <string_view>

#include "obs/metrics.hpp"

namespace gw::obs::internal {

/// Shortest round-trip text: integers up to 1e15 without exponent, else like Go's `%g`;
/// `+Inf`, `-Inf`, `NaN` for the special values.
void AppendDouble(std::string& out, double v);

void AppendUint(std::string& out, std::uint64_t v);

void AppendInt(std::string& out, std::int64_t v);

/// Label value body: escapes `\`, `"` and newline; replaces invalid UTF-8 with U+FFFD.
void AppendLabelValue(std::string& out, std::string_view v);

/// HELP text: escapes `\` and newline; replaces invalid UTF-8 with U+FFFD.
void AppendHelp(std::string& out, std::string_view help);

/// `[a-z_][a-z0-9_]*` (stricter than Prometheus: no `:` and no upper case, which promtool lints).
bool IsValidMetricName(std::string_view name) noexcept;

/// `[a-z_][a-z0-9_]*` and not starting with `__` (reserved).
bool IsValidLabelName(std::string_view name) noexcept;

/// The `# TYPE` word for a family (gauges named `*_count` become `untyped`, see MetricType).
std::string_view TypeWord(MetricType type, std::string_view name) noexcept;

}  // namespace gw::obs::internal
