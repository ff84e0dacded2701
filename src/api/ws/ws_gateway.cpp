#include "api/ws/ws_gateway.hpp"

#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "api/ws/internal/gateway.hpp"
#include "base/ids.hpp"
#include "obs/log.hpp"

namespace gw::api::ws {
namespace {

namespace asio = boost::asio;

class GatewayHandle final : public WsGateway {
public:
    explicit GatewayHandle(std::shared_ptr<Gateway> gateway) : gateway_(std::move(gateway)) {}
    ~GatewayHandle() override { gateway_->Stop(); }

    net::WebSocketHandler& Handler() override { return *gateway_; }
    void BeginShutdown(std::string reason, std::optional<std::int64_t> restart_expected_ms) override {
        gateway_->BeginShutdown(std::move(reason), restart_expected_ms);
    }
    std::size_t Connections() const override { return gateway_->Connections(); }

private:
    std::shared_ptr<Gateway> gateway_;
};

void CancelTimer(const std::shared_ptr<asio::steady_timer>& timer) {
    if (timer) {
        asio::post(timer->get_executor(), [timer] { timer->cancel(); });
    }
}

}  // namespace

Gateway::Gateway(WsGatewayDeps deps, const std::function<void(MethodRegistry&)>& extra_methods)
    : deps_(std::move(deps)),
      boot_id_(NewUuid()),
      started_at_ms_(deps_.clock()),
      pairing_(deps_.devices, deps_.config.ws.auto_approve_local, deps_.clock),
      hub_(deps_.ioc, deps_.engine),
      connections_gauge_(deps_.registry.AddGauge("openclaw_ws_connections", "Authenticated WebSocket connections")),
      handshake_failures_(deps_.registry.Counters(
          "openclaw_ws_handshake_failures_total", "WebSocket handshakes refused, by reason", {"reason"}
      )),
      requests_total_(deps_.registry.Counters(
          "openclaw_ws_requests_total", "WebSocket requests by method and outcome", {"method", "outcome"}
      )) {
    services_.reset(new GatewayServices{deps_.ioc, deps_.config, deps_.engine, deps_.tools, deps_.sessions,
                                        deps_.transcripts, pairing_, deps_.health, hub_, deps_.version, boot_id_,
                                        started_at_ms_, deps_.clock, [this] { return Presence(kMethodPresenceClients); }});
    RegisterCoreMethods(methods_);
    RegisterDeviceMethods(methods_);
    if (extra_methods) {
        extra_methods(methods_);
    }
}

Gateway::~Gateway() = default;

void Gateway::Start() {
    tick_timer_ = std::make_shared<asio::steady_timer>(asio::make_strand(deps_.ioc));
    ScheduleTick();
}

void Gateway::ScheduleTick() {
    auto timer = tick_timer_;
    timer->expires_after(deps_.config.ws.tick_interval);
    std::weak_ptr<Gateway> weak = weak_from_this();
    timer->async_wait([weak](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->shutting_down_.load()) {
            return;
        }
        self->hub_.Broadcast("tick", json::object{{"ts", self->Now()}});
        self->ScheduleTick();
    });
}

void Gateway::Stop() {
    shutting_down_.store(true);
    CancelTimer(tick_timer_);
    hub_.Stop();
    std::vector<std::shared_ptr<SessionState>> states;
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, state] : sessions_) {
            states.push_back(state);
        }
    }
    for (auto& state : states) {
        CancelTimer(state->timer);
    }
}

void Gateway::OnOpen(std::shared_ptr<net::WebSocketSession> session) {
    auto state = std::make_shared<SessionState>();
    state->nonce = NewUuid();
    state->challenge_ts = Now();
    session->SetReadLimit(kPreAuthMaxFrameBytes);
    json::object payload{{"nonce", state->nonce}, {"ts", state->challenge_ts}, {"capabilities", json::array{}}};
    session->Send(SerializeEvent("connect.challenge", json::serialize(payload), std::nullopt));
    if (shutting_down_.load()) {
        handshake_failures_.WithLabels({"shutting_down"}).Inc();
        session->Close(net::kWsCloseServiceRestart, "service restart");
        return;
    }
    state->timer = std::make_shared<asio::steady_timer>(asio::make_strand(deps_.ioc), deps_.config.ws.handshake_timeout);
    {
        std::lock_guard lock(mutex_);
        sessions_[std::string(session->Id())] = state;
        handles_[std::string(session->Id())] = session;
    }
    std::weak_ptr<net::WebSocketSession> weak_session = session;
    std::weak_ptr<Gateway> weak = weak_from_this();
    state->timer->async_wait([weak_session, weak](boost::system::error_code ec) {
        if (ec) {
            return;
        }
        auto s = weak_session.lock();
        if (auto self = weak.lock(); self && s) {
            self->handshake_failures_.WithLabels({"timeout"}).Inc();
            s->Close(net::kWsClosePolicyViolation, "handshake timeout");
        }
    });
}

