// Streaming responses (HttpResponse::stream): chunked framing, disconnects, deadlines, drain.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <gtest/gtest.h>

#include "net/http_server.hpp"
#include "net/internal/test_support.hpp"
#include "net/sse_writer.hpp"

namespace gw::net {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using runtime::RunCoro;
using Clock = std::chrono::steady_clock;

/// GET `path` answering text/event-stream from `producer`.
void AddStream(Router& router, const std::string& path, StreamProducer producer) {
    router.Add("GET", path, [producer](const HttpRequest&) -> asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.content_type = "text/event-stream";
        r.headers.emplace_back("Cache-Control", "no-cache");
        r.stream = producer;
        co_return r;
    });
}

asio::awaitable<void> Sleep(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

/// `n` SSE events "0".."n-1", with `gap` between them.
StreamProducer Events(int n, std::chrono::milliseconds gap = 0ms) {
    return [n, gap](ResponseStream& out) -> asio::awaitable<void> {
        for (int i = 0; i < n; ++i) {
            const std::string event = SseWriter::Event(std::to_string(i));
            if (!co_await out.Write(event)) {
                co_return;
            }
            if (gap > 0ms) {
                co_await Sleep(gap);
            }
        }
    };
}

std::string ExpectedEvents(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) {
        s += SseWriter::Event(std::to_string(i));
    }
    return s;
}

struct Chunked {
    Response response;
    std::vector<std::uint64_t> chunk_sizes;  ///< as framed on the wire, including the final 0
};

/// Reads one chunked response, recording the chunk framing.
asio::awaitable<std::optional<Chunked>> ReadChunked(Tcp::socket& socket, beast::flat_buffer& buffer) {
    Chunked out;
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    auto on_header = [&out](std::uint64_t size, std::string_view /*ext*/, boost::system::error_code&) {
        out.chunk_sizes.push_back(size);
    };
    parser.on_chunk_header(on_header);
    auto [ec, n] = co_await http::async_read(socket, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        co_return std::nullopt;
    }
    const auto& msg = parser.get();
    out.response.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg) {
        out.response.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    out.response.body = msg.body();
    out.response.keep_alive = msg.keep_alive();
    co_return out;
}

TEST(HttpStreamTest, HundredChunksArriveInOrderWithChunkedFraming) {
    ServerFixture f;
    AddStream(f.router, "/stream", Events(100));
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("GET", "/stream"));
        beast::flat_buffer buffer;
        auto r = co_await ReadChunked(socket, buffer);
        EXPECT_TRUE(r.has_value());
        if (!r) {
            co_return;
        }
        EXPECT_EQ(r->response.status, 200);
        EXPECT_EQ(r->response.Header("Transfer-Encoding"), "chunked");
        EXPECT_FALSE(r->response.Header("Content-Length").has_value());
        EXPECT_EQ(r->response.Header("Content-Type"), "text/event-stream");
        EXPECT_EQ(r->response.Header("Cache-Control"), "no-cache");
        ExpectCommonHeaders(r->response);
        EXPECT_EQ(r->response.body, ExpectedEvents(100));
        // One wire chunk per Write, then the terminating chunk.
        EXPECT_EQ(r->chunk_sizes.size(), 101U);
        EXPECT_EQ(r->chunk_sizes.front(), SseWriter::Event("0").size());
        EXPECT_EQ(r->chunk_sizes.back(), 0U);
    }());
    EXPECT_TRUE(WaitFor([&] { return f.observer.RequestCount(200) == 1; }));
}

TEST(HttpStreamTest, KeepAliveContinuesAfterACompletedStream) {
    ServerFixture f;
    AddTestRoutes(f.router);
    AddStream(f.router, "/stream", Events(5));
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        beast::flat_buffer buffer;
        for (int i = 0; i < 2; ++i) {
            co_await Send(socket, Request("GET", "/stream"));
            auto s = co_await ReadChunked(socket, buffer);
            EXPECT_TRUE(s && s->response.body == ExpectedEvents(5) && s->response.keep_alive);
            co_await Send(socket, Request("GET", "/hello"));
            auto h = co_await Read(socket, buffer);
            EXPECT_TRUE(h && h->status == 200 && h->body == R"({"hello":"world"})");
        }
    }());
    EXPECT_EQ(f.observer.opened.load(), 1);
}

