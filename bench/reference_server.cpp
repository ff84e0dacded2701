/// @file
/// @brief The physical-limit reference for bench/run.sh: the smallest sensible Beast HTTP/1.1 keep-alive
/// server, built the way the gateway is (one io_context run by N threads, one strand per connection,
/// C++20 coroutines), answering every request with 200 {"ok":true,"status":"live"}. No routing, no
/// timeouts, no metrics, no logging: whatever the gateway spends on top of this is its overhead.
///
/// Usage: gw_reference_server [PORT=0] [THREADS=hardware] [HOST=127.0.0.1]
/// Prints one line `reference-server listening port=N threads=T` to stdout once accepting; stops on
/// SIGINT/SIGTERM.

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr const char* kBody = R"({"ok":true,"status":"live"})";

/// Logs a coroutine's escaped exception instead of dropping it (asio::detached is banned).
void LogOnError(std::exception_ptr ep) {
    if (!ep) {
        return;
    }
    try {
        std::rethrow_exception(ep);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "reference-server: coroutine failed: %s\n", e.what());
    }
}

asio::awaitable<void> ServeConnection(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response{http::status::ok, 11};
    response.set(http::field::content_type, "application/json");
    response.body() = kBody;
    response.prepare_payload();

    for (;;) {
        http::request<http::string_body> request;
        auto [read_ec, read_bytes] = co_await http::async_read(socket, buffer, request, kUseTuple);
        if (read_ec) {
            break;  // EOF, reset or parse error: the client is gone or broken
        }
        response.version(request.version());
        response.keep_alive(request.keep_alive());
        auto [write_ec, write_bytes] = co_await http::async_write(socket, response, kUseTuple);
        if (write_ec || !request.keep_alive()) {
            break;
        }
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor) {
    for (;;) {
        auto [ec, socket] =
            co_await acceptor.async_accept(asio::make_strand(acceptor.get_executor()), kUseTuple);
        if (ec == asio::error::operation_aborted) {
            co_return;
        }
        if (ec) {
            continue;  // EMFILE and friends: keep accepting
        }
        boost::system::error_code opt_ec;
        socket.set_option(tcp::no_delay(true), opt_ec);
        auto executor = socket.get_executor();
        asio::co_spawn(executor, ServeConnection(std::move(socket)), LogOnError);
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const unsigned short port = argc > 1 ? static_cast<unsigned short>(std::atoi(argv[1])) : 0;
        int threads = argc > 2 ? std::atoi(argv[2]) : 0;
        if (threads <= 0) {
            threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
        }
        const std::string host = argc > 3 ? argv[3] : "127.0.0.1";

        asio::io_context ioc{threads};
        tcp::acceptor acceptor{ioc};
        const tcp::endpoint endpoint{asio::ip::make_address(host), port};
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(asio::socket_base::max_listen_connections);

        asio::signal_set signals{ioc, SIGINT, SIGTERM};
        signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
        asio::co_spawn(ioc, Accept(acceptor), LogOnError);

        std::printf(
            "reference-server listening port=%u threads=%d\n",
            static_cast<unsigned>(acceptor.local_endpoint().port()),
            threads
        );
        std::fflush(stdout);

        std::vector<std::thread> pool;
        pool.reserve(static_cast<std::size_t>(threads - 1));
        for (int i = 1; i < threads; ++i) {
            pool.emplace_back([&ioc] { ioc.run(); });
        }
        ioc.run();
        for (auto& t : pool) {
            t.join();
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "reference-server: %s\n", e.what());
        return 1;
    }
}
