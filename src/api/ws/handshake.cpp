// The `connect` handshake: frame and params validation, protocol, shared-secret / device-token auth
// with failed-auth limiting, the Ed25519 device proof and pairing, then hello-ok (reference §2.2).
#include <algorithm>
#include <utility>

#include <boost/json/serialize.hpp>

#include "api/http_auth_limiter.hpp"
#include "api/ws/internal/gateway.hpp"
#include "api/ws/internal/origin.hpp"
#include "base/ids.hpp"
#include "crypto/constant_time.hpp"
#include "domain/session.hpp"
#include "obs/log.hpp"

namespace gw::api::ws {
namespace {

namespace asio = boost::asio;

constexpr std::uint16_t kCloseProtocolError = 1002;
constexpr std::uint16_t kCloseInternalError = 1011;

bool Matches(const std::optional<std::string>& given, const config::Secret& secret) {
    return given && secret.IsSet() && crypto::ConstantTimeEquals(*given, secret.value);
}

WsError PairingRequired(const domain::PairingRequest& request) {
    WsError error;
    error.code = WsErrorCode::kNotPaired;
    error.message = "pairing required";
    error.details["code"] = "PAIRING_REQUIRED";
    error.details["reason"] = request.reason;
    error.details["requestId"] = request.request_id;
    error.details["recommendedNextStep"] = "approve_device";
    error.details["pauseReconnect"] = true;
    return error;
}

bool IsLocal(const net::HttpRequest& request) {
    const bool forwarded = request.Header("X-Forwarded-For").has_value() || request.Header("Forwarded").has_value() ||
                           request.Header("X-Real-IP").has_value();
    return !forwarded && IsLoopbackAddress(request.remote_ip);
}

/// Browser clients (the Control UI, webchat) must come from an allowed origin; any connection that
/// sends an Origin header is held to the same list (a page on another site cannot use a user's
/// loopback gateway).
bool BrowserOriginAllowed(
    const ConnectClient& client, const net::HttpRequest& upgrade, const config::ControlUiOptions& options
) {
    const auto origin = upgrade.Header("Origin");
    const bool browser_client =
        client.id == "openclaw-control-ui" || client.id == "webchat-ui" || client.id == "webchat";
    if (!origin) {
        return !browser_client;
    }
    return !origin->empty() && OriginAllowed(options, *origin, upgrade.Header("Host").value_or(""));
}

bool DevicelessClientKeepsScopes(const ConnectClient& client) {
    return client.id == "cli" || client.id == "gateway-client" || client.mode == "cli" || client.mode == "backend";
}

/// The outcome of the shared-secret / device-token check.
struct AuthOutcome {
    std::string method = "none";
    std::optional<DeviceTokenGrant> grant;
    std::optional<AuthFailure> failure;
};

}  // namespace

void Gateway::RejectHandshake(net::WebSocketSession& session, std::string_view id, const WsError& error,
                              std::uint16_t close_code, std::string_view metric_reason) {
    handshake_failures_.WithLabels({metric_reason}).Inc();
    if (!id.empty()) {
        session.Send(SerializeError(id, error));
    }
    session.Close(close_code, error.message);
    obs::Log(obs::LogLevel::kInfo, "gw.api.ws", "handshake refused",
             {{"reason", std::string(metric_reason)}, {"remote_ip", session.UpgradeRequest().remote_ip}});
}

asio::awaitable<void> Gateway::Handshake(std::shared_ptr<net::WebSocketSession> session,
                                         std::shared_ptr<SessionState> state, std::string text) {
    auto frame = ParseClientFrame(text);
    const RequestFrame* req = frame ? std::get_if<RequestFrame>(&*frame) : nullptr;
    if (req == nullptr || req->method != "connect") {
        const std::string id = req != nullptr ? req->id : BestEffortId(text).value_or("");
        RejectHandshake(*session, id, InvalidRequest("invalid handshake: first request must be connect"),
                        net::kWsClosePolicyViolation, "invalid_handshake");
        co_return;
    }
    const std::string id = req->id;
    auto parsed = ParseConnectParams(req->params);
    if (auto* error = std::get_if<WsError>(&parsed)) {
        RejectHandshake(*session, id, *error, net::kWsClosePolicyViolation, "invalid_params");
        co_return;
    }
    ConnectParams params = std::move(std::get<ConnectParams>(parsed));
    auto protocol = NegotiateProtocol(params);
    if (auto* error = std::get_if<WsError>(&protocol)) {
        RejectHandshake(*session, id, *error, kCloseProtocolError, "protocol_mismatch");
        co_return;
    }

    const net::HttpRequest& upgrade = session->UpgradeRequest();
    if (!BrowserOriginAllowed(params.client, upgrade, deps_.config.ws.control_ui)) {
        WsError error = InvalidRequest(
            "origin not allowed (open the Control UI from the gateway host or allow it in "
            "ws.control_ui.allowed_origins)"
        );
        error.details["code"] = "CONTROL_UI_ORIGIN_NOT_ALLOWED";
        error.details["reason"] = "origin missing or invalid";
        RejectHandshake(*session, id, error, net::kWsClosePolicyViolation, "origin_not_allowed");
        co_return;
    }
    // The client as the edge resolved it (a trusted proxy's X-Forwarded-For), for limiting and presence.
    const std::string ip = upgrade.client_ip.empty() ? upgrade.remote_ip : upgrade.client_ip;
    const bool local = IsLocal(upgrade);
    const std::string tenant_id(domain::kDefaultTenantId);
    if (auto retry = deps_.auth_limiter.RetryAfter(ip)) {
        const std::int64_t retry_ms = std::chrono::duration_cast<std::chrono::milliseconds>(*retry).count();
        RejectHandshake(*session, id, AuthError(AuthFailure::kRateLimited, params.client, local, retry_ms),
                        net::kWsClosePolicyViolation, "rate_limited");
        co_return;
    }

    // Shared secret first, then a device token (reference §2.2 item 4).
    AuthOutcome auth;
    const config::AuthOptions& secrets = deps_.config.auth;
    if (secrets.AnyConfigured()) {
        if (Matches(params.auth.token, secrets.token)) {
            auth.method = "token";
        } else if (Matches(params.auth.password, secrets.password)) {
            auth.method = "password";
        } else if (params.auth.device_token) {
            std::optional<std::string> device_id;
            if (params.device) {
                device_id = params.device->id;
            }
            std::string token = *params.auth.device_token;
            auto resolved = co_await pairing_.ResolveToken(tenant_id, std::move(token), std::move(device_id));
            if (!resolved) {
                RejectHandshake(*session, id, FromError(resolved.error()), kCloseInternalError, "internal");
                co_return;
            }
            if (*resolved && (*resolved)->token.role == params.role) {
                auth.method = "device-token";
                auth.grant = std::move(**resolved);
            }
        }
        if (auth.method == "none") {
            if (params.auth.token && secrets.token.IsSet()) {
                auth.failure = AuthFailure::kTokenMismatch;
            } else if (params.auth.password && secrets.password.IsSet()) {
                auth.failure = AuthFailure::kPasswordMismatch;
            } else if (params.auth.device_token) {
                auth.failure = AuthFailure::kDeviceTokenMismatch;
            } else {
                auth.failure = secrets.token.IsSet() ? AuthFailure::kTokenMissing : AuthFailure::kPasswordMissing;
            }
        }
    }
    if (auth.failure) {
        // The failure that reaches the limit is still reported as what it was; the next attempt from
        // this address meets the lockout (AUTH_RATE_LIMITED with retryAfterMs) above.
        deps_.auth_limiter.RecordFailure(ip);
        RejectHandshake(*session, id, AuthError(*auth.failure, params.client, local), net::kWsClosePolicyViolation,
                        "auth_failed");
        co_return;
    }
    if (auth.method != "none") {
        deps_.auth_limiter.RecordSuccess(ip);
    }

    // Device proof and pairing.
    HelloInputs hello;
    hello.protocol = std::get<std::int64_t>(protocol);
    std::optional<std::string> device_id;
    if (params.device) {
        auto verified = VerifyDeviceProof(params, state->nonce, Now());
        if (auto* error = std::get_if<WsError>(&verified)) {
            RejectHandshake(*session, id, *error, net::kWsClosePolicyViolation, "device_auth");
            co_return;
        }
        auto& device = std::get<VerifiedDevice>(verified);
        DeviceAccessRequest wish{tenant_id, device.device_id, device.public_key, params.role, params.scopes,
                                 params.client.id, params.client.mode, params.client.platform,
                                 params.client.device_family, params.client.display_name, ip, local};
        wish.presented_valid_token = auth.grant && auth.grant->device.device_id == device.device_id;
        auto decision = co_await pairing_.Decide(std::move(wish));
        if (!decision) {
            RejectHandshake(*session, id, FromError(decision.error()), kCloseInternalError, "internal");
            co_return;
        }
        if (!decision->granted) {
            WsError error = decision->request ? PairingRequired(*decision->request) : InvalidRequest("pairing required");
            RejectHandshake(*session, id, error, net::kWsClosePolicyViolation, "pairing_required");
            co_return;
        }
        device_id = device.device_id;
        hello.device_token = decision->device_token;
        hello.device_token_issued_at_ms = decision->device_token_issued_at_ms;
    }

    // Granted scopes: what was asked for; a device token caps them at the token's scopes. Without a
    // device identity only the CLI and backend clients keep theirs (OpenClaw 2026.9.6, observed): other
    // device-less clients are admitted with no scopes.
    std::vector<std::string> scopes = params.scopes;
    if (!device_id && !DevicelessClientKeepsScopes(params.client)) {
        scopes.clear();
    }
    if (auth.grant) {
        std::erase_if(scopes, [&](const std::string& scope) { return !ScopeSatisfied(auth.grant->token.scopes, scope); });
    }

    ConnectionInfo info;
    info.conn_id = NewUuid();
    info.tenant_id = tenant_id;
    info.user_id = std::string(domain::kDefaultUserId);
    info.role = params.role;
    info.scopes = std::move(scopes);
    info.caps = params.caps;
    info.client_id = params.client.id;
    info.client_mode = params.client.mode;
    info.client_version = params.client.version;
    info.platform = params.client.platform;
    info.device_family = params.client.device_family;
    info.display_name = params.client.display_name;
    info.instance_id = params.client.instance_id;
    info.device_id = device_id;
    info.remote_ip = ip;
    info.auth_method = auth.method;
    info.connected_at_ms = Now();

    auto conn = std::make_shared<Connection>(session, std::move(info));
    {
        // The session may have ended while the store was consulted: register only if it is still here.
        std::lock_guard lock(mutex_);
        if (!sessions_.contains(std::string(session->Id()))) {
            co_return;
        }
        open_[conn->Info().conn_id] = conn;
        state->conn = conn;  // from here on OnClose unregisters it
        connections_gauge_.Add(1);
    }
    presence_version_.fetch_add(1);
    hello.health = co_await BuildHealthSnapshot(*services_);
    health_version_.fetch_add(1);
    if (!conn->Open()) {
        co_return;
    }
    conn->SendResponse(id, BuildHello(conn->Info(), hello));
    session->SetReadLimit(deps_.config.server.ws_max_message_bytes);
    state->phase = SessionState::Phase::kOpen;
    conn->SendEvent("health", hello.health);
    hub_.Attach(conn);
    if (shutting_down_.load()) {
        json::object payload{{"reason", "shutdown"}, {"restartExpectedMs", nullptr}};
        conn->SendEvent("shutdown", payload);
        conn->Close(net::kWsCloseServiceRestart, "service restart");
    }
}

}  // namespace gw::api::ws
