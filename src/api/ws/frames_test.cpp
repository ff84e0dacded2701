#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "api/ws/internal/frames.hpp"

namespace gw::api::ws {
namespace {

json::object ParseObject(const std::string& text) {
    return json::parse(text).as_object();
}

TEST(FramesTest, ParsesRequestWithParamsAndTraceparent) {
    auto frame = ParseClientFrame(R"({"type":"req","id":"r1","method":"health","params":{"probe":true},"traceparent":"00-abc"})");
    ASSERT_TRUE(frame) << frame.error().message;
    const auto& req = std::get<RequestFrame>(*frame);
    EXPECT_EQ(req.id, "r1");
    EXPECT_EQ(req.method, "health");
    EXPECT_TRUE(req.params.as_object().at("probe").as_bool());
    EXPECT_EQ(req.traceparent, "00-abc");
}

TEST(FramesTest, RequestWithoutParamsHasNullParams) {
    auto frame = ParseClientFrame(R"({"type":"req","id":"r1","method":"status"})");
    ASSERT_TRUE(frame);
    EXPECT_TRUE(std::get<RequestFrame>(*frame).params.is_null());
}

TEST(FramesTest, ParsesCancel) {
    auto frame = ParseClientFrame(R"({"type":"cancel","id":"r9"})");
    ASSERT_TRUE(frame);
    EXPECT_EQ(std::get<CancelFrame>(*frame).id, "r9");
}

TEST(FramesTest, RejectsMalformedFramesWithUserFacingMessages) {
    const std::pair<const char*, const char*> cases[] = {
        {"not json", "invalid frame: not valid JSON"},
        {"[1]", "invalid frame: must be object"},
        {R"({"id":"a","method":"x"})", "invalid frame: must have required property 'type'"},
        {R"({"type":"res","id":"a"})", "invalid frame: /type must be equal to one of the allowed values"},
        {R"({"type":"req","method":"x"})", "invalid frame: must have required property 'id'"},
        {R"({"type":"req","id":5,"method":"x"})", "invalid frame: /id must be string"},
        {R"({"type":"req","id":"","method":"x"})", "invalid frame: /id must NOT be empty"},
        {R"({"type":"req","id":"a"})", "invalid frame: must have required property 'method'"},
        {R"({"type":"req","id":"a","method":"x","extra":1})", "invalid frame: must NOT have additional properties"},
        {R"({"type":"cancel","id":"a","method":"x"})", "invalid frame: must NOT have additional properties"},
    };
    for (const auto& [text, message] : cases) {
        auto frame = ParseClientFrame(text);
        ASSERT_FALSE(frame) << text;
        EXPECT_EQ(frame.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(frame.error().message, message) << text;
    }
}

TEST(FramesTest, RejectsOverlongIdAndTraceparent) {
    const std::string long_id(257, 'a');
    EXPECT_FALSE(ParseClientFrame(R"({"type":"req","id":")" + long_id + R"(","method":"x"})"));
    EXPECT_TRUE(ParseClientFrame(R"({"type":"req","id":")" + std::string(256, 'a') + R"(","method":"x"})"));
    const std::string long_trace(129, 't');
    EXPECT_FALSE(ParseClientFrame(R"({"type":"req","id":"a","method":"x","traceparent":")" + long_trace + R"("})"));
}

TEST(FramesTest, BestEffortIdReadsIdFromInvalidFrames) {
    EXPECT_EQ(BestEffortId(R"({"type":"req","id":"x7","extra":true})"), "x7");
    EXPECT_EQ(BestEffortId("garbage"), std::nullopt);
    EXPECT_EQ(BestEffortId(R"({"id":3})"), std::nullopt);
}

TEST(FramesTest, SerializesOkResponse) {
    auto frame = ParseObject(SerializeOk("r1", json::object{{"a", 1}}));
    EXPECT_EQ(frame.at("type"), "res");
    EXPECT_EQ(frame.at("id"), "r1");
    EXPECT_TRUE(frame.at("ok").as_bool());
    EXPECT_EQ(frame.at("payload").as_object().at("a").as_int64(), 1);
    EXPECT_FALSE(ParseObject(SerializeOk("r2", nullptr)).contains("payload"));
}

TEST(FramesTest, SerializesErrorShape) {
    auto frame = ParseObject(SerializeError("r1", Unavailable("busy", 250)));
    EXPECT_FALSE(frame.at("ok").as_bool());
    const auto& error = frame.at("error").as_object();
    EXPECT_EQ(error.at("code"), "UNAVAILABLE");
    EXPECT_EQ(error.at("message"), "busy");
    EXPECT_TRUE(error.at("retryable").as_bool());
    EXPECT_EQ(error.at("retryAfterMs").as_int64(), 250);
    EXPECT_FALSE(error.contains("details"));

    auto invalid = ParseObject(SerializeError("r2", InvalidRequest("unknown method: no.such")));
    EXPECT_EQ(invalid.at("error").as_object().at("code"), "INVALID_REQUEST");
    EXPECT_EQ(invalid.at("error").as_object().at("message"), "unknown method: no.such");
    EXPECT_FALSE(invalid.at("error").as_object().contains("retryable"));
}

TEST(FramesTest, MissingScopeHasOpenClawDetails) {
    auto frame = ParseObject(SerializeError("r1", MissingScope("operator.admin")));
    const auto& error = frame.at("error").as_object();
    EXPECT_EQ(error.at("code"), "FORBIDDEN");
    EXPECT_EQ(error.at("message"), "missing scope: operator.admin");
    const auto& details = error.at("details").as_object();
    EXPECT_EQ(details.at("code"), "MISSING_SCOPE");
    EXPECT_EQ(details.at("missingScope"), "operator.admin");
    EXPECT_EQ(details.at("requiredScopes").as_array().at(0), "operator.admin");
}

TEST(FramesTest, SerializesEventWithAndWithoutSeq) {
    auto with_seq = ParseObject(SerializeEvent("tick", R"({"ts":5})", 3));
    EXPECT_EQ(with_seq.at("type"), "event");
    EXPECT_EQ(with_seq.at("event"), "tick");
    EXPECT_EQ(with_seq.at("payload").as_object().at("ts").as_int64(), 5);
    EXPECT_EQ(with_seq.at("seq").as_int64(), 3);
    auto challenge = ParseObject(SerializeEvent("connect.challenge", R"({"nonce":"n"})", std::nullopt));
    EXPECT_FALSE(challenge.contains("seq"));
    auto quoted = ParseObject(SerializeEvent("we\"ird", "{}", 1));
    EXPECT_EQ(quoted.at("event"), "we\"ird");
}

TEST(FramesTest, FromErrorMapsCodesAndHidesInternalMessages) {
    EXPECT_EQ(FromError(MakeError(ErrorCode::kInvalidArgument, "bad")).code, WsErrorCode::kInvalidRequest);
    EXPECT_EQ(FromError(MakeError(ErrorCode::kNotFound, "nf")).message, "nf");
    EXPECT_EQ(FromError(MakeError(ErrorCode::kPermissionDenied, "no")).code, WsErrorCode::kForbidden);
    auto limited = FromError(MakeError(ErrorCode::kRateLimited, "slow"));
    EXPECT_EQ(limited.code, WsErrorCode::kUnavailable);
    EXPECT_TRUE(limited.retryable);
    EXPECT_EQ(FromError(MakeError(ErrorCode::kDeadlineExceeded, "t")).code, WsErrorCode::kAgentTimeout);
    auto internal = FromError(MakeError(ErrorCode::kInternal, "sqlite: disk I/O at /secret/path"));
    EXPECT_EQ(internal.code, WsErrorCode::kUnavailable);
    EXPECT_EQ(internal.message, "internal error");
}

}  // namespace
}  // namespace gw::api::ws
