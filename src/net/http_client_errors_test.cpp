// HttpClient failure modes against misbehaving peers: deadlines, cancellation, refused connections,
// malformed and truncated responses, invalid requests.
#include <chrono>
#include <string>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include "net/http_client.hpp"
#include "net/internal/client_test_support.hpp"
#include "net/internal/raw_server.hpp"
#include "net/internal/test_support.hpp"

namespace gw::net {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using Clock = std::chrono::steady_clock;
using Socket = RawServer::Socket;

/// Reads the request, then never answers (until the client gives up).
RawServer::Script Stalls() {
    return [](Socket socket, int) -> asio::awaitable<void> {
        beast::flat_buffer buffer;
        co_await RawServer::ReadRequest(socket, buffer);
        char byte = 0;
        co_await socket.async_read_some(asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable));
    };
}

TEST(HttpClientTest, DeadlineExceededWhileTheServerStalls) {
    RawServer server(Stalls());
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        const auto start = Clock::now();
        auto r = co_await client.Request(Get(Url(server.Port(), "/")), In(200ms));
        EXPECT_LT(Clock::now() - start, 1500ms);
        EXPECT_FALSE(r);
        if (!r) {
            EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded) << r.error().message;
        }
    });
}

TEST(HttpClientTest, ChunkDeadlineBoundsAStalledStream) {
    ServerFixture f;
    f.router.Add("GET", "/stall", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.stream = [](ResponseStream& out) -> asio::awaitable<void> {
            co_await out.Write("data: one\n\n");
            asio::steady_timer t(co_await asio::this_coro::executor, 30s);
            co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        };
        co_return r;
    });
    f.Start();
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        auto stream = co_await client.Stream(Get(Url(f.Port(), "/stall")), In(30s));
        EXPECT_TRUE(stream);
        if (!stream) {
            co_return;
        }
        auto first = co_await stream->NextChunk(In(5s));
        EXPECT_TRUE(first && *first && **first == "data: one\n\n");
        const auto start = Clock::now();
        auto stalled = co_await stream->NextChunk(In(200ms));
        EXPECT_LT(Clock::now() - start, 1500ms);
        EXPECT_FALSE(stalled);
        if (!stalled) {
            EXPECT_EQ(stalled.error().code, ErrorCode::kDeadlineExceeded);
        }
        auto after = co_await stream->NextChunk(In(5s));  // errors are sticky
        EXPECT_TRUE(!after && after.error().code == ErrorCode::kDeadlineExceeded);
    });
}

TEST(HttpClientTest, CancellingTheCallerStopsTheRequest) {
    using namespace asio::experimental::awaitable_operators;  // NOLINT(google-build-using-namespace)
    RawServer server(Stalls());
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
        const auto start = Clock::now();
        auto request = client.Request(Get(Url(server.Port(), "/")), In(30s));
        auto winner = co_await (std::move(request) || timer.async_wait(asio::use_awaitable));
        EXPECT_EQ(winner.index(), 1U);  // the timer won, the request was cancelled
        EXPECT_LT(Clock::now() - start, 1500ms);
    });
}

TEST(HttpClientTest, ConnectionRefusedIsUnavailable) {
    std::uint16_t port = 0;
    {
        asio::io_context ioc;
        Tcp::acceptor probe(ioc, Tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = probe.local_endpoint().port();
    }  // closed again: nothing listens there now
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        auto r = co_await client.Request(Get(Url(port, "/")), In(5s));
        EXPECT_FALSE(r);
        if (!r) {
            EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
            EXPECT_NE(r.error().message.find("refused"), std::string::npos) << r.error().message;
        }
    });
}

TEST(HttpClientTest, GarbageResponseIsAnUpstreamError) {
    RawServer server([](Socket socket, int) -> asio::awaitable<void> {
        beast::flat_buffer buffer;
        co_await RawServer::ReadRequest(socket, buffer);
        co_await RawServer::Write(socket, "HELLO THERE\r\n\r\n");
    });
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        auto r = co_await client.Request(Get(Url(server.Port(), "/")), In(5s));
        EXPECT_FALSE(r);
        if (!r) {
            EXPECT_EQ(r.error().code, ErrorCode::kUpstreamError) << r.error().message;
        }
    });
}

TEST(HttpClientTest, TruncatedBodyIsAnUpstreamError) {
    RawServer server([](Socket socket, int) -> asio::awaitable<void> {
        beast::flat_buffer buffer;
        co_await RawServer::ReadRequest(socket, buffer);
        co_await RawServer::Write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
    });
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        auto r = co_await client.Request(Get(Url(server.Port(), "/")), In(5s));
        EXPECT_FALSE(r);
        if (!r) {
            EXPECT_EQ(r.error().code, ErrorCode::kUpstreamError) << r.error().message;
        }
    });
}

TEST(HttpClientTest, CloseDelimitedBodyIsReadToTheEnd) {
    RawServer server([](Socket socket, int) -> asio::awaitable<void> {
        beast::flat_buffer buffer;
        co_await RawServer::ReadRequest(socket, buffer);
        co_await RawServer::Write(socket, "HTTP/1.0 200 OK\r\n\r\nuntil the end");
    });
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        auto r = co_await client.Request(Get(Url(server.Port(), "/")), In(5s));
        EXPECT_TRUE(r && r->body == "until the end");
        EXPECT_EQ(client.IdleConnections(), 0U);
    });
}

TEST(HttpClientTest, InvalidUrlsAndHeadersAreRejected) {
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        for (const char* url :
             {"ftp://example.com/",
              "http://",
              "not a url",
              "http://user:pw@example.com/",
              "http://example.com:0/"}) {
            auto r = co_await client.Request(Get(url), In(5s));
            EXPECT_TRUE(!r && r.error().code == ErrorCode::kInvalidArgument) << url;
        }
        auto req = Get("http://127.0.0.1:1/");
        req.headers = {{"X-Evil", "a\r\nInjected: 1"}};
        auto r = co_await client.Request(req, In(5s));
        EXPECT_TRUE(!r && r.error().code == ErrorCode::kInvalidArgument);
        req.headers = {{"Bad Name", "v"}};
        r = co_await client.Request(req, In(5s));
        EXPECT_TRUE(!r && r.error().code == ErrorCode::kInvalidArgument);
    });
}

}  // namespace
}  // namespace gw::net
