#include "net/websocket.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "net/http_server.hpp"
#include "net/internal/test_support.hpp"

namespace gw::net {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using runtime::RunCoro;
namespace websocket = beast::websocket;
using WsClient = websocket::stream<Tcp::socket>;

/// Echoes text; "flood" sends 16 KiB messages until Send refuses; "close" sends "bye" then closes 4000.
class EchoHandler final : public WebSocketHandler {
public:
    void OnOpen(std::shared_ptr<WebSocketSession> session) override {
        if (read_limit != 0) {
            session->SetReadLimit(read_limit);
        }
        std::lock_guard lock(mutex_);
        ids_.emplace_back(session->Id());
        last_ = session;
    }

    asio::awaitable<void> OnMessage(std::shared_ptr<WebSocketSession> session, std::string text) override {
        if (text == "flood") {
            const auto ex = co_await asio::this_coro::executor;
            for (int i = 0; i < 100000; ++i) {
                if (!session->Send(std::string(16 * 1024, 'f'))) {
                    refused_after = i;
                    co_return;
                }
                co_await asio::post(ex, asio::use_awaitable);  // let the writer run
            }
            co_return;
        }
        if (text == "throw") {
            throw std::runtime_error("protocol bug");
        }
        if (text == "close") {
            session->Send("bye");
            session->Close(4000, "bye");
            co_return;
        }
        session->Send(std::move(text));
    }

    void OnClose(WebSocketSession& /*session*/, std::uint16_t code) override {
        std::lock_guard lock(mutex_);
        codes_.push_back(code);
    }

    std::vector<std::uint16_t> Codes() const {
        std::lock_guard lock(mutex_);
        return codes_;
    }

    std::vector<std::string> Ids() const {
        std::lock_guard lock(mutex_);
        return ids_;
    }

    std::shared_ptr<WebSocketSession> Last() const {
        std::lock_guard lock(mutex_);
        return last_.lock();
    }

    std::size_t read_limit = 0;
    std::atomic<int> refused_after{-1};

private:
    mutable std::mutex mutex_;
    std::vector<std::string> ids_;
    std::vector<std::uint16_t> codes_;
    std::weak_ptr<WebSocketSession> last_;
};

struct ClientSession {
    std::unique_ptr<WsClient> ws;
    websocket::response_type response;
};

asio::awaitable<ClientSession> WsConnect(std::uint16_t port) {
    ClientSession c;
    c.ws = std::make_unique<WsClient>(co_await Connect(port));
    co_await c.ws->async_handshake(c.response, "localhost", "/ws", asio::use_awaitable);
    co_return c;
}

/// Reads until the session ends; returns the close code received (0 if no close frame arrived). Beast
/// 1.81's server teardown may reset the TCP connection right after its close frame, so the client's
/// read can end with an error even though the close frame (and its code) arrived.
asio::awaitable<std::uint16_t> ReadUntilClosed(WsClient& ws) {
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await ws.async_read(buffer, asio::as_tuple(asio::use_awaitable));
        buffer.consume(buffer.size());
        if (ec) {
            co_return static_cast<std::uint16_t>(ws.reason().code);
        }
    }
}

bool WaitForCode(const EchoHandler& h, std::uint16_t code) {
    return WaitFor([&] {
        const auto codes = h.Codes();
        return !codes.empty() && codes.back() == code;
    });
}

TEST(WebSocketTest, EchoesTextAndReportsTheClientsCloseCode) {
    EchoHandler handler;
    ServerFixture f(TestOptions(), &handler);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto c = co_await WsConnect(f.Port());
        EXPECT_EQ(c.response.result_int(), 101U);
        EXPECT_EQ(c.response[beast::http::field::server], "openclaw-gateway");
        EXPECT_EQ(c.response["X-Content-Type-Options"], "nosniff");
        for (const std::string& msg : std::vector<std::string>{"hi", "", std::string(100000, 'x')}) {
            co_await c.ws->async_write(asio::buffer(msg), asio::use_awaitable);
            beast::flat_buffer buffer;
            co_await c.ws->async_read(buffer, asio::use_awaitable);
            EXPECT_TRUE(c.ws->got_text());
            EXPECT_EQ(beast::buffers_to_string(buffer.data()), msg);
        }
        co_await c.ws->async_close(websocket::close_code::normal, asio::use_awaitable);
    }());
    EXPECT_TRUE(WaitForCode(handler, 1000));
    EXPECT_TRUE(WaitFor([&] { return f.Server().OpenConnections() == 0; }));
    EXPECT_EQ(f.observer.RequestCount(101), 1);
    ASSERT_EQ(handler.Ids().size(), 1U);
    EXPECT_EQ(handler.Ids()[0].size(), 36U);  // a UUID, not the client-controlled request id
}

