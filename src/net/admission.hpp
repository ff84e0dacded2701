#pragma once
/// @file
/// @brief `Admission`: the server's hook for edge defence. `HttpServer` asks it once per accepted TCP
/// connection (refuse → the socket is closed at once) and once per request after the header was read
/// (before the body, routing or a WebSocket upgrade), so net stays independent of the policy module
/// that implements it (edge::EdgeAdmission).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http_types.hpp"

namespace gw::net {

/// Whatever an admitted connection must hold until it closes (e.g. a per-IP connection slot). The
/// server destroys it when the connection (HTTP or WebSocket) ends, on the connection's strand.
class AdmissionTicket {
public:
    virtual ~AdmissionTicket() = default;
};

/// The answer for a new TCP connection.
struct AcceptDecision {
    bool allowed = true;
    std::unique_ptr<AdmissionTicket> ticket;  ///< optional; kept alive as long as the connection
};

/// The answer for one request.
struct RequestDecision {
    /// Set: the request is answered with this response instead of being routed (handlers and
    /// WebSocket upgrades never see it). If the request has an unread body the connection is closed
    /// after the answer (the body is not read); otherwise keep-alive is honoured.
    std::optional<HttpResponse> reject;
    /// Added to the response of an admitted request (e.g. `RateLimit-*`) unless the handler already
    /// set a header of that name. Ignored for WebSocket upgrades.
    std::vector<std::pair<std::string, std::string>> headers;
};

/// Implementations must be thread-safe: `OnAccept` runs on the acceptor's strand, `OnRequest` on the
/// strands of many connections concurrently. Both must be cheap and must not block (no file I/O).
class Admission {
public:
    virtual ~Admission() = default;

    /// Called for every accepted connection with the TCP peer address (text, e.g. "127.0.0.1" or
    /// "::1"), before the TLS handshake. `allowed == false` closes the socket without a response (and
    /// it does not count against `max_connections`).
    virtual AcceptDecision OnAccept(std::string_view peer_ip) = 0;

    /// Called for every request once its header is complete. `request.client_ip` is preset to the TCP
    /// peer; an implementation may replace it (e.g. with the address reported by a trusted proxy),
    /// and handlers see the replaced value. The body is not read yet (`request.body` is empty).
    virtual RequestDecision OnRequest(HttpRequest& request) = 0;
};

}  // namespace gw::net
