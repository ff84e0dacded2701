#include "net/http_types.hpp"

#include "obs/log.hpp"

namespace gw::net {
namespace {

char Lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr std::size_t kMaxRequestIdLength = 64;

}  // namespace

bool IEquals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (Lower(a[i]) != Lower(b[i])) {
            return false;
        }
    }
    return true;
}

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (IEquals(k, name)) {
            return std::string_view(v);
        }
    }
    return std::nullopt;
}

bool IsValidRequestId(std::string_view id) noexcept {
    if (id.empty() || id.size() > kMaxRequestIdLength) {
        return false;
    }
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

HttpResponse JsonError(
    int status, std::string_view code, std::string_view message, std::string_view request_id
) {
    HttpResponse resp;
    resp.status = status;
    resp.body.reserve(48 + code.size() + message.size() + request_id.size());
    resp.body += R"({"error":{"code":")";
    obs::AppendJsonEscaped(resp.body, code);
    resp.body += R"(","message":")";
    obs::AppendJsonEscaped(resp.body, message);
    resp.body += R"(","request_id":")";
    obs::AppendJsonEscaped(resp.body, request_id);
    resp.body += R"("}})";
    if (status == 503) {
        resp.headers.emplace_back("Retry-After", "1");
    }
    return resp;
}

}  // namespace gw::net
