#include "api/ws/internal/event_hub.hpp"

#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/json.hpp>

#include "api/ws/internal/methods.hpp"
#include "api/ws/internal/projection.hpp"
#include "api/ws/internal/run_event_mapper.hpp"
#include "engine/run_engine.hpp"
#include "obs/log.hpp"

namespace gw::api::ws {

namespace asio = boost::asio;

namespace {

std::int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

}  // namespace

struct EventHub::Impl : std::enable_shared_from_this<EventHub::Impl> {
    Impl(asio::io_context& io, engine::RunEngine& eng) : ioc(io), engine(eng) {}

    struct Entry {
        std::shared_ptr<ClientConnection> conn;
        std::string tenant;
        bool read = false;
        bool tool_events = false;
        bool sessions = false;
        std::set<std::string, std::less<>> keys;
    };
    struct Pump {
        std::string tenant;
        std::shared_ptr<engine::RunStream> stream;  // guarded by Impl::mu
        bool stopped = false;                       // guarded by Impl::mu
    };

    asio::io_context& ioc;
    engine::RunEngine& engine;
    mutable std::mutex mu;
    std::map<std::string, Entry, std::less<>> conns;
    std::map<std::string, std::shared_ptr<Pump>, std::less<>> pumps;
    bool stopped = false;

    template <class Pred>
    std::vector<std::shared_ptr<ClientConnection>> Targets(Pred pred) const {
        std::vector<std::shared_ptr<ClientConnection>> out;
        std::lock_guard lock(mu);
        for (const auto& [id, entry] : conns) {
            if (pred(entry)) {
                out.push_back(entry.conn);
            }
        }
        return out;
    }

    static void Send(const std::vector<std::shared_ptr<ClientConnection>>& targets, std::string_view event,
                     std::string_view payload) {
        for (const auto& conn : targets) {
            conn->SendSerializedEvent(event, payload);
        }
    }

    void SessionsChanged(std::string_view tenant, const json::object& payload) {
        const std::string text = json::serialize(payload);
        Send(Targets([&](const Entry& e) { return e.sessions && e.tenant == tenant; }), "sessions.changed", text);
    }

    void SessionMessage(std::string_view tenant, std::string_view key, const json::object& payload) {
        const std::string text = json::serialize(payload);
        Send(Targets([&](const Entry& e) { return e.tenant == tenant && e.keys.count(key) > 0; }),
             "session.message", text);
    }

    void Deliver(const std::string& tenant, const engine::RunEvent& event, RunEventMapper& mapper) {
        const std::int64_t now = NowMs();
        for (auto& mapped : mapper.Map(event, now)) {
            const bool tools = mapped.audience == MappedEvent::Audience::kToolEvents;
            Send(Targets([&](const Entry& e) { return e.tenant == tenant && e.read && (!tools || e.tool_events); }),
                 mapped.event, mapped.payload_json);
        }
        if (event.kind == engine::RunEvent::Kind::kStarted || event.Terminal()) {
            SessionsChanged(tenant, json::object{
                                        {"sessionKey", event.session_key},
                                        {"reason", event.Terminal() ? "run.ended" : "run.started"},
                                        {"runId", event.run_id},
                                        {"ts", now},
                                    });
        }
        if (event.kind == engine::RunEvent::Kind::kFinal) {
            for (const auto& entry : event.final_entries) {
                if (entry.role == domain::Role::kAssistant) {
                    SessionMessage(tenant, event.session_key,
                                   json::object{{"sessionKey", event.session_key}, {"message", ProjectEntry(entry)}});
                }
            }
        }
    }

    asio::awaitable<void> Run(std::shared_ptr<Pump> pump) {
        RunEventMapper mapper;
        for (;;) {
            std::shared_ptr<engine::RunStream> stream;
            {
                std::lock_guard lock(mu);
                if (pump->stopped) {
                    break;
                }
                stream = pump->stream;
            }
            if (!stream) {
                break;
            }
            auto next = co_await stream->Next();
            if (!next) {
                if (next.error().code == ErrorCode::kRateLimited) {
                    obs::Log(obs::LogLevel::kWarn, "gw.api.ws", "event pump fell behind; re-subscribing",
                             {{"tenant", pump->tenant}});
                    auto fresh = engine.SubscribeAll(pump->tenant);
                    {
                        std::lock_guard lock(mu);
                        if (!pump->stopped) {
                            pump->stream = std::move(fresh);
                        }
                    }
                    if (fresh) {
                        fresh->Close();  // stopped meanwhile
                        break;
                    }
                    continue;
                }
                obs::Log(obs::LogLevel::kWarn, "gw.api.ws", "event pump stopped",
                         {{"tenant", pump->tenant}, {"error", next.error().message}});
                break;
            }
            if (!*next) {
                break;  // closed (last connection of the tenant left, hub stopped) or engine stopping
            }
            Deliver(pump->tenant, **next, mapper);
        }
    }

