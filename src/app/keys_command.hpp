#pragma once
/// @file
/// @brief `openclaw-gateway keys ...`: data-key administration for encryption at rest (issue #6):
/// `rotate [--class C] [--tenant T]`, `status [--json]`, `retire --class C --below V [--tenant T] [--force]`,
/// `shred --tenant T`, `reencrypt` (run the re-encryption pass now, offline).

#include <cstdint>
#include <optional>
#include <string>

#include "config/options.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace gw::app {

struct KeysArgs {
    std::optional<std::string> classification;  ///< internal|confidential|restricted
    std::optional<std::string> tenant;
    std::uint32_t below = 0;  ///< retire: the new minimum decrypt version
    bool json = false;        ///< status: one JSON object
    bool force = false;       ///< retire even though rows still use the retired versions
};

/// The `keys` subcommand tree, registered on the CLI before parsing.
class KeysCommand {
public:
    explicit KeysCommand(CLI::App& cli);

    /// True when one of the `keys` subcommands was given.
    bool Parsed() const;

    /// Runs the parsed subcommand; prints its result; returns the exit code (0 ok, 1 failure).
    int Run(const config::GatewayConfig& cfg) const;

private:
    CLI::App* keys_ = nullptr;
    CLI::App* rotate_ = nullptr;
    CLI::App* status_ = nullptr;
    CLI::App* retire_ = nullptr;
    CLI::App* shred_ = nullptr;
    CLI::App* reencrypt_ = nullptr;
    KeysArgs args_;
};

}  // namespace gw::app
