// Requests after hello-ok: frame parsing, method lookup, scope check, the in-flight bound, concurrent
// execution (one coroutine per request on its own strand) and `cancel` (reference §2.1).
#include <exception>
#include <utility>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/system/system_error.hpp>

#include "api/ws/internal/gateway.hpp"
#include "obs/log.hpp"

namespace gw::api::ws {
namespace {

namespace asio = boost::asio;

asio::awaitable<MethodReply> RunMethod(std::shared_ptr<Gateway> gateway, const MethodSpec* spec, MethodCall call) {
    (void)gateway;  // keeps the services alive while the handler runs
    MethodReply reply = co_await spec->handler(call);
    co_return reply;
}

}  // namespace

void Gateway::Dispatch(const std::shared_ptr<Connection>& conn, std::string_view text) {
    auto frame = ParseClientFrame(text);
    if (!frame) {
        if (auto id = BestEffortId(text)) {
            conn->SendErrorResponse(*id, InvalidRequest(frame.error().message));
        }
        requests_total_.WithLabels({"invalid", "invalid_frame"}).Inc();
        return;
    }
    if (auto* cancel = std::get_if<CancelFrame>(&*frame)) {
        if (conn->CancelRequest(cancel->id)) {
            requests_total_.WithLabels({"cancel", "cancelled"}).Inc();
        }
        return;
    }
    auto& req = std::get<RequestFrame>(*frame);
    if (req.method == "connect") {
        conn->SendErrorResponse(req.id, InvalidRequest("invalid request: already connected"));
        requests_total_.WithLabels({"connect", "invalid"}).Inc();
        return;
    }
    const MethodSpec* spec = methods_.Find(req.method);
    if (spec == nullptr) {
        conn->SendErrorResponse(req.id, InvalidRequest("unknown method: " + req.method));
        requests_total_.WithLabels({"unknown", "unknown_method"}).Inc();
        return;
    }
    if (!ScopeSatisfied(conn->Info().scopes, spec->scope)) {
        conn->SendErrorResponse(req.id, MissingScope(spec->scope));
        requests_total_.WithLabels({spec->name, "forbidden"}).Inc();
        return;
    }
    StartRequest(conn, *spec, std::move(req));
}

void Gateway::StartRequest(const std::shared_ptr<Connection>& conn, const MethodSpec& spec, RequestFrame frame) {
    auto pending = std::make_shared<PendingRequest>(deps_.ioc);
    switch (conn->BeginRequest(frame.id, pending, deps_.config.ws.max_inflight_requests)) {
        case Connection::Admission::kDuplicateId:
            conn->SendErrorResponse(frame.id, InvalidRequest("duplicate request id: " + frame.id));
            requests_total_.WithLabels({spec.name, "invalid"}).Inc();
            return;
        case Connection::Admission::kTooMany:
            conn->SendErrorResponse(frame.id, Unavailable("too many requests in flight", 100));
            requests_total_.WithLabels({spec.name, "busy"}).Inc();
            return;
        case Connection::Admission::kAdmitted:
            break;
    }
    MethodCall call{frame.id, frame.method, std::move(frame.params), conn, *services_};
    auto self = shared_from_this();
    auto on_done = [self, conn, pending, id = frame.id, method = spec.name](std::exception_ptr ep, MethodReply reply) {
        conn->EndRequest(id, pending.get());
        if (!pending->TryAnswer()) {
            self->requests_total_.WithLabels({method, "cancelled"}).Inc();
            return;
        }
        if (ep) {
            std::string what = "unknown exception";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            obs::Log(obs::LogLevel::kError, "gw.api.ws", "method failed", {{"method", method}, {"error", what}});
            conn->SendErrorResponse(id, Unavailable("internal error"));
            self->requests_total_.WithLabels({method, "error"}).Inc();
            return;
        }
        if (auto* error = std::get_if<WsError>(&reply)) {
            conn->SendErrorResponse(id, *error);
            self->requests_total_.WithLabels({method, "error"}).Inc();
            return;
        }
        conn->SendResponse(id, std::get<json::value>(reply));
        self->requests_total_.WithLabels({method, "ok"}).Inc();
    };
    asio::co_spawn(pending->strand, RunMethod(self, &spec, std::move(call)),
                   asio::bind_cancellation_slot(pending->signal.slot(), std::move(on_done)));
}

}  // namespace gw::api::ws
