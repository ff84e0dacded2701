#pragma once
/// @file
/// @brief Test-only: a WsGateway over real SQLite repositories and a fake engine, served by a real
/// net::HttpServer on 127.0.0.1:0, and a blocking Beast WebSocket client. Included by *_test.cpp.

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/health_service.hpp"
#include "api/http_auth_limiter.hpp"
#include "api/openai_test_support.hpp"
#include "api/ws/internal/gateway.hpp"
#include "net/http_server.hpp"
#include "net/router.hpp"
#include "obs/metrics.hpp"
#include "runtime/io_runtime.hpp"
#include "store/embedded_store.hpp"
#include "store/sqlite_device_repository.hpp"
#include "store/sqlite_session_repository.hpp"
#include "store/sqlite_transcript_repository.hpp"
#include "support/temp_dir.hpp"

namespace gw::api::ws::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using Tcp = asio::ip::tcp;

/// A run stream with no events that ends when closed (the event hub's tenant pump).
class IdleRunStream final : public engine::RunStream {
public:
    asio::awaitable<Result<std::optional<engine::RunEvent>>> Next() override {
        auto executor = co_await asio::this_coro::executor;
        while (!closed_.load()) {
            asio::steady_timer timer(executor, std::chrono::milliseconds(20));
            co_await timer.async_wait(asio::use_awaitable);
        }
        co_return std::optional<engine::RunEvent>{};
    }
    void Close() override { closed_.store(true); }

private:
    std::atomic<bool> closed_{false};
};

class IdleEngine final : public api::testing::FakeRunEngine {
public:
    std::shared_ptr<engine::RunStream> SubscribeAll(std::string) override { return std::make_shared<IdleRunStream>(); }
};

class NullObserver final : public net::ServerObserver {
public:
    void OnRequest(std::string_view, int, double) override {}
    void OnError(std::string_view) override {}
    void OnConnectionOpened() override {}
    void OnConnectionClosed() override {}
};

/// Blocking client; every read fails after 5 s instead of hanging the test.
class WsTestClient {
public:
    explicit WsTestClient(std::uint16_t port) : ws_(ioc_) {
        Tcp::resolver resolver(ioc_);
        asio::connect(ws_.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
        timeval tv{5, 0};
        ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        ws_.handshake("127.0.0.1", "/");
    }

    void Send(const json::value& frame) { ws_.write(asio::buffer(json::serialize(frame))); }
    void SendText(const std::string& text) { ws_.write(asio::buffer(text)); }

    /// The next frame, or nullopt when the server closed (see CloseCode/CloseReason).
    std::optional<json::object> Read() {
        beast::flat_buffer buffer;
        beast::error_code ec;
        ws_.read(buffer, ec);
        if (ec) {
            closed_ = true;
            return std::nullopt;
        }
        return json::parse(beast::buffers_to_string(buffer.data())).as_object();
    }

    /// Reads frames until the close; returns the close code.
    int ReadUntilClose() {
        while (Read()) {
        }
        return ws_.reason().code;
    }
    std::string CloseReason() const { return std::string(ws_.reason().reason.data(), ws_.reason().reason.size()); }

    /// The next `res` with this id (events in between are kept in `events`).
    std::optional<json::object> ReadResponse(std::string_view id) {
        while (auto frame = Read()) {
            if (frame->at("type") == "res" && frame->at("id").as_string() == id) {
                return frame;
            }
            events.push_back(std::move(*frame));
        }
        return std::nullopt;
    }

    std::vector<json::object> events;

private:
    asio::io_context ioc_;
    websocket::stream<Tcp::socket> ws_;
    bool closed_ = false;
};

inline json::object ClientInfo(std::string id = "cli", std::string mode = "cli") {
    return json::object{{"id", std::move(id)}, {"version", "1.0.0"}, {"platform", "linux"}, {"mode", std::move(mode)}};
}

/// connect params with the shared token and the given scopes.
inline json::object ConnectParamsJson(std::string token, json::array scopes) {
    json::object params{{"minProtocol", 4}, {"maxProtocol", 4}, {"client", ClientInfo()}, {"role", "operator"},
                        {"scopes", std::move(scopes)}};
    if (!token.empty()) {
        params["auth"] = json::object{{"token", std::move(token)}};
    }
    return params;
}

inline json::object Req(std::string id, std::string method, json::value params = nullptr) {
    json::object frame{{"type", "req"}, {"id", std::move(id)}, {"method", std::move(method)}};
    if (!params.is_null()) {
        frame["params"] = std::move(params);
    }
    return frame;
}

/// Owns the whole stack. Tests may change `config` and add `extra_methods` before Start().
class GatewayFixture : public ::testing::Test {
protected:
    void Start() {
        limiter_ = std::make_unique<HttpAuthLimiter>(limiter_options);
        config.store.data_dir = dir_.File("var");
        auto store = store::EmbeddedStore::Open(config.store, store::MigrateMode::kApply);
        ASSERT_TRUE(store) << store.error().message;
        store_ = std::move(*store);
        auto clock = domain::SystemWallClock();
        sessions_ = std::make_unique<store::SqliteSessionRepository>(*store_, clock);
        transcripts_ = std::make_unique<store::SqliteTranscriptRepository>(*store_, clock);
        devices_ = std::make_unique<store::SqliteDeviceRepository>(*store_, clock);
        config.server.host = "127.0.0.1";
        config.server.port = 0;
        auto gateway = CreateWsGateway(
            WsGatewayDeps{runtime_.Context(), config, engine_, tools_, *sessions_, *transcripts_, *devices_, health_,
                          *limiter_, registry, "1.2.3", clock},
            extra_methods
        );
        ASSERT_TRUE(gateway) << gateway.error().message;
        gateway_ = std::move(*gateway);
        server_ = std::make_unique<net::HttpServer>(runtime_.Context(), config.server, router_, observer_,
                                                    &gateway_->Handler());
        auto started = server_->Start();
        ASSERT_TRUE(started) << started.error().message;
        thread_ = std::thread([this] { runtime_.Run(2); });
    }

