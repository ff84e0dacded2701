#include "app/devices_command.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "api/ws/device_pairing.hpp"
#include "app/exit_codes.hpp"
#include "domain/clock.hpp"
#include "store/embedded_store.hpp"
#include "store/sqlite_device_repository.hpp"

namespace gw::app {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;

/// Runs `aw` to completion on a private io_context on this thread.
template <class T>
Result<T> Block(asio::awaitable<Result<T>> aw) {
    asio::io_context ioc;
    std::optional<Result<T>> out;
    asio::co_spawn(ioc, std::move(aw), [&out](std::exception_ptr e, Result<T> value) {
        if (e) {
            out.emplace(MakeError(ErrorCode::kInternal, "devices: unexpected exception"));
        } else {
            out.emplace(std::move(value));
        }
    });
    ioc.run();
    if (!out) {
        return MakeError(ErrorCode::kInternal, "devices: the operation did not finish");
    }
    return std::move(*out);
}

std::string IsoTime(std::int64_t ms) {
    if (ms <= 0) {
        return "-";
    }
    const auto secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    );
}

std::string Joined(const std::vector<std::string>& items) {
    return items.empty() ? std::string("-") : fmt::format("{}", fmt::join(items, ","));
}

std::string Client(const std::string& id, const std::string& mode) {
    return id.empty() && mode.empty() ? std::string("-") : id + "/" + mode;
}

json::array ScopesJson(const std::vector<std::string>& scopes) {
    json::array out;
    for (const auto& s : scopes) {
        out.emplace_back(s);
    }
    return out;
}

/// Same field names as the `device.pair.list` RPC.
json::object DeviceJson(const domain::PairedDevice& d) {
    return json::object{
        {"deviceId", d.device_id},
        {"publicKey", d.public_key},
        {"role", d.role},
        {"scopes", ScopesJson(d.scopes)},
        {"clientId", d.client_id},
        {"clientMode", d.client_mode},
        {"platform", d.platform},
        {"deviceFamily", d.device_family},
        {"displayName", d.display_name},
        {"pairedAtMs", d.paired_at_ms},
        {"lastSeenMs", d.last_seen_ms},
    };
}

json::object RequestJson(const domain::PairingRequest& r) {
    return json::object{
        {"requestId", r.request_id},
        {"deviceId", r.device_id},
        {"publicKey", r.public_key},
        {"role", r.role},
        {"scopes", ScopesJson(r.scopes)},
        {"clientId", r.client_id},
        {"clientMode", r.client_mode},
        {"platform", r.platform},
        {"deviceFamily", r.device_family},
        {"displayName", r.display_name},
        {"remoteIp", r.remote_ip},
        {"reason", r.reason},
        {"status", std::string(domain::PairingStatusName(r.status))},
        {"createdAtMs", r.created_at_ms},
    };
}

/// The store (must exist with a current schema) and the pairing service over it.
struct Opened {
    std::unique_ptr<store::EmbeddedStore> store;
    std::unique_ptr<store::SqliteDeviceRepository> repo;
    std::unique_ptr<api::ws::DevicePairing> pairing;
};

std::optional<Opened> Open(const config::GatewayConfig& cfg, int& exit_code) {
    const std::filesystem::path db = std::filesystem::path(cfg.store.data_dir) / "gateway.db";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(db, ec)) {
        std::fprintf(
            stderr,
            "devices: no gateway store at %s (check store.data_dir / --data-dir, or start the gateway "
            "once)\n",
            db.string().c_str()
        );
        exit_code = kExitNoStore;
        return std::nullopt;
    }
    auto store = store::EmbeddedStore::Open(cfg.store, store::MigrateMode::kInspectOnly);
    if (!store) {
        std::fprintf(stderr, "devices: cannot open the store: %s\n", store.error().message.c_str());
        exit_code = kExitFailure;
        return std::nullopt;
    }
    if (!(*store)->Migrations().Current()) {
        std::fprintf(
            stderr, "devices: the database schema is not current (run `openclaw-gateway migrate`)\n"
        );
        exit_code = kExitNoStore;
        return std::nullopt;
    }
    Opened out;
    out.store = std::move(*store);
    out.repo = std::make_unique<store::SqliteDeviceRepository>(*out.store, domain::SystemWallClock());
    out.pairing = std::make_unique<api::ws::DevicePairing>(*out.repo, false, domain::SystemWallClock());
    return out;
}

/// Prints a failed action; unknown ids and resolved requests are kExitUnknownId.
int Fail(std::string_view action, std::string_view what, const std::string& id, const Error& error) {
    if (error.code == ErrorCode::kNotFound) {
        std::fprintf(
            stderr,
            "devices %.*s: unknown %.*s %s\n",
            static_cast<int>(action.size()),
            action.data(),
            static_cast<int>(what.size()),
            what.data(),
            id.c_str()
        );
        return kExitUnknownId;
    }
    if (error.code == ErrorCode::kConflict) {
        std::fprintf(
            stderr,
            "devices %.*s: request %s is no longer pending\n",
            static_cast<int>(action.size()),
            action.data(),
            id.c_str()
        );
        return kExitUnknownId;
    }
    std::fprintf(
        stderr, "devices %.*s: %s\n", static_cast<int>(action.size()), action.data(), error.message.c_str()
    );
    return kExitFailure;
}

