#include "net/internal/client_exchange.hpp"

#include <algorithm>

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include "net/internal/client_url.hpp"

namespace gw::net::internal {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

constexpr std::size_t kReadChunk = 16 * 1024;

bool IsPeerClose(const boost::system::error_code& ec) {
    return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

std::unique_ptr<ClientParser> NewParser(const ClientExchange& ex) {
    auto p = std::make_unique<ClientParser>();
    p->eager(true);
    p->skip(ex.head_request);
    p->header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(ex.core->options.max_header_bytes, UINT32_MAX))
    );
    if (ex.body_limit) {
        p->body_limit(static_cast<std::uint64_t>(*ex.body_limit));
    } else {
        p->body_limit(boost::none);
    }
    return p;
}

Error ParseError(const boost::system::error_code& ec, const ClientExchange& ex) {
    if (ec == http::error::body_limit) {
        return MakeError(
            ErrorCode::kUpstreamError,
            "response body from " + ex.origin.key + " exceeds " + std::to_string(ex.body_limit.value_or(0)) +
                " bytes"
        );
    }
    if (ec == http::error::header_limit) {
        return MakeError(
            ErrorCode::kUpstreamError, "response header from " + ex.origin.key + " is too large"
        );
    }
    return MakeError(
        ErrorCode::kUpstreamError, "malformed response from " + ex.origin.key + ": " + ec.message()
    );
}

/// Feeds buffered bytes to the parser. Returns the parse error, if any (need_more is not an error).
boost::system::error_code Feed(ClientExchange& ex, bool& progressed) {
    boost::system::error_code ec;
    auto& buffer = ex.conn->buffer;
    progressed = false;
    if (buffer.size() == 0) {
        return ec;
    }
    const std::size_t used = ex.parser->put(buffer.data(), ec);
    buffer.consume(used);
    progressed = used > 0;
    if (ec == http::error::need_more) {
        ec = {};
    }
    return ec;
}

struct HeadOutcome {
    std::optional<Error> error;
    bool closed_before_response = false;  ///< the peer closed before sending any byte
};

asio::awaitable<HeadOutcome> ReadHead(ClientExchange& ex) {
    bool received = ex.conn->buffer.size() != 0;
    for (;;) {
        bool progressed = false;
        if (const auto ec = Feed(ex, progressed); ec) {
            co_return HeadOutcome{ParseError(ec, ex), false};
        }
        if (ex.parser->is_header_done()) {
            const int status = static_cast<int>(ex.parser->get().result_int());
            if (status >= 100 && status < 200 && status != 101) {
                ex.parser = NewParser(ex);  // interim response: the real one follows
                continue;
            }
            co_return HeadOutcome{};
        }
        if (progressed) {
            continue;
        }
        auto& buffer = ex.conn->buffer;
        const IoResult io = co_await ex.conn->ReadSome(buffer.prepare(kReadChunk), ex.deadline);
        if (io.ec) {
            if (!received && !io.timed_out && !io.cancelled && IsPeerClose(io.ec)) {
                co_return HeadOutcome{MapIoError(io, "read from", ex.origin), true};
            }
            if (IsPeerClose(io.ec) && io.ec != asio::error::connection_reset) {
                co_return HeadOutcome{
                    MakeError(ErrorCode::kUpstreamError, "truncated response header from " + ex.origin.key),
                    false};
            }
            co_return HeadOutcome{MapIoError(io, "read from", ex.origin), false};
        }
        buffer.commit(io.bytes);
        received = received || io.bytes > 0;
    }
}

void Finish(ClientExchange& ex) {
    if (!ex.conn) {
        return;
    }
    const bool reusable = ex.parser->is_done() && ex.parser->get().keep_alive() && !ex.parser->need_eof() &&
                          ex.conn->buffer.size() == 0;
    if (reusable) {
        ex.core->pool.Release(std::move(ex.conn));
    }
    ex.conn.reset();
}

}  // namespace

int ClientExchange::Status() const {
    return static_cast<int>(parser->get().result_int());
}

HttpHeaders ClientExchange::Headers() const {
    HttpHeaders out;
    for (const auto& field : parser->get()) {
        out.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    return out;
}

asio::awaitable<Result<void>> StartExchange(ClientExchange& ex, const HttpClientRequest& req) {
    auto url = ParseUrl(req.url);
    if (!url) {
        co_return url.error();
    }
    auto bytes = SerializeRequest(req, *url, ex.core->options.user_agent);
    if (!bytes) {
        co_return bytes.error();
    }
    ex.origin = url->origin;
    ex.head_request = req.method == "HEAD";
    auto& core = *ex.core;
    for (int attempt = 0;; ++attempt) {
        // A retry always uses a new connection, so it happens at most once.
        ex.conn = attempt == 0 ? core.pool.Acquire(ex.origin.key) : nullptr;
        const bool reused = ex.conn != nullptr;
        if (!reused) {
            const auto connect_deadline =
                std::min(ex.deadline, ClientClock::now() + core.options.connect_timeout);
            auto opened = co_await ClientConnection::Open(
                core.ioc, ex.origin, core.tls, core.options.verify_tls, connect_deadline
            );
            if (!opened) {
                Error e = std::move(opened.error());
                if (e.code == ErrorCode::kDeadlineExceeded && connect_deadline < ex.deadline) {
                    e.message += " (connect_timeout)";
                }
                co_return e;
            }
            ex.conn = std::move(*opened);
        }
        ex.parser = NewParser(ex);
        const IoResult written = co_await ex.conn->WriteAll(asio::buffer(*bytes), ex.deadline);
        if (written.ec) {
            ex.conn.reset();
            // The server closed the idle connection before taking the request: it was not processed.
            if (reused && !written.timed_out && !written.cancelled) {
                continue;
            }
            co_return MapIoError(written, "write to", ex.origin);
        }
        auto head = co_await ReadHead(ex);
        if (!head.error) {
            co_return Ok();
        }
        ex.conn.reset();
        if (reused && head.closed_before_response && IsIdempotent(req.method)) {
            continue;
        }
        co_return std::move(*head.error);
    }
}

asio::awaitable<Result<bool>> ReadBodySome(
    ClientExchange& ex, std::string& out, ClientClock::time_point deadline
) {
    auto& body = ex.parser->get().body();
    for (;;) {
        if (!body.empty()) {
            out.append(body);
            body.clear();
            co_return true;
        }
        if (ex.parser->is_done()) {
            Finish(ex);
            co_return false;
        }
        if (!ex.conn) {
            co_return MakeError(ErrorCode::kInternal, "response body read after the connection was released");
        }
        bool progressed = false;
        if (const auto ec = Feed(ex, progressed); ec) {
            ex.conn.reset();
            co_return ParseError(ec, ex);
        }
        if (progressed) {
            continue;
        }
        auto& buffer = ex.conn->buffer;
        const IoResult io = co_await ex.conn->ReadSome(buffer.prepare(kReadChunk), deadline);
        if (io.ec) {
            if (IsPeerClose(io.ec) && io.ec != asio::error::connection_reset &&
                io.ec != asio::error::broken_pipe) {
                // A body delimited by the connection's end completes here; anything else is truncated.
                boost::system::error_code ec;
                ex.parser->put_eof(ec);
                ex.conn.reset();
                if (!ec) {
                    continue;
                }
                co_return MakeError(
                    ErrorCode::kUpstreamError, "truncated response body from " + ex.origin.key
                );
            }
            ex.conn.reset();
            co_return MapIoError(io, "read from", ex.origin);
        }
        buffer.commit(io.bytes);
    }
}

}  // namespace gw::net::internal
