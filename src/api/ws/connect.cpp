#include "api/ws/internal/connect.hpp"

#include <utility>

#include <boost/json/object.hpp>

#include "api/ws/internal/params.hpp"
#include "crypto/ed25519.hpp"

namespace gw::api::ws {
namespace {

constexpr std::string_view kMethod = "connect";
constexpr std::size_t kMaxField = 256;
constexpr std::size_t kMaxSecret = 4096;

std::string Lower(std::string_view text) {
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && (text[begin] == ' ' || text[begin] == '\t' || text[begin] == '\n' || text[begin] == '\r')) {
        ++begin;
    }
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\n' || text[end - 1] == '\r')) {
        --end;
    }
    std::string out(text.substr(begin, end - begin));
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
    std::string out;
    for (const auto& scope : scopes) {
        if (!out.empty()) {
            out += ',';
        }
        out += scope;
    }
    return out;
}

// The token slot of the signed string: the shared token if sent, else the device token.
std::string SignedToken(const ConnectAuth& auth) {
    if (auth.token) {
        return *auth.token;
    }
    if (auth.device_token) {
        return *auth.device_token;
    }
    if (auth.bootstrap_token) {
        return *auth.bootstrap_token;
    }
    return {};
}

std::string PayloadPrefix(std::string_view version, const ConnectParams& params, std::string_view nonce) {
    const ConnectDevice& device = *params.device;
    std::string out(version);
    for (std::string_view part : {std::string_view(device.id), std::string_view(params.client.id),
                                  std::string_view(params.client.mode), std::string_view(params.role)}) {
        out += '|';
        out += part;
    }
    out += '|' + JoinScopes(params.scopes);
    out += '|' + std::to_string(device.signed_at);
    out += '|' + SignedToken(params.auth);
    out += '|';
    out += nonce;
    return out;
}

WsError DeviceError(std::string_view code, std::string_view reason, std::string message) {
    WsError error = InvalidRequest(std::move(message));
    error.details["code"] = code;
    error.details["reason"] = reason;
    return error;
}

bool ReadClient(const json::value& value, ConnectClient& client, std::optional<WsError>& error) {
    ParamReader reader(kMethod, value, "/client");
    client.id = reader
                    .Enum("id", true,
                          {"webchat-ui", "openclaw-control-ui", "openclaw-browser-copilot", "openclaw-tui", "webchat",
                           "cli", "gateway-client", "openclaw-macos", "openclaw-linux", "openclaw-ios",
                           "openclaw-watchos", "openclaw-android", "node-host", "openclaw-worker", "test",
                           "fingerprint", "openclaw-probe"})
                    .value_or("");
    client.version = reader.String("version", true, kMaxField).value_or("");
    client.platform = reader.String("platform", true, kMaxField).value_or("");
    client.mode =
        reader.Enum("mode", true, {"webchat", "cli", "ui", "backend", "node", "worker", "probe", "test"}).value_or("");
    client.display_name = reader.String("displayName", false, kMaxField).value_or("");
    client.device_family = reader.String("deviceFamily", false, kMaxField).value_or("");
    client.model_identifier = reader.String("modelIdentifier", false, kMaxField).value_or("");
    client.instance_id = reader.String("instanceId", false, kMaxField).value_or("");
    reader.String("buildId", false, kMaxField);   // sent by the Control UI; informational
    reader.String("timeZone", false, kMaxField);  // sent by the Control UI; informational
    error = reader.Finish();
    return !error;
}

bool ReadAuth(const json::value& value, ConnectAuth& auth, std::optional<WsError>& error) {
    ParamReader reader(kMethod, value, "/auth");
    auth.token = reader.String("token", false, kMaxSecret);
    auth.password = reader.String("password", false, kMaxSecret);
    auth.device_token = reader.String("deviceToken", false, kMaxSecret);
    auth.bootstrap_token = reader.String("bootstrapToken", false, kMaxSecret);
    reader.String("approvalRuntimeToken", false, kMaxSecret);
    reader.String("agentRuntimeIdentityToken", false, kMaxSecret);
    error = reader.Finish();
    // An empty string counts as not sent (clients send token:"" when none is configured).
    for (auto* field : {&auth.token, &auth.password, &auth.device_token, &auth.bootstrap_token}) {
        if (*field && (*field)->empty()) {
            field->reset();
        }
    }
    return !error;
}

bool ReadDevice(const json::value& value, ConnectDevice& device, std::optional<WsError>& error) {
    ParamReader reader(kMethod, value, "/device");
    device.id = reader.String("id", true, kMaxField).value_or("");
    device.public_key = reader.String("publicKey", true, kMaxSecret).value_or("");
    device.signature = reader.String("signature", true, kMaxSecret).value_or("");
    device.signed_at = reader.Int("signedAt", true, 0, INT64_MAX).value_or(0);
    device.nonce = reader.String("nonce", false, kMaxField);
    error = reader.Finish();
    return !error;
}

