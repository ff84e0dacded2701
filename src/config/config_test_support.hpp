#pragma once
/// @file
/// @brief Helpers shared by the config tests: a fake environment, load-ok/load-error shorthands (temp
/// dirs: support/temp_dir.hpp).

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <unistd.h>

#include "config/loader.hpp"
#include "support/temp_dir.hpp"

namespace gw::config::testing {

/// An EnvLookup over a fixed map (the process environment is never consulted).
inline EnvLookup EnvOf(std::map<std::string, std::string, std::less<>> vars = {}) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) {
            return std::nullopt;
        }
        return it->second;
    };
}

/// Loads `yaml` (named "gw.yaml" in messages) and returns the error message; fails the test if it loaded.
inline std::string LoadErrorOf(const std::string& yaml, const EnvLookup& env = EnvOf()) {
    auto r = LoadFromString(yaml, "gw.yaml", env);
    if (r) {
        ADD_FAILURE() << "expected an error for:\n" << yaml;
        return {};
    }
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    return r.error().message;
}

/// Loads `yaml`; fails the test (and returns defaults) on an error.
inline GatewayConfig LoadOkOf(const std::string& yaml, const EnvLookup& env = EnvOf()) {
    auto r = LoadFromString(yaml, "gw.yaml", env);
    if (!r) {
        ADD_FAILURE() << "unexpected error: " << r.error().message;
        return {};
    }
    return *r;
}

}  // namespace gw::config::testing
