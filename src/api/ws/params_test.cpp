#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "api/ws/internal/params.hpp"

namespace gw::api::ws {
namespace {

TEST(ParamReaderTest, ReadsValidParams) {
    const auto params = json::parse(
        R"({"sessionKey":"agent:main:main","message":"hi","limit":10,"deliver":false,"tags":["a","b"],"mode":"now","extra":{"x":1}})");
    ParamReader reader("chat.send", params);
    EXPECT_EQ(reader.String("sessionKey", true, 512), "agent:main:main");
    EXPECT_EQ(reader.String("message", true), "hi");
    EXPECT_EQ(reader.Int("limit", false, 1, 1000), 10);
    EXPECT_EQ(reader.Bool("deliver", false), false);
    EXPECT_EQ(reader.StringArray("tags", false), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(reader.Enum("mode", true, {"now", "next-heartbeat"}), "now");
    EXPECT_TRUE(reader.Any("extra", false).has_value());
    EXPECT_EQ(reader.String("absent", false), std::nullopt);
    EXPECT_TRUE(reader.Ok());
    EXPECT_EQ(reader.Finish(), std::nullopt);
}

TEST(ParamReaderTest, MissingRequiredPropertyUsesOpenClawMessage) {
    const auto params = json::parse(R"({"sessionKey":"k","idempotencyKey":"i"})");
    ParamReader reader("chat.send", params);
    reader.String("sessionKey", true);
    reader.String("message", true);
    reader.String("idempotencyKey", true);
    auto error = reader.Finish();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, WsErrorCode::kInvalidRequest);
    EXPECT_EQ(error->message, "invalid chat.send params: must have required property 'message'");
}

TEST(ParamReaderTest, UnknownKeysAreRejected) {
    const auto params = json::parse(R"({"probe":true,"bogus":1})");
    ParamReader reader("health", params);
    reader.Bool("probe", false);
    auto error = reader.Finish();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->message, "invalid health params: at root: unexpected property 'bogus'");
}

TEST(ParamReaderTest, IgnoredKeysAreAccepted) {
    const auto params = json::parse(R"({"probe":true,"thinking":"low"})");
    ParamReader reader("health", params);
    reader.Bool("probe", false);
    reader.Ignore({"thinking"});
    EXPECT_EQ(reader.Finish(), std::nullopt);
}

TEST(ParamReaderTest, AbsentOrNullParamsCountAsEmptyObject) {
    ParamReader absent("status", json::value(nullptr));
    EXPECT_EQ(absent.Finish(), std::nullopt);
    ParamReader required("chat.history", json::value(nullptr));
    required.String("sessionKey", true);
    ASSERT_TRUE(required.Finish());
}

TEST(ParamReaderTest, NonObjectParamsAreAnError) {
    const auto params = json::parse("[1,2]");
    ParamReader reader("status", params);
    auto error = reader.Finish();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->message, "invalid status params: must be object");
}

TEST(ParamReaderTest, TypeAndRangeErrorsNameTheKey) {
    struct Case {
        const char* params;
        std::string expected;
    };
    const Case cases[] = {
        {R"({"s":1})", "invalid m params: /s must be string"},
        {R"({"s":"   "})", "invalid m params: /s must NOT be empty"},
        {R"({"s":"toolong"})", "invalid m params: /s must NOT have more than 3 characters"},
        {R"({"s":"ok","n":"1"})", "invalid m params: /n must be integer"},
        {R"({"s":"ok","n":1.5})", "invalid m params: /n must be integer"},
        {R"({"s":"ok","n":0})", "invalid m params: /n must be >= 1"},
        {R"({"s":"ok","n":11})", "invalid m params: /n must be <= 10"},
        {R"({"s":"ok","b":"yes"})", "invalid m params: /b must be boolean"},
        {R"({"s":"ok","a":"x"})", "invalid m params: /a must be array"},
        {R"({"s":"ok","a":["x",2]})", "invalid m params: /a/1 must be string"},
        {R"({"s":"ok","a":["x","y","z"]})", "invalid m params: /a must NOT have more than 2 items"},
        {R"({"s":"ok","e":"later"})", "invalid m params: /e must be equal to one of the allowed values"},
    };
    for (const auto& test_case : cases) {
        const auto params = json::parse(test_case.params);
        ParamReader reader("m", params);
        reader.String("s", true, 3, true);
        reader.Int("n", false, 1, 10);
        reader.Bool("b", false);
        reader.StringArray("a", false, 2);
        reader.Enum("e", false, {"now"});
        auto error = reader.Finish();
        ASSERT_TRUE(error) << test_case.params;
        EXPECT_EQ(error->message, test_case.expected) << test_case.params;
    }
}

TEST(ParamReaderTest, FirstErrorWinsAndLaterReadsReturnNullopt) {
    const auto params = json::parse(R"({"a":1,"b":"fine"})");
    ParamReader reader("m", params);
    EXPECT_EQ(reader.String("a", true), std::nullopt);
    EXPECT_FALSE(reader.Ok());
    EXPECT_EQ(reader.String("b", true), std::nullopt);
    EXPECT_EQ(reader.String("c", true), std::nullopt);
    EXPECT_EQ(reader.Finish()->message, "invalid m params: /a must be string");
}

TEST(ParamReaderTest, IntegralDoublesAreAcceptedAsIntegers) {
    const auto params = json::parse(R"({"n":1e3})");
    ParamReader reader("m", params);
    EXPECT_EQ(reader.Int("n", true, 0, 5000), 1000);
    EXPECT_EQ(reader.Finish(), std::nullopt);
}

}  // namespace
}  // namespace gw::api::ws
