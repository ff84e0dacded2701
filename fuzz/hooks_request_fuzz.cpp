// Fuzz target: the `/hooks/wake` and `/hooks/agent` body parse (api::internal::ParseHookWake /
// ParseHookAgent: JSON object, text/message, agentId against the known agents, sessionKey grammar,
// sessionMode, model reference, timeoutSeconds). Input: the body. Properties: each parse either
// refuses with a message or yields one non-empty message for a known agent and a session key.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/internal/hooks_request.hpp"
#include "fuzz_input.hpp"

namespace {

const gw::api::internal::HookParseContext& Context() {
    static const gw::api::internal::HookParseContext ctx{{"main", "work"}, "main"};
    return ctx;
}

void CheckSend(const gw::engine::SendRequest& send) {
    const auto& agents = Context().known_agents;
    GW_FUZZ_CHECK(std::find(agents.begin(), agents.end(), send.agent_id) != agents.end());
    GW_FUZZ_CHECK(!send.session_key.empty());
    GW_FUZZ_CHECK(send.content.size() == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const auto wake = gw::api::internal::ParseHookWake(body, Context());
    if (wake.send) {
        CheckSend(*wake.send);
        GW_FUZZ_CHECK(wake.mode == "now" || wake.mode == "next-heartbeat");
        GW_FUZZ_CHECK(wake.send->no_run == (wake.mode == "next-heartbeat"));
    } else {
        GW_FUZZ_CHECK(!wake.error.empty());
    }
    const auto agent = gw::api::internal::ParseHookAgent(body, Context());
    if (agent.send) {
        CheckSend(*agent.send);
        GW_FUZZ_CHECK(agent.session_mode == "isolated" || agent.session_mode == "persistent");
        if (agent.send->timeout) {
            GW_FUZZ_CHECK(agent.send->timeout->count() > 0 && agent.send->timeout->count() <= 86'400'000);
        }
    } else {
        GW_FUZZ_CHECK(!agent.error.empty());
    }
    return 0;
}