TEST(WebSocketTest, ServerCloseSendsQueuedMessagesFirst) {
    EchoHandler handler;
    ServerFixture f(TestOptions(), &handler);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto c = co_await WsConnect(f.Port());
        co_await c.ws->async_write(asio::buffer(std::string("close")), asio::use_awaitable);
        beast::flat_buffer buffer;
        co_await c.ws->async_read(buffer, asio::use_awaitable);
        EXPECT_EQ(beast::buffers_to_string(buffer.data()), "bye");
        EXPECT_EQ(co_await ReadUntilClosed(*c.ws), 4000);
        EXPECT_EQ(std::string(c.ws->reason().reason.data(), c.ws->reason().reason.size()), "bye");
    }());
    EXPECT_TRUE(WaitForCode(handler, 4000));
    // The session object outlives the connection; sending on it is refused.
    auto last = handler.Last();
    if (last) {
        EXPECT_FALSE(last->Send("late"));
    }
}

TEST(WebSocketTest, BinaryFrameIsClosedWith1003) {
    EchoHandler handler;
    ServerFixture f(TestOptions(), &handler);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto c = co_await WsConnect(f.Port());
        c.ws->binary(true);
        co_await c.ws->async_write(asio::buffer(std::string("\x01\x02", 2)), asio::use_awaitable);
        EXPECT_EQ(co_await ReadUntilClosed(*c.ws), 1003);
    }());
    EXPECT_TRUE(WaitForCode(handler, 1003));
}

TEST(WebSocketTest, OversizedMessageIsClosedWith1009) {
    EchoHandler handler;
    auto opts = TestOptions();
    opts.ws_max_message_bytes = 1024;
    ServerFixture f(opts, &handler);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto c = co_await WsConnect(f.Port());
        co_await c.ws->async_write(asio::buffer(std::string(1024, 'a')), asio::use_awaitable);
        beast::flat_buffer buffer;
        co_await c.ws->async_read(buffer, asio::use_awaitable);
        EXPECT_EQ(buffer.size(), 1024U);
        co_await c.ws->async_write(asio::buffer(std::string(2000, 'a')), asio::use_awaitable);
        EXPECT_EQ(co_await ReadUntilClosed(*c.ws), 1009);
    }());
    EXPECT_TRUE(WaitForCode(handler, 1009));
}

TEST(WebSocketTest, SetReadLimitLowersTheCapForThisSession) {
    EchoHandler handler;
    handler.read_limit = 16;
    ServerFixture f(TestOptions(), &handler);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto c = co_await WsConnect(f.Port());
        co_await c.ws->async_write(asio::buffer(std::string(16, 'a')), asio::use_awaitable);
        beast::flat_buffer buffer;
        co_await c.ws->async_read(buffer, asio::use_awaitable);
        co_await c.ws->async_write(asio::buffer(std::string(17, 'a')), asio::use_awaitable);
        EXPECT_EQ(co_await ReadUntilClosed(*c.ws), 1009);
    }());
}

TEST(WebSocketTest, SlowConsumerIsClosedWhenItsQueueOverflows) {
    EchoHandler handler;
    auto opts = TestOptions();
    opts.ws_max_queued_bytes = 64 * 1024;
    ServerFixture f(opts, &handler);
    f.Start();
    RunCoro(
        [&]() -> asio::awaitable<void> {
            auto c = co_await WsConnect(f.Port());
            co_await c.ws->async_write(asio::buffer(std::string("flood")), asio::use_awaitable);
            // Never read: the socket buffers fill, the writer stalls, the queue overflows.
            EXPECT_TRUE(co_await Eventually([&] { return !handler.Codes().empty(); }, 15000ms));
            EXPECT_GT(handler.refused_after.load(), 0);
            // Reading now drains what was buffered and then finds the connection closed.
            co_await ReadUntilClosed(*c.ws);
        }(),
        std::chrono::seconds(30)
    );
    ASSERT_FALSE(handler.Codes().empty());
    EXPECT_EQ(handler.Codes().back(), 1008);
    EXPECT_TRUE(WaitFor([&] { return f.Server().OpenConnections() == 0; }));
}

