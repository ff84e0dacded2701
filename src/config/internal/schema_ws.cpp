// The `ws:` section: the OpenClaw WebSocket protocol and the static Control UI (config/ws_options.hpp).

#include <chrono>
#include <cstddef>

#include "config/internal/fields.hpp"
#include "config/internal/schema.hpp"
#include "config/internal/values.hpp"

namespace gw::config::internal {

#define GW_CONFIG_REF(member) \
    [](auto& c) -> auto& {    \
        return c.member;      \
    }

Field WsSection() {
    using std::chrono::milliseconds;
    const auto positive = DurationCodec<milliseconds>(false);
    return Section(
        "ws",
        {
            Leaf("handshake_timeout", GW_CONFIG_REF(ws.handshake_timeout), positive),
            Leaf("tick_interval", GW_CONFIG_REF(ws.tick_interval), positive),
            Leaf("auto_approve_local", GW_CONFIG_REF(ws.auto_approve_local), BoolCodec()),
            Leaf(
                "max_inflight_requests",
                GW_CONFIG_REF(ws.max_inflight_requests),
                IntCodec<std::size_t>(1, 1'000'000)
            ),
            Section(
                "control_ui",
                {
                    Leaf("enabled", GW_CONFIG_REF(ws.control_ui.enabled), BoolCodec()),
                    Leaf("root", GW_CONFIG_REF(ws.control_ui.root), StringCodec()),
                    Leaf("base_path", GW_CONFIG_REF(ws.control_ui.base_path), StringCodec()),
                    ValueLeaf(
                        "allowed_origins", GW_CONFIG_REF(ws.control_ui.allowed_origins), ListOf(StringCodec())
                    ),
                }
            ),
        }
    );
}

#undef GW_CONFIG_REF

}  // namespace gw::config::internal
