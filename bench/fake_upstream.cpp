/// @file
/// @brief Zero-latency OpenAI Chat Completions upstream for the chat benchmarks (bench/chat_bench.py).
///
/// `POST /v1/chat/completions` answers at once with a short fixed reply and usage: a JSON
/// `chat.completion` when the request body has `"stream": true` absent or false, otherwise an SSE stream
/// (chunked; role delta, two content deltas, finish, usage chunk with `choices: []`, `data: [DONE]`) sent
/// in one write. `GET /health` answers `{"ok":true}`; `GET /stats` answers `{"requests":N,"streamed":M}`
/// (chat completions served so far). Anything else is 404. Built like bench/reference_server.cpp (one
/// io_context on N threads, a strand per connection, coroutines) so it is never the bottleneck.
///
/// Usage: gw_fake_upstream [PORT=0] [THREADS=1] [HOST=127.0.0.1]
/// Prints `fake-upstream listening port=N threads=T` to stdout once accepting; stops on SIGINT/SIGTERM.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
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

constexpr std::string_view kCompletion =
    R"({"id":"chatcmpl-fake","object":"chat.completion","created":1700000000,"model":"fake-model",)"
    R"("choices":[{"index":0,"message":{"role":"assistant","content":"PONG from fake"},)"
    R"("finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13}})";

/// The SSE body: role delta, two content deltas, finish, usage chunk, [DONE].
std::string BuildStream() {
    constexpr std::string_view kHead =
        R"(data: {"id":"chatcmpl-fake","object":"chat.completion.chunk","created":1700000000,"model":"fake-model",)";
    constexpr std::string_view kChoices[] = {
        R"("choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})",
        R"("choices":[{"index":0,"delta":{"content":"PONG"},"finish_reason":null}]})",
        R"("choices":[{"index":0,"delta":{"content":" from fake"},"finish_reason":null}]})",
        R"("choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
        R"("choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13}})",
    };
    std::string out;
    for (const auto choice : kChoices) {
        out.append(kHead).append(choice).append("\n\n");
    }
    out.append("data: [DONE]\n\n");
    return out;
}

const std::string kStream = BuildStream();

std::atomic<unsigned long long> g_requests{0};
std::atomic<unsigned long long> g_streamed{0};

/// True when the JSON body has `"stream"` set to true (a scan, not a parse: the fake must stay cheap
/// even for the ~61 KB bodies OpenClaw sends; a `"stream"` key inside a message string is unlikely here).
bool WantsStream(std::string_view body) {
    std::size_t pos = 0;
    while ((pos = body.find("\"stream\"", pos)) != std::string_view::npos) {
        pos += 8;
        std::size_t i = pos;
        while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r')) {
            ++i;
        }
        if (i >= body.size() || body[i] != ':') {
            continue;
        }
        ++i;
        while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r')) {
            ++i;
        }
        return body.substr(i, 4) == "true";
    }
    return false;
}

void LogOnError(std::exception_ptr ep) {
    if (!ep) {
        return;
    }
    try {
        std::rethrow_exception(ep);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fake-upstream: coroutine failed: %s\n", e.what());
    }
}

http::response<http::string_body> Answer(const http::request<http::string_body>& request) {
    http::response<http::string_body> response{http::status::ok, request.version()};
    const std::string_view target = request.target();
    const std::string_view path = target.substr(0, target.find('?'));
    if (request.method() == http::verb::post && path == "/v1/chat/completions") {
        g_requests.fetch_add(1, std::memory_order_relaxed);
        if (WantsStream(request.body())) {
            g_streamed.fetch_add(1, std::memory_order_relaxed);
            response.set(http::field::content_type, "text/event-stream");
            response.set(http::field::cache_control, "no-cache");
            response.body().assign(kStream);
            response.chunked(true);
            return response;
        }
        response.set(http::field::content_type, "application/json");
        response.body().assign(kCompletion);
    } else if (request.method() == http::verb::get && path == "/health") {
        response.set(http::field::content_type, "application/json");
        response.body() = R"({"ok":true})";
    } else if (request.method() == http::verb::get && path == "/stats") {
        response.set(http::field::content_type, "application/json");
        response.body() = "{\"requests\":" + std::to_string(g_requests.load()) +
                          ",\"streamed\":" + std::to_string(g_streamed.load()) + "}";
    } else {
        response.result(http::status::not_found);
        response.set(http::field::content_type, "application/json");
        response.body() = R"({"error":{"message":"not found","type":"invalid_request_error"}})";
    }
    response.prepare_payload();
    return response;
}

asio::awaitable<void> ServeConnection(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        auto [read_ec, read_bytes] = co_await http::async_read(socket, buffer, parser, kUseTuple);
        if (read_ec) {
            break;  // EOF, reset or parse error
        }
        const auto& request = parser.get();
        auto response = Answer(request);
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
            continue;
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
        int threads = argc > 2 ? std::atoi(argv[2]) : 1;
        if (threads <= 0) {
            threads = 1;
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
            "fake-upstream listening port=%u threads=%d\n",
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
        std::fprintf(stderr, "fake-upstream: %s\n", e.what());
        return 1;
    }
}