TEST(HttpStreamTest, HeadRequestGetsTheHeadOnlyAndSkipsTheProducer) {
    std::atomic<int> calls{0};
    ServerFixture f;
    AddTestRoutes(f.router);
    AddStream(f.router, "/stream", [&calls](ResponseStream& out) -> asio::awaitable<void> {
        ++calls;
        co_await out.Write("data: x\n\n");
    });
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        beast::flat_buffer buffer;
        co_await Send(socket, Request("HEAD", "/stream"));
        auto head = co_await Read(socket, buffer, true);
        EXPECT_TRUE(head.has_value());
        if (head) {
            EXPECT_EQ(head->status, 200);
            EXPECT_EQ(head->Header("Transfer-Encoding"), "chunked");
            EXPECT_TRUE(head->body.empty());
        }
        // Nothing else was sent: the next response on the connection parses cleanly.
        co_await Send(socket, Request("GET", "/hello"));
        auto next = co_await Read(socket, buffer);
        EXPECT_TRUE(next && next->status == 200 && next->body == R"({"hello":"world"})");
    }());
    EXPECT_EQ(calls.load(), 0);
}

TEST(HttpStreamTest, Http10ClientGetsACloseDelimitedBody) {
    ServerFixture f;
    AddStream(f.router, "/stream", Events(3));
    f.Start();
    const std::string raw = RunCoro([&]() -> asio::awaitable<std::string> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, "GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        co_return co_await ReadToEof(socket);
    }());
    const auto split = raw.find("\r\n\r\n");
    ASSERT_NE(split, std::string::npos) << raw;
    const std::string head = raw.substr(0, split + 4);
    EXPECT_EQ(head.find("Transfer-Encoding"), std::string::npos) << head;
    EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
    EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos) << head;
    EXPECT_EQ(raw.substr(split + 4), ExpectedEvents(3));
}

TEST(HttpStreamTest, ClientDisconnectMakesWriteReturnFalsePromptly) {
    std::atomic<bool> failed_write{false};
    std::atomic<bool> gone{false};
    std::atomic<long long> failed_at{0};
    ServerFixture f;
    AddStream(f.router, "/stream", [&](ResponseStream& out) -> asio::awaitable<void> {
        for (int i = 0; i < 100000; ++i) {
            if (!co_await out.Write("data: tick\n\n")) {
                failed_at = Clock::now().time_since_epoch().count();
                gone = out.ClientGone();
                failed_write = true;
                co_return;
            }
            co_await Sleep(5ms);
        }
    });
    f.Start();
    Clock::time_point closed_at;
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("GET", "/stream"));
        char buf[256];
        co_await socket.async_read_some(asio::buffer(buf), asio::use_awaitable);  // the stream started
        closed_at = Clock::now();
        socket.close();
    }());
    ASSERT_TRUE(WaitFor([&] { return failed_write.load(); }, 3000ms));
    EXPECT_TRUE(gone.load());
    EXPECT_LT(Clock::time_point(Clock::duration(failed_at.load())) - closed_at, 1s);
    EXPECT_TRUE(WaitFor([&] { return f.Server().OpenConnections() == 0; }));
}

TEST(HttpStreamTest, ClientDisconnectCancelsAProducerWaitingUpstream) {
    std::atomic<bool> waiting{false};
    std::atomic<bool> woke{false};
    std::atomic<bool> cancelled{false};
    std::atomic<bool> gone{false};
    ServerFixture f;
    AddStream(f.router, "/stream", [&](ResponseStream& out) -> asio::awaitable<void> {
        EXPECT_TRUE(co_await out.Write("data: first\n\n"));
        // Stands in for waiting on an upstream LLM: must end when the client leaves.
        asio::steady_timer upstream(co_await asio::this_coro::executor, 30s);
        waiting = true;  // set in the same strand turn that starts the wait
        auto [ec] = co_await upstream.async_wait(asio::as_tuple(asio::use_awaitable));
        cancelled = ec == asio::error::operation_aborted;
        gone = out.ClientGone();
        woke = true;
    });
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("GET", "/stream"));
        EXPECT_TRUE(co_await Eventually([&] { return waiting.load(); }));
        socket.close();
    }());
    ASSERT_TRUE(WaitFor([&] { return woke.load(); }, 2000ms));
    EXPECT_TRUE(cancelled.load());
    EXPECT_TRUE(gone.load());
    EXPECT_TRUE(WaitFor([&] { return f.Server().OpenConnections() == 0; }));
}

