// HttpClient against the gateway's own HttpServer: requests, pooling, retries, streaming, limits.
#include "net/http_client.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include "net/internal/client_test_support.hpp"
#include "net/internal/raw_server.hpp"
#include "net/internal/test_support.hpp"
#include "net/sse_parser.hpp"
#include "net/sse_writer.hpp"

namespace gw::net {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using Clock = std::chrono::steady_clock;
using Socket = RawServer::Socket;

void AddJsonRoutes(Router& router) {
    router.Add("GET", "/json", [](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.body = R"({"ua":")" + std::string(req.Header("User-Agent").value_or("")) + R"("})";
        co_return r;
    });
    router.Add("POST", "/echo", [](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.content_type = std::string(req.Header("Content-Type").value_or("none"));
        r.body = req.body;
        r.headers.emplace_back("X-Seen", std::string(req.Header("X-Custom").value_or("")));
        co_return r;
    });
    router.Add("GET", "/big", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.body.assign(10'000, 'b');
        co_return r;
    });
    router.Add("GET", "/big-stream", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.content_type = "text/plain";
        r.stream = [](ResponseStream& out) -> asio::awaitable<void> {
            const std::string piece(1000, 's');
            for (int i = 0; i < 10; ++i) {
                co_await out.Write(piece);
            }
        };
        co_return r;
    });
}

TEST(HttpClientTest, GetAndPostJson) {
    ServerFixture f;
    AddJsonRoutes(f.router);
    f.Start();
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        auto got = co_await client.Request(Get(Url(f.Port(), "/json")), In(5s));
        EXPECT_TRUE(got) << got.error().message;
        if (got) {
            EXPECT_EQ(got->status, 200);
            EXPECT_EQ(got->body, R"({"ua":"openclaw-gateway"})");
            EXPECT_EQ(got->Header("content-type"), "application/json");
        }
        HttpClientRequest post;
        post.method = "POST";
        post.url = Url(f.Port(), "/echo?x=1");
        post.headers = {{"Content-Type", "application/json"}, {"X-Custom", "abc"}};
        post.body = R"({"q":"hi"})";
        auto echoed = co_await client.Request(post, In(5s));
        EXPECT_TRUE(echoed) << echoed.error().message;
        if (echoed) {
            EXPECT_EQ(echoed->status, 200);
            EXPECT_EQ(echoed->body, R"({"q":"hi"})");
            EXPECT_EQ(echoed->Header("Content-Type"), "application/json");
            EXPECT_EQ(echoed->Header("X-Seen"), "abc");
        }
        auto missing = co_await client.Request(Get(Url(f.Port(), "/nope")), In(5s));
        EXPECT_TRUE(missing && missing->status == 404);  // an HTTP error status is not a transport error
    });
}

TEST(HttpClientTest, SequentialRequestsReuseOneConnection) {
    ServerFixture f;
    AddJsonRoutes(f.router);
    f.Start();
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        for (int i = 0; i < 10; ++i) {
            auto r = co_await client.Request(Get(Url(f.Port(), "/json")), In(5s));
            EXPECT_TRUE(r && r->status == 200);
        }
        EXPECT_EQ(client.IdleConnections(), 1U);
    });
    EXPECT_EQ(f.observer.opened.load(), 1);
}

TEST(HttpClientTest, ServerClosingAnIdleConnectionIsHandledTransparently) {
    auto opts = TestOptions();
    opts.keepalive_idle_timeout = 100ms;
    ServerFixture f(opts);
    AddJsonRoutes(f.router);
    f.Start();
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        auto first = co_await client.Request(Get(Url(f.Port(), "/json")), In(5s));
        EXPECT_TRUE(first && first->status == 200);
        EXPECT_TRUE(co_await Eventually([&] { return f.observer.closed.load() == 1; }));
        auto second = co_await client.Request(Get(Url(f.Port(), "/json")), In(5s));
        EXPECT_TRUE(second) << second.error().message;
        EXPECT_TRUE(second && second->status == 200);
    });
    EXPECT_EQ(f.observer.opened.load(), 2);
}

/// Connection 0 answers one request with keep-alive, then reads the next request and closes without an
/// answer; later connections answer normally.
RawServer::Script DiesAfterFirstResponse() {
    return [](Socket socket, int index) -> asio::awaitable<void> {
        beast::flat_buffer buffer;
        const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        if (!co_await RawServer::ReadRequest(socket, buffer)) {
            co_return;
        }
        co_await RawServer::Write(socket, ok);
        if (index == 0) {
            co_await RawServer::ReadRequest(socket, buffer);
            co_return;  // closes: the request was taken but never answered
        }
        while (co_await RawServer::ReadRequest(socket, buffer)) {
            co_await RawServer::Write(socket, ok);
        }
    };
}

TEST(HttpClientTest, IdempotentRequestIsRetriedOnceWhenAReusedConnectionDies) {
    RawServer server(DiesAfterFirstResponse());
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        auto first = co_await client.Request(Get(Url(server.Port(), "/")), In(5s));
        EXPECT_TRUE(first && first->body == "ok");
        auto second = co_await client.Request(Get(Url(server.Port(), "/")), In(5s));
        EXPECT_TRUE(second) << second.error().message;
        EXPECT_TRUE(second && second->body == "ok");
    });
    EXPECT_EQ(server.Accepted(), 2);
}

