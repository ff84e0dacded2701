#include "api/ws_handshake.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json.hpp>

#include "base/ids.hpp"
#include "obs/log.hpp"

namespace gw::api {
namespace {

namespace json = boost::json;

std::int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

std::string ErrorRes(const json::value& id, std::string_view code, std::string_view message, bool retryable) {
    json::object error{{"code", code}, {"message", message}};
    if (retryable) {
        error["retryable"] = true;
    }
    json::object frame{{"type", "res"}, {"id", id}, {"ok", false}, {"error", std::move(error)}};
    return json::serialize(frame);
}

}  // namespace

WsHandshakeHandler::WsHandshakeHandler(
    boost::asio::io_context& ioc, std::chrono::milliseconds handshake_timeout
)
    : ioc_(ioc), handshake_timeout_(handshake_timeout) {}

std::string WsHandshakeHandler::ChallengeFrame(const std::string& nonce, std::int64_t ts_ms) {
    json::object payload{{"nonce", nonce}, {"ts", ts_ms}, {"capabilities", json::array{}}};
    json::object frame{{"type", "event"}, {"event", "connect.challenge"}, {"payload", std::move(payload)}};
    return json::serialize(frame);
}

void WsHandshakeHandler::OnOpen(std::shared_ptr<net::WebSocketSession> session) {
    session->SetReadLimit(kPreAuthMaxFrameBytes);
    session->Send(ChallengeFrame(NewUuid(), NowMs()));
    // The timer lives on its own strand so the cancel posted from CancelTimer never races its wait.
    auto timer =
        std::make_shared<boost::asio::steady_timer>(boost::asio::make_strand(ioc_), handshake_timeout_);
    {
        std::lock_guard lock(mutex_);
        timers_[std::string(session->Id())] = timer;
    }
    std::weak_ptr<net::WebSocketSession> weak = session;
    timer->async_wait([weak](boost::system::error_code ec) {
        if (ec) {
            return;  // cancelled: the session closed or moved past the handshake
        }
        if (auto s = weak.lock()) {
            s->Close(1008, "handshake timeout");
        }
    });
}

boost::asio::awaitable<void> WsHandshakeHandler::OnMessage(
    std::shared_ptr<net::WebSocketSession> session, std::string text
) {
    boost::system::error_code ec;
    json::value frame = json::parse(text, ec);
    const json::object* obj = ec ? nullptr : frame.if_object();
    const json::value* id = obj ? obj->if_contains("id") : nullptr;
    const json::value* type = obj ? obj->if_contains("type") : nullptr;
    const json::value* method = obj ? obj->if_contains("method") : nullptr;
    const bool is_connect = type && type->is_string() && type->get_string() == "req" && method &&
                            method->is_string() && method->get_string() == "connect" && id && id->is_string();
    CancelTimer(std::string(session->Id()));
    if (!is_connect) {
        const std::string reason = "invalid handshake: first request must be connect";
        if (id && id->is_string()) {
            session->Send(ErrorRes(*id, "INVALID_REQUEST", reason, false));
        }
        session->Close(1008, reason);
        co_return;
    }
    obs::Log(obs::LogLevel::kInfo, "gw.api", "websocket connect refused: protocol methods not available yet");
    session->Send(
        ErrorRes(*id, "UNAVAILABLE", "gateway protocol handshake is not available on this server yet", true)
    );
    session->Close(1013, "try again later");
    co_return;
}

void WsHandshakeHandler::OnClose(net::WebSocketSession& session, std::uint16_t /*code*/) {
    CancelTimer(std::string(session.Id()));
}

void WsHandshakeHandler::CancelTimer(const std::string& session_id) {
    std::shared_ptr<boost::asio::steady_timer> timer;
    {
        std::lock_guard lock(mutex_);
        auto it = timers_.find(session_id);
        if (it == timers_.end()) {
            return;
        }
        timer = std::move(it->second);
        timers_.erase(it);
    }
    boost::asio::post(timer->get_executor(), [timer] { timer->cancel(); });
}

}  // namespace gw::api