    void TearDown() override {
        if (server_ && thread_.joinable()) {
            server_->ForceClose();
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
            while (server_->OpenConnections() > 0 && std::chrono::steady_clock::now() < deadline) {
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
            EXPECT_EQ(server_->OpenConnections(), 0u) << "connections left open";
        }
        runtime_.Stop();
        if (thread_.joinable()) {
            thread_.join();
        }
        server_.reset();
        gateway_.reset();
    }

    std::uint16_t Port() const { return server_->Port(); }

    /// Connects with the shared token; returns the client after hello-ok (stored in `hello`).
    std::unique_ptr<WsTestClient> Connect(json::array scopes = {"operator.read", "operator.write"}) {
        auto client = std::make_unique<WsTestClient>(Port());
        auto challenge = client->Read();
        EXPECT_TRUE(challenge);
        client->Send(Req("c1", "connect", ConnectParamsJson("secret-token", std::move(scopes))));
        auto res = client->ReadResponse("c1");
        EXPECT_TRUE(res && res->at("ok").as_bool()) << (res ? json::serialize(*res) : "closed");
        if (res) {
            hello = res->at("payload").as_object();
        }
        return client;
    }

    runtime::IoRuntime runtime_;  // first: destroyed last
    gw::testing::TempDir dir_;
    config::GatewayConfig config = [] {
        config::GatewayConfig c;
        c.auth.token.value = "secret-token";
        c.auth.token.source = "inline";
        return c;
    }();
    std::function<void(MethodRegistry&)> extra_methods;
    HttpAuthLimiterOptions limiter_options = HttpAuthLimiter::GatewayDefaults();
    obs::Registry registry;
    json::object hello;

private:
    std::unique_ptr<store::EmbeddedStore> store_;
    std::unique_ptr<store::SqliteSessionRepository> sessions_;
    std::unique_ptr<store::SqliteTranscriptRepository> transcripts_;
    std::unique_ptr<store::SqliteDeviceRepository> devices_;
    IdleEngine engine_;
    engine::ToolRegistry tools_;
    HealthService health_{"1.2.3"};
    std::unique_ptr<HttpAuthLimiter> limiter_;
    net::Router router_;
    NullObserver observer_;

protected:
    std::unique_ptr<WsGateway> gateway_;
    std::unique_ptr<net::HttpServer> server_;
    std::thread thread_;
};

}  // namespace gw::api::ws::testing
