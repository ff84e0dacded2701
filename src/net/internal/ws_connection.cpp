// WebSocket sessions (WsSession): a reader loop (the connection's coroutine) plus one writer coroutine
// draining a bounded queue, so at most one async_write is in flight (Beast chat-multi pattern).
#include "net/internal/ws_connection.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "base/ids.hpp"
#include "net/internal/ws_session.hpp"
#include "obs/log.hpp"
#include "runtime/log_on_error.hpp"

namespace gw::net::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxCloseReason = 123;

void Decorate(websocket::response_type& res) {
    res.set(http::field::server, "openclaw-gateway");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set("Permissions-Policy", "camera=(), microphone=(self), geolocation=()");
}

}  // namespace

template <class Stream>
asio::awaitable<void> WsSession<Stream>::Run(
    std::shared_ptr<WsSession> self, http::request<http::string_body> upgrade
) {
    auto& st = *self->state_;
    const auto start = Clock::now();
    self->registration_ = st.Register(self);
    self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    self->ws_.set_option(websocket::stream_base::decorator(&Decorate));
    self->ws_.text(true);
    auto [ec] = co_await self->ws_.async_accept(upgrade, asio::as_tuple(asio::use_awaitable));
    st.observer.OnRequest("GET", ec ? 400 : 101, std::chrono::duration<double>(Clock::now() - start).count());
    if (ec) {
        obs::Log(
            obs::LogLevel::kInfo,
            kLogger,
            "websocket handshake failed",
            {{"error", ec.message()}, {"request_id", self->request_.request_id}}
        );
        st.Unregister(self->registration_);
        co_return;
    }
    if (st.draining.load()) {
        self->Drain();  // the drain started after the upgrade was accepted
    }
    obs::Log(
        obs::LogLevel::kDebug,
        kLogger,
        "websocket opened",
        {{"session_id", self->id_},
         {"request_id", self->request_.request_id},
         {"trace_id", self->request_.trace_id},
         {"remote_ip", self->request_.remote_ip}}
    );
    try {
        st.ws_handler->OnOpen(self);
    } catch (const std::exception& e) {
        obs::Log(obs::LogLevel::kError, kLogger, "websocket OnOpen threw", {{"error", e.what()}});
        self->RequestClose(1011, "internal error", true);
    } catch (...) {
        obs::Log(obs::LogLevel::kError, kLogger, "websocket OnOpen threw", {{"error", "unknown exception"}});
        self->RequestClose(1011, "internal error", true);
    }
    asio::co_spawn(self->executor_, Writer(self), runtime::LogOnError("ws-writer"));
    const std::uint16_t code = co_await self->ReadLoop(self);

    self->ended_ = true;
    {
        std::lock_guard lock(self->mutex_);
        self->closed_ = true;
        self->queue_.clear();
    }
    self->wake_.cancel();
    self->guard_.cancel();
    self->CloseSocket();  // also aborts a write stuck behind a peer that stopped reading
    st.Unregister(self->registration_);
    obs::Log(
        obs::LogLevel::kDebug,
        kLogger,
        "websocket closed",
        {{"session_id", self->id_}, {"request_id", self->request_.request_id}, {"code", std::to_string(code)}}
    );
    try {
        st.ws_handler->OnClose(*self, code);
    } catch (const std::exception& e) {
        obs::Log(obs::LogLevel::kError, kLogger, "websocket OnClose threw", {{"error", e.what()}});
    } catch (...) {
        obs::Log(obs::LogLevel::kError, kLogger, "websocket OnClose threw", {{"error", "unknown exception"}});
    }
}

template <class Stream>
asio::awaitable<std::uint16_t> WsSession<Stream>::ReadLoop(std::shared_ptr<WsSession> self) {
    beast::flat_buffer buffer;
    for (;;) {
        ws_.read_message_max(read_limit_.load());
        auto [ec, n] = co_await ws_.async_read(buffer, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return CloseCodeFor(ec);
        }
        if (!ws_.got_text()) {
            buffer.consume(buffer.size());
            RequestClose(kWsCloseUnsupportedData, "text frames only", true);
            continue;  // keep reading until the peer answers the close
        }
        bool closing = false;
        {
            std::lock_guard lock(mutex_);
            closing = close_requested_;
        }
        if (closing) {
            buffer.consume(buffer.size());
            continue;
        }
        std::string text = beast::buffers_to_string(buffer.data());
        buffer.consume(buffer.size());
        std::string failure;
        in_handler_ = true;
        try {
            co_await state_->ws_handler->OnMessage(self, std::move(text));
        } catch (const std::exception& e) {
            failure = e.what();
            if (failure.empty()) {
                failure = "exception";
            }
        } catch (...) {
            failure = "unknown exception";
        }
        in_handler_ = false;
        const auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) {
            co_await asio::this_coro::reset_cancellation_state();
        }
        if (!failure.empty()) {
            state_->observer.OnError("internal");
            obs::Log(
                obs::LogLevel::kError,
                kLogger,
                "websocket OnMessage threw",
                {{"error", failure}, {"request_id", request_.request_id}}
            );
            RequestClose(1011, "internal error", true);
        }
    }
}