    /// Subscribes and spawns the pump. Called without `mu` held: co_spawn may run the pump inline, and the
    /// pump takes `mu`.
    void LaunchPump(const std::shared_ptr<Pump>& pump) {
        auto stream = engine.SubscribeAll(pump->tenant);
        {
            std::lock_guard lock(mu);
            if (!pump->stopped) {
                pump->stream = stream;
                stream.reset();
            }
        }
        if (stream) {
            stream->Close();  // stopped before it started
            return;
        }
        const std::string tenant = pump->tenant;
        asio::co_spawn(ioc, Run(pump), [self = shared_from_this(), tenant](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    obs::Log(obs::LogLevel::kError, "gw.api.ws", "event pump failed",
                             {{"tenant", tenant}, {"error", ex.what()}});
                }
            }
        });
    }

    /// Caller holds `mu`; returns the stream to close once `mu` is released.
    std::shared_ptr<engine::RunStream> StopPump(std::map<std::string, std::shared_ptr<Pump>, std::less<>>::iterator it) {
        it->second->stopped = true;
        auto stream = std::move(it->second->stream);
        pumps.erase(it);
        return stream;
    }
};

EventHub::EventHub(asio::io_context& ioc, engine::RunEngine& engine)
    : impl_(std::make_shared<Impl>(ioc, engine)) {}

EventHub::~EventHub() { Stop(); }

void EventHub::Attach(std::shared_ptr<ClientConnection> conn) {
    if (!conn) {
        return;
    }
    const ConnectionInfo& info = conn->Info();
    std::shared_ptr<Impl::Pump> pump;
    {
        std::lock_guard lock(impl_->mu);
        if (impl_->stopped) {
            return;
        }
        Impl::Entry entry;
        entry.tenant = info.tenant_id;
        entry.read = ScopeSatisfied(info.scopes, kScopeRead);
        entry.tool_events = info.HasCap("tool-events");
        entry.conn = std::move(conn);
        impl_->conns[info.conn_id] = std::move(entry);
        if (impl_->pumps.count(info.tenant_id) == 0) {
            pump = std::make_shared<Impl::Pump>();
            pump->tenant = info.tenant_id;
            impl_->pumps.emplace(info.tenant_id, pump);
        }
    }
    if (pump) {
        impl_->LaunchPump(pump);
    }
}

void EventHub::Detach(std::string_view conn_id) {
    std::shared_ptr<engine::RunStream> to_close;
    {
        std::lock_guard lock(impl_->mu);
        auto it = impl_->conns.find(conn_id);
        if (it == impl_->conns.end()) {
            return;
        }
        const std::string tenant = it->second.tenant;
        impl_->conns.erase(it);
        for (const auto& [id, entry] : impl_->conns) {
            if (entry.tenant == tenant) {
                return;
            }
        }
        if (auto pump = impl_->pumps.find(tenant); pump != impl_->pumps.end()) {
            to_close = impl_->StopPump(pump);
        }
    }
    if (to_close) {
        to_close->Close();
    }
}

void EventHub::Broadcast(std::string_view event, const json::object& payload) {
    const std::string text = json::serialize(payload);
    Impl::Send(impl_->Targets([](const Impl::Entry&) { return true; }), event, text);
}

void EventHub::SubscribeSessions(std::string_view conn_id, bool on) {
    std::lock_guard lock(impl_->mu);
    if (auto it = impl_->conns.find(conn_id); it != impl_->conns.end()) {
        it->second.sessions = on;
    }
}

void EventHub::SubscribeSessionMessages(std::string_view conn_id, std::string session_key, bool on) {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->conns.find(conn_id);
    if (it == impl_->conns.end()) {
        return;
    }
    if (on) {
        it->second.keys.insert(std::move(session_key));
    } else {
        it->second.keys.erase(session_key);
    }
}

void EventHub::PublishSessionsChanged(std::string_view tenant_id, const json::object& payload) {
    impl_->SessionsChanged(tenant_id, payload);
}

void EventHub::PublishSessionMessage(std::string_view tenant_id, std::string_view session_key,
                                     const json::object& payload) {
    impl_->SessionMessage(tenant_id, session_key, payload);
}

std::size_t EventHub::Attached() const {
    std::lock_guard lock(impl_->mu);
    return impl_->conns.size();
}

void EventHub::Stop() {
    std::vector<std::shared_ptr<engine::RunStream>> to_close;
    {
        std::lock_guard lock(impl_->mu);
        impl_->stopped = true;
        while (!impl_->pumps.empty()) {
            to_close.push_back(impl_->StopPump(impl_->pumps.begin()));
        }
        impl_->conns.clear();
    }
    for (auto& stream : to_close) {
        if (stream) {
            stream->Close();
        }
    }
}

}  // namespace gw::api::ws
