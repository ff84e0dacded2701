#pragma once
/// @file
/// @brief `openclaw-gateway devices ...`: device pairing administration of the OpenClaw WebSocket
/// protocol (issue #4) on the embedded store, offline or next to a running gateway (it sees a change on
/// the device's next connect): `list [--json]`, `approve <requestId>`, `reject <requestId>`,
/// `remove <deviceId>`, `revoke <deviceId> [--role R]`; every one takes `--tenant T` (default "default").

#include <optional>
#include <string>

#include "config/options.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace gw::app {

/// EX_DATAERR: the request or device id given is unknown (or the request is no longer pending).
inline constexpr int kExitUnknownId = 65;
/// EX_NOINPUT: there is no gateway database in store.data_dir (or its schema is not current).
inline constexpr int kExitNoStore = 66;

struct DevicesArgs {
    std::string tenant = "default";
    std::string id;                   ///< requestId (approve/reject) or deviceId (remove/revoke)
    std::optional<std::string> role;  ///< revoke: only this role's tokens
    bool json = false;                ///< list: one JSON object {pending, paired}
};

/// The `devices` subcommand tree, registered on the CLI before parsing. Must not move after that.
class DevicesCommand {
public:
    explicit DevicesCommand(CLI::App& cli);

    /// True when one of the `devices` subcommands was given.
    bool Parsed() const;

    /// Runs the parsed subcommand and prints its result: 0 ok, kExitUnknownId, kExitNoStore, or
    /// kExitFailure (store errors).
    int Run(const config::GatewayConfig& cfg) const;

private:
    CLI::App* devices_ = nullptr;
    CLI::App* list_ = nullptr;
    CLI::App* approve_ = nullptr;
    CLI::App* reject_ = nullptr;
    CLI::App* remove_ = nullptr;
    CLI::App* revoke_ = nullptr;
    DevicesArgs args_;
};

}  // namespace gw::app
