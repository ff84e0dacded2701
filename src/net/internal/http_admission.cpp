// The edge hook on an HttpConnection: asks the server's Admission about the current request.
#include "net/internal/http_connection.hpp"
#include "net/internal/response_head.hpp"

namespace gw::net::internal {

template <class Stream>
std::optional<HttpResponse> HttpConnection<Stream>::CheckAdmission() {
    request_.client_ip.assign(request_.remote_ip);
    admission_headers_.clear();
    Admission* admission = state_->admission.get();
    if (admission == nullptr) {
        return std::nullopt;
    }
    RequestDecision decision = admission->OnRequest(request_);
    if (decision.reject) {
        if (!IsValidHandlerStatus(decision.reject->status)) {
            state_->observer.OnError("internal");
            return JsonError(500, "internal", "internal error", request_.request_id);
        }
        decision.reject->stream = nullptr;  // a rejection is a plain answer
        return std::move(decision.reject);
    }
    admission_headers_ = std::move(decision.headers);
    return std::nullopt;
}

template std::optional<HttpResponse> HttpConnection<PlainStream>::CheckAdmission();
template std::optional<HttpResponse> HttpConnection<TlsStream>::CheckAdmission();

}  // namespace gw::net::internal
