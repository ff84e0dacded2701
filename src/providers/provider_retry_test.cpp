// ProviderRouter retries, Retry-After, fallbacks, cancellation, deadlines, secrets and metrics.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include "obs/log.hpp"
#include "providers/provider_router.hpp"
#include "providers/testing/fake_upstream.hpp"
#include "providers/testing/router_harness.hpp"

namespace gw::providers {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using domain::ModelErrorKind;

FakeReply Status(
    int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}
) {
    return JsonReply(status, std::move(body), std::move(headers));
}

const char* kServerError = R"({"error":{"message":"internal","type":"server_error"}})";

TEST(ProviderRetryTest, RetriesA500ThenSucceeds) {
    FakeUpstream up;
    up.Start();
    RouterHarness h;
    h.Add("a", FastProvider("openai-completions", up.BaseUrl()));
    h.Build();
    up.Enqueue(Status(500, kServerError));
    up.Enqueue(Status(529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
    up.Enqueue(SseReply(OpenAiTextEvents({"ok"})));
    auto call = h.Run(UserRequest("a", "m"));
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    EXPECT_EQ(call.Text(), "ok");
    EXPECT_EQ(call.result.response->attempts, 3);
    EXPECT_EQ(up.RequestCount(), 3u);
    const auto metrics = h.Metrics();
    EXPECT_NE(metrics.find(R"(openclaw_llm_retries_total{provider="a"} 2)"), std::string::npos) << metrics;
    EXPECT_NE(
        metrics.find(R"(openclaw_llm_provider_errors_total{provider="a",reason="server"} 1)"),
        std::string::npos
    );
    EXPECT_NE(
        metrics.find(R"(openclaw_llm_provider_errors_total{provider="a",reason="overloaded"} 1)"),
        std::string::npos
    );
    EXPECT_NE(
        metrics.find(R"(openclaw_llm_requests_total{provider="a",model="m",outcome="ok"} 1)"),
        std::string::npos
    );
}

TEST(ProviderRetryTest, GivesUpAfterMaxRetries) {
    FakeUpstream up;
    up.Start();
    RouterHarness h;
    h.Add("a", FastProvider("openai-completions", up.BaseUrl()));
    h.Build();
    up.SetDefault(Status(503, kServerError));
    auto call = h.Run(UserRequest("a", "m"));
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kOverloaded);
    EXPECT_EQ(call.result.error->http_status, 503);
    EXPECT_EQ(call.result.error->attempts, 3);
    EXPECT_EQ(up.RequestCount(), 3u);
}

TEST(ProviderRetryTest, HonoursRetryAfterMs) {
    FakeUpstream up;
    up.Start();
    RouterHarness h;
    h.Add("a", FastProvider("anthropic-messages", up.BaseUrl()));
    h.Build();
    up.Enqueue(Status(
        429,
        R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})",
        {{"retry-after-ms", "400"}}
    ));
    up.Enqueue(SseReply(AnthropicTextEvents({"later"})));
    auto call = h.Run(UserRequest("a", "m"));
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    EXPECT_GE(call.took, 400ms);
    EXPECT_LT(call.took, 1500ms);
}

TEST(ProviderRetryTest, RetryAfterIsCappedByRetryMaxDelay) {
    FakeUpstream up;
    up.Start();
    RouterHarness h;
    auto p = FastProvider("openai-completions", up.BaseUrl());
    p.retry_max_delay = 100ms;
    h.Add("a", p);
    h.Build();
    up.Enqueue(Status(429, R"({"error":{"message":"rate limited"}})", {{"Retry-After", "30"}}));
    up.Enqueue(SseReply(OpenAiTextEvents({"ok"})));
    auto call = h.Run(UserRequest("a", "m"));
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    EXPECT_LT(call.took, 2s);
}

TEST(ProviderRetryTest, RetryAfterBeyondTheDeadlineSkipsTheRetry) {
    FakeUpstream up;
    up.Start();
    RouterHarness h;
    auto p = FastProvider("openai-completions", up.BaseUrl());
    p.retry_max_delay = 10s;
    h.Add("a", p);
    h.Build();
    up.SetDefault(Status(429, R"({"error":{"message":"rate limited"}})", {{"Retry-After", "5"}}));
    auto request = UserRequest("a", "m");
    request.deadline = std::chrono::steady_clock::now() + 1s;
    auto call = h.Run(request);
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kRateLimited);
    EXPECT_EQ(call.result.error->retry_after, std::chrono::milliseconds(5000));
    EXPECT_EQ(up.RequestCount(), 1u);
    EXPECT_LT(call.took, 1s);
}

