#pragma once
/// @file
/// @brief The edge option structs, defined in config/edge_options.hpp (YAML `edge:` section) and
/// re-exported here under gw::edge so the edge module can name them unqualified.

#include "config/edge_options.hpp"

namespace gw::edge {

using config::ClientAddressOptions;
using config::ConnectionLimitOptions;
using config::EdgeOptions;
using config::ForwardedHeader;
using config::GeoOptions;
using config::IpFilterOptions;
using config::RateLimitOptions;
using config::RateLimitPolicy;
using config::ReputationOptions;
using config::RouteRateLimit;
using config::TokenBudgetOptions;

}  // namespace gw::edge
