// One HTTP request/response exchange on an HttpConnection: read the header (idle/header deadlines),
// ask the Admission hook, apply limits, read the body, route, call the handler (answers are written by
// http_write.cpp).
#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include "base/ids.hpp"
#include "net/internal/http_connection.hpp"
#include "net/internal/response_head.hpp"
#include "obs/log.hpp"
#include "obs/trace.hpp"

namespace gw::net::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t kReadChunk = 4096;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

template <class Stream>
asio::awaitable<bool> HttpConnection<Stream>::ServeOne() {
    const ReadStatus rs = co_await ReadHeader();
    if (rs != ReadStatus::kOk) {
        if (rs == ReadStatus::kClosed || rs == ReadStatus::kIdleTimeout) {
            co_return false;  // nothing received: close silently
        }
        request_.request_id = NewRequestId();
        request_.trace_id.clear();
        if (rs == ReadStatus::kHeaderTimeout) {
            co_await SendError(
                {408, "request_timeout", "the request header was not received in time", "timeout"}, "UNKNOWN"
            );
        } else if (rs == ReadStatus::kTooLarge) {
            co_await SendError(
                {431,
                 "request_header_fields_too_large",
                 "the request header is too large",
                 "header_too_large"},
                "UNKNOWN"
            );
        } else {
            co_await SendError({400, "bad_request", "malformed HTTP request", "bad_request"}, "UNKNOWN");
        }
        co_return false;
    }

    Arm(Phase::kBody, state_->options.request_timeout);  // bounds the body and the handler
    FillRequest();
    const std::string_view label = MethodLabel(request_.method);
    const auto& msg = parser_->get();
    if (msg.version() >= 11 && msg.find(http::field::host) == msg.end()) {
        co_await SendError({400, "bad_request", "missing Host header", "bad_request"}, label);
        co_return false;
    }
    if (request_.path.empty() || request_.path.front() != '/' ||
        !boost::urls::parse_origin_form(request_.target)) {
        co_await SendError({400, "bad_request", "invalid request target", "bad_request"}, label);
        co_return false;
    }
    if (auto rejection = CheckAdmission()) {
        // The body (if any) is not read: answer, then close unless the connection is clean.
        const bool keep_alive = request_.keep_alive && parser_->is_done() && !timed_out_ &&
                                !state_->draining.load(std::memory_order_relaxed);
        const bool written = co_await Write(*rejection, request_.method == "HEAD", keep_alive);
        Record(label, rejection->status);
        ++served_;
        if (written && !keep_alive) {
            co_await LingeringClose();
        }
        const bool more = written && keep_alive;
        co_return more;
    }
    const std::size_t limit = state_->BodyLimitFor(request_.path);
    if (const auto cl = parser_->content_length(); cl && *cl > limit) {
        co_await SendError(
            {413, "payload_too_large", "the request body is too large", "payload_too_large"}, label
        );
        co_return false;
    }
    if (beast::websocket::is_upgrade(msg)) {
        co_await Upgrade();
        co_return false;
    }
    if (!parser_->is_done()) {
        const auto error = co_await ReadBody(limit);
        if (error && error->status == 0) {
            co_return false;  // the client went away
        }
        if (error) {
            co_await SendError(*error, label);
            co_return false;
        }
    }
    request_.body = std::move(parser_->get().body());

    const RouteMatch match = state_->router.Match(request_.method, request_.path);
    HttpResponse resp;
    if (match.status == 404) {
        state_->observer.OnError("not_found");
        resp = JsonError(404, "not_found", "no route for this path", request_.request_id);
    } else if (match.status == 405) {
        state_->observer.OnError("method_not_allowed");
        resp = JsonError(405, "method_not_allowed", "method not allowed for this path", request_.request_id);
        resp.headers.emplace_back("Allow", std::string(match.allow));
    } else {
        resp = co_await CallHandler(match.handler);
    }
    resp.headers.reserve(resp.headers.size() + admission_headers_.size());
    for (auto& header : admission_headers_) {
        const bool present = std::any_of(resp.headers.begin(), resp.headers.end(), [&](const auto& h) {
            return IEquals(h.first, header.first);
        });
        if (!present) {
            resp.headers.push_back(std::move(header));
        }
    }
    bool keep_alive = request_.keep_alive && !timed_out_ && !state_->draining.load(std::memory_order_relaxed);
    if (resp.stream && !StatusHasNoBody(resp.status)) {
        // HTTP/1.0 clients cannot parse chunked framing: their body ends with the connection.
        const bool chunked = msg.version() >= 11;
        keep_alive = keep_alive && chunked;
        const bool completed = co_await WriteStream(resp, request_.method == "HEAD", keep_alive, chunked);
        Record(label, resp.status);
        ++served_;
        if (!completed) {
            co_return false;
        }
        if (!keep_alive || state_->draining.load(std::memory_order_relaxed)) {
            co_await LingeringClose();
            co_return false;
        }
        co_return true;
    }
    const bool written = co_await Write(resp, request_.method == "HEAD", keep_alive);
    Record(label, resp.status);
    ++served_;
    if (!written) {
        co_return false;
    }
    if (!keep_alive) {
        co_await LingeringClose();
        co_return false;
    }
    co_return true;
}

