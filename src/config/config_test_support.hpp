#pragma once
/// @file
/// @brief Helpers shared by the config tests: a fake environment (temp dirs: support/temp_dir.hpp).

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace gw::config::testing