bool ValidScope(std::string_view scope) {
    return scope.starts_with("operator.") && scope.size() > 9 && scope.size() <= 128;
}

}  // namespace

std::variant<ConnectParams, WsError> ParseConnectParams(const json::value& value) {
    ConnectParams params;
    ParamReader reader(kMethod, value);
    params.min_protocol = reader.Int("minProtocol", true, 0, 1'000'000).value_or(0);
    params.max_protocol = reader.Int("maxProtocol", true, 0, 1'000'000).value_or(0);
    auto client = reader.Any("client", true);
    params.role = reader.Enum("role", false, {"operator", "node", "worker"}).value_or("operator");
    params.scopes = reader.StringArray("scopes", false, 64).value_or(std::vector<std::string>{});
    params.caps = reader.StringArray("caps", false, 64).value_or(std::vector<std::string>{});
    reader.StringArray("commands", false, 1024);
    auto permissions = reader.Any("permissions", false);
    auto auth = reader.Any("auth", false);
    auto device = reader.Any("device", false);
    params.locale = reader.String("locale", false, kMaxField).value_or("");
    params.user_agent = reader.String("userAgent", false, 1024).value_or("");
    reader.String("pathEnv", false, 64 * 1024);
    reader.Any("modelCatalog", false);  // Control UI: {sessionKey}; no model-catalog snapshot is pushed
    if (auto error = reader.Finish()) {
        return *std::move(error);
    }
    if (permissions && !permissions->is_object()) {
        return InvalidRequest("invalid connect params: /permissions must be object");
    }
    for (std::size_t i = 0; i < params.scopes.size(); ++i) {
        if (!ValidScope(params.scopes[i])) {
            return InvalidRequest("invalid connect params: /scopes/" + std::to_string(i) +
                                  " must be equal to one of the allowed values");
        }
    }
    std::optional<WsError> nested;
    if (!ReadClient(*client, params.client, nested)) {
        return *std::move(nested);
    }
    if (auth && !ReadAuth(*auth, params.auth, nested)) {
        return *std::move(nested);
    }
    if (device) {
        params.device.emplace();
        if (!ReadDevice(*device, *params.device, nested)) {
            return *std::move(nested);
        }
    }
    return params;
}

std::variant<std::int64_t, WsError> NegotiateProtocol(const ConnectParams& params) {
    if (params.min_protocol <= kProtocolVersion && params.max_protocol >= kProtocolVersion) {
        return kProtocolVersion;
    }
    const bool may_use_probe_protocol = params.role == "node" || params.client.mode == "probe" ||
                                        params.client.mode == "node";
    if (may_use_probe_protocol && params.min_protocol <= kMinimumProbeProtocol &&
        params.max_protocol >= kMinimumProbeProtocol) {
        return kMinimumProbeProtocol;
    }
    WsError error = InvalidRequest("protocol mismatch");
    error.details["code"] = "PROTOCOL_MISMATCH";
    error.details["clientMinProtocol"] = params.min_protocol;
    error.details["clientMaxProtocol"] = params.max_protocol;
    error.details["expectedProtocol"] = kProtocolVersion;
    error.details["minimumProbeProtocol"] = kMinimumProbeProtocol;
    return error;
}

std::string DeviceAuthPayloadV3(const ConnectParams& params, std::string_view nonce) {
    std::string out = PayloadPrefix("v3", params, nonce);
    out += '|' + Lower(params.client.platform);
    out += '|' + Lower(params.client.device_family);
    return out;
}

std::string DeviceAuthPayloadV2(const ConnectParams& params, std::string_view nonce) {
    return PayloadPrefix("v2", params, nonce);
}