TEST(ProviderRetryTest, FallsBackToTheNextProvider) {
    FakeUpstream primary;
    FakeUpstream secondary;
    primary.Start();
    secondary.Start();
    RouterHarness h;
    auto p = FastProvider("openai-completions", primary.BaseUrl());
    p.max_retries = 1;
    h.Add("primary", p);
    h.Add("secondary", FastProvider("anthropic-messages", secondary.BaseUrl()));
    h.Build();
    primary.SetDefault(Status(500, kServerError));
    secondary.Enqueue(SseReply(AnthropicTextEvents({"from ", "fallback"})));
    auto request = UserRequest("primary", "gpt");
    request.fallbacks.push_back({"secondary", "claude"});
    auto call = h.Run(request);
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    EXPECT_EQ(call.Text(), "from fallback");
    EXPECT_EQ(call.result.response->model, (domain::ModelRef{"secondary", "claude"}));
    EXPECT_EQ(call.result.response->attempts, 3);
    EXPECT_EQ(primary.RequestCount(), 2u);
    EXPECT_NE(secondary.Requests().at(0).body.find(R"("model":"claude")"), std::string::npos);
    EXPECT_NE(
        h.Metrics().find(R"(openclaw_llm_fallbacks_total{from_provider="primary"} 1)"), std::string::npos
    );
}

TEST(ProviderRetryTest, ContextLengthErrorDoesNotFallBack) {
    FakeUpstream primary;
    FakeUpstream secondary;
    primary.Start();
    secondary.Start();
    RouterHarness h;
    h.Add("primary", FastProvider("openai-completions", primary.BaseUrl()));
    h.Add("secondary", FastProvider("openai-completions", secondary.BaseUrl()));
    h.Build();
    primary.Enqueue(Status(
        400,
        R"({"error":{"message":"This model's maximum context length is 8192 tokens","code":"context_length_exceeded"}})"
    ));
    auto request = UserRequest("primary", "m");
    request.fallbacks.push_back({"secondary", "m"});
    auto call = h.Run(request);
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kContextLength);
    EXPECT_EQ(primary.RequestCount(), 1u);
    EXPECT_EQ(secondary.RequestCount(), 0u);
}

TEST(ProviderRetryTest, NoRetryOrFallbackOnceOutputStarted) {
    FakeUpstream primary;
    FakeUpstream secondary;
    primary.Start();
    secondary.Start();
    RouterHarness h;
    h.Add("primary", FastProvider("anthropic-messages", primary.BaseUrl()));
    h.Add("secondary", FastProvider("openai-completions", secondary.BaseUrl()));
    h.Build();
    auto events = AnthropicTextEvents({"half"});
    events.resize(4);  // start, block start, ping, one delta
    events.push_back(
        Sse("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")
    );
    primary.Enqueue(SseReply(events));
    auto request = UserRequest("primary", "m");
    request.fallbacks.push_back({"secondary", "m"});
    auto call = h.Run(request);
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kOverloaded);
    EXPECT_TRUE(call.result.error->output_started);
    EXPECT_EQ(call.Text(), "half");
    EXPECT_EQ(primary.RequestCount(), 1u);
    EXPECT_EQ(secondary.RequestCount(), 0u);
}

TEST(ProviderRetryTest, CancellationAbortsAndClosesTheUpstreamPromptly) {
    FakeUpstream up;
    up.Start();
    RouterHarness h;
    h.Add("a", FastProvider("openai-completions", up.BaseUrl()));
    h.Build();
    auto events = OpenAiTextEvents({"first"});
    events.resize(2);
    auto reply = SseReply(events);
    reply.hang_after_chunks = true;
    up.Enqueue(reply);
    auto call = h.Run(UserRequest("a", "m"), /*cancel_after_deltas=*/1);
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kAborted);
    EXPECT_LT(call.took, 1s);
    EXPECT_TRUE(up.WaitForClientsGone(1, 1s)) << "the upstream saw the connection close";
    EXPECT_EQ(up.RequestCount(), 1u);
}

TEST(ProviderRetryTest, RequestDeadlineBoundsTheCall) {
    FakeUpstream up;
    up.Start();
    RouterHarness h;
    h.Add("a", FastProvider("openai-completions", up.BaseUrl()));
    h.Build();
    auto events = OpenAiTextEvents({"a", "b", "c", "d", "e", "f", "g", "h"});
    up.SetDefault(SseReply(events, 150ms));
    auto request = UserRequest("a", "m");
    request.deadline = std::chrono::steady_clock::now() + 300ms;
    auto call = h.Run(request);
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kTimeout);
    EXPECT_NE(call.result.error->message.find("deadline"), std::string::npos) << call.result.error->message;
    EXPECT_LT(call.took, 1s);
}

