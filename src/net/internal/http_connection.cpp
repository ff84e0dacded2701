// Connection lifecycle: construction, the watchdog, drain/kill, TLS handshake, overload answers,
// lingering close and the hand-over to a WebSocket session. The request/response exchange lives in
// http_exchange.cpp, writing answers in http_write.cpp.
#include "net/internal/http_connection.hpp"

#include <array>
#include <type_traits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "base/ids.hpp"
#include "net/internal/response_head.hpp"
#include "net/internal/ws_connection.hpp"
#include "obs/log.hpp"
#include "runtime/log_on_error.hpp"

namespace gw::net::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t kMaxLingerBytes = 1024 * 1024;

template <class Stream>
Stream MakeStream(Tcp::socket&& socket, asio::ssl::context* ctx) {
    if constexpr (kIsTls<Stream>) {
        return Stream(std::move(socket), *ctx);
    } else {
        return std::move(socket);
    }
}

template <class Stream>
std::shared_ptr<asio::ssl::context> TlsContextFor(const ServerState& state) {
    if constexpr (kIsTls<Stream>) {
        return state.tls.load();
    } else {
        return nullptr;
    }
}

template <class Stream>
void Spawn(
    const std::shared_ptr<ServerState>& state,
    Tcp::socket socket,
    bool reject,
    std::unique_ptr<AdmissionTicket> ticket
) {
    auto conn = std::make_shared<HttpConnection<Stream>>(state, std::move(socket), reject, std::move(ticket));
    auto token = asio::bind_cancellation_slot(conn->CancelSlot(), runtime::LogOnError("http"));
    asio::co_spawn(conn->Executor(), HttpConnection<Stream>::Run(conn), std::move(token));
}

}  // namespace

void StartConnection(
    const std::shared_ptr<ServerState>& state,
    Tcp::socket socket,
    bool reject,
    std::unique_ptr<AdmissionTicket> ticket
) {
    if (state->tls.load() != nullptr) {
        Spawn<TlsStream>(state, std::move(socket), reject, std::move(ticket));
    } else {
        Spawn<PlainStream>(state, std::move(socket), reject, std::move(ticket));
    }
}

template <class Stream>
HttpConnection<Stream>::HttpConnection(
    std::shared_ptr<ServerState> state,
    Tcp::socket socket,
    bool reject,
    std::unique_ptr<AdmissionTicket> ticket
)
    : state_(std::move(state)),
      ticket_(std::move(ticket)),
      tls_(TlsContextFor<Stream>(*state_)),
      executor_(socket.get_executor()),
      stream_(MakeStream<Stream>(std::move(socket), tls_.get())),
      timer_(executor_),
      reject_(reject) {}

template <class Stream>
HttpConnection<Stream>::~HttpConnection() = default;

template <class Stream>
asio::awaitable<void> HttpConnection<Stream>::Run(std::shared_ptr<HttpConnection> self) {
    // Finish() runs however the coroutine ends: normally, by exception, or destroyed unfinished.
    struct FinishGuard {
        HttpConnection* conn;

        explicit FinishGuard(HttpConnection* c) : conn(c) {}

        FinishGuard(const FinishGuard&) = delete;
        FinishGuard& operator=(const FinishGuard&) = delete;

        ~FinishGuard() { conn->Finish(); }
    };

    FinishGuard guard{self.get()};
    co_await self->Serve(self);
}

template <class Stream>
asio::awaitable<void> HttpConnection<Stream>::Serve(std::shared_ptr<HttpConnection> self) {
    registration_ = state_->Register(self);
    if (state_->killed.load()) {
        co_return;
    }
    const auto& opts = state_->options;
    first_deadline_ = Clock::now() +
                      (reject_ ? Clock::duration(kLingerTimeout) : Clock::duration(opts.header_read_timeout));
    ArmAt(kIsTls<Stream> ? Phase::kHandshake : Phase::kIdle, first_deadline_);
    asio::co_spawn(executor_, Watchdog(self), runtime::LogOnError("http-watchdog"));
    if constexpr (kIsTls<Stream>) {
        const bool secured = co_await Handshake();
        if (!secured) {
            co_return;
        }
    }
    if (reject_) {
        co_await Reject();
        co_return;
    }
    beast::error_code ec;
    const auto remote = beast::get_lowest_layer(stream_).remote_endpoint(ec);
    if (!ec) {
        request_.remote_ip = remote.address().to_string();
        request_.remote_port = remote.port();
    }
    for (;;) {
        const bool more = co_await ServeOne();
        if (!more) {
            break;
        }
    }
}

template <class Stream>
void HttpConnection<Stream>::ArmAt(Phase phase, Clock::time_point deadline) {
    phase_ = phase;
    deadline_ = deadline;
    // The watchdog sleeps until `armed_`; wake it only if the new deadline is earlier.
    if (deadline < armed_ && watchdog_waiting_) {
        timer_.cancel();
    }
}

template <class Stream>
asio::awaitable<void> HttpConnection<Stream>::Watchdog(std::shared_ptr<HttpConnection> self) {
    while (!self->done_) {
        self->armed_ = self->deadline_;
        self->timer_.expires_at(self->armed_);
        self->watchdog_waiting_ = true;
        co_await self->timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        self->watchdog_waiting_ = false;
        self->armed_ = Clock::time_point::max();
        if (self->done_) {
            break;
        }
        if (Clock::now() >= self->deadline_) {
            self->OnDeadline();
        }
    }
}

