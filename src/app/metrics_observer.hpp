#pragma once
/// @file
/// @brief Adapts the HTTP server's observer callbacks onto the gateway metric families.

#include "net/http_server.hpp"
#include "obs/gateway_metrics.hpp"

namespace gw::app {

class MetricsObserver final : public net::ServerObserver {
public:
    explicit MetricsObserver(obs::GatewayMetrics& metrics) : metrics_(metrics) {}

    void OnRequest(std::string_view method, int status, double seconds) override {
        metrics_.RecordRequest(method, status, seconds);
    }

    void OnError(std::string_view reason) override { metrics_.RecordError(reason); }

    void OnConnectionOpened() override { metrics_.ConnectionOpened(); }

    void OnConnectionClosed() override { metrics_.ConnectionClosed(); }

private:
    obs::GatewayMetrics& metrics_;
};

}  // namespace gw::app