template <class Stream>
asio::awaitable<void> WsSession<Stream>::Writer(std::shared_ptr<WsSession> self) {
    for (;;) {
        if (self->ended_) {
            co_return;
        }
        std::string message;
        bool have_message = false;
        bool do_close = false;
        websocket::close_reason reason;
        {
            std::lock_guard lock(self->mutex_);
            if (!self->queue_.empty()) {
                message = std::move(self->queue_.front());
                self->queue_.pop_front();
                have_message = true;
            } else if (self->close_requested_) {
                do_close = true;
                reason.code = self->requested_code_;
                reason.reason = self->requested_reason_;
            } else {
                self->writer_waiting_ = true;
            }
        }
        if (have_message) {
            auto [ec, n] =
                co_await self->ws_.async_write(asio::buffer(message), asio::as_tuple(asio::use_awaitable));
            {
                std::lock_guard lock(self->mutex_);
                self->queued_bytes_ -= std::min(self->queued_bytes_, message.size());
            }
            if (ec) {
                co_return;  // the reader sees the failure too
            }
            continue;
        }
        if (do_close) {
            self->sent_code_ = reason.code;
            co_await self->ws_.async_close(reason, asio::as_tuple(asio::use_awaitable));
            co_return;  // the reader completes when the peer answers (or the guard drops the socket)
        }
        self->wake_.expires_at(Clock::time_point::max());
        co_await self->wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

template <class Stream>
bool WsSession<Stream>::Send(std::string text) {
    bool notify = false;
    bool overflow = false;
    {
        std::lock_guard lock(mutex_);
        if (close_requested_ || closed_) {
            return false;
        }
        if (queued_bytes_ + text.size() > state_->options.ws_max_queued_bytes) {
            overflow = true;
        } else {
            queued_bytes_ += text.size();
            queue_.push_back(std::move(text));
            notify = writer_waiting_;
            writer_waiting_ = false;
        }
    }
    if (overflow) {
        state_->observer.OnError("overload");
        obs::Log(
            obs::LogLevel::kWarn,
            kLogger,
            "websocket slow consumer, closing",
            {{"request_id", request_.request_id}}
        );
        RequestClose(kWsClosePolicyViolation, "slow consumer", true);
        return false;
    }
    if (notify) {
        auto self = this->shared_from_this();
        asio::post(executor_, [self] { self->wake_.cancel(); });
    }
    return true;
}

template <class Stream>
void WsSession<Stream>::RequestClose(std::uint16_t code, std::string reason, bool discard) {
    bool notify = false;
    {
        std::lock_guard lock(mutex_);
        if (close_requested_ || closed_) {
            return;
        }
        close_requested_ = true;
        requested_code_ = code;
        if (reason.size() > kMaxCloseReason) {
            reason.resize(kMaxCloseReason);
        }
        requested_reason_ = std::move(reason);
        if (discard) {
            queue_.clear();
        }
        notify = writer_waiting_;
        writer_waiting_ = false;
    }
    auto self = this->shared_from_this();
    asio::post(executor_, [self, notify] {
        if (self->ended_) {
            return;
        }
        if (notify) {
            self->wake_.cancel();
        }
        self->guard_.expires_after(kWsCloseTimeout);
        self->guard_.async_wait([self](const beast::error_code& ec) {
            if (!ec) {
                self->CloseSocket();
            }
        });
    });
}

template <class Stream>
void WsSession<Stream>::Kill() {
    auto self = this->shared_from_this();
    asio::post(executor_, [self] {
        if (self->ended_) {
            return;
        }
        self->CloseSocket();
        if (self->in_handler_) {
            self->cancel_->emit(asio::cancellation_type::terminal);
        }
    });
}

template <class Stream>
std::uint16_t WsSession<Stream>::CloseCodeFor(const beast::error_code& ec) const {
    if (ec == websocket::error::closed) {
        if (sent_code_ != 0) {
            return sent_code_;
        }
        const auto peer = static_cast<std::uint16_t>(ws_.reason().code);
        return peer == 0 ? std::uint16_t{1005} : peer;
    }
    if (ec == websocket::error::message_too_big) {
        return kWsCloseMessageTooBig;
    }
    if (sent_code_ != 0) {
        return sent_code_;
    }
    std::lock_guard lock(mutex_);
    return requested_code_ != 0 ? requested_code_ : kWsCloseAbnormal;
}

template <class Stream>
void WsSession<Stream>::CloseSocket() noexcept {
    auto& sock = beast::get_lowest_layer(ws_);
    if (sock.is_open()) {
        beast::error_code ec;
        sock.close(ec);
    }
}

template <class Stream>
asio::awaitable<void> RunWebSocket(
    std::shared_ptr<ServerState> state,
    Stream stream,
    HttpRequest request,
    UpgradeMessage upgrade,
    asio::cancellation_signal* cancel
) {
    auto session =
        std::make_shared<WsSession<Stream>>(std::move(state), std::move(stream), std::move(request), cancel);
    co_await WsSession<Stream>::Run(std::move(session), std::move(upgrade));
}

template asio::awaitable<void>
RunWebSocket<PlainStream>(StatePtr, PlainStream, HttpRequest, UpgradeMessage, CancelSignal*);
template asio::awaitable<void>
RunWebSocket<TlsStream>(StatePtr, TlsStream, HttpRequest, UpgradeMessage, CancelSignal*);

template class WsSession<PlainStream>;
template class WsSession<TlsStream>;

}  // namespace gw::net::internal
