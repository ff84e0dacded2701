#pragma once
/// @file
/// @brief Strict parsers and formatters for the scalar types used in the YAML config (integers,
/// booleans, durations, sizes). Private to the config module.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gw::config::internal {

/// `[-+]?[0-9]+` (YAML 1.2 core schema, decimal only). nullopt on anything else or on overflow.
std::optional<std::int64_t> ParseInteger(std::string_view text);

/// `true|True|TRUE|false|False|FALSE` only (no yes/no/on/off/1/0).
std::optional<bool> ParseBool(std::string_view text);

/// A duration: `<digits>[ ]<unit>` with unit us, ms, s, m, h; a plain integer means milliseconds.
/// nullopt on a bad unit, a negative number or overflow.
std::optional<std::chrono::microseconds> ParseDuration(std::string_view text);

/// A size in bytes: plain integer, or `<digits>[ ]<unit>` with unit B, KB, MB, GB (powers of 1000)
/// or KiB, MiB, GiB (powers of 1024). nullopt on a bad unit or overflow.
std::optional<std::uint64_t> ParseSize(std::string_view text);

/// The largest unit that represents `d` exactly: "2h", "5s", "250ms", "500us"; zero is "0ms".
std::string FormatDuration(std::chrono::microseconds d);

/// "16KiB", "1MiB", "1GiB" when exact, otherwise the plain number of bytes.
std::string FormatSize(std::uint64_t bytes);

}  // namespace gw::config::internal
