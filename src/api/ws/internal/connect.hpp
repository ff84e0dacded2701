#pragma once
/// @file
/// @brief The `connect` request (reference §2.2): strict ConnectParams parsing, the protocol range
/// check, the Ed25519 device proof (v3/v2 signed strings, ±120 s, nonce equality) and the auth failure
/// errors with OpenClaw's detail codes and hints. Pure functions; module-internal.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

#include "api/ws/internal/frames.hpp"

namespace gw::api::ws {

inline constexpr std::int64_t kProtocolVersion = 4;
inline constexpr std::int64_t kMinimumProbeProtocol = 3;
/// Allowed clock skew of device.signedAt.
inline constexpr std::int64_t kDeviceSignatureSkewMs = 120'000;

struct ConnectClient {
    std::string id;
    std::string version;
    std::string platform;
    std::string mode;
    std::string display_name;
    std::string device_family;
    std::string model_identifier;
    std::string instance_id;
};

struct ConnectAuth {
    std::optional<std::string> token;
    std::optional<std::string> password;
    std::optional<std::string> device_token;
    std::optional<std::string> bootstrap_token;
};

struct ConnectDevice {
    std::string id;
    std::string public_key;
    std::string signature;
    std::int64_t signed_at = 0;
    std::optional<std::string> nonce;
};

struct ConnectParams {
    std::int64_t min_protocol = 0;
    std::int64_t max_protocol = 0;
    ConnectClient client;
    std::string role = "operator";
    std::vector<std::string> scopes;
    std::vector<std::string> caps;
    ConnectAuth auth;
    std::optional<ConnectDevice> device;
    std::string locale;
    std::string user_agent;
};

/// Strict parse of `connect` params (closed objects, closed client.id / client.mode / role enums).
/// Errors are INVALID_REQUEST "invalid connect params: ...".
std::variant<ConnectParams, WsError> ParseConnectParams(const json::value& params);

/// The protocol this connection speaks (4; 3 for node/probe clients whose range stops at 3), or a
/// PROTOCOL_MISMATCH error (the caller closes 1002 "protocol mismatch").
std::variant<std::int64_t, WsError> NegotiateProtocol(const ConnectParams& params);

/// `v3|deviceId|clientId|clientMode|role|scopes|signedAtMs|token|nonce|platform|deviceFamily`
/// (platform and deviceFamily trimmed and ASCII-lowercased).
std::string DeviceAuthPayloadV3(const ConnectParams& params, std::string_view nonce);
/// `v2|deviceId|clientId|clientMode|role|scopes|signedAtMs|token|nonce`.
std::string DeviceAuthPayloadV2(const ConnectParams& params, std::string_view nonce);

/// A verified device: its canonical (raw base64url) public key.
struct VerifiedDevice {
    std::string device_id;
    std::string public_key;
};

/// Verifies params.device (which must be present) against the challenge nonce and `now_ms`.
/// Errors: INVALID_REQUEST with details {code: DEVICE_AUTH_*, reason}; the caller closes 1008 with
/// the message.
std::variant<VerifiedDevice, WsError> VerifyDeviceProof(
    const ConnectParams& params, std::string_view challenge_nonce, std::int64_t now_ms
);

/// Shared-secret / device-token failures (OpenClaw authReason values).
enum class AuthFailure {
    kTokenMissing,
    kTokenMismatch,
    kPasswordMissing,
    kPasswordMismatch,
    kDeviceTokenMismatch,
    kRateLimited,
};

/// INVALID_REQUEST "unauthorized: ..." with details {code: AUTH_*, authReason,
/// canRetryWithDeviceToken, recommendedNextStep[, retryAfterMs]}; the message hint depends on the
/// client kind (cli / Control UI / webchat / other) and on `local`.
WsError AuthError(AuthFailure failure, const ConnectClient& client, bool local,
                  std::optional<std::int64_t> retry_after_ms = std::nullopt);

}  // namespace gw::api::ws
