#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <gtest/gtest.h>

#include "net/http_server.hpp"
#include "net/internal/test_support.hpp"

namespace gw::net {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using runtime::RunCoro;
using Clock = std::chrono::steady_clock;

TEST(HttpLimitsTest, BodyOverTheRouteLimitGets413BeforeItIsRead) {
    auto opts = TestOptions();
    opts.max_body_bytes = 1000;
    opts.route_body_limits = {{"/upload/", 100}, {"/upload/big/", 5000}};
    ServerFixture f(opts);
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto small = co_await Fetch(f.Port(), Request("POST", "/upload/a", "", std::string(100, 'x')));
        EXPECT_TRUE(small && small->status == 200 && small->body == "100");
        auto over = co_await Fetch(f.Port(), Request("POST", "/upload/a", "", std::string(101, 'x')));
        EXPECT_TRUE(over.has_value());
        if (over) {
            ExpectJsonError(*over, 413, "payload_too_large");
            EXPECT_EQ(over->Header("Connection"), "close");
        }
        // Longest prefix wins; other paths use max_body_bytes.
        auto big = co_await Fetch(f.Port(), Request("POST", "/upload/big/x", "", std::string(4000, 'x')));
        EXPECT_TRUE(big && big->status == 200 && big->body == "4000");
        auto echo = co_await Fetch(f.Port(), Request("POST", "/echo", "", std::string(1001, 'x')));
        EXPECT_TRUE(echo && echo->status == 413);
        // Content-Length far beyond the limit: answered without waiting for the body.
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n");
        beast::flat_buffer buffer;
        auto huge = co_await Read(socket, buffer);
        EXPECT_TRUE(huge && huge->status == 413);
    }());
    EXPECT_EQ(f.observer.ErrorCount("payload_too_large"), 3);
}

TEST(HttpLimitsTest, ChunkedBodyOverTheLimitGets413) {
    auto opts = TestOptions();
    opts.route_body_limits = {{"/upload/", 100}};
    ServerFixture f(opts);
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto ok = co_await Fetch(
            f.Port(),
            "POST /upload/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" +
                std::string(50, 'a') + "\r\n32\r\n" + std::string(50, 'b') + "\r\n0\r\n\r\n"
        );
        EXPECT_TRUE(ok && ok->status == 200 && ok->body == "100");
        auto over = co_await Fetch(
            f.Port(),
            "POST /upload/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" +
                std::string(64, 'a') + "\r\n40\r\n" + std::string(64, 'b') + "\r\n0\r\n\r\n"
        );
        EXPECT_TRUE(over.has_value());
        if (over) {
            ExpectJsonError(*over, 413, "payload_too_large");
        }
    }());
}

TEST(HttpLimitsTest, OversizedHeaderGets431) {
    auto opts = TestOptions();
    opts.max_header_bytes = 4096;
    ServerFixture f(opts);
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto fits =
            co_await Fetch(f.Port(), Request("GET", "/hello", "X-Pad: " + std::string(3000, 'p') + "\r\n"));
        EXPECT_TRUE(fits && fits->status == 200);
        auto r =
            co_await Fetch(f.Port(), Request("GET", "/hello", "X-Big: " + std::string(20000, 'b') + "\r\n"));
        EXPECT_TRUE(r.has_value());
        if (r) {
            ExpectJsonError(*r, 431, "request_header_fields_too_large");
        }
    }());
    EXPECT_EQ(f.observer.ErrorCount("header_too_large"), 1);
}

TEST(HttpLimitsTest, SlowHeaderClientIsCutOffWhileOthersAreServed) {
    auto opts = TestOptions();
    opts.header_read_timeout = 300ms;
    ServerFixture f(opts);
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        const auto start = Clock::now();
        auto slow = co_await Connect(f.Port());
        co_await Send(slow, "GET /hello HTTP/1.1\r\nHost: x\r\n");  // never finishes the header
        auto normal = co_await Fetch(f.Port(), Request("GET", "/hello"));
        EXPECT_TRUE(normal && normal->status == 200);
        EXPECT_LT(Clock::now() - start, 300ms);
        beast::flat_buffer buffer;
        auto r = co_await Read(slow, buffer);
        EXPECT_GE(Clock::now() - start, 250ms);
        EXPECT_TRUE(r.has_value());
        if (r) {
            ExpectJsonError(*r, 408, "request_timeout");
        }
        EXPECT_TRUE((co_await ReadToEof(slow)).empty());
    }());
    EXPECT_EQ(f.observer.ErrorCount("timeout"), 1);
}