TEST(WebSocketTest, HandlerExceptionClosesWith1011) {
    EchoHandler handler;
    ServerFixture f(TestOptions(), &handler);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto c = co_await WsConnect(f.Port());
        co_await c.ws->async_write(asio::buffer(std::string("throw")), asio::use_awaitable);
        EXPECT_EQ(co_await ReadUntilClosed(*c.ws), 1011);
    }());
    EXPECT_TRUE(WaitForCode(handler, 1011));
    EXPECT_EQ(f.observer.ErrorCount("internal"), 1);
}

TEST(WebSocketTest, InvalidUpgradeGetsJson400) {
    EchoHandler handler;
    ServerFixture f(TestOptions(), &handler);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto r = co_await Fetch(
            f.Port(),
            Request(
                "GET", "/ws", "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
            )
        );
        EXPECT_TRUE(r.has_value());
        if (r) {
            ExpectJsonError(*r, 400, "bad_request");
        }
    }());
    EXPECT_TRUE(handler.Codes().empty());
}

TEST(WebSocketTest, UpgradeWithoutAHandlerGets404) {
    ServerFixture f;
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto r = co_await Fetch(
            f.Port(),
            Request(
                "GET",
                "/ws",
                "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            )
        );
        EXPECT_TRUE(r.has_value());
        if (r) {
            ExpectJsonError(*r, 404, "not_found");
        }
    }());
}

TEST(WebSocketTest, DrainClosesWith1012RefusesNewConnectionsAndLetsSlowRequestsFinish) {
    EchoHandler handler;
    std::atomic<int> started{0};
    ServerFixture f(TestOptions(), &handler);
    f.router.Add("GET", "/slow", [&started](const HttpRequest&) -> asio::awaitable<HttpResponse> {
        ++started;
        asio::steady_timer t(co_await asio::this_coro::executor, 300ms);
        co_await t.async_wait(asio::use_awaitable);
        HttpResponse r;
        r.body = "done";
        co_return r;
    });
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto c = co_await WsConnect(f.Port());
        auto busy = co_await Connect(f.Port());
        co_await Send(busy, Request("GET", "/slow"));
        EXPECT_TRUE(co_await Eventually([&] { return started.load() == 1; }));

        f.Server().BeginDrain();
        EXPECT_EQ(co_await ReadUntilClosed(*c.ws), 1012);
        EXPECT_EQ(std::string(c.ws->reason().reason.data(), c.ws->reason().reason.size()), "service restart");
        const bool refused = co_await Eventually([&] {
            Tcp::socket probe(busy.get_executor());
            boost::system::error_code ec;
            probe.connect(Tcp::endpoint(asio::ip::make_address("127.0.0.1"), f.Port()), ec);
            return ec == asio::error::connection_refused;
        });
        EXPECT_TRUE(refused);
        beast::flat_buffer buffer;
        auto r = co_await Read(busy, buffer);
        EXPECT_TRUE(r && r->status == 200 && r->body == "done" && !r->keep_alive);
        EXPECT_TRUE(co_await Eventually([&] { return f.Server().OpenConnections() == 0; }));
    }());
    EXPECT_TRUE(WaitForCode(handler, 1012));
}

TEST(WebSocketTest, ForceCloseEndsSessionsAbnormally) {
    EchoHandler handler;
    ServerFixture f(TestOptions(), &handler);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto c = co_await WsConnect(f.Port());
        EXPECT_TRUE(co_await Eventually([&] { return handler.Last() != nullptr; }));
        f.Server().ForceClose();
        EXPECT_EQ(co_await ReadUntilClosed(*c.ws), 0);
    }());
    EXPECT_TRUE(WaitForCode(handler, 1006));
    EXPECT_TRUE(WaitFor([&] { return f.Server().OpenConnections() == 0; }));
}

}  // namespace
}  // namespace gw::net
