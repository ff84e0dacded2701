#include "api/ws/internal/origin.hpp"

#include <cctype>
#include <string>

namespace gw::api::ws {
namespace {

std::string Lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    while (!out.empty() && out.back() == '/') {
        out.pop_back();
    }
    return out;
}

}  // namespace

bool OriginAllowed(const config::ControlUiOptions& options, std::string_view origin, std::string_view host) {
    if (origin.empty()) {
        return true;
    }
    const std::string wanted = Lower(origin);
    for (const auto& allowed : options.allowed_origins) {
        if (allowed == "*" || Lower(allowed) == wanted) {
            return true;
        }
    }
    if (!options.enabled || host.empty()) {
        return false;
    }
    const std::size_t scheme_end = wanted.find("://");
    if (scheme_end == std::string::npos) {
        return false;
    }
    const std::string_view scheme = std::string_view(wanted).substr(0, scheme_end);
    return (scheme == "http" || scheme == "https") && wanted.substr(scheme_end + 3) == Lower(host);
}

}  // namespace gw::api::ws
