// device.pair.list/approve/reject/remove and device.token.rotate/revoke (operator.pairing).
#include <optional>
#include <string>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/ws/device_pairing.hpp"
#include "api/ws/internal/methods.hpp"
#include "api/ws/internal/params.hpp"

namespace gw::api::ws {

namespace {

namespace asio = boost::asio;

constexpr std::size_t kMaxIdLength = 256;

json::array ScopesJson(const std::vector<std::string>& scopes) {
    json::array out;
    for (const auto& scope : scopes) {
        out.emplace_back(scope);
    }
    return out;
}

json::object DeviceJson(const domain::PairedDevice& device) {
    json::object out;
    out["deviceId"] = device.device_id;
    out["publicKey"] = device.public_key;
    out["role"] = device.role;
    out["scopes"] = ScopesJson(device.scopes);
    out["clientId"] = device.client_id;
    out["clientMode"] = device.client_mode;
    out["platform"] = device.platform;
    out["deviceFamily"] = device.device_family;
    out["displayName"] = device.display_name;
    out["pairedAtMs"] = device.paired_at_ms;
    out["createdAtMs"] = device.paired_at_ms;
    out["lastSeenMs"] = device.last_seen_ms;
    return out;
}

json::object RequestJson(const domain::PairingRequest& request) {
    json::object out;
    out["requestId"] = request.request_id;
    out["deviceId"] = request.device_id;
    out["publicKey"] = request.public_key;
    out["role"] = request.role;
    out["scopes"] = ScopesJson(request.scopes);
    out["clientId"] = request.client_id;
    out["clientMode"] = request.client_mode;
    out["platform"] = request.platform;
    out["deviceFamily"] = request.device_family;
    out["displayName"] = request.display_name;
    out["remoteIp"] = request.remote_ip;
    out["reason"] = request.reason;
    out["status"] = std::string(domain::PairingStatusName(request.status));
    out["createdAtMs"] = request.created_at_ms;
    out["ts"] = request.created_at_ms;
    if (request.resolved_at_ms != 0) {
        out["resolvedAtMs"] = request.resolved_at_ms;
    }
    return out;
}

/// Maps a pairing error: unknown ids and resolved requests are the caller's problem (INVALID_REQUEST
/// with a fixed message), everything else goes through FromError.
WsError PairingError(const Error& error, std::string_view not_found_message) {
    if (error.code == ErrorCode::kNotFound) {
        return InvalidRequest(std::string(not_found_message));
    }
    if (error.code == ErrorCode::kConflict) {
        return InvalidRequest("request is not pending");
    }
    return FromError(error);
}

std::string TenantOf(const MethodCall& call) {
    return call.conn->Info().tenant_id;
}

asio::awaitable<MethodReply> PairList(MethodCall& call) {
    ParamReader params(call.method, call.params);
    if (auto error = params.Finish()) {
        co_return *error;
    }
    std::string tenant = TenantOf(call);
    auto pending = co_await call.services.pairing.ListRequests(tenant, true);
    if (!pending) {
        co_return FromError(pending.error());
    }
    auto paired = co_await call.services.pairing.ListDevices(tenant);
    if (!paired) {
        co_return FromError(paired.error());
    }
    json::array pending_json;
    for (const auto& request : *pending) {
        pending_json.emplace_back(RequestJson(request));
    }
    json::array paired_json;
    for (const auto& device : *paired) {
        paired_json.emplace_back(DeviceJson(device));
    }
    json::object out;
    out["pending"] = std::move(pending_json);
    out["paired"] = std::move(paired_json);
    co_return json::value(std::move(out));
}

asio::awaitable<MethodReply> PairApprove(MethodCall& call) {
    ParamReader params(call.method, call.params);
    auto request_id = params.String("requestId", true, kMaxIdLength, true);
    if (auto error = params.Finish()) {
        co_return *error;
    }
    std::string tenant = TenantOf(call);
    auto device = co_await call.services.pairing.Approve(tenant, *request_id);
    if (!device) {
        co_return PairingError(device.error(), "unknown requestId");
    }
    json::object out;
    out["requestId"] = *request_id;
    out["device"] = DeviceJson(*device);
    co_return json::value(std::move(out));
}

asio::awaitable<MethodReply> PairReject(MethodCall& call) {
    ParamReader params(call.method, call.params);
    auto request_id = params.String("requestId", true, kMaxIdLength, true);
    if (auto error = params.Finish()) {
        co_return *error;
    }
    std::string tenant = TenantOf(call);
    auto request = co_await call.services.pairing.Reject(tenant, *request_id);
    if (!request) {
        co_return PairingError(request.error(), "unknown requestId");
    }
    json::object out;
    out["requestId"] = request->request_id;
    out["deviceId"] = request->device_id;
    out["status"] = std::string(domain::PairingStatusName(request->status));
    co_return json::value(std::move(out));
}

asio::awaitable<MethodReply> PairRemove(MethodCall& call) {
    ParamReader params(call.method, call.params);
    auto device_id = params.String("deviceId", true, kMaxIdLength, true);
    if (auto error = params.Finish()) {
        co_return *error;
    }
    std::string tenant = TenantOf(call);
    auto removed = co_await call.services.pairing.Remove(tenant, *device_id);
    if (!removed) {
        co_return PairingError(removed.error(), "unknown deviceId");
    }
    json::object out;
    out["deviceId"] = *device_id;
    co_return json::value(std::move(out));
}

asio::awaitable<MethodReply> TokenRotate(MethodCall& call) {
    ParamReader params(call.method, call.params);
    auto device_id = params.String("deviceId", true, kMaxIdLength, true);
    auto role = params.Enum("role", true, {"operator", "node", "worker"});
    if (auto error = params.Finish()) {
        co_return *error;
    }
    std::string tenant = TenantOf(call);
    auto token = co_await call.services.pairing.RotateToken(tenant, *device_id, *role);
    if (!token) {
        co_return PairingError(token.error(), "unknown deviceId or role");
    }
    json::object out;
    out["deviceId"] = *device_id;
    out["role"] = *role;
    out["token"] = *token;
    out["issuedAtMs"] = call.services.clock();
    co_return json::value(std::move(out));
}

asio::awaitable<MethodReply> TokenRevoke(MethodCall& call) {
    ParamReader params(call.method, call.params);
    auto device_id = params.String("deviceId", true, kMaxIdLength, true);
    auto role = params.Enum("role", false, {"operator", "node", "worker"});
    if (auto error = params.Finish()) {
        co_return *error;
    }
    std::string tenant = TenantOf(call);
    auto revoked = co_await call.services.pairing.RevokeTokens(tenant, *device_id, role);
    if (!revoked) {
        co_return FromError(revoked.error());
    }
    json::object out;
    out["deviceId"] = *device_id;
    out["revoked"] = *revoked;
    co_return json::value(std::move(out));
}

}  // namespace

void RegisterDeviceMethods(MethodRegistry& registry) {
    const std::string scope(kScopePairing);
    registry.Add(MethodSpec{"device.pair.list", scope, PairList});
    registry.Add(MethodSpec{"device.pair.approve", scope, PairApprove});
    registry.Add(MethodSpec{"device.pair.reject", scope, PairReject});
    registry.Add(MethodSpec{"device.pair.remove", scope, PairRemove});
    registry.Add(MethodSpec{"device.token.rotate", scope, TokenRotate});
    registry.Add(MethodSpec{"device.token.revoke", scope, TokenRevoke});
}

}  // namespace gw::api::ws