TEST(HttpStreamTest, StreamMayOutliveTheRequestTimeout) {
    auto opts = TestOptions();
    opts.request_timeout = 200ms;
    ServerFixture f(opts);
    AddStream(f.router, "/stream", Events(8, 80ms));  // ~640 ms in total
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("GET", "/stream"));
        beast::flat_buffer buffer;
        auto r = co_await ReadChunked(socket, buffer);
        EXPECT_TRUE(r && r->response.status == 200 && r->response.body == ExpectedEvents(8));
    }());
    EXPECT_EQ(f.observer.ErrorCount("timeout"), 0);
}

TEST(HttpStreamTest, WriteBlockedLongerThanRequestTimeoutKillsTheConnection) {
    auto opts = TestOptions();
    opts.request_timeout = 300ms;
    std::atomic<bool> failed_write{false};
    std::atomic<bool> gone{false};
    ServerFixture f(opts);
    AddStream(f.router, "/stream", [&](ResponseStream& out) -> asio::awaitable<void> {
        const std::string big(64 * 1024, 'x');
        for (int i = 0; i < 100000; ++i) {  // the client never reads: the socket buffers fill up
            if (!co_await out.Write(big)) {
                break;
            }
        }
        gone = out.ClientGone();
        failed_write = true;
    });
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("GET", "/stream"));
        EXPECT_TRUE(co_await Eventually([&] { return failed_write.load(); }, 5000ms));
    }());
    EXPECT_TRUE(gone.load());
    EXPECT_TRUE(WaitFor([&] { return f.Server().OpenConnections() == 0; }));
}

TEST(HttpStreamTest, DrainLetsAnInFlightStreamFinishThenCloses) {
    std::atomic<bool> release{false};
    ServerFixture f;
    AddStream(f.router, "/stream", [&](ResponseStream& out) -> asio::awaitable<void> {
        co_await out.Write("data: before\n\n");
        while (!release.load()) {
            co_await Sleep(2ms);
        }
        co_await out.Write("data: after\n\n");
    });
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("GET", "/stream"));
        char buf[64];
        co_await socket.async_read_some(asio::buffer(buf), asio::use_awaitable);  // head (and maybe more)
        f.Server().BeginDrain();
        release = true;
        // Read everything up to EOF: the stream completes with its terminating chunk, then the server closes.
        const std::string rest = co_await ReadToEof(socket);
        EXPECT_NE(rest.find("data: after"), std::string::npos) << rest;
        EXPECT_TRUE(rest.ends_with("\r\n0\r\n\r\n")) << rest;
    }());
    EXPECT_TRUE(WaitFor([&] { return f.Server().OpenConnections() == 0; }));
}

TEST(HttpStreamTest, ForceCloseCancelsAStream) {
    std::atomic<bool> waiting{false};
    std::atomic<bool> cancelled{false};
    ServerFixture f;
    AddStream(f.router, "/stream", [&](ResponseStream& out) -> asio::awaitable<void> {
        EXPECT_TRUE(co_await out.Write("data: first\n\n"));
        asio::steady_timer upstream(co_await asio::this_coro::executor, 30s);
        waiting = true;
        auto [ec] = co_await upstream.async_wait(asio::as_tuple(asio::use_awaitable));
        cancelled = ec == asio::error::operation_aborted && out.ClientGone();
    });
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("GET", "/stream"));
        EXPECT_TRUE(co_await Eventually([&] { return waiting.load(); }));
        const auto start = Clock::now();
        f.Server().ForceClose();
        co_await ReadToEof(socket, 2000ms);
        EXPECT_LT(Clock::now() - start, 2s);
    }());
    EXPECT_TRUE(WaitFor([&] { return cancelled.load(); }, 2000ms));
    EXPECT_TRUE(WaitFor([&] { return f.Server().OpenConnections() == 0; }));
}

TEST(HttpStreamTest, ProducerExceptionTruncatesTheResponse) {
    ServerFixture f;
    AddStream(f.router, "/stream", [](ResponseStream& out) -> asio::awaitable<void> {
        co_await out.Write("data: partial\n\n");
        throw std::runtime_error("upstream exploded");
    });
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("GET", "/stream"));
        const std::string raw = co_await ReadToEof(socket);
        EXPECT_NE(raw.find("data: partial"), std::string::npos) << raw;
        EXPECT_FALSE(raw.ends_with("0\r\n\r\n")) << raw;  // no terminating chunk
    }());
    EXPECT_TRUE(WaitFor([&] { return f.observer.ErrorCount("internal") == 1; }));
}

}  // namespace
}  // namespace gw::net
