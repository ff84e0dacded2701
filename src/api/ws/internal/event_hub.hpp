#pragma once
/// @file
/// @brief EventHub: fan-out of gateway events to connections. Run events from the engine
/// (RunEngine::SubscribeAll per tenant, one pump per tenant) become `chat` and `agent` events,
/// serialised once and sent to every attached connection of the tenant holding operator.read
/// (tool item events only to connections advertising the `tool-events` cap); `sessions.changed`
/// goes to connections that called sessions.subscribe, `session.message` to those subscribed to the
/// session key; Broadcast (tick, presence, health, shutdown) goes to every attached connection.
/// Module-internal.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

namespace gw::engine {
class RunEngine;
}

namespace gw::api::ws {

class ClientConnection;

/// Thread-safe.
class EventHub {
public:
    EventHub(boost::asio::io_context& ioc, engine::RunEngine& engine);
    ~EventHub();
    EventHub(const EventHub&) = delete;
    EventHub& operator=(const EventHub&) = delete;

    /// After hello-ok; starts the tenant's pump if it is the first connection of the tenant.
    void Attach(std::shared_ptr<ClientConnection> conn);
    /// On close; also drops the connection's subscriptions.
    void Detach(std::string_view conn_id);

    /// To every attached connection (each with its own seq).
    void Broadcast(std::string_view event, const boost::json::object& payload);

    void SubscribeSessions(std::string_view conn_id, bool on);
    void SubscribeSessionMessages(std::string_view conn_id, std::string session_key, bool on);
    /// sessions.changed {sessionKey, reason, ts, …} to the tenant's sessions subscribers.
    void PublishSessionsChanged(std::string_view tenant_id, const boost::json::object& payload);
    /// session.message {sessionKey, message} to the tenant's connections subscribed to `session_key`
    /// (the methods publish committed user/system messages; the pump publishes assistant finals).
    void PublishSessionMessage(std::string_view tenant_id, std::string_view session_key,
                               const boost::json::object& payload);

    std::size_t Attached() const;

    /// Stops the pumps (their RunStreams are closed); later calls do nothing.
    void Stop();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gw::api::ws
