// Error classification, Retry-After parsing, redaction and the response accumulator.
#include "providers/internal/error_classify.hpp"

#include <gtest/gtest.h>

#include "providers/internal/accumulator.hpp"

namespace gw::providers::internal {
namespace {

using domain::ModelErrorKind;
using std::chrono::milliseconds;

TEST(ClassifyHttpErrorTest, MapsStatusesToKinds) {
    EXPECT_EQ(ClassifyHttpError(401, "", std::nullopt).kind, ModelErrorKind::kAuth);
    EXPECT_EQ(ClassifyHttpError(403, "", std::nullopt).kind, ModelErrorKind::kAuth);
    EXPECT_EQ(ClassifyHttpError(429, "", std::nullopt).kind, ModelErrorKind::kRateLimited);
    EXPECT_EQ(ClassifyHttpError(503, "", std::nullopt).kind, ModelErrorKind::kOverloaded);
    EXPECT_EQ(ClassifyHttpError(529, "", std::nullopt).kind, ModelErrorKind::kOverloaded);
    EXPECT_EQ(ClassifyHttpError(500, "", std::nullopt).kind, ModelErrorKind::kServer);
    EXPECT_EQ(ClassifyHttpError(502, "<html>bad gateway</html>", std::nullopt).kind, ModelErrorKind::kServer);
    EXPECT_EQ(ClassifyHttpError(408, "", std::nullopt).kind, ModelErrorKind::kTimeout);
    EXPECT_EQ(
        ClassifyHttpError(400, R"({"error":{"message":"bad tools"}})", std::nullopt).kind,
        ModelErrorKind::kBadRequest
    );
    EXPECT_EQ(
        ClassifyHttpError(404, R"({"error":{"message":"no such model"}})", std::nullopt).kind,
        ModelErrorKind::kBadRequest
    );
    EXPECT_EQ(ClassifyHttpError(422, "", std::nullopt).kind, ModelErrorKind::kBadRequest);
}

TEST(ClassifyHttpErrorTest, OverloadedErrorBodyWinsOverA5xxStatus) {
    auto e = ClassifyHttpError(
        500, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", std::nullopt
    );
    EXPECT_EQ(e.kind, ModelErrorKind::kOverloaded);
    EXPECT_EQ(e.http_status, 500);
    EXPECT_NE(e.message.find("Overloaded"), std::string::npos);
}

TEST(ClassifyHttpErrorTest, RecognisesContextLengthMarkers) {
    EXPECT_EQ(
        ClassifyHttpError(
            400,
            R"({"error":{"message":"This model's maximum context length is 8192 tokens","type":"invalid_request_error","code":"context_length_exceeded"}})",
            std::nullopt
        )
            .kind,
        ModelErrorKind::kContextLength
    );
    EXPECT_EQ(
        ClassifyHttpError(
            400,
            R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}})",
            std::nullopt
        )
            .kind,
        ModelErrorKind::kContextLength
    );
    EXPECT_EQ(
        ClassifyHttpError(400, "context_length_exceeded", std::nullopt).kind, ModelErrorKind::kContextLength
    );
}

TEST(ClassifyHttpErrorTest, KeepsRetryAfterAndUpstreamMessage) {
    auto e = ClassifyHttpError(
        429, R"({"error":{"message":"Rate limit reached for gpt-4o","type":"requests"}})", milliseconds(1500)
    );
    EXPECT_EQ(e.retry_after, milliseconds(1500));
    EXPECT_EQ(e.http_status, 429);
    EXPECT_NE(e.message.find("HTTP 429"), std::string::npos);
    EXPECT_NE(e.message.find("Rate limit reached"), std::string::npos);
}

TEST(ClassifyErrorObjectTest, MapsTypesAndCodes) {
    EXPECT_EQ(ClassifyErrorObject("overloaded_error", "", "x").kind, ModelErrorKind::kOverloaded);
    EXPECT_EQ(ClassifyErrorObject("rate_limit_error", "", "x").kind, ModelErrorKind::kRateLimited);
    EXPECT_EQ(ClassifyErrorObject("", "rate_limit_exceeded", "x").kind, ModelErrorKind::kRateLimited);
    EXPECT_EQ(ClassifyErrorObject("authentication_error", "", "x").kind, ModelErrorKind::kAuth);
    EXPECT_EQ(ClassifyErrorObject("invalid_request_error", "", "bad").kind, ModelErrorKind::kBadRequest);
    EXPECT_EQ(ClassifyErrorObject("", "context_length_exceeded", "").kind, ModelErrorKind::kContextLength);
    EXPECT_EQ(ClassifyErrorObject("api_error", "", "Internal").kind, ModelErrorKind::kServer);
    EXPECT_EQ(ClassifyErrorObject("", "server_error", "").kind, ModelErrorKind::kServer);
}

