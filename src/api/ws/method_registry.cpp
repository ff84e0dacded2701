#include <algorithm>

#include <boost/json/serialize.hpp>

#include "api/ws/internal/methods.hpp"
#include "base/check.hpp"

namespace gw::api::ws {

bool ScopeSatisfied(const std::vector<std::string>& granted, std::string_view required) noexcept {
    if (required.empty()) {
        return true;
    }
    const auto has = [&](std::string_view scope) {
        return std::find(granted.begin(), granted.end(), scope) != granted.end();
    };
    if (has(kScopeAdmin) || has(required)) {
        return true;
    }
    return required == kScopeRead && has(kScopeWrite);
}

bool ConnectionInfo::HasCap(std::string_view cap) const noexcept {
    return std::find(caps.begin(), caps.end(), cap) != caps.end();
}

void ClientConnection::SendEvent(std::string_view event, const json::value& payload) {
    SendSerializedEvent(event, json::serialize(payload));
}

void MethodRegistry::Add(MethodSpec spec) {
    GW_CHECK(spec.handler != nullptr, "method without a handler");
    std::string name = spec.name;
    const bool inserted = methods_.emplace(std::move(name), std::move(spec)).second;
    GW_CHECK(inserted, "duplicate method name");
}

const MethodSpec* MethodRegistry::Find(std::string_view name) const {
    auto it = methods_.find(name);
    return it == methods_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodRegistry::Names() const {
    std::vector<std::string> names;
    names.reserve(methods_.size());
    for (const auto& [name, spec] : methods_) {
        names.push_back(name);
    }
    return names;
}

}  // namespace gw::api::ws