template <class Stream>
void HttpConnection<Stream>::OnDeadline() {
    deadline_ = Clock::time_point::max();
    timed_out_ = true;
    switch (phase_) {
        case Phase::kIdle:
        case Phase::kHeader:
        case Phase::kBody:
            // Cancel (not close) so the session can still answer 408.
            CancelIo();
            break;
        case Phase::kHandler:
            cancel_.emit(asio::cancellation_type::terminal);
            break;
        case Phase::kStream:
        case Phase::kStreamWrite:
            // A stream write blocked too long: drop the connection; the producer sees Write() == false
            // and is cancelled once the disconnect watcher fails.
            client_gone_ = true;
            CloseSocket();
            break;
        case Phase::kHandshake:
        case Phase::kWrite:
        case Phase::kLinger:
            CloseSocket();
            break;
    }
}

template <class Stream>
void HttpConnection<Stream>::CancelIo() noexcept {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).cancel(ec);
}

template <class Stream>
void HttpConnection<Stream>::CloseSocket() noexcept {
    auto& sock = beast::get_lowest_layer(stream_);
    if (sock.is_open()) {
        beast::error_code ec;
        sock.close(ec);
    }
}

template <class Stream>
void HttpConnection<Stream>::Drain() {
    auto self = this->shared_from_this();
    asio::post(executor_, [self] {
        // Only an idle connection (no request bytes yet) is closed; others finish with Connection: close.
        if (!self->done_ && self->phase_ == Phase::kIdle) {
            self->CancelIo();
        }
    });
}

template <class Stream>
void HttpConnection<Stream>::Kill() {
    auto self = this->shared_from_this();
    asio::post(executor_, [self] {
        if (self->done_) {
            return;
        }
        self->CloseSocket();
        if (self->phase_ == Phase::kHandler || self->phase_ == Phase::kStream ||
            self->phase_ == Phase::kStreamWrite) {
            self->cancel_.emit(asio::cancellation_type::terminal);
        }
    });
}

template <class Stream>
asio::awaitable<bool> HttpConnection<Stream>::Handshake() {
    if constexpr (kIsTls<Stream>) {
        auto [ec] = co_await stream_.async_handshake(
            asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable)
        );
        if (ec || timed_out_) {
            state_->observer.OnError("tls_handshake");
            const std::string what = timed_out_ ? std::string("timeout") : ec.message();
            obs::Log(obs::LogLevel::kInfo, kLogger, "tls handshake failed", {{"error", what}});
            co_return false;
        }
    }
    co_return true;
}

template <class Stream>
asio::awaitable<void> HttpConnection<Stream>::Reject() {
    request_.request_id = NewRequestId();
    request_.trace_id.clear();
    state_->observer.OnError("overload");
    const auto resp =
        JsonError(503, "unavailable", "the server is at its connection limit", request_.request_id);
    obs::Log(
        obs::LogLevel::kWarn,
        kLogger,
        "connection refused: connection limit reached",
        {{"request_id", request_.request_id}}
    );
    request_start_ = Clock::now();
    const bool ok = co_await Write(resp, false, false);
    Record("UNKNOWN", 503);
    if (ok) {
        co_await LingeringClose();
    }
}

template <class Stream>
asio::awaitable<void> HttpConnection<Stream>::LingeringClose() {
    // Send FIN, then read and discard until the peer closes, so that unread request bytes do not
    // turn our close into a RST that destroys the response before the client read it.
    auto& sock = beast::get_lowest_layer(stream_);
    beast::error_code ec;
    sock.shutdown(Tcp::socket::shutdown_send, ec);
    if (ec) {
        co_return;
    }
    Arm(Phase::kLinger, kLingerTimeout);
    std::array<char, 2048> scratch{};
    std::size_t total = 0;
    while (total < kMaxLingerBytes) {
        auto [rec, n] =
            co_await sock.async_read_some(asio::buffer(scratch), asio::as_tuple(asio::use_awaitable));
        if (rec) {
            break;
        }
        total += n;
    }
}

template <class Stream>
void HttpConnection<Stream>::Finish() noexcept {
    if (finished_) {
        return;
    }
    finished_ = true;
    done_ = true;
    timer_.cancel();
    CloseSocket();
    ticket_.reset();
    if (registration_ != 0) {
        state_->Unregister(registration_);
    }
    if (reject_) {
        state_->rejecting.fetch_sub(1, std::memory_order_acq_rel);
    } else {
        state_->ConnectionClosed();
    }
}

template <class Stream>
asio::awaitable<void> HttpConnection<Stream>::Upgrade() {
    if (state_->ws_handler == nullptr) {
        co_await SendError(
            {404, "not_found", "no WebSocket endpoint", "not_found"}, MethodLabel(request_.method)
        );
        co_return;
    }
    if (state_->draining.load()) {
        co_await SendError(
            {503, "unavailable", "the server is shutting down", ""}, MethodLabel(request_.method)
        );
        co_return;
    }
    // Validate what Beast would otherwise reject with a plain-text answer, so errors stay JSON.
    const auto& msg = parser_->get();
    const auto key = msg.find(http::field::sec_websocket_key);
    const auto version = msg.find(http::field::sec_websocket_version);
    if (key == msg.end() || key->value().empty() || version == msg.end() || version->value() != "13") {
        co_await SendError(
            {400, "bad_request", "invalid WebSocket upgrade request", "bad_request"},
            MethodLabel(request_.method)
        );
        co_return;
    }
    // Hand the stream over: stop this connection's watchdog and registration; WebSocket timeouts are
    // Beast's own from here on.
    done_ = true;
    timer_.cancel();
    state_->Unregister(registration_);
    registration_ = 0;
    auto upgrade = parser_->release();
    co_await RunWebSocket<Stream>(
        state_, std::move(stream_), std::move(request_), std::move(upgrade), &cancel_
    );
}

template class HttpConnection<PlainStream>;
template class HttpConnection<TlsStream>;

}  // namespace gw::net::internal