TEST(ClassifyTransportErrorTest, MapsNetErrors) {
    EXPECT_EQ(
        ClassifyTransportError(MakeError(ErrorCode::kDeadlineExceeded, "x")).kind, ModelErrorKind::kTimeout
    );
    EXPECT_EQ(
        ClassifyTransportError(MakeError(ErrorCode::kUnavailable, "connection refused")).kind,
        ModelErrorKind::kConnection
    );
    EXPECT_EQ(
        ClassifyTransportError(MakeError(ErrorCode::kUpstreamError, "truncated response body from x")).kind,
        ModelErrorKind::kConnection
    );
    EXPECT_EQ(
        ClassifyTransportError(MakeError(ErrorCode::kUpstreamError, "malformed response from x: bad chunk"))
            .kind,
        ModelErrorKind::kMalformedStream
    );
}

TEST(RetryAfterTest, ParsesSecondsDatesAndMilliseconds) {
    EXPECT_EQ(ParseRetryAfter("7", std::nullopt), milliseconds(7000));
    EXPECT_EQ(ParseRetryAfter(" 1.5 ", std::nullopt), milliseconds(1500));
    EXPECT_EQ(ParseRetryAfter("20", "250"), milliseconds(250)) << "retry-after-ms is more precise";
    EXPECT_EQ(ParseRetryAfter(std::nullopt, "42.9"), milliseconds(42));
    EXPECT_EQ(ParseRetryAfter(std::nullopt, std::nullopt), std::nullopt);
    EXPECT_EQ(ParseRetryAfter("soon", std::nullopt), std::nullopt);
    // Sun, 06 Nov 1994 08:49:37 GMT = 784111777 s since the epoch.
    const auto now = std::chrono::system_clock::from_time_t(784111777 - 30);
    EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", std::nullopt, now), milliseconds(30'000));
    const auto later = std::chrono::system_clock::from_time_t(784111777 + 30);
    EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", std::nullopt, later), milliseconds(0));
}

TEST(RedactTest, RemovesEverySecretOccurrence) {
    EXPECT_EQ(Redact("key sk-abcdef and sk-abcdef", "sk-abcdef"), "key [redacted] and [redacted]");
    EXPECT_EQ(Redact("nothing here", "sk-abcdef"), "nothing here");
    EXPECT_EQ(Redact("abc", ""), "abc");
}

TEST(TruncateTest, CutsOnACharacterBoundary) {
    EXPECT_EQ(Truncate("short", 10), "short");
    EXPECT_EQ(Truncate("a\xC3\xA9z", 2), "a…");
}

TEST(ResponseAccumulatorTest, MergesAdjacentTextAndForcesToolUseStop) {
    std::vector<domain::ModelDelta> deltas;
    ResponseAccumulator acc([&](const domain::ModelDelta& d) { deltas.push_back(d); });
    EXPECT_FALSE(acc.Emitted());
    acc.AddText("a");
    acc.AddText("b");
    EXPECT_TRUE(acc.Emitted());
    EXPECT_TRUE(acc.StartToolCall(5, "id", "f"));
    EXPECT_FALSE(acc.StartToolCall(5, "id", "f"));
    EXPECT_FALSE(acc.AddToolArguments(6, "{}"));
    acc.AddText("c");
    auto r = acc.Take();
    ASSERT_EQ(r.content.size(), 3u);
    EXPECT_EQ(std::get<domain::TextBlock>(r.content[0]).text, "ab");
    EXPECT_EQ(std::get<domain::ToolCallBlock>(r.content[1]).arguments_json, "{}");
    EXPECT_EQ(r.stop_reason, domain::StopReason::kToolUse);
    EXPECT_EQ(deltas.size(), 4u);
}

}  // namespace
}  // namespace gw::providers::internal
