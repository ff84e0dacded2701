#pragma once
/// @file
/// @brief Loads the gateway configuration: defaults, then a YAML file (optional), then environment
/// overrides, then validation. Strict: unknown keys, duplicate keys and bad values are errors that
/// name the file, line, column and YAML path. See README.md for the full key reference.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "config/options.hpp"

namespace gw::config {

/// Process exit code for a configuration error (sysexits.h EX_CONFIG); used by app.
inline constexpr int kExitConfigError = 78;

/// Looks up an environment variable; nullopt when unset. An empty value is treated as unset by Load.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// An EnvLookup reading the process environment (::getenv).
EnvLookup ProcessEnv();

/// Loads defaults, then the YAML file (if any), then env overrides, then validates.
/// Errors have code kInvalidArgument and a message shaped like
///   "<file>:<line>:<col>: <yaml.path>: <what is wrong>"   (value from the file)
///   "env <NAME>: <what is wrong>"                           (bad env override value)
///   "<yaml.path>: <what is wrong>"                          (validation of a default)
/// A missing or unreadable file is an error naming the file. Sets `source_file` to `file`.
Result<GatewayConfig> Load(const std::optional<std::string>& file, const EnvLookup& env);

/// As Load, from YAML text; `name_for_errors` stands in for the file name in messages.
Result<GatewayConfig> LoadFromString(
    std::string_view yaml, std::string_view name_for_errors, const EnvLookup& env
);

/// The effective config as YAML text (loadable again). Every Secret is shown as
/// "<redacted> (<source>)", never its value; unset secrets are null.
std::string RenderEffective(const GatewayConfig& cfg);

/// True for 127.0.0.0/8, ::1 (also bracketed or IPv4-mapped) and "localhost".
bool IsLoopbackHost(std::string_view host);

}  // namespace gw::config