TEST(ProviderRetryTest, ApiKeyNeverAppearsInErrorsOrLogs) {
    FakeUpstream up;
    up.Start();
    RouterHarness h;
    auto p = FastProvider("openai-completions", up.BaseUrl());
    p.max_retries = 0;
    h.Add("a", p);
    h.Build();
    std::vector<std::string> lines;
    obs::SetLogSinkForTest([&lines](std::string_view line) { lines.emplace_back(line); });
    up.Enqueue(Status(
        401,
        std::string(R"({"error":{"message":"Incorrect API key provided: )") + kTestApiKey +
            R"(","code":"invalid_api_key"}})"
    ));
    auto call = h.Run(UserRequest("a", "m"));
    obs::SetLogSinkForTest(nullptr);
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kAuth);
    EXPECT_EQ(call.result.error->message.find(kTestApiKey), std::string::npos) << call.result.error->message;
    EXPECT_NE(call.result.error->message.find("[redacted]"), std::string::npos);
    ASSERT_FALSE(lines.empty()) << "the attempt is logged";
    for (const auto& line : lines) {
        EXPECT_EQ(line.find(kTestApiKey), std::string::npos) << line;
    }
    EXPECT_NE(lines.back().find(R"("logger":"gw.providers")"), std::string::npos) << lines.back();
    EXPECT_NE(lines.back().find(R"("outcome":"auth")"), std::string::npos) << lines.back();
    EXPECT_NE(lines.back().find(R"("status":"401")"), std::string::npos) << lines.back();
}

TEST(ProviderRetryTest, ConnectionRefusedIsAConnectionError) {
    RouterHarness h;
    auto p = FastProvider("openai-completions", "http://127.0.0.1:1/v1");
    p.max_retries = 1;
    h.Add("a", p);
    h.Build();
    auto call = h.Run(UserRequest("a", "m"));
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kConnection);
    EXPECT_EQ(call.result.error->attempts, 2);
}

/// Runs `promtool check metrics` on `text`; returns its exit status and output.
std::pair<int, std::string> RunPromtool(const std::string& text) {
    auto path =
        std::filesystem::temp_directory_path() / ("gw_providers_" + std::to_string(getpid()) + ".prom");
    {
        std::ofstream out(path, std::ios::binary);
        out << text;
    }
    std::string cmd = "/usr/bin/promtool check metrics < '" + path.string() + "' 2>&1";
    std::string output;
    FILE* pipe = popen(cmd.c_str(), "r");
    if (pipe == nullptr) {
        return {-1, "popen failed"};
    }
    char buf[512];
    while (std::size_t n = std::fread(buf, 1, sizeof(buf), pipe)) {
        output.append(buf, n);
    }
    const int status = pclose(pipe);
    std::filesystem::remove(path);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(ProviderMetricsTest, CountsTokensLatencyAndPassesPromtool) {
    FakeUpstream up;
    up.Start();
    RouterHarness h;
    h.Add("a", FastProvider("openai-responses", up.BaseUrl()));
    h.Build();
    up.Enqueue(Status(500, kServerError));
    up.Enqueue(SseReply(ResponsesTextEvents({"x"}, 100, 25)));
    auto call = h.Run(UserRequest("a", "gpt-x"));
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    const auto text = h.Metrics();
    EXPECT_NE(
        text.find(R"(openclaw_llm_tokens_total{provider="a",model="gpt-x",direction="in"} 100)"),
        std::string::npos
    ) << text;
    EXPECT_NE(
        text.find(R"(openclaw_llm_tokens_total{provider="a",model="gpt-x",direction="out"} 25)"),
        std::string::npos
    );
    EXPECT_NE(
        text.find(R"(openclaw_llm_requests_total{provider="a",model="gpt-x",outcome="server"} 1)"),
        std::string::npos
    );
    EXPECT_NE(
        text.find(R"(openclaw_llm_request_duration_seconds_count{provider="a",model="gpt-x"} 2)"),
        std::string::npos
    );
    EXPECT_NE(
        text.find(R"(openclaw_llm_time_to_first_token_seconds_count{provider="a",model="gpt-x"} 1)"),
        std::string::npos
    );
    if (!std::filesystem::exists("/usr/bin/promtool")) {
        GTEST_SKIP() << "/usr/bin/promtool not installed";
    }
    auto [status, output] = RunPromtool(text);
    EXPECT_EQ(status, 0) << "promtool said:\n" << output << "\ninput:\n" << text;
}

}  // namespace
}  // namespace gw::providers
