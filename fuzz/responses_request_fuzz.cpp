// Fuzz target: the `/v1/responses` request parse (api::internal::ParseResponsesBody: JSON body, model
// target, stream, sampling options, tools, instructions, input items and content parts, the
// x-openclaw-session-key header, previous_response_id form). Input: header lines `Name:value`, an
// empty line, the body. Properties: a refusal is a 4xx with a message; an accepted request targets a
// known agent, carries at least one message, and has a session key unless it continues a previous
// response (resolved later by the engine lookup).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/internal/responses_common.hpp"
#include "http_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const gw::net::HttpRequest http = gw::fuzz::HttpPostFromInput(data, size, "/v1/responses");
    static const std::vector<std::string> kAgents{"main", "work"};
    static const std::string kDefault = "main";
    const auto parsed = gw::api::internal::ParseResponsesBody(http, kAgents, kDefault);
    if (!parsed.request) {
        GW_FUZZ_CHECK(parsed.error.status >= 400 && parsed.error.status < 500);
        GW_FUZZ_CHECK(!parsed.error.message.empty());
        return 0;
    }
    const auto& req = *parsed.request;
    GW_FUZZ_CHECK(std::find(kAgents.begin(), kAgents.end(), req.send.agent_id) != kAgents.end());
    GW_FUZZ_CHECK(req.previous_response_id.has_value() == req.send.session_key.empty());
    GW_FUZZ_CHECK(!req.send.content.empty() || !req.send.history.empty());
    GW_FUZZ_CHECK(req.client_tool_names.size() == req.send.client_tools.size());
    return 0;
}
