// Fuzz target: the `/v1/chat/completions` request parse (api::internal::ParseChatRequest: JSON body,
// messages, content parts, data-URL images, tools, sampling options, x-openclaw-* headers). The same
// ParseObject also reads the /hooks bodies. Input: header lines `Name:value`, an empty line, the body.
// Properties: a refusal is a 4xx with a message; an accepted request targets a known agent.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/internal/openai_chat_request.hpp"
#include "http_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const gw::net::HttpRequest http = gw::fuzz::HttpPostFromInput(data, size, "/v1/chat/completions");
    static const std::vector<std::string> kAgents{"main", "work"};
    const auto parsed = gw::api::internal::ParseChatRequest(http, kAgents, "main");
    if (!parsed.request) {
        GW_FUZZ_CHECK(parsed.error.status >= 400 && parsed.error.status < 500);
        GW_FUZZ_CHECK(!parsed.error.message.empty());
        return 0;
    }
    const std::string& agent = parsed.request->send.agent_id;
    GW_FUZZ_CHECK(agent.empty() || std::find(kAgents.begin(), kAgents.end(), agent) != kAgents.end());
    return 0;
}
