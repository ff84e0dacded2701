#pragma once
/// @file
/// @brief Test-only helpers for the wire adapter tests: build a request body as JSON, decode an SSE text
/// or a body through an adapter, and sample transcripts.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "domain/model_client.hpp"
#include "net/sse_parser.hpp"
#include "providers/internal/accumulator.hpp"
#include "providers/internal/wire_format.hpp"

namespace gw::providers::testing {

namespace json = boost::json;

struct Decoded {
    std::optional<domain::ModelError> error;
    domain::ModelResponse response;
    std::vector<domain::ModelDelta> deltas;
    bool finished = false;
};

inline Decoded DecodeSse(const internal::WireFormat& wire, std::string_view text) {
    Decoded d;
    std::vector<domain::ModelDelta> deltas;
    internal::ResponseAccumulator acc([&deltas](const domain::ModelDelta& x) { deltas.push_back(x); });
    auto decoder = wire.NewDecoder(acc);
    net::SseParser parser;
    auto fed = parser.Feed(text, [&](const net::SseEvent& ev) {
        if (!d.error) {
            d.error = decoder->OnEvent(ev);
        }
    });
    EXPECT_TRUE(fed) << fed.error().message;
    d.finished = decoder->Finished();
    d.response = acc.Take();
    d.deltas = std::move(deltas);
    return d;
}

inline Decoded DecodeBody(const internal::WireFormat& wire, std::string_view body) {
    Decoded d;
    internal::ResponseAccumulator acc;
    d.error = wire.ParseBody(body, acc);
    d.response = acc.Take();
    d.finished = true;
    return d;
}

inline config::ProviderOptions Provider(std::string api, std::string key = "sk-test-key-123456") {
    config::ProviderOptions p;
    p.id = "p";
    p.api = std::move(api);
    p.base_url = "http://127.0.0.1:1/v1";
    p.api_key.value = std::move(key);
    p.api_key.source = "inline";
    return p;
}

/// Builds the request and returns its body as a JSON object (fails the test on error).
inline json::object BuildBody(
    const internal::WireFormat& wire,
    const domain::ModelRequest& request,
    const config::ProviderOptions& provider,
    internal::WireRequest* out = nullptr
) {
    auto built = wire.Build(request, provider);
    EXPECT_TRUE(built) << (built ? "" : built.error().message);
    if (!built) {
        return {};
    }
    if (out != nullptr) {
        *out = *built;
    }
    return json::parse(built->body).as_object();
}

inline domain::TranscriptEntry Entry(domain::Role role, std::vector<domain::ContentBlock> content) {
    domain::TranscriptEntry e;
    e.role = role;
    e.content = std::move(content);
    return e;
}

/// system prompt, a user turn with an image, an assistant turn with text + thinking + a tool call, its
/// tool result, a system note, and tools with tool_choice and sampling.
inline domain::ModelRequest ConversationRequest() {
    using domain::Role;
    domain::ModelRequest r;
    r.model = {"p", "m-1"};
    r.system_prompt = "You are helpful.";
    r.messages.push_back(Entry(
        Role::kUser,
        {domain::TextBlock{"What is in this picture?"}, domain::ImageBlock{"image/png", "iVBORw0KGgo="}}
    ));
    r.messages.push_back(Entry(
        Role::kAssistant,
        {domain::ThinkingBlock{"let me look"},
         domain::TextBlock{"Checking the weather."},
         domain::ToolCallBlock{"call_1", "get_weather", R"({"city":"Paris"})"}}
    ));
    r.messages.push_back(
        Entry(Role::kToolResult, {domain::ToolResultBlock{"call_1", "get_weather", "sunny, 21C", false}})
    );
    r.messages.push_back(Entry(Role::kSystem, {domain::TextBlock{"Session resumed."}}));
    r.tools.push_back(domain::ToolSpec{
        "get_weather", "Current weather", R"({"type":"object","properties":{"city":{"type":"string"}}})"});
    r.tool_choice_json = R"({"type":"function","function":{"name":"get_weather"}})";
    r.max_output_tokens = 256;
    r.temperature = 0.5;
    r.top_p = 0.9;
    r.extra_params_json = R"({"seed":7,"stop":["END"],"presence_penalty":0.1,"unknown_knob":1})";
    r.end_user = "user-42";
    return r;
}

}  // namespace gw::providers::testing
