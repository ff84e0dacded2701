#include "api/ws/internal/connection.hpp"

#include <utility>
#include <vector>

#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/post.hpp>

#include "net/websocket.hpp"

namespace gw::api::ws {

WsError CancelledError() {
    WsError error;
    error.code = WsErrorCode::kUnavailable;
    error.message = "request cancelled";
    error.retryable = false;
    return error;
}

Connection::Connection(std::shared_ptr<net::WebSocketSession> session, ConnectionInfo info)
    : session_(std::move(session)), info_(std::move(info)) {}

void Connection::SendSerializedEvent(std::string_view event, std::string_view payload_json) {
    if (!open_.load()) {
        return;
    }
    // Serialise outside the lock; only the seq suffix is appended under it.
    std::string frame = SerializeEvent(event, payload_json, std::nullopt);
    frame.pop_back();  // the closing '}'
    std::lock_guard lock(send_mutex_);
    frame += R"(,"seq":)";
    frame += std::to_string(++seq_);
    frame += '}';
    session_->Send(std::move(frame));
}

void Connection::SendResponse(std::string_view id, const json::value& payload) {
    if (open_.load()) {
        session_->Send(SerializeOk(id, payload));
    }
}

void Connection::SendErrorResponse(std::string_view id, const WsError& error) {
    if (open_.load()) {
        session_->Send(SerializeError(id, error));
    }
}

void Connection::Close(std::uint16_t code, std::string reason) {
    session_->Close(code, std::move(reason));
}

void Connection::MarkClosed() {
    open_.store(false);
    CancelAll();
}

std::int64_t Connection::LastSeq() const {
    std::lock_guard lock(send_mutex_);
    return seq_;
}

Connection::Admission Connection::BeginRequest(
    const std::string& id, std::shared_ptr<PendingRequest> request, std::size_t max_inflight
) {
    std::lock_guard lock(pending_mutex_);
    if (pending_.contains(id)) {
        return Admission::kDuplicateId;
    }
    if (pending_.size() >= max_inflight) {
        return Admission::kTooMany;
    }
    pending_.emplace(id, std::move(request));
    return Admission::kAdmitted;
}

void Connection::EndRequest(const std::string& id, const PendingRequest* request) {
    std::lock_guard lock(pending_mutex_);
    auto it = pending_.find(id);
    if (it != pending_.end() && it->second.get() == request) {
        pending_.erase(it);
    }
}

std::size_t Connection::InFlight() const {
    std::lock_guard lock(pending_mutex_);
    return pending_.size();
}

namespace {

void EmitCancel(const std::shared_ptr<PendingRequest>& request) {
    boost::asio::post(request->strand, [request] { request->signal.emit(boost::asio::cancellation_type::terminal); });
}

}  // namespace

bool Connection::CancelRequest(const std::string& id) {
    std::shared_ptr<PendingRequest> request;
    {
        std::lock_guard lock(pending_mutex_);
        auto it = pending_.find(id);
        if (it == pending_.end()) {
            return false;
        }
        request = std::move(it->second);
        pending_.erase(it);
    }
    if (request->TryAnswer()) {
        SendErrorResponse(id, CancelledError());
    }
    EmitCancel(request);
    return true;
}

void Connection::CancelAll() {
    std::vector<std::shared_ptr<PendingRequest>> requests;
    {
        std::lock_guard lock(pending_mutex_);
        for (auto& [id, request] : pending_) {
            requests.push_back(request);
        }
    }
    for (auto& request : requests) {
        request->answered.store(true);
        EmitCancel(request);
    }
}

}  // namespace gw::api::ws
