#pragma once
/// @file
/// @brief Streaming response bodies (e.g. Server-Sent Events): the sink a handler's producer writes
/// chunks to, and the producer type carried by `HttpResponse::stream`.

#include <functional>
#include <string_view>

#include <boost/asio/awaitable.hpp>

namespace gw::net {

/// The body sink of one streaming response, handed to the producer by the server. Valid only while
/// the producer runs; used on the connection's strand only (not thread-safe).
///
/// Each `Write` goes straight to the socket (HTTP/1.1: one chunk of the chunked encoding;
/// HTTP/1.0: raw bytes, the body ending when the connection closes), so SSE events reach the client
/// without buffering delay.
class ResponseStream {
public:
    virtual ~ResponseStream() = default;

    /// Sends `chunk` and completes once it was handed to the kernel. An empty chunk sends nothing.
    /// Returns false when the client went away, the write blocked longer than `request_timeout`
    /// (the connection is then closed), or the server force-closed; every later call then returns
    /// false at once. Keep `chunk` alive until the call completes.
    virtual boost::asio::awaitable<bool> Write(std::string_view chunk) = 0;

    /// True once the client is known to be gone (disconnect seen, a write failed or timed out, or
    /// the server force-closed).
    ///
    /// Cancellation: the server reads from the connection while the producer runs. When the client
    /// disconnects (or ForceClose runs) the operation the producer awaits at that moment gets a
    /// terminal cancellation (so a wait on an upstream LLM ends at once); from then on `Write` returns
    /// false and `ClientGone()` is true. Later co_awaits are *not* cancelled automatically (the
    /// producer runs with `this_coro::throw_if_cancelled(false)`), so check `Write`'s result.
    virtual bool ClientGone() const noexcept = 0;
};

/// Produces a streaming body. Runs on the connection's strand after the response head was sent;
/// the request stays valid until it completes. Returning ends the body (terminating chunk);
/// throwing aborts it (the connection is closed without the terminating chunk, so the client sees
/// a truncated response).
using StreamProducer = std::function<boost::asio::awaitable<void>(ResponseStream&)>;

}  // namespace gw::net
