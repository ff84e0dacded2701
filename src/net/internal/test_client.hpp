#pragma once
/// @file
/// @brief Private to net's tests: coroutine HTTP clients over raw sockets (run them with
/// runtime::RunCoro) and checks of the response contract.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "net/http_types.hpp"

namespace gw::net::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Tcp = asio::ip::tcp;
using namespace std::chrono_literals;

/// Polls `pred` from a coroutine until it holds or `timeout` passes.
inline asio::awaitable<bool> Eventually(
    std::function<bool()> pred, std::chrono::milliseconds timeout = 5000ms
) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) {
            co_return false;
        }
        timer.expires_after(2ms);
        co_await timer.async_wait(asio::use_awaitable);
    }
    co_return true;
}

/// A parsed response.
struct Response {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool keep_alive = false;

    std::optional<std::string> Header(std::string_view name) const {
        for (const auto& [k, v] : headers) {
            if (IEquals(k, name)) {
                return v;
            }
        }
        return std::nullopt;
    }
};

inline asio::awaitable<Tcp::socket> Connect(std::uint16_t port) {
    Tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(
        Tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), asio::use_awaitable
    );
    co_return socket;
}

inline asio::awaitable<void> Send(Tcp::socket& socket, std::string data) {
    co_await asio::async_write(socket, asio::buffer(data), asio::use_awaitable);
}

/// Reads one response; nullopt if the connection ended first. `head`: response to a HEAD request.
inline asio::awaitable<std::optional<Response>> Read(
    Tcp::socket& socket, beast::flat_buffer& buffer, bool head = false
) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    parser.body_limit(boost::none);
    auto [ec, n] = co_await http::async_read(socket, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        co_return std::nullopt;
    }
    Response r;
    const auto& msg = parser.get();
    r.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg) {
        r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    r.body = msg.body();
    r.keep_alive = msg.keep_alive();
    co_return r;
}

/// Reads until the peer closes; returns what arrived. Fails the test if `timeout` passes first.
inline asio::awaitable<std::string> ReadToEof(
    Tcp::socket& socket, std::chrono::milliseconds timeout = 5000ms
) {
    std::string data;
    asio::steady_timer guard(co_await asio::this_coro::executor, timeout);
    guard.async_wait([&socket](const boost::system::error_code& ec) {
        if (!ec) {
            ADD_FAILURE() << "the server did not close the connection in time";
            boost::system::error_code ignored;
            socket.close(ignored);
        }
    });
    char buf[4096];
    for (;;) {
        auto [ec, n] =
            co_await socket.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
        data.append(buf, n);
        if (ec) {
            break;
        }
    }
    guard.cancel();
    co_return data;
}

/// A request with Host and (for a body) Content-Length.
inline std::string Request(
    std::string_view method,
    std::string_view target,
    std::string_view extra_headers = {},
    std::string_view body = {}
) {
    std::string r;
    r.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
    r.append(extra_headers);
    if (!body.empty() || method == "POST") {
        r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    }
    r.append("\r\n").append(body);
    return r;
}

/// One request on a fresh connection.
inline asio::awaitable<std::optional<Response>> Fetch(
    std::uint16_t port, std::string request, bool head = false
) {
    auto socket = co_await Connect(port);
    co_await Send(socket, std::move(request));
    beast::flat_buffer buffer;
    co_return co_await Read(socket, buffer, head);
}

/// Checks the headers every response must carry.
inline void ExpectCommonHeaders(const Response& r) {
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r.Header("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(r.Header("Permissions-Policy"), "camera=(), microphone=(self), geolocation=()");
    EXPECT_EQ(r.Header("Server"), "openclaw-gateway");
    const auto rid = r.Header("X-Request-Id");
    ASSERT_TRUE(rid.has_value());
    EXPECT_TRUE(IsValidRequestId(*rid)) << *rid;
}

/// Checks status, common headers and the body {"error":{"code","message","request_id"}}.
inline void ExpectJsonError(const Response& r, int status, std::string_view code) {
    EXPECT_EQ(r.status, status);
    ExpectCommonHeaders(r);
    EXPECT_EQ(r.Header("Content-Type"), "application/json");
    boost::system::error_code ec;
    const auto v = boost::json::parse(r.body, ec);
    ASSERT_FALSE(ec) << r.body;
    const auto* err = v.is_object() ? v.as_object().if_contains("error") : nullptr;
    ASSERT_TRUE(err != nullptr && err->is_object()) << r.body;
    const auto& o = err->as_object();
    ASSERT_TRUE(o.contains("code") && o.contains("message") && o.contains("request_id")) << r.body;
    EXPECT_EQ(o.at("code").as_string(), code);
    EXPECT_FALSE(o.at("message").as_string().empty());
    EXPECT_EQ(std::string(o.at("request_id").as_string()), r.Header("X-Request-Id").value_or("?"));
}

}  // namespace gw::net::testing
