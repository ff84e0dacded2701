// Streaming answers on an HttpConnection (HttpResponse::stream): the head, the producer racing a
// disconnect watcher, chunk framing with a per-write deadline, and the terminating chunk.
#include <array>
#include <charconv>
#include <exception>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/internal/http_connection.hpp"
#include "net/internal/response_head.hpp"
#include "obs/log.hpp"

namespace gw::net::internal {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;  // NOLINT(google-build-using-namespace): ||

constexpr std::size_t kWatchChunk = 4096;
/// Chunks up to this size are framed into one buffer (one TLS record); larger ones are gathered.
constexpr std::size_t kCopyChunkBytes = 16 * 1024;
constexpr std::string_view kLastChunk = "0\r\n\r\n";

void AppendHex(std::string& out, std::size_t v) {
    std::array<char, 20> buf{};
    const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v, 16);
    out.append(buf.data(), res.ptr);
}

}  // namespace

/// The ResponseStream handed to a producer; forwards to the connection (same strand).
template <class Stream>
class HttpConnection<Stream>::BodyStream final : public ResponseStream {
public:
    explicit BodyStream(HttpConnection& conn) : conn_(conn) {}

    asio::awaitable<bool> Write(std::string_view chunk) override { return conn_.WriteChunk(chunk); }

    bool ClientGone() const noexcept override { return conn_.client_gone_ || conn_.state_->killed.load(); }

private:
    HttpConnection& conn_;
};

template <class Stream>
asio::awaitable<bool> HttpConnection<Stream>::WriteStream(
    const HttpResponse& resp, bool head_only, bool keep_alive, bool chunked
) {
    SerializeHead(
        head_,
        resp,
        request_.request_id,
        keep_alive,
        chunked ? BodyFraming::kChunked : BodyFraming::kUntilClose
    );
    Arm(Phase::kStreamWrite, state_->options.request_timeout);
    auto [hec, hn] =
        co_await asio::async_write(stream_, asio::buffer(head_), asio::as_tuple(asio::use_awaitable));
    if (hec) {
        co_return false;
    }
    if (head_only) {
        co_return true;
    }
    chunked_ = chunked;
    client_gone_ = false;
    producer_done_ = false;
    stream_failure_.clear();
    ArmAt(Phase::kStream, Clock::time_point::max());  // a stream may run for as long as it produces
    BodyStream sink(*this);
    co_await (Produce(resp.stream, sink) || WatchClient());
    // A kill cancelled this coroutine: clear the state (nothing more is written, Finish closes).
    const auto cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none) {
        co_await asio::this_coro::reset_cancellation_state();
    }
    const std::string_view rid = request_.request_id;
    if (!stream_failure_.empty()) {
        state_->observer.OnError("internal");
        obs::Log(
            obs::LogLevel::kError,
            kLogger,
            "stream producer threw",
            {{"path", request_.path},
             {"error", stream_failure_},
             {"request_id", rid},
             {"trace_id", request_.trace_id}}
        );
        co_return false;
    }
    if (client_gone_ || state_->killed.load()) {
        obs::Log(
            obs::LogLevel::kInfo,
            kLogger,
            state_->killed.load() ? "stream cancelled by shutdown" : "stream ended: client gone",
            {{"path", request_.path}, {"request_id", rid}}
        );
        co_return false;
    }
    if (!chunked) {
        co_return true;  // the body ends when the caller closes the connection
    }
    Arm(Phase::kStreamWrite, state_->options.request_timeout);
    auto [ec, n] =
        co_await asio::async_write(stream_, asio::buffer(kLastChunk), asio::as_tuple(asio::use_awaitable));
    co_return !ec;
}

