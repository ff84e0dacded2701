#pragma once
/// @file
/// @brief `GET /metrics`: the registry in Prometheus text format 0.0.4.

#include "net/router.hpp"
#include "obs/metrics.hpp"

namespace gw::api {

/// Registers `/metrics` on `router`. `registry` must outlive the router.
void RegisterMetricsRoute(net::Router& router, const obs::Registry& registry);

}  // namespace gw::api