TEST(HttpClientTest, PostIsNotRetriedWhenAReusedConnectionDiesAfterTakingIt) {
    RawServer server(DiesAfterFirstResponse());
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        HttpClientRequest post;
        post.method = "POST";
        post.url = Url(server.Port(), "/");
        post.body = "x";
        auto first = co_await client.Request(post, In(5s));
        EXPECT_TRUE(first && first->body == "ok");
        auto second = co_await client.Request(post, In(5s));
        EXPECT_FALSE(second);
        if (!second) {
            EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
            EXPECT_NE(second.error().message.find("closed"), std::string::npos) << second.error().message;
        }
    });
    EXPECT_EQ(server.Accepted(), 1);
}

TEST(HttpClientTest, StreamsSseChunksIncrementally) {
    std::atomic<bool> first_seen{false};
    std::atomic<int> sent{0};
    ServerFixture f;
    f.router.Add("GET", "/sse", [&](const HttpRequest&) -> asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.content_type = "text/event-stream";
        r.stream = [&](ResponseStream& out) -> asio::awaitable<void> {
            asio::steady_timer t(co_await asio::this_coro::executor);
            for (int i = 0; i < 50; ++i) {
                if (!co_await out.Write(SseWriter::Event(std::to_string(i), "delta"))) {
                    co_return;
                }
                ++sent;
                // The rest waits until the client saw the first event: it must arrive on its own.
                while (i == 0 && !first_seen.load()) {
                    t.expires_after(2ms);
                    co_await t.async_wait(asio::use_awaitable);
                }
                t.expires_after(1ms);
                co_await t.async_wait(asio::use_awaitable);
            }
        };
        co_return r;
    });
    f.Start();
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        auto stream = co_await client.Stream(Get(Url(f.Port(), "/sse")), In(10s));
        EXPECT_TRUE(stream) << stream.error().message;
        if (!stream) {
            co_return;
        }
        EXPECT_EQ(stream->Status(), 200);
        EXPECT_EQ(stream->Header("Content-Type"), "text/event-stream");
        SseParser parser;
        std::vector<std::string> events;
        const SseParser::Callback on_event = [&](const SseEvent& e) {
            EXPECT_EQ(e.event, "delta");
            if (events.empty()) {
                EXPECT_LE(sent.load(), 1);  // the server holds the rest back until now
                first_seen = true;
            }
            events.push_back(e.data);
        };
        for (;;) {
            auto chunk = co_await stream->NextChunk();
            EXPECT_TRUE(chunk) << chunk.error().message;
            if (!chunk || !*chunk) {
                break;
            }
            EXPECT_TRUE(parser.Feed(**chunk, on_event));
        }
        EXPECT_FALSE(parser.Incomplete());
        EXPECT_EQ(events.size(), 50U);
        for (std::size_t i = 0; i < events.size(); ++i) {
            EXPECT_EQ(events[i], std::to_string(i));
        }
        auto again = co_await stream->NextChunk();  // stays at the end
        EXPECT_TRUE(again && !*again);
        EXPECT_EQ(client.IdleConnections(), 1U);  // read to the end: back in the pool
    });
}

TEST(HttpClientTest, AbandonedStreamIsNotReturnedToThePool) {
    ServerFixture f;
    AddJsonRoutes(f.router);
    f.Start();
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        {
            auto stream = co_await client.Stream(Get(Url(f.Port(), "/big-stream")), In(5s));
            EXPECT_TRUE(stream);
            if (stream) {
                auto chunk = co_await stream->NextChunk();
                EXPECT_TRUE(chunk && *chunk && !(*chunk)->empty());
            }
        }
        EXPECT_EQ(client.IdleConnections(), 0U);
        auto r = co_await client.Request(Get(Url(f.Port(), "/json")), In(5s));
        EXPECT_TRUE(r && r->status == 200);
    });
    EXPECT_EQ(f.observer.opened.load(), 2);
}

TEST(HttpClientTest, BodyOverTheLimitIsAnUpstreamError) {
    ServerFixture f;
    AddJsonRoutes(f.router);
    f.Start();
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        for (const char* path : {"/big", "/big-stream"}) {  // Content-Length and chunked
            auto req = Get(Url(f.Port(), path));
            req.max_body_bytes = 5000;
            auto r = co_await client.Request(req, In(5s));
            EXPECT_FALSE(r) << path;
            if (!r) {
                EXPECT_EQ(r.error().code, ErrorCode::kUpstreamError);
                EXPECT_NE(r.error().message.find("exceeds 5000 bytes"), std::string::npos)
                    << r.error().message;
            }
            req.max_body_bytes = 10'000;
            auto fits = co_await client.Request(req, In(5s));
            EXPECT_TRUE(fits && fits->body.size() == 10'000U) << path;
        }
    });
}

TEST(HttpClientTest, HeadResponseHasNoBodyAndKeepsTheConnection) {
    ServerFixture f;
    AddJsonRoutes(f.router);
    f.Start();
    WithClient([&](HttpClient& client) -> asio::awaitable<void> {
        auto head = Get(Url(f.Port(), "/big"));
        head.method = "HEAD";
        auto r = co_await client.Request(head, In(5s));
        EXPECT_TRUE(r && r->status == 200 && r->body.empty() && r->Header("Content-Length") == "10000");
        auto next = co_await client.Request(Get(Url(f.Port(), "/json")), In(5s));
        EXPECT_TRUE(next && next->status == 200);
    });
    EXPECT_EQ(f.observer.opened.load(), 1);
}

}  // namespace
}  // namespace gw::net
