#pragma once
/// @file
/// @brief Private to net: one HttpClient request/response exchange on a pooled or new connection
/// (send, read the head with a transparent retry on a dead reused connection, read the body).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/optional/optional.hpp>

#include "base/error.hpp"
#include "net/http_client.hpp"
#include "net/internal/client_connection.hpp"
#include "net/internal/client_pool.hpp"

namespace gw::net::internal {

/// A Beast body that appends to a std::string without reserving the announced Content-Length (a stream
/// may announce much more than the caller keeps). Limits come from the parser's body_limit.
struct AppendBody {
    using value_type = std::string;

    class reader {
    public:
        template <bool kIsRequest, class Fields>
        reader(boost::beast::http::header<kIsRequest, Fields>& /*header*/, value_type& body) : body_(body) {}

        void init(const boost::optional<std::uint64_t>& /*length*/, boost::system::error_code& ec) {
            ec = {};
        }

        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
            std::size_t n = 0;
            for (auto it = boost::asio::buffer_sequence_begin(buffers);
                 it != boost::asio::buffer_sequence_end(buffers);
                 ++it) {
                const boost::asio::const_buffer b = *it;
                body_.append(static_cast<const char*>(b.data()), b.size());
                n += b.size();
            }
            ec = {};
            return n;
        }

        void finish(boost::system::error_code& ec) { ec = {}; }

    private:
        value_type& body_;
    };
};

using ClientParser = boost::beast::http::response_parser<AppendBody>;

/// State shared by an HttpClient and everything it started.
struct ClientCore {
    ClientCore(
        boost::asio::io_context& io, HttpClientOptions opts, std::shared_ptr<boost::asio::ssl::context> ctx
    )
        : ioc(io),
          options(std::move(opts)),
          tls(std::move(ctx)),
          pool(options.max_idle_per_host, options.idle_timeout) {}

    boost::asio::io_context& ioc;
    const HttpClientOptions options;
    const std::shared_ptr<boost::asio::ssl::context> tls;
    ClientPool pool;
};

/// One exchange. Not thread-safe; owned by one coroutine (or one StreamingResponse) at a time.
struct ClientExchange {
    std::shared_ptr<ClientCore> core;
    ClientClock::time_point deadline{};
    Origin origin;
    std::unique_ptr<ClientConnection> conn;
    std::unique_ptr<ClientParser> parser;
    std::optional<std::size_t> body_limit;  ///< nullopt: unlimited (streams)
    bool head_request = false;

    /// Status and headers of the final (non-1xx) response head.
    int Status() const;
    HttpHeaders Headers() const;
};

/// Parses the URL, sends `req` and reads the response head (skipping 1xx), using `ex.core`, `ex.deadline`
/// and `ex.body_limit`.
boost::asio::awaitable<Result<void>> StartExchange(ClientExchange& ex, const HttpClientRequest& req);

/// Appends the next body bytes to `out`: true if some were appended, false at the end of the body (the
/// connection then went back to the pool if reusable). On error the connection is dropped.
boost::asio::awaitable<Result<bool>> ReadBodySome(
    ClientExchange& ex, std::string& out, ClientClock::time_point deadline
);

}  // namespace gw::net::internal