int List(api::ws::DevicePairing& pairing, const DevicesArgs& args) {
    auto pending = Block(pairing.ListRequests(args.tenant, true));
    if (!pending) {
        return Fail("list", "", "", pending.error());
    }
    auto paired = Block(pairing.ListDevices(args.tenant));
    if (!paired) {
        return Fail("list", "", "", paired.error());
    }
    if (args.json) {
        json::array p;
        for (const auto& r : *pending) {
            p.emplace_back(RequestJson(r));
        }
        json::array d;
        for (const auto& dev : *paired) {
            d.emplace_back(DeviceJson(dev));
        }
        const json::object out{{"pending", std::move(p)}, {"paired", std::move(d)}};
        std::printf("%s\n", json::serialize(out).c_str());
        return kExitOk;
    }
    std::printf("Pending requests (%zu):\n", pending->size());
    for (const auto& r : *pending) {
        std::printf(
            "  %s  device %s  role %s  scopes %s  client %s  ip %s  reason %s  since %s\n",
            r.request_id.c_str(),
            r.device_id.c_str(),
            r.role.c_str(),
            Joined(r.scopes).c_str(),
            Client(r.client_id, r.client_mode).c_str(),
            r.remote_ip.empty() ? "-" : r.remote_ip.c_str(),
            r.reason.c_str(),
            IsoTime(r.created_at_ms).c_str()
        );
    }
    std::printf("Paired devices (%zu):\n", paired->size());
    for (const auto& dev : *paired) {
        std::printf(
            "  %s  role %s  scopes %s  client %s  name %s  paired %s  last seen %s\n",
            dev.device_id.c_str(),
            dev.role.c_str(),
            Joined(dev.scopes).c_str(),
            Client(dev.client_id, dev.client_mode).c_str(),
            dev.display_name.empty() ? "-" : dev.display_name.c_str(),
            IsoTime(dev.paired_at_ms).c_str(),
            IsoTime(dev.last_seen_ms).c_str()
        );
    }
    return kExitOk;
}

int Revoke(api::ws::DevicePairing& pairing, const DevicesArgs& args) {
    auto devices = Block(pairing.ListDevices(args.tenant));
    if (!devices) {
        return Fail("revoke", "", "", devices.error());
    }
    const bool known =
        std::any_of(devices->begin(), devices->end(), [&](const auto& d) { return d.device_id == args.id; });
    auto revoked = Block(pairing.RevokeTokens(args.tenant, args.id, args.role));
    if (!revoked) {
        return Fail("revoke", "device", args.id, revoked.error());
    }
    if (!known && *revoked == 0) {
        std::fprintf(stderr, "devices revoke: unknown device %s\n", args.id.c_str());
        return kExitUnknownId;
    }
    std::printf(
        "revoked %d token(s) of device %s%s\n",
        *revoked,
        args.id.c_str(),
        args.role ? fmt::format(" (role {})", *args.role).c_str() : ""
    );
    return kExitOk;
}

}  // namespace

DevicesCommand::DevicesCommand(CLI::App& cli) {
    devices_ = cli.add_subcommand("devices", "device pairing (OpenClaw WebSocket clients)");
    devices_->require_subcommand(1);
    devices_->add_option("--tenant", args_.tenant, "tenant (default: default)");
    list_ = devices_->add_subcommand("list", "pending pairing requests and paired devices");
    list_->add_flag("--json", args_.json, "print one JSON object {pending, paired}");
    approve_ = devices_->add_subcommand("approve", "approve a pending pairing request");
    approve_->add_option("requestId", args_.id, "the request id (from `devices list`)")->required();
    reject_ = devices_->add_subcommand("reject", "reject a pending pairing request");
    reject_->add_option("requestId", args_.id, "the request id (from `devices list`)")->required();
    remove_ = devices_->add_subcommand("remove", "unpair a device and revoke its tokens");
    remove_->add_option("deviceId", args_.id, "the device id")->required();
    revoke_ = devices_->add_subcommand("revoke", "revoke a device's tokens (it stays paired)");
    revoke_->add_option("deviceId", args_.id, "the device id")->required();
    revoke_->add_option("--role", args_.role, "only tokens of this role (operator|node|worker)")
        ->check(CLI::IsMember({"operator", "node", "worker"}));
}

bool DevicesCommand::Parsed() const {
    return devices_->parsed();
}

int DevicesCommand::Run(const config::GatewayConfig& cfg) const {
    int exit_code = kExitOk;
    auto opened = Open(cfg, exit_code);
    if (!opened) {
        return exit_code;
    }
    api::ws::DevicePairing& pairing = *opened->pairing;
    if (list_->parsed()) {
        return List(pairing, args_);
    }
    if (approve_->parsed()) {
        auto device = Block(pairing.Approve(args_.tenant, args_.id));
        if (!device) {
            return Fail("approve", "request", args_.id, device.error());
        }
        std::printf(
            "approved request %s: device %s paired as %s (scopes %s)\n",
            args_.id.c_str(),
            device->device_id.c_str(),
            device->role.c_str(),
            Joined(device->scopes).c_str()
        );
        return kExitOk;
    }
    if (reject_->parsed()) {
        auto request = Block(pairing.Reject(args_.tenant, args_.id));
        if (!request) {
            return Fail("reject", "request", args_.id, request.error());
        }
        std::printf("rejected request %s (device %s)\n", args_.id.c_str(), request->device_id.c_str());
        return kExitOk;
    }
    if (remove_->parsed()) {
        auto removed = Block(pairing.Remove(args_.tenant, args_.id));
        if (!removed) {
            return Fail("remove", "device", args_.id, removed.error());
        }
        std::printf("removed device %s (its tokens are revoked)\n", args_.id.c_str());
        return kExitOk;
    }
    if (revoke_->parsed()) {
        return Revoke(pairing, args_);
    }
    return kExitUsage;
}

}  // namespace gw::app
