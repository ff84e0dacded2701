#include "net/router.hpp"

#include <algorithm>

namespace gw::net {

void Router::Add(std::string method, std::string path, Handler handler) {
    if (!path.empty() && path.back() == '*') {
        path.pop_back();
        AddPrefix(std::move(method), std::move(path), std::move(handler));
        return;
    }
    AddTo(exact_[std::move(path)], std::move(method), std::move(handler));
}

void Router::AddPrefix(std::string method, std::string prefix, Handler handler) {
    auto it =
        std::find_if(prefixes_.begin(), prefixes_.end(), [&](const auto& p) { return p.first == prefix; });
    if (it == prefixes_.end()) {
        prefixes_.emplace_back(std::move(prefix), PathEntry{});
        it = std::prev(prefixes_.end());
        AddTo(it->second, std::move(method), std::move(handler));
        std::stable_sort(prefixes_.begin(), prefixes_.end(), [](const auto& a, const auto& b) {
            return a.first.size() > b.first.size();
        });
        return;
    }
    AddTo(it->second, std::move(method), std::move(handler));
}

void Router::AddTo(PathEntry& entry, std::string method, Handler handler) {
    auto it = std::find_if(entry.methods.begin(), entry.methods.end(), [&](const auto& m) {
        return m.first == method;
    });
    if (it != entry.methods.end()) {
        it->second = std::move(handler);
        return;
    }
    entry.methods.emplace_back(std::move(method), std::move(handler));
    // Allow lists the registered methods, plus HEAD wherever GET is served.
    std::vector<std::string_view> names;
    bool has_get = false;
    bool has_head = false;
    for (const auto& m : entry.methods) {
        names.push_back(m.first);
        has_get = has_get || m.first == "GET";
        has_head = has_head || m.first == "HEAD";
    }
    if (has_get && !has_head) {
        names.emplace_back("HEAD");
    }
    std::sort(names.begin(), names.end());
    entry.allow.clear();
    for (auto n : names) {
        if (!entry.allow.empty()) {
            entry.allow += ", ";
        }
        entry.allow += n;
    }
}

RouteMatch Router::MatchEntry(const PathEntry& entry, std::string_view method) {
    RouteMatch m;
    const Handler* get = nullptr;
    for (const auto& [name, handler] : entry.methods) {
        if (name == method) {
            m.handler = &handler;
            m.status = 200;
            return m;
        }
        if (name == "GET") {
            get = &handler;
        }
    }
    if (method == "HEAD" && get != nullptr) {
        m.handler = get;
        m.status = 200;
        m.head_fallback = true;
        return m;
    }
    m.status = 405;
    m.allow = entry.allow;
    return m;
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
    if (auto it = exact_.find(path); it != exact_.end()) {
        return MatchEntry(it->second, method);
    }
    for (const auto& [prefix, entry] : prefixes_) {
        if (path.starts_with(prefix)) {
            return MatchEntry(entry, method);
        }
    }
    return RouteMatch{};
}

}  // namespace gw::net