template <class Stream>
asio::awaitable<typename HttpConnection<Stream>::ReadStatus> HttpConnection<Stream>::ReadHeader() {
    const auto& opts = state_->options;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opts.max_header_bytes, UINT32_MAX))
    );
    parser_->body_limit(boost::none);  // checked per route once the path is known
    const auto start_header = [this, &opts] {
        request_start_ = Clock::now();
        ArmAt(Phase::kHeader, served_ > 0 ? request_start_ + opts.header_read_timeout : first_deadline_);
    };
    if (buffer_.size() == 0) {
        if (state_->draining.load()) {
            co_return ReadStatus::kClosed;
        }
        if (served_ > 0) {
            Arm(Phase::kIdle, opts.keepalive_idle_timeout);
        } else {
            ArmAt(Phase::kIdle, first_deadline_);
        }
    } else {
        start_header();
    }
    for (;;) {
        if (buffer_.size() != 0) {
            beast::error_code ec;
            const std::size_t used = parser_->put(buffer_.data(), ec);
            buffer_.consume(used);
            if (!ec && parser_->is_header_done()) {
                co_return ReadStatus::kOk;
            }
            if (ec && ec != http::error::need_more) {
                co_return ec == http::error::header_limit ? ReadStatus::kTooLarge : ReadStatus::kBadRequest;
            }
            if (!ec && used > 0) {
                continue;
            }
        }
        if constexpr (!kIsTls<Stream>) {
            if (phase_ == Phase::kIdle && buffer_.size() == 0) {
                // An idle keep-alive connection holds no read buffer: wait for readability first, so
                // 10,000 idle clients cost a socket and a coroutine each, not 4 KiB more.
                buffer_.shrink_to_fit();
                auto [wait_ec] =
                    co_await stream_.async_wait(Stream::wait_read, asio::as_tuple(asio::use_awaitable));
                if (wait_ec || timed_out_) {
                    if (timed_out_ && !state_->killed.load()) {
                        co_return ReadStatus::kIdleTimeout;
                    }
                    co_return ReadStatus::kClosed;
                }
            }
        }
        auto [ec, n] = co_await stream_.async_read_some(
            buffer_.prepare(kReadChunk), asio::as_tuple(asio::use_awaitable)
        );
        if (ec || timed_out_) {
            if (timed_out_ && !state_->killed.load()) {
                co_return phase_ == Phase::kIdle ? ReadStatus::kIdleTimeout : ReadStatus::kHeaderTimeout;
            }
            co_return ReadStatus::kClosed;  // EOF, reset, drain or kill
        }
        buffer_.commit(n);
        if (phase_ == Phase::kIdle) {
            start_header();
        }
    }
}

template <class Stream>
void HttpConnection<Stream>::FillRequest() {
    const auto& msg = parser_->get();
    request_.method.assign(msg.method_string());
    const std::string_view target = msg.target();
    request_.target.assign(target);
    const auto q = target.find('?');
    request_.path.assign(target.substr(0, q));
    if (q == std::string_view::npos) {
        request_.query.clear();
    } else {
        request_.query.assign(target.substr(q + 1));
    }
    // Reuse the header strings' capacity from the previous request on this connection.
    auto& headers = request_.headers;
    std::size_t i = 0;
    for (const auto& field : msg) {
        const std::string_view name = field.name_string();
        const std::string_view value = field.value();
        if (i < headers.size()) {
            headers[i].first.assign(name);
            headers[i].second.assign(value);
        } else {
            headers.emplace_back(name, value);
        }
        ++i;
    }
    headers.erase(headers.begin() + static_cast<std::ptrdiff_t>(i), headers.end());
    request_.body.clear();

    const auto rid = msg.find("X-Request-Id");
    if (rid != msg.end() && IsValidRequestId(rid->value())) {
        request_.request_id.assign(rid->value());
    } else {
        request_.request_id = NewRequestId();
    }
    request_.trace_id.clear();
    if (const auto tp = msg.find("traceparent"); tp != msg.end()) {
        if (auto ctx = obs::ParseTraceparent(tp->value())) {
            request_.trace_id = std::move(ctx->trace_id);
        }
    }
    request_.keep_alive = msg.keep_alive();
}

