#include "api/http_auth.hpp"

#include <string>

#include "crypto/constant_time.hpp"
#include "obs/log.hpp"

namespace gw::api {
namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

net::HttpResponse Unauthorized() {
    net::HttpResponse resp;
    resp.status = 401;
    resp.body = std::string(kUnauthorizedBody);
    return resp;
}

}  // namespace

std::string_view ClientIp(const net::HttpRequest& request) noexcept {
    return request.client_ip.empty() ? std::string_view(request.remote_ip)
                                     : std::string_view(request.client_ip);
}

std::optional<std::string_view> BearerToken(const net::HttpRequest& request) {
    auto header = request.Header("Authorization");
    if (!header) {
        return std::nullopt;
    }
    auto value = Trim(*header);
    constexpr std::string_view kScheme = "bearer ";
    if (value.size() <= kScheme.size() || !net::IEquals(value.substr(0, kScheme.size()), kScheme)) {
        return std::nullopt;
    }
    auto token = Trim(value.substr(kScheme.size()));
    if (token.empty()) {
        return std::nullopt;
    }
    return token;
}

net::HttpResponse TooManyAuthFailures(std::chrono::seconds retry_after) {
    net::HttpResponse resp;
    resp.status = 429;
    resp.body = R"({"error":{"message":"Too many failed authentication attempts","type":"rate_limited"}})";
    resp.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
    return resp;
}

bool GatewayBearerAuth::Matches(std::string_view token) const {
    // Evaluate both comparisons so the timing does not reveal which secret is configured.
    const bool token_ok = auth_.token.IsSet() && crypto::ConstantTimeEquals(token, auth_.token.value);
    const bool password_ok =
        auth_.password.IsSet() && crypto::ConstantTimeEquals(token, auth_.password.value);
    return token_ok || password_ok;
}

std::optional<net::HttpResponse> GatewayBearerAuth::Check(const net::HttpRequest& request) const {
    if (!auth_.AnyConfigured()) {
        return std::nullopt;
    }
    if (auto retry = limiter_.RetryAfter(ClientIp(request))) {
        return TooManyAuthFailures(*retry);
    }
    auto token = BearerToken(request);
    if (token && Matches(*token)) {
        limiter_.RecordSuccess(ClientIp(request));
        return std::nullopt;
    }
    obs::Log(
        obs::LogLevel::kWarn,
        "gw.api",
        "http auth failed",
        {{"path", request.path},
         {"client_ip", ClientIp(request)},
         {"request_id", request.request_id},
         {"reason", token ? "bad credential" : "missing credential"}}
    );
    // The failure that reaches the cap still gets 401; the lockout applies from the next request on.
    limiter_.RecordFailure(ClientIp(request));
    return Unauthorized();
}

}  // namespace gw::api
