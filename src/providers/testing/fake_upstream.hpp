#pragma once
/// @file
/// @brief Test-only: a scriptable in-process LLM upstream on net::HttpServer (127.0.0.1, port 0) that
/// answers POSTs with queued replies — SSE streams chunk by chunk with chosen timing, JSON bodies, error
/// statuses with headers, slow heads, mid-stream disconnects and streams held open until the client
/// leaves. Compiled into gw_providers_test only.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace gw::providers::testing {

using namespace std::chrono_literals;

/// One scripted answer.
struct FakeReply {
    int status = 200;
    std::string content_type = "text/event-stream";
    std::vector<std::pair<std::string, std::string>> headers;
    /// Body pieces. With `stream` each is written as one chunk (after `chunk_delay`); else joined.
    std::vector<std::string> chunks;
    bool stream = true;
    std::chrono::milliseconds head_delay{0};   ///< before the response head (slow first byte)
    std::chrono::milliseconds chunk_delay{0};  ///< before each chunk
    bool disconnect_after_chunks = false;      ///< then drop the connection (no terminating chunk)
    bool hang_after_chunks = false;            ///< then keep the stream open until the client leaves
};

struct RecordedRequest {
    std::string path;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    std::optional<std::string> Header(std::string_view name) const;
};

class FakeUpstream {
public:
    FakeUpstream();
    ~FakeUpstream();
    FakeUpstream(const FakeUpstream&) = delete;
    FakeUpstream& operator=(const FakeUpstream&) = delete;

    /// Binds 127.0.0.1:0 and serves on a thread of its own (fails the test on error).
    void Start();

    /// `http://127.0.0.1:<port>/v1`
    std::string BaseUrl() const;

    /// Replies are served in order; once the queue is empty every request gets the default reply
    /// (500 `{"error":{"message":"no scripted reply"}}` unless `SetDefault` changed it).
    void Enqueue(FakeReply reply);
    void SetDefault(FakeReply reply);

    std::vector<RecordedRequest> Requests() const;
    std::size_t RequestCount() const;

    /// Streams whose client went away while the fake was still writing or holding them open.
    int ClientsGone() const noexcept;

    /// Polls until `ClientsGone() >= n` or `timeout` passes.
    bool WaitForClientsGone(int n, std::chrono::milliseconds timeout) const;

    struct State;

private:
    std::shared_ptr<State> state_;
    std::thread thread_;
};

/// `data: <data>\n\n`
std::string Sse(std::string_view data);
/// `event: <event>\ndata: <data>\n\n`
std::string Sse(std::string_view event, std::string_view data);

/// A non-streamed answer with `body` (JSON by default).
FakeReply JsonReply(
    int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}
);

/// An SSE reply made of `events` (each already framed, e.g. by `Sse`).
FakeReply SseReply(std::vector<std::string> events, std::chrono::milliseconds chunk_delay = 0ms);

/// openai-completions chunks: one content delta per piece, finish_reason stop, a usage chunk, [DONE].
std::vector<std::string> OpenAiTextEvents(
    const std::vector<std::string>& pieces, int prompt_tokens = 11, int completion_tokens = 7
);

/// anthropic-messages events: message_start, one text block with one delta per piece, message_delta
/// (end_turn), message_stop.
std::vector<std::string> AnthropicTextEvents(
    const std::vector<std::string>& pieces, int input_tokens = 11, int output_tokens = 7
);

/// openai-responses events: created, a message item with one delta per piece, completed with usage.
std::vector<std::string> ResponsesTextEvents(
    const std::vector<std::string>& pieces, int input_tokens = 11, int output_tokens = 7
);

}  // namespace gw::providers::testing
