#include "obs/log.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "obs/trace.hpp"

namespace gw::obs {
namespace {

TEST(LogTest, FormatsOneEscapedJsonObject) {
    auto line = FormatLogLine(LogLevel::kWarn, "gw.net", "bad \"quote\"\nnext", {{"request_id", "ab\tc"}});
    EXPECT_EQ(line.front(), '{');
    EXPECT_EQ(line.back(), '}');
    EXPECT_NE(line.find("\"level\":\"warn\""), std::string::npos);
    EXPECT_NE(line.find("\"logger\":\"gw.net\""), std::string::npos);
    EXPECT_NE(line.find("\"msg\":\"bad \\\"quote\\\"\\nnext\""), std::string::npos);
    EXPECT_NE(line.find("\"request_id\":\"ab\\tc\""), std::string::npos);
    EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LogTest, EscapesControlCharactersAsUnicode) {
    std::string out;
    AppendJsonEscaped(out, std::string_view("\x01", 1));
    EXPECT_EQ(out, "\\u0001");
}

TEST(LogTest, LevelFilterDropsLowerLevels) {
    std::vector<std::string> lines;
    SetLogSinkForTest([&](std::string_view l) { lines.emplace_back(l); });
    InitLogging(LogLevel::kWarn);
    Log(LogLevel::kInfo, "t", "dropped");
    Log(LogLevel::kError, "t", "kept");
    InitLogging(LogLevel::kInfo);
    SetLogSinkForTest(nullptr);
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_NE(lines[0].find("kept"), std::string::npos);
}

TEST(LogTest, ParsesLevelNames) {
    EXPECT_EQ(ParseLogLevel("debug"), LogLevel::kDebug);
    EXPECT_EQ(ParseLogLevel("warning"), LogLevel::kWarn);
    EXPECT_FALSE(ParseLogLevel("loud").has_value());
}

TEST(TraceTest, ParsesValidTraceparent) {
    auto ctx = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    ASSERT_TRUE(ctx.has_value());
    EXPECT_EQ(ctx->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(ctx->parent_id, "00f067aa0ba902b7");
    EXPECT_TRUE(ctx->sampled);
}

TEST(TraceTest, RejectsMalformedTraceparent) {
    EXPECT_FALSE(ParseTraceparent(""));
    EXPECT_FALSE(ParseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));  // zero trace
    EXPECT_FALSE(ParseTraceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));  // upper case
    EXPECT_FALSE(ParseTraceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));  // bad version
    EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"));
}

}  // namespace
}  // namespace gw::obs
