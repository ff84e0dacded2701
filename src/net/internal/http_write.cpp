// Writing answers on an HttpConnection: the response head + body, JSON error answers, and the
// per-response accounting (observer + debug access log).
#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/internal/http_connection.hpp"
#include "net/internal/response_head.hpp"
#include "obs/log.hpp"

namespace gw::net::internal {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kInlineBodyBytes = 16 * 1024;

}  // namespace

template <class Stream>
asio::awaitable<bool> HttpConnection<Stream>::Write(
    const HttpResponse& resp, bool head_only, bool keep_alive
) {
    SerializeHead(head_, resp, request_.request_id, keep_alive);
    Arm(Phase::kWrite, state_->options.request_timeout);
    const bool with_body = !head_only && !StatusHasNoBody(resp.status) && !resp.body.empty();
    if (with_body && resp.body.size() > kInlineBodyBytes) {
        const std::array<asio::const_buffer, 2> bufs{asio::buffer(head_), asio::buffer(resp.body)};
        auto [ec, n] = co_await asio::async_write(stream_, bufs, asio::as_tuple(asio::use_awaitable));
        co_return !ec;
    }
    if (with_body) {
        head_ += resp.body;
    }
    auto [ec, n] =
        co_await asio::async_write(stream_, asio::buffer(head_), asio::as_tuple(asio::use_awaitable));
    co_return !ec;
}

template <class Stream>
asio::awaitable<void> HttpConnection<Stream>::SendError(Reply reply, std::string_view method) {
    if (!reply.reason.empty()) {
        state_->observer.OnError(reply.reason);
    }
    obs::Log(
        obs::LogLevel::kInfo,
        kLogger,
        "request rejected",
        {{"status", std::to_string(reply.status)},
         {"code", reply.code},
         {"request_id", request_.request_id},
         {"trace_id", request_.trace_id},
         {"remote_ip", request_.remote_ip}}
    );
    const auto resp = JsonError(reply.status, reply.code, reply.message, request_.request_id);
    const bool written = co_await Write(resp, method == "HEAD", false);
    Record(method, reply.status);
    if (written) {
        co_await LingeringClose();
    }
}

template <class Stream>
void HttpConnection<Stream>::Record(std::string_view method, int status) noexcept {
    const double seconds = std::chrono::duration<double>(Clock::now() - request_start_).count();
    state_->observer.OnRequest(method, status, seconds);
    if (obs::LogEnabled(obs::LogLevel::kDebug)) {
        obs::Log(
            obs::LogLevel::kDebug,
            kLogger,
            "request",
            {{"method", request_.method},
             {"path", request_.path},
             {"status", std::to_string(status)},
             {"duration_ms", std::to_string(seconds * 1000.0)},
             {"request_id", request_.request_id},
             {"trace_id", request_.trace_id},
             {"remote_ip", request_.remote_ip}}
        );
    }
}

#define GW_NET_INSTANTIATE_WRITE(S)                                                           \
    template asio::awaitable<bool> HttpConnection<S>::Write(const HttpResponse&, bool, bool); \
    template asio::awaitable<void> HttpConnection<S>::SendError(Reply, std::string_view);     \
    template void HttpConnection<S>::Record(std::string_view, int) noexcept;

GW_NET_INSTANTIATE_WRITE(PlainStream)
GW_NET_INSTANTIATE_WRITE(TlsStream)

#undef GW_NET_INSTANTIATE_WRITE

}  // namespace gw::net::internal
