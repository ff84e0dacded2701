#pragma once
/// @file
/// @brief Method + path routing for HttpServer: exact paths and prefix routes, 404 vs 405 (+ Allow),
/// HEAD served by the GET handler.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "net/http_types.hpp"

namespace gw::net {

/// A route handler. Runs on the connection's strand; may co_await anything; exceptions become 500.
using Handler = std::function<boost::asio::awaitable<HttpResponse>(const HttpRequest&)>;

/// The outcome of `Router::Match`. Pointers/views refer into the Router (valid while it lives).
struct RouteMatch {
    const Handler* handler = nullptr;  ///< set when status == 200
    int status = 404;                  ///< 200 (found), 404 (no such path), 405 (path exists, method not)
    bool head_fallback = false;        ///< a HEAD request served by the GET handler: send no body
    std::string_view allow;            ///< for 405: the Allow header value, e.g. "GET, HEAD, POST"
};

/// Routes are registered before the server starts (`Add*` are not thread-safe); `Match` is const and
/// safe from any thread. The most specific path wins (exact, then the longest prefix); the method is
/// checked against that path only.
class Router {
public:
    /// Adds an exact route; a `path` ending in '*' is a prefix route (`"/api/*"` matches "/api/" and
    /// everything below). Re-adding the same method and path replaces the handler.
    void Add(std::string method, std::string path, Handler handler);

    /// Adds a prefix route: every path starting with `prefix` ("/api/" matches "/api/x/y").
    void AddPrefix(std::string method, std::string prefix, Handler handler);

    /// Looks up `method` (case-sensitive) on `path` (no query).
    RouteMatch Match(std::string_view method, std::string_view path) const;

private:
    struct PathEntry {
        std::vector<std::pair<std::string, Handler>> methods;
        std::string allow;
    };

    struct StringHash {
        using is_transparent = void;

        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };

    static void AddTo(PathEntry& entry, std::string method, Handler handler);
    static RouteMatch MatchEntry(const PathEntry& entry, std::string_view method);

    std::unordered_map<std::string, PathEntry, StringHash, std::equal_to<>> exact_;
    std::vector<std::pair<std::string, PathEntry>> prefixes_;  ///< longest prefix first
};

}  // namespace gw::net