std::variant<VerifiedDevice, WsError> VerifyDeviceProof(
    const ConnectParams& params, std::string_view challenge_nonce, std::int64_t now_ms
) {
    const ConnectDevice& device = *params.device;
    auto key = crypto::ParseDevicePublicKey(device.public_key);
    if (!key) {
        return DeviceError("DEVICE_AUTH_PUBLIC_KEY_INVALID", "device-public-key", "device public key invalid");
    }
    VerifiedDevice verified{crypto::DeviceIdFromPublicKey(*key), crypto::EncodeDevicePublicKey(*key)};
    if (device.id != verified.device_id) {
        return DeviceError("DEVICE_AUTH_DEVICE_ID_MISMATCH", "device-id-mismatch", "device identity mismatch");
    }
    const std::int64_t skew = device.signed_at > now_ms ? device.signed_at - now_ms : now_ms - device.signed_at;
    if (skew > kDeviceSignatureSkewMs) {
        return DeviceError("DEVICE_AUTH_SIGNATURE_EXPIRED", "device-signature-stale", "device signature expired");
    }
    if (!device.nonce || device.nonce->empty()) {
        return DeviceError("DEVICE_AUTH_NONCE_REQUIRED", "device-nonce-missing", "device nonce required");
    }
    if (*device.nonce != challenge_nonce) {
        return DeviceError("DEVICE_AUTH_NONCE_MISMATCH", "device-nonce-mismatch", "device nonce mismatch");
    }
    const std::string v3 = DeviceAuthPayloadV3(params, challenge_nonce);
    auto result = crypto::VerifyDeviceSignature(verified.public_key, v3, device.signature);
    if (!result) {
        const std::string v2 = DeviceAuthPayloadV2(params, challenge_nonce);
        result = crypto::VerifyDeviceSignature(verified.public_key, v2, device.signature);
    }
    if (!result) {
        const auto kind = crypto::ClassifyDeviceProofError(result.error());
        if (kind == crypto::DeviceProofFailure::kPublicKeyInvalid) {
            return DeviceError("DEVICE_AUTH_PUBLIC_KEY_INVALID", "device-public-key", "device public key invalid");
        }
        return DeviceError("DEVICE_AUTH_SIGNATURE_INVALID", "device-signature", "device signature invalid");
    }
    return verified;
}

WsError AuthError(AuthFailure failure, const ConnectClient& client, bool local,
                  std::optional<std::int64_t> retry_after_ms) {
    const bool cli = client.id == "cli" || client.mode == "cli";
    const bool ui = client.id == "openclaw-control-ui" || client.mode == "ui";
    const bool webchat = client.id == "webchat" || client.id == "webchat-ui" || client.mode == "webchat";
    const std::string ui_hint = "open the dashboard URL and paste the token in Control UI settings";
    const std::string token_hint = cli ? (local ? "use this gateway's gateway.auth.token or pair the device"
                                                : "set gateway.remote.token to match gateway.auth.token")
                                   : (ui || webchat) ? ui_hint
                                                     : "provide gateway auth token";
    const std::string password_hint = cli ? (local ? "use this gateway's gateway.auth.password"
                                                   : "set gateway.remote.password to match gateway.auth.password")
                                      : (ui || webchat) ? "enter the password in Control UI settings"
                                                        : "provide gateway auth password";
    std::string message;
    std::string_view code;
    std::string_view reason;
    std::string_view next_step;
    bool can_retry = false;
    switch (failure) {
        case AuthFailure::kTokenMissing:
            message = "unauthorized: gateway token missing (" +
                      ((ui || webchat) ? std::string("paste in Control UI settings or openclaw doctor "
                                                     "--generate-gateway-token; restart")
                                       : token_hint) +
                      ")";
            code = "AUTH_TOKEN_MISSING";
            reason = "token_missing";
            next_step = "update_auth_configuration";
            break;
        case AuthFailure::kTokenMismatch:
            message = "unauthorized: gateway token mismatch (" + token_hint + ")";
            code = "AUTH_TOKEN_MISMATCH";
            reason = "token_mismatch";
            next_step = "retry_with_device_token";
            can_retry = true;
            break;
        case AuthFailure::kPasswordMissing:
            message = "unauthorized: gateway password missing (" + password_hint + ")";
            code = "AUTH_PASSWORD_MISSING";
            reason = "password_missing";
            next_step = "update_auth_configuration";
            break;
        case AuthFailure::kPasswordMismatch:
            message = "unauthorized: gateway password mismatch (" + password_hint + ")";
            code = "AUTH_PASSWORD_MISMATCH";
            reason = "password_mismatch";
            next_step = "update_auth_credentials";
            break;
        case AuthFailure::kDeviceTokenMismatch:
            message = "unauthorized: device token mismatch (rotate/reissue device token)";
            code = "AUTH_DEVICE_TOKEN_MISMATCH";
            reason = "device_token_mismatch";
            next_step = "update_auth_credentials";
            break;
        case AuthFailure::kRateLimited:
            message = "unauthorized: too many failed authentication attempts (retry later)";
            code = "AUTH_RATE_LIMITED";
            reason = "rate_limited";
            next_step = "wait_then_retry";
            break;
    }
    WsError error = InvalidRequest(std::move(message));
    error.details["code"] = code;
    error.details["authReason"] = reason;
    error.details["canRetryWithDeviceToken"] = can_retry;
    error.details["recommendedNextStep"] = next_step;
    if (retry_after_ms) {
        error.details["retryAfterMs"] = *retry_after_ms;
        error.retryable = true;
        error.retry_after_ms = retry_after_ms;
    }
    return error;
}

}  // namespace gw::api::ws