template <class Stream>
asio::awaitable<void> HttpConnection<Stream>::Produce(const StreamProducer& producer, BodyStream& sink) {
    // Producers observe a disconnect as Write() == false: do not turn every later co_await into an
    // operation_aborted exception (asio's default after a cancellation). The operation awaited when
    // the cancellation arrives is still cancelled.
    co_await asio::this_coro::throw_if_cancelled(false);
    const auto cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none || client_gone_ || state_->killed.load()) {
        producer_done_ = true;  // cancelled before it started: do not start it at all
        co_return;
    }
    try {
        co_await producer(sink);
    } catch (const std::exception& e) {
        // Cancellation after a disconnect or kill surfaces as operation_aborted: not a failure.
        if (!client_gone_ && !state_->killed.load()) {
            stream_failure_ = e.what();
        }
    } catch (...) {
        if (!client_gone_ && !state_->killed.load()) {
            stream_failure_ = "unknown exception";
        }
    }
    producer_done_ = true;
}

template <class Stream>
asio::awaitable<void> HttpConnection<Stream>::WatchClient() {
    // While the response streams the client should only be reading. Read anyway: EOF or an error means
    // it went away. Bytes of a pipelined next request are kept (bounded) for the next exchange.
    const std::size_t max_pending = state_->options.max_header_bytes + kWatchChunk;
    try {
        while (buffer_.size() < max_pending) {
            auto [ec, n] = co_await stream_.async_read_some(
                buffer_.prepare(kWatchChunk), asio::as_tuple(asio::use_awaitable)
            );
            if (ec) {
                break;
            }
            buffer_.commit(n);
        }
        if (buffer_.size() >= max_pending) {
            // Too much pipelined data: stop reading (a disconnect is then seen by the next failing
            // write) and wait until the producer finishes and `||` cancels this wait.
            asio::steady_timer forever(executor_, Clock::time_point::max());
            co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    } catch (const boost::system::system_error&) {
        // Cancelled before the read started (asio throws at the next co_await): handled below.
    }
    // Cancelled by `||` because the producer finished: not a disconnect.
    if (!producer_done_) {
        client_gone_ = true;
    }
}

template <class Stream>
asio::awaitable<bool> HttpConnection<Stream>::WriteChunk(std::string_view chunk) {
    if (client_gone_ || state_->killed.load()) {
        co_return false;
    }
    if (chunk.empty()) {
        co_return true;  // an empty chunk would terminate the chunked body
    }
    chunk_.clear();
    if (chunked_) {
        AppendHex(chunk_, chunk.size());
        chunk_ += "\r\n";
    }
    Arm(Phase::kStreamWrite, state_->options.request_timeout);
    boost::system::error_code ec;
    if (chunk.size() <= kCopyChunkBytes) {
        chunk_ += chunk;
        if (chunked_) {
            chunk_ += "\r\n";
        }
        auto [wec, n] =
            co_await asio::async_write(stream_, asio::buffer(chunk_), asio::as_tuple(asio::use_awaitable));
        ec = wec;
    } else {
        const std::string_view crlf = chunked_ ? std::string_view("\r\n") : std::string_view();
        const std::array<asio::const_buffer, 3> bufs{
            asio::buffer(chunk_),
            asio::buffer(chunk.data(), chunk.size()),
            asio::buffer(crlf.data(), crlf.size())};
        auto [wec, n] = co_await asio::async_write(stream_, bufs, asio::as_tuple(asio::use_awaitable));
        ec = wec;
    }
    if (ec || client_gone_) {
        client_gone_ = true;
        co_return false;
    }
    ArmAt(Phase::kStream, Clock::time_point::max());
    co_return true;
}

#define GW_NET_INSTANTIATE_STREAM(S)                                                                      \
    template asio::awaitable<bool> HttpConnection<S>::WriteStream(const HttpResponse&, bool, bool, bool); \
    template asio::awaitable<void> HttpConnection<S>::Produce(const StreamProducer&, BodyStream&);        \
    template asio::awaitable<void> HttpConnection<S>::WatchClient();                                      \
    template asio::awaitable<bool> HttpConnection<S>::WriteChunk(std::string_view);

GW_NET_INSTANTIATE_STREAM(PlainStream)
GW_NET_INSTANTIATE_STREAM(TlsStream)

#undef GW_NET_INSTANTIATE_STREAM

}  // namespace gw::net::internal