template <class Stream>
asio::awaitable<std::optional<typename HttpConnection<Stream>::Reply>> HttpConnection<Stream>::ReadBody(
    std::size_t limit
) {
    static constexpr Reply kGone{0, "", "", ""};
    parser_->body_limit(limit);
    const auto& msg = parser_->get();
    if (const auto expect = msg.find(http::field::expect);
        expect != msg.end() && IEquals(expect->value(), "100-continue")) {
        auto [wec, wn] =
            co_await asio::async_write(stream_, asio::buffer(kContinue), asio::as_tuple(asio::use_awaitable));
        if (wec) {
            co_return kGone;
        }
    }
    auto [ec, n] = co_await http::async_read(stream_, buffer_, *parser_, asio::as_tuple(asio::use_awaitable));
    if (timed_out_ && !state_->killed.load()) {
        co_return Reply{408, "request_timeout", "the request body was not received in time", "timeout"};
    }
    if (ec == http::error::body_limit) {
        co_return Reply{413, "payload_too_large", "the request body is too large", "payload_too_large"};
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_version).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
        co_return Reply{400, "bad_request", "malformed request body", "bad_request"};
    }
    if (ec) {
        co_return kGone;
    }
    co_return std::nullopt;
}

template <class Stream>
asio::awaitable<HttpResponse> HttpConnection<Stream>::CallHandler(const Handler* handler) {
    phase_ = Phase::kHandler;  // same deadline as the body, unless the route has its own limit
    if (!state_->options.route_handler_timeouts.empty()) {
        Arm(Phase::kHandler, state_->HandlerTimeoutFor(request_.path));
    }
    HttpResponse resp;
    std::string failure;
    bool failed = false;
    try {
        resp = co_await (*handler)(request_);
    } catch (const std::exception& e) {
        failed = true;
        failure = e.what();
    } catch (...) {
        failed = true;
        failure = "unknown exception";
    }
    // A deadline or kill cancelled the handler: clear the state so this coroutine can keep doing I/O.
    const auto cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none) {
        co_await asio::this_coro::reset_cancellation_state();
    }
    const std::string_view rid = request_.request_id;
    if (timed_out_) {
        state_->observer.OnError("timeout");
        obs::Log(
            obs::LogLevel::kWarn,
            kLogger,
            "handler exceeded request_timeout",
            {{"path", request_.path}, {"request_id", rid}, {"trace_id", request_.trace_id}}
        );
        co_return JsonError(504, "gateway_timeout", "the request took too long", rid);
    }
    if (failed && state_->killed.load()) {
        obs::Log(
            obs::LogLevel::kInfo,
            kLogger,
            "handler cancelled by shutdown",
            {{"path", request_.path}, {"request_id", rid}}
        );
        co_return JsonError(503, "unavailable", "the server is shutting down", rid);
    }
    if (failed) {
        state_->observer.OnError("internal");
        obs::Log(
            obs::LogLevel::kError,
            kLogger,
            "handler threw",
            {{"path", request_.path},
             {"error", failure},
             {"request_id", rid},
             {"trace_id", request_.trace_id}}
        );
        co_return JsonError(500, "internal", "internal error", rid);
    }
    if (!IsValidHandlerStatus(resp.status)) {
        state_->observer.OnError("internal");
        obs::Log(
            obs::LogLevel::kError,
            kLogger,
            "handler returned an invalid status",
            {{"path", request_.path}, {"status", std::to_string(resp.status)}, {"request_id", rid}}
        );
        co_return JsonError(500, "internal", "internal error", rid);
    }
    co_return resp;
}

#define GW_NET_INSTANTIATE_EXCHANGE(S)                                                             \
    template asio::awaitable<bool> HttpConnection<S>::ServeOne();                                  \
    template asio::awaitable<HttpConnection<S>::ReadStatus> HttpConnection<S>::ReadHeader();       \
    template void HttpConnection<S>::FillRequest();                                                \
    template asio::awaitable<std::optional<HttpConnection<S>::Reply>> HttpConnection<S>::ReadBody( \
        std::size_t                                                                                \
    );                                                                                             \
    template asio::awaitable<HttpResponse> HttpConnection<S>::CallHandler(const Handler*);

GW_NET_INSTANTIATE_EXCHANGE(PlainStream)
GW_NET_INSTANTIATE_EXCHANGE(TlsStream)

#undef GW_NET_INSTANTIATE_EXCHANGE

}  // namespace gw::net::internal