TEST(HttpLimitsTest, SilentConnectionIsClosedWithoutAnAnswer) {
    auto opts = TestOptions();
    opts.header_read_timeout = 200ms;
    ServerFixture f(opts);
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        const auto start = Clock::now();
        auto socket = co_await Connect(f.Port());
        const auto got = co_await ReadToEof(socket);
        EXPECT_TRUE(got.empty()) << got;
        EXPECT_GE(Clock::now() - start, 150ms);
    }());
    EXPECT_EQ(f.observer.ErrorCount("timeout"), 0);
}

TEST(HttpLimitsTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
    auto opts = TestOptions();
    opts.keepalive_idle_timeout = 200ms;
    ServerFixture f(opts);
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("GET", "/hello"));
        beast::flat_buffer buffer;
        auto r = co_await Read(socket, buffer);
        EXPECT_TRUE(r && r->status == 200 && r->keep_alive);
        const auto idle_start = Clock::now();
        const auto rest = co_await ReadToEof(socket, 3000ms);
        EXPECT_TRUE(rest.empty());
        const auto idle = Clock::now() - idle_start;
        EXPECT_GE(idle, 150ms);
        EXPECT_LT(idle, 1500ms);
    }());
    EXPECT_TRUE(WaitFor([&] { return f.Server().OpenConnections() == 0; }));
}

TEST(HttpLimitsTest, ConnectionsOverTheCapGet503) {
    auto opts = TestOptions();
    opts.max_connections = 1;
    ServerFixture f(opts);
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto first = co_await Connect(f.Port());
        co_await Send(first, Request("GET", "/hello"));
        beast::flat_buffer b1;
        auto r1 = co_await Read(first, b1);
        EXPECT_TRUE(r1 && r1->status == 200);

        auto second = co_await Connect(f.Port());
        beast::flat_buffer b2;
        auto r2 = co_await Read(second, b2);
        EXPECT_TRUE(r2.has_value());
        if (r2) {
            ExpectJsonError(*r2, 503, "unavailable");
            EXPECT_EQ(r2->Header("Retry-After"), "1");
        }
        EXPECT_TRUE((co_await ReadToEof(second)).empty());

        // The admitted connection is unaffected, and its slot frees up when it closes.
        co_await Send(first, Request("GET", "/hello"));
        auto r3 = co_await Read(first, b1);
        EXPECT_TRUE(r3 && r3->status == 200);
        first.close();
        EXPECT_TRUE(co_await Eventually([&] { return f.Server().OpenConnections() == 0; }));
        auto third = co_await Fetch(f.Port(), Request("GET", "/hello"));
        EXPECT_TRUE(third && third->status == 200);
    }());
    EXPECT_EQ(f.observer.ErrorCount("overload"), 1);
    EXPECT_EQ(f.observer.opened.load(), 2);
}

TEST(HttpLimitsTest, HandlerOverTheRequestTimeoutGets504) {
    auto opts = TestOptions();
    opts.request_timeout = 200ms;
    ServerFixture f(opts);
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        const auto start = Clock::now();
        auto r = co_await Fetch(f.Port(), Request("GET", "/sleep"));
        EXPECT_TRUE(r.has_value());
        if (r) {
            ExpectJsonError(*r, 504, "gateway_timeout");
        }
        EXPECT_LT(Clock::now() - start, 3s);
    }());
    EXPECT_EQ(f.observer.ErrorCount("timeout"), 1);
}

TEST(HttpLimitsTest, RouteHandlerTimeoutReplacesTheRequestTimeoutForItsPrefixOnly) {
    auto opts = TestOptions();
    opts.request_timeout = 100ms;
    opts.route_handler_timeouts = {{"/slo", 5s}};  // "/slow" (300 ms) may finish; "/sleep" may not
    ServerFixture f(opts);
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto slow = co_await Fetch(f.Port(), Request("GET", "/slow"));
        EXPECT_TRUE(slow.has_value());
        if (slow) {
            EXPECT_EQ(slow->status, 200);
            EXPECT_EQ(slow->body, "slow-done");
        }
        auto sleep = co_await Fetch(f.Port(), Request("GET", "/sleep"));
        EXPECT_TRUE(sleep.has_value());
        if (sleep) {
            ExpectJsonError(*sleep, 504, "gateway_timeout");
        }
    }());
}

TEST(HttpLimitsTest, BodyNotReceivedInTimeGets408) {
    auto opts = TestOptions();
    opts.request_timeout = 200ms;
    ServerFixture f(opts);
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
        beast::flat_buffer buffer;
        auto r = co_await Read(socket, buffer);
        EXPECT_TRUE(r.has_value());
        if (r) {
            ExpectJsonError(*r, 408, "request_timeout");
        }
    }());
}

}  // namespace
}  // namespace gw::net
