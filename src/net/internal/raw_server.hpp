#pragma once
/// @file
/// @brief Private to net's tests: a scripted TCP server for client tests (misbehaving peers): every
/// accepted connection runs the script on the server's own io thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "runtime/log_on_error.hpp"

namespace gw::net::testing {

class RawServer {
public:
    using Socket = boost::asio::ip::tcp::socket;
    /// Runs per accepted connection; `index` counts connections from 0.
    using Script = std::function<boost::asio::awaitable<void>(Socket socket, int index)>;

    explicit RawServer(Script script) : script_(std::move(script)), acceptor_(ioc_) {
        namespace asio = boost::asio;
        const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        asio::co_spawn(ioc_, Accept(), runtime::LogOnError("raw-server"));
        thread_ = std::thread([this] { ioc_.run(); });
    }

    ~RawServer() {
        ioc_.stop();
        thread_.join();
    }

    RawServer(const RawServer&) = delete;
    RawServer& operator=(const RawServer&) = delete;

    std::uint16_t Port() const { return port_; }

    int Accepted() const { return accepted_.load(); }

    /// Reads one request (head + Content-Length body); nullopt if the peer closed or sent garbage.
    static boost::asio::awaitable<std::optional<std::string>> ReadRequest(
        Socket& socket, boost::beast::flat_buffer& buffer
    ) {
        namespace http = boost::beast::http;
        http::request<http::string_body> req;
        auto [ec, n] =
            co_await http::async_read(socket, buffer, req, boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec) {
            co_return std::nullopt;
        }
        co_return std::string(req.method_string()) + " " + std::string(req.target());
    }

    static boost::asio::awaitable<void> Write(Socket& socket, std::string data) {
        co_await boost::asio::async_write(
            socket, boost::asio::buffer(data), boost::asio::as_tuple(boost::asio::use_awaitable)
        );
    }

private:
    boost::asio::awaitable<void> Accept() {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (ec) {
                co_return;
            }
            const int index = accepted_.fetch_add(1);
            boost::asio::co_spawn(ioc_, script_(std::move(socket), index), runtime::LogOnError("raw-conn"));
        }
    }

    Script script_;
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::atomic<int> accepted_{0};
    std::thread thread_;
};

}  // namespace gw::net::testing
