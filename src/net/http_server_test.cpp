#include "net/http_server.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <gtest/gtest.h>

#include "net/internal/test_support.hpp"

namespace gw::net {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using runtime::RunCoro;
using Clock = std::chrono::steady_clock;

TEST(HttpServerTest, ServesTwoRequestsOnOneKeepAliveConnection) {
    ServerFixture f;
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        beast::flat_buffer buffer;
        for (int i = 0; i < 2; ++i) {
            co_await Send(socket, Request("GET", "/hello"));
            auto r = co_await Read(socket, buffer);
            EXPECT_TRUE(r.has_value());
            if (r) {
                EXPECT_EQ(r->status, 200);
                EXPECT_EQ(r->body, R"({"hello":"world"})");
                EXPECT_EQ(r->Header("Content-Type"), "application/json");
                EXPECT_EQ(r->Header("Connection"), "keep-alive");
                ExpectCommonHeaders(*r);
            }
        }
    }());
    EXPECT_EQ(f.observer.opened.load(), 1);
    // Responses are counted right after they are written, so the count may trail the client a little.
    EXPECT_TRUE(WaitFor([&] { return f.observer.RequestCount(200) == 2; }));
}

TEST(HttpServerTest, RoutingErrorsAreJsonWithSecurityHeaders) {
    ServerFixture f;
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto missing = co_await Fetch(f.Port(), Request("GET", "/missing"));
        EXPECT_TRUE(missing.has_value());
        if (missing) {
            ExpectJsonError(*missing, 404, "not_found");
        }
        auto wrong = co_await Fetch(f.Port(), Request("DELETE", "/hello"));
        EXPECT_TRUE(wrong.has_value());
        if (wrong) {
            ExpectJsonError(*wrong, 405, "method_not_allowed");
            EXPECT_EQ(wrong->Header("Allow"), "GET, HEAD");
        }
        auto head = co_await Fetch(f.Port(), Request("HEAD", "/hello"), true);
        EXPECT_TRUE(head.has_value());
        if (head) {
            EXPECT_EQ(head->status, 200);
            EXPECT_EQ(
                head->Header("Content-Length"), std::to_string(std::string(R"({"hello":"world"})").size())
            );
            EXPECT_TRUE(head->body.empty());
            ExpectCommonHeaders(*head);
        }
    }());
    EXPECT_EQ(f.observer.ErrorCount("not_found"), 1);
    EXPECT_EQ(f.observer.ErrorCount("method_not_allowed"), 1);
}

TEST(HttpServerTest, HeadResponseCarriesNoBodyOnTheWire) {
    ServerFixture f;
    AddTestRoutes(f.router);
    f.Start();
    const std::string raw = RunCoro([&]() -> asio::awaitable<std::string> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("HEAD", "/hello", "Connection: close\r\n"));
        co_return co_await ReadToEof(socket);
    }());
    EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << raw;
    EXPECT_EQ(raw.substr(raw.size() - 4), "\r\n\r\n") << raw;
    EXPECT_EQ(raw.find("world"), std::string::npos);
}

TEST(HttpServerTest, ValidRequestIdIsEchoedAndTraceIdComesFromTraceparent) {
    ServerFixture f;
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto good = co_await Fetch(
            f.Port(),
            Request(
                "GET",
                "/info?x=1",
                "X-Request-Id: my-req.1\r\nX-Custom: yes\r\n"
                "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"
            )
        );
        EXPECT_TRUE(good.has_value());
        if (good) {
            EXPECT_EQ(good->Header("X-Request-Id"), "my-req.1");
            EXPECT_EQ(good->body, "my-req.1|4bf92f3577b34da6a3ce929d0e0e4736|/info|x=1|127.0.0.1|yes");
        }
        auto bad = co_await Fetch(
            f.Port(), Request("GET", "/info", "X-Request-Id: has space!\r\ntraceparent: junk\r\n")
        );
        EXPECT_TRUE(bad.has_value());
        if (bad) {
            const auto rid = bad->Header("X-Request-Id").value_or("");
            EXPECT_EQ(rid.size(), 16U);
            EXPECT_NE(rid, "has space!");
            EXPECT_EQ(bad->body, rid + "||/info||127.0.0.1|-");
        }
    }());
}

TEST(HttpServerTest, MalformedRequestGets400AndTheConnectionCloses) {
    ServerFixture f;
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        for (const std::string bad :
             {"GARBAGE\r\n\r\n",
              "GET /hello HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
              "GET /hello HTTP/1.1\r\n\r\n",
              "GET http://x/hello HTTP/1.1\r\nHost: x\r\n\r\n"}) {
            auto socket = co_await Connect(f.Port());
            co_await Send(socket, bad);
            beast::flat_buffer buffer;
            auto r = co_await Read(socket, buffer);
            EXPECT_TRUE(r.has_value()) << bad;
            if (r) {
                ExpectJsonError(*r, 400, "bad_request");
            }
            const auto rest = co_await ReadToEof(socket);
            EXPECT_TRUE(rest.empty());
        }
    }());
    EXPECT_EQ(f.observer.ErrorCount("bad_request"), 4);
}

TEST(HttpServerTest, HandlerExceptionBecomes500AndTheConnectionStaysUsable) {
    ServerFixture f;
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        beast::flat_buffer buffer;
        co_await Send(socket, Request("GET", "/boom"));
        auto r = co_await Read(socket, buffer);
        EXPECT_TRUE(r.has_value());
        if (r) {
            ExpectJsonError(*r, 500, "internal");
            EXPECT_EQ(r->body.find("exploded"), std::string::npos);  // internal text stays in the logs
        }
        co_await Send(socket, Request("GET", "/hello"));
        auto after = co_await Read(socket, buffer);
        EXPECT_TRUE(after && after->status == 200);
    }());
    EXPECT_EQ(f.observer.ErrorCount("internal"), 1);
}

