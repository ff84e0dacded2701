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
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    gw::net::HttpRequest http;
    http.method = "POST";
    http.target = http.path = "/v1/chat/completions";
    const std::size_t split = text.find("\n\n");
    if (split != std::string_view::npos) {
        gw::fuzz::FuzzInput head(data, split);
        for (const std::string_view line : head.SplitRest('\n')) {
            const std::size_t colon = line.find(':');
            const std::string_view value =
                colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
            http.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
        }
        http.body = std::string(text.substr(split + 2));
    } else {
        http.body = std::string(text);
    }
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
