#pragma once
/// @file
/// @brief Private to providers: the seam between the router (HTTP, retries) and one wire API
/// (request JSON, SSE decoding, non-streaming body parsing).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "config/agent_options.hpp"
#include "domain/model_client.hpp"
#include "net/sse_parser.hpp"
#include "providers/internal/accumulator.hpp"

namespace gw::providers::internal {

/// What an adapter contributes to the upstream HTTP request.
struct WireRequest {
    std::string path;  ///< appended to base_url, e.g. "/chat/completions"
    std::vector<std::pair<std::string, std::string>> headers;  ///< auth and API headers
    std::string body;                                          ///< JSON
};

/// Decodes one SSE stream into a ResponseAccumulator. Not thread-safe.
class StreamDecoder {
public:
    virtual ~StreamDecoder() = default;

    /// Handles one event: deltas go to the accumulator. Returns an error for an upstream error event
    /// (classified) or a malformed / out-of-order event (kMalformedStream). Unknown events are ignored.
    virtual std::optional<domain::ModelError> OnEvent(const net::SseEvent& event) = 0;

    /// The terminal event ([DONE], message_stop, response.completed) was seen.
    virtual bool Finished() const = 0;
};

class WireFormat {
public:
    virtual ~WireFormat() = default;

    /// "openai-completions", "anthropic-messages", "openai-responses".
    virtual std::string_view Api() const = 0;

    /// Translates the request. kInvalidArgument when caller JSON (tool schema, tool_choice, extra params)
    /// does not parse. The API key goes only into a header.
    virtual Result<WireRequest> Build(
        const domain::ModelRequest& request, const config::ProviderOptions& provider
    ) const = 0;

    virtual std::unique_ptr<StreamDecoder> NewDecoder(ResponseAccumulator& acc) const = 0;

    /// Parses a complete (non-streaming) 2xx body into `acc`.
    virtual std::optional<domain::ModelError> ParseBody(std::string_view body, ResponseAccumulator& acc)
        const = 0;
};

/// The adapter for `api`, or nullptr when unknown.
std::unique_ptr<WireFormat> MakeWireFormat(std::string_view api);

std::unique_ptr<WireFormat> MakeOpenAiCompletions();
std::unique_ptr<WireFormat> MakeAnthropicMessages();
std::unique_ptr<WireFormat> MakeOpenAiResponses();

}  // namespace gw::providers::internal