TEST(HttpServerTest, ExpectContinueGets100BeforeTheBody) {
    ServerFixture f;
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(
            socket, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
        );
        beast::flat_buffer buffer;
        auto cont = co_await Read(socket, buffer);
        EXPECT_TRUE(cont && cont->status == 100);
        co_await Send(socket, "hello");
        auto r = co_await Read(socket, buffer);
        EXPECT_TRUE(r && r->status == 200 && r->body == "hello");
    }());
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
    ServerFixture f;
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("POST", "/echo", "", "one") + Request("POST", "/echo", "", "two"));
        beast::flat_buffer buffer;
        auto a = co_await Read(socket, buffer);
        auto b = co_await Read(socket, buffer);
        EXPECT_TRUE(a && a->body == "one");
        EXPECT_TRUE(b && b->body == "two");
    }());
}

TEST(HttpServerTest, Http10WithoutKeepAliveIsClosedAfterTheResponse) {
    ServerFixture f;
    AddTestRoutes(f.router);
    f.Start();
    const std::string raw = RunCoro([&]() -> asio::awaitable<std::string> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, "GET /hello HTTP/1.0\r\n\r\n");
        co_return co_await ReadToEof(socket);
    }());
    EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << raw;
    EXPECT_NE(raw.find("Connection: close\r\n"), std::string::npos);
    EXPECT_NE(raw.find(R"({"hello":"world"})"), std::string::npos);
}

TEST(HttpServerTest, DrainFinishesInFlightRequestsClosesIdleOnesAndStopsAccepting) {
    std::atomic<int> slow_started{0};
    ServerFixture f;
    AddTestRoutes(f.router, &slow_started);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto idle = co_await Connect(f.Port());
        beast::flat_buffer idle_buffer;
        co_await Send(idle, Request("GET", "/hello"));
        auto warm = co_await Read(idle, idle_buffer);
        EXPECT_TRUE(warm && warm->status == 200);

        auto busy = co_await Connect(f.Port());
        co_await Send(busy, Request("GET", "/slow"));
        EXPECT_TRUE(co_await Eventually([&] { return slow_started.load() == 1; }));
        f.Server().BeginDrain();
        EXPECT_TRUE(f.Server().Draining());

        EXPECT_TRUE((co_await ReadToEof(idle, 2000ms)).empty());  // idle keep-alive: closed at once
        // The listening socket closes: new connections are refused.
        const bool refused = co_await Eventually(
            [&] {
                Tcp::socket probe(idle.get_executor());
                boost::system::error_code ec;
                probe.connect(Tcp::endpoint(asio::ip::make_address("127.0.0.1"), f.Port()), ec);
                return ec == asio::error::connection_refused;
            },
            2000ms
        );
        EXPECT_TRUE(refused);

        beast::flat_buffer buffer;
        auto r = co_await Read(busy, buffer);  // the in-flight request still completes
        EXPECT_TRUE(r.has_value());
        if (r) {
            EXPECT_EQ(r->status, 200);
            EXPECT_EQ(r->body, "slow-done");
            EXPECT_EQ(r->Header("Connection"), "close");
        }
        EXPECT_TRUE((co_await ReadToEof(busy)).empty());
        EXPECT_TRUE(co_await Eventually([&] { return f.Server().OpenConnections() == 0; }));
    }());
}

TEST(HttpServerTest, ForceCloseCancelsAStuckHandler) {
    auto opts = TestOptions();
    opts.request_timeout = 60s;
    ServerFixture f(opts);
    AddTestRoutes(f.router);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("GET", "/sleep"));
        EXPECT_TRUE(co_await Eventually([&] { return f.Server().OpenConnections() == 1; }));
        const auto start = Clock::now();
        f.Server().ForceClose();
        co_await ReadToEof(socket, 2000ms);
        EXPECT_LT(Clock::now() - start, 2s);
        EXPECT_TRUE(co_await Eventually([&] { return f.Server().OpenConnections() == 0; }));
    }());
}

TEST(HttpServerStartTest, ReportsAddressInUse) {
    ServerFixture first;
    first.Start();
    runtime::IoRuntime rt;
    Router router;
    RecordingObserver observer;
    auto opts = TestOptions();
    opts.port = first.Port();
    HttpServer second(rt.Context(), opts, router, observer, nullptr);
    const auto r = second.Start();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(r.error().message.find("already in use"), std::string::npos) << r.error().message;
}

TEST(HttpServerStartTest, ReportsAnAddressNotOnThisHost) {
    runtime::IoRuntime rt;
    Router router;
    RecordingObserver observer;
    auto opts = TestOptions();
    opts.host = "203.0.113.7";  // TEST-NET-3: never a local address
    HttpServer server(rt.Context(), opts, router, observer, nullptr);
    const auto r = server.Start();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("203.0.113.7"), std::string::npos) << r.error().message;
}

TEST(HttpServerStartTest, PortZeroPicksAnEphemeralPort) {
    ServerFixture f;
    f.Start();
    EXPECT_NE(f.Port(), 0);
    EXPECT_EQ(f.Server().Scheme(), "http");
    EXPECT_FALSE(f.Server().ReloadTls());
}

}  // namespace
}  // namespace gw::net
