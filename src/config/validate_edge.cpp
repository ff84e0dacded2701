// Cross-field checks of the `edge:` section. Ranges and value shapes are enforced by the schema;
// CIDR syntax by edge::EdgeGuard::Create.

#include <string>

#include <fmt/format.h>

#include "config/internal/validate.hpp"

namespace gw::config::internal {

Result<void> ValidateEdge(const GatewayConfig& cfg, const LoadContext& ctx) {
    const auto& edge = cfg.edge;
    const bool geo_rules =
        !edge.geo.block_countries.empty() || !edge.geo.allow_countries.empty() || edge.geo.block_unknown;
    if (geo_rules && edge.geo.database_file.empty()) {
        const char* rule = !edge.geo.block_countries.empty()   ? "edge.geo.block_countries"
                           : !edge.geo.allow_countries.empty() ? "edge.geo.allow_countries"
                                                               : "edge.geo.block_unknown";
        return ctx.Fail(
            ctx.OriginOf(rule), "edge.geo.database_file", fmt::format("required when {} is set", rule)
        );
    }
    const auto& routes = edge.rate_limit.routes;
    for (std::size_t i = 0; i < routes.size(); ++i) {
        const std::string path = fmt::format("edge.rate_limit.routes[{}]", i);
        if (routes[i].path_prefix.empty()) {
            return ctx.Fail(ctx.OriginOf(path), path + ".path_prefix", "required");
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (routes[j].path_prefix == routes[i].path_prefix) {
                return ctx.Fail(
                    ctx.OriginOf(path),
                    path + ".path_prefix",
                    fmt::format("'{}' is already limited by routes[{}]", routes[i].path_prefix, j)
                );
            }
        }
    }
    return Ok();
}

}  // namespace gw::config::internal