asio::awaitable<void> Gateway::OnMessage(std::shared_ptr<net::WebSocketSession> session, std::string text) {
    std::shared_ptr<SessionState> state;
    {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(std::string(session->Id()));
        if (it != sessions_.end()) {
            state = it->second;
        }
    }
    if (!state) {
        co_return;
    }
    if (state->phase == SessionState::Phase::kAwaitConnect) {
        CancelTimer(state->timer);
        state->phase = SessionState::Phase::kClosed;  // until the handshake succeeds
        co_await Handshake(session, state, std::move(text));
        co_return;
    }
    if (state->phase == SessionState::Phase::kOpen && state->conn) {
        Dispatch(state->conn, text);
    }
}

void Gateway::OnClose(net::WebSocketSession& session, std::uint16_t /*code*/) {
    std::shared_ptr<SessionState> state;
    {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(std::string(session.Id()));
        if (it == sessions_.end()) {
            return;
        }
        state = std::move(it->second);
        sessions_.erase(it);
        handles_.erase(std::string(session.Id()));
        if (state->conn) {
            open_.erase(state->conn->Info().conn_id);
        }
    }
    CancelTimer(state->timer);
    state->phase = SessionState::Phase::kClosed;
    if (state->conn) {
        state->conn->MarkClosed();
        hub_.Detach(state->conn->Info().conn_id);
        connections_gauge_.Sub(1);
        presence_version_.fetch_add(1);
    }
}

void Gateway::Register(std::shared_ptr<Connection> conn) {
    std::lock_guard lock(mutex_);
    open_[conn->Info().conn_id] = std::move(conn);
}

void Gateway::BeginShutdown(std::string reason, std::optional<std::int64_t> restart_expected_ms) {
    if (shutting_down_.exchange(true)) {
        return;
    }
    CancelTimer(tick_timer_);
    json::object payload{{"reason", reason}};
    payload["restartExpectedMs"] = restart_expected_ms ? json::value(*restart_expected_ms) : json::value(nullptr);
    const std::string payload_json = json::serialize(payload);
    std::vector<std::shared_ptr<Connection>> conns;
    std::vector<std::shared_ptr<net::WebSocketSession>> pending;
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, conn] : open_) {
            conns.push_back(conn);
        }
        for (auto& [id, session] : handles_) {
            auto state = sessions_.find(id);
            if (state != sessions_.end() && !state->second->conn) {
                pending.push_back(session);
            }
        }
    }
    for (auto& conn : conns) {
        conn->SendSerializedEvent("shutdown", payload_json);
        conn->Close(net::kWsCloseServiceRestart, "service restart");
    }
    for (auto& session : pending) {
        session->Close(net::kWsCloseServiceRestart, "service restart");
    }
    obs::Log(obs::LogLevel::kInfo, "gw.api.ws", "shutdown announced",
             {{"connections", std::to_string(conns.size())}, {"reason", reason}});
}

std::size_t Gateway::Connections() const {
    std::lock_guard lock(mutex_);
    return open_.size();
}

Result<std::unique_ptr<WsGateway>> CreateWsGateway(WsGatewayDeps deps,
                                                   std::function<void(MethodRegistry&)> extra_methods) {
    if (deps.config.ws.max_inflight_requests == 0) {
        return MakeError(ErrorCode::kInvalidArgument, "ws.max_inflight_requests must be at least 1");
    }
    if (deps.config.ws.tick_interval.count() <= 0 || deps.config.ws.handshake_timeout.count() <= 0) {
        return MakeError(ErrorCode::kInvalidArgument, "ws.tick_interval and ws.handshake_timeout must be positive");
    }
    auto gateway = std::make_shared<Gateway>(std::move(deps), extra_methods);
    gateway->Start();
    return std::unique_ptr<WsGateway>(std::make_unique<GatewayHandle>(std::move(gateway)));
}

Result<std::unique_ptr<WsGateway>> WsGateway::Create(WsGatewayDeps deps) {
    return CreateWsGateway(std::move(deps), nullptr);
}

}  // namespace gw::api::ws
