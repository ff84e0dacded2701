#pragma once
/// @file
/// @brief Test support for the WS methods and the event hub: a recording ClientConnection and a fixture
/// (the engine test fixture: real engine, SQLite store, scripted fake model) with GatewayServices, an
/// EventHub and a MethodRegistry holding the core methods.

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/health_service.hpp"
#include "api/ws/device_pairing.hpp"
#include "api/ws/internal/event_hub.hpp"
#include "api/ws/internal/methods.hpp"
#include "config/options.hpp"
#include "engine/engine_test_support.hpp"
#include "store/sqlite_device_repository.hpp"

namespace gw::api::ws::testing {

namespace json = boost::json;

struct RecordedEvent {
    std::string event;
    json::value payload;
};

struct RecordedResponse {
    std::string id;
    bool ok = true;
    json::value payload;  ///< the error object when !ok
};

/// Records everything sent to it. Thread-safe.
class RecordingConnection final : public ClientConnection {
public:
    explicit RecordingConnection(ConnectionInfo info) : info_(std::move(info)) {}

    const ConnectionInfo& Info() const override { return info_; }

    void SendSerializedEvent(std::string_view event, std::string_view payload_json) override {
        std::lock_guard lock(mu_);
        events_.push_back({std::string(event), json::parse(payload_json)});
    }

    void SendResponse(std::string_view id, const json::value& payload) override {
        std::lock_guard lock(mu_);
        responses_.push_back({std::string(id), true, payload});
    }

    void SendErrorResponse(std::string_view id, const WsError& error) override {
        std::lock_guard lock(mu_);
        responses_.push_back({std::string(id), false,
                              json::object{{"code", WsErrorCodeName(error.code)}, {"message", error.message}}});
    }

    bool Open() const override { return true; }

    std::vector<RecordedEvent> Events() const {
        std::lock_guard lock(mu_);
        return events_;
    }

    /// Events named `name` (e.g. "chat").
    std::vector<json::value> Payloads(std::string_view name) const {
        std::lock_guard lock(mu_);
        std::vector<json::value> out;
        for (const auto& e : events_) {
            if (e.event == name) {
                out.push_back(e.payload);
            }
        }
        return out;
    }

    std::vector<RecordedResponse> Responses() const {
        std::lock_guard lock(mu_);
        return responses_;
    }

private:
    ConnectionInfo info_;
    mutable std::mutex mu_;
    std::vector<RecordedEvent> events_;
    std::vector<RecordedResponse> responses_;
};

inline ConnectionInfo OperatorInfo(std::string conn_id, std::vector<std::string> scopes,
                                   std::vector<std::string> caps = {}) {
    ConnectionInfo info;
    info.conn_id = std::move(conn_id);
    info.tenant_id = std::string(domain::kDefaultTenantId);
    info.user_id = std::string(domain::kDefaultUserId);
    info.role = "operator";
    info.scopes = std::move(scopes);
    info.caps = std::move(caps);
    info.client_id = "test";
    info.client_mode = "test";
    return info;
}

/// The engine fixture plus everything a method call needs.
class MethodsTest : public engine::testing::EngineTest {
protected:
    void SetUp() override {
        MakeEngine();
        devices_ = std::make_unique<store::SqliteDeviceRepository>(*store_, domain::SystemWallClock());
        pairing_ = std::make_unique<DevicePairing>(*devices_, true, domain::SystemWallClock());
        hub_ = std::make_unique<EventHub>(ioc_, *engine_);
        config_.agents = agents_;
        services_ = std::make_unique<GatewayServices>(GatewayServices{
            ioc_, config_, *engine_, tools_, *sessions_, *transcripts_, *pairing_, health_, *hub_, "test-version",
            "boot-1", 1000, domain::SystemWallClock(),
            [] { return json::array{json::object{{"mode", "gateway"}, {"reason", "self"}}}; }});
        RegisterCoreMethods(registry_);
        conn_ = Connect("c1", {std::string(kScopeAdmin)});
    }

    void TearDown() override {
        hub_->Stop();
    }

    std::shared_ptr<RecordingConnection> Connect(std::string id, std::vector<std::string> scopes,
                                                 std::vector<std::string> caps = {}) {
        auto conn = std::make_shared<RecordingConnection>(OperatorInfo(std::move(id), std::move(scopes), std::move(caps)));
        hub_->Attach(conn);
        return conn;
    }

    /// Runs a method as the dispatcher would (the scope check included).
    MethodReply Call(std::string method, json::value params, std::shared_ptr<RecordingConnection> conn = nullptr,
                     std::string request_id = "r1") {
        if (!conn) {
            conn = conn_;
        }
        const MethodSpec* spec = registry_.Find(method);
        if (spec == nullptr) {
            return InvalidRequest("unknown method: " + method);
        }
        if (!ScopeSatisfied(conn->Info().scopes, spec->scope)) {
            return MissingScope(spec->scope);
        }
        auto call = std::make_shared<MethodCall>(MethodCall{std::move(request_id), method, std::move(params), conn, *services_});
        return Run([call, spec]() -> boost::asio::awaitable<MethodReply> { co_return co_await spec->handler(*call); }());
    }

    /// The ok payload of a call (fails the test on an error).
    json::value Ok(std::string method, json::value params, std::shared_ptr<RecordingConnection> conn = nullptr) {
        auto reply = Call(method, std::move(params), std::move(conn));
        if (auto* error = std::get_if<WsError>(&reply)) {
            ADD_FAILURE() << method << " failed: " << error->message;
            return nullptr;
        }
        return std::get<json::value>(reply);
    }

    /// The error of a call (fails the test when it succeeded).
    WsError Err(std::string method, json::value params, std::shared_ptr<RecordingConnection> conn = nullptr) {
        auto reply = Call(method, std::move(params), std::move(conn));
        if (auto* error = std::get_if<WsError>(&reply)) {
            return *error;
        }
        ADD_FAILURE() << method << " succeeded: " << json::serialize(std::get<json::value>(reply));
        return {};
    }

    /// Runs the io_context until `conn` received a `chat` event of `state` for `run_id`.
    bool WaitChatState(const std::shared_ptr<RecordingConnection>& conn, const std::string& run_id,
                       std::string_view state) {
        return RunUntil([&] {
            for (const auto& p : conn->Payloads("chat")) {
                if (p.at("runId") == run_id.c_str() && p.at("state") == state.data()) {
                    return true;
                }
            }
            return false;
        });
    }

    config::GatewayConfig config_;
    HealthService health_{"test-version"};
    std::unique_ptr<store::SqliteDeviceRepository> devices_;
    std::unique_ptr<DevicePairing> pairing_;
    std::unique_ptr<EventHub> hub_;
    std::unique_ptr<GatewayServices> services_;
    MethodRegistry registry_;
    std::shared_ptr<RecordingConnection> conn_;
};

}  // namespace gw::api::ws::testing
