#pragma once
/// @file
/// @brief Wires edge defence (issue #6) into the serving process: builds `edge::EdgeAdmission` from
/// `cfg.edge` and installs it on the HTTP server, polls the geo database / reputation file for
/// changes on a private blocking thread, and reloads the TLS certificate on SIGHUP.

#include <memory>

#include <boost/asio/io_context.hpp>

#include "base/error.hpp"
#include "config/options.hpp"
#include "net/http_server.hpp"
#include "obs/metrics.hpp"

namespace gw::edge {
class EdgeAdmission;
}

namespace gw::app {

/// Owned by the Application (created after the server, before its Start). Its poller and SIGHUP
/// handler run on `ioc`; destroy it after the io_context stopped running and before it is destroyed.
class EdgeWiring {
public:
    /// Builds the guard (errors carry the YAML path, e.g. "edge.geo: ..."), calls
    /// `server.SetAdmission`, and starts the reload poller and the SIGHUP handler. Call before
    /// `server.Start()`; `server` must outlive this object.
    static Result<std::unique_ptr<EdgeWiring>> Install(
        const config::GatewayConfig& cfg,
        boost::asio::io_context& ioc,
        net::HttpServer& server,
        obs::Registry& registry
    );

    ~EdgeWiring();
    EdgeWiring(const EdgeWiring&) = delete;
    EdgeWiring& operator=(const EdgeWiring&) = delete;

    /// The installed admission (e.g. for the api layer's post-auth `Guard().CheckSubject`).
    const std::shared_ptr<edge::EdgeAdmission>& Admission() const noexcept;

private:
    struct Impl;
    explicit EdgeWiring(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace gw::app
