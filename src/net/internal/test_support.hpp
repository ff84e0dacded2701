#pragma once
/// @file
/// @brief Private to net's tests: a server fixture on a 2-thread io_context, a recording observer and
/// the routes most server tests use.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "net/http_server.hpp"
#include "net/internal/test_client.hpp"
#include "runtime/io_runtime.hpp"
#include "runtime/testing.hpp"

namespace gw::net::testing {

/// Polls `pred` until it holds or `timeout` passes (for events observed from another thread).
inline bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

class RecordingObserver final : public ServerObserver {
public:
    void OnRequest(std::string_view method, int status, double /*seconds*/) override {
        std::lock_guard lock(mutex_);
        requests_.emplace_back(std::string(method), status);
    }

    void OnError(std::string_view reason) override {
        std::lock_guard lock(mutex_);
        errors_.emplace_back(reason);
    }

    void OnConnectionOpened() override { ++opened; }

    void OnConnectionClosed() override { ++closed; }

    int ErrorCount(std::string_view reason) const {
        std::lock_guard lock(mutex_);
        return static_cast<int>(std::count(errors_.begin(), errors_.end(), reason));
    }

    int RequestCount(int status) const {
        std::lock_guard lock(mutex_);
        return static_cast<int>(std::count_if(requests_.begin(), requests_.end(), [&](const auto& r) {
            return r.second == status;
        }));
    }

    std::atomic<int> opened{0};
    std::atomic<int> closed{0};

private:
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, int>> requests_;
    std::vector<std::string> errors_;
};

/// Options with tiny timeouts so timeout tests stay fast.
inline config::ServerOptions TestOptions() {
    config::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.header_read_timeout = 2s;
    o.keepalive_idle_timeout = 2s;
    o.request_timeout = 2s;
    return o;
}

/// Owns a server on an io_context run by 2 threads. Register routes on `router` before Start().
class ServerFixture {
public:
    explicit ServerFixture(config::ServerOptions options = TestOptions(), WebSocketHandler* ws = nullptr)
        : options_(std::move(options)), ws_(ws) {}

    ServerFixture(const ServerFixture&) = delete;
    ServerFixture& operator=(const ServerFixture&) = delete;

    ~ServerFixture() { Stop(); }

    void Start() {
        server_ = std::make_unique<HttpServer>(runtime_.Context(), options_, router, observer, ws_);
        if (admission) {
            server_->SetAdmission(admission);
        }
        auto started = server_->Start();
        ASSERT_TRUE(started) << started.error().message;
        thread_ = std::thread([this] { runtime_.Run(2); });
    }

    void Stop() {
        if (server_ && thread_.joinable()) {
            server_->ForceClose();
            EXPECT_TRUE(WaitFor([&] { return server_->OpenConnections() == 0; })) << "connections left open";
        }
        runtime_.Stop();
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    HttpServer& Server() { return *server_; }

    std::uint16_t Port() const { return server_->Port(); }

    Router router;
    RecordingObserver observer;
    std::shared_ptr<Admission> admission;  ///< installed by Start when set

private:
    config::ServerOptions options_;
    WebSocketHandler* ws_;
    runtime::IoRuntime runtime_;
    std::unique_ptr<HttpServer> server_;
    std::thread thread_;
};

/// Routes: GET /hello, POST /echo (body back), POST /upload/* (body size), GET /info (request fields),
/// GET /boom (throws), GET /sleep (10 s, cancellable), GET /slow (300 ms; counts into `slow_started`).
inline void AddTestRoutes(Router& router, std::atomic<int>* slow_started = nullptr) {
    router.Add("GET", "/hello", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.body = R"({"hello":"world"})";
        co_return r;
    });
    router.Add("POST", "/echo", [](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.content_type = "text/plain";
        r.body = req.body;
        co_return r;
    });
    router.AddPrefix("POST", "/upload/", [](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.body = std::to_string(req.body.size());
        co_return r;
    });
    router.Add("GET", "/info", [](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.content_type = "text/plain";
        r.body = req.request_id + "|" + req.trace_id + "|" + req.path + "|" + req.query + "|" +
                 req.remote_ip + "|" + std::string(req.Header("x-custom").value_or("-"));
        co_return r;
    });
    router.Add("GET", "/boom", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
        throw std::runtime_error("handler exploded");
        co_return HttpResponse{};
    });
    router.Add("GET", "/sleep", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
        asio::steady_timer t(co_await asio::this_coro::executor, 10s);
        co_await t.async_wait(asio::use_awaitable);
        co_return HttpResponse{};
    });
    router.Add("GET", "/slow", [slow_started](const HttpRequest&) -> asio::awaitable<HttpResponse> {
        if (slow_started != nullptr) {
            ++*slow_started;
        }
        asio::steady_timer t(co_await asio::this_coro::executor, 300ms);
        co_await t.async_wait(asio::use_awaitable);
        HttpResponse r;
        r.body = "slow-done";
        co_return r;
    });
}

}  // namespace gw::net::testing
