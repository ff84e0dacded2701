#include "domain/model_client.hpp"

#include <gtest/gtest.h>

namespace gw::domain {
namespace {

TEST(ModelRefTest, ParseSplitsAtTheFirstSlash) {
    auto ref = ParseModelRef("openrouter/meta-llama/llama-3-70b");
    ASSERT_TRUE(ref) << ref.error().message;
    EXPECT_EQ(ref->provider, "openrouter");
    EXPECT_EQ(ref->model, "meta-llama/llama-3-70b");
    EXPECT_EQ(ref->ToString(), "openrouter/meta-llama/llama-3-70b");
}

TEST(ModelRefTest, ParseRejectsMissingOrEmptyParts) {
    for (const char* bad : {"", "gpt-4o", "/gpt-4o", "openai/", "/"}) {
        auto ref = ParseModelRef(bad);
        ASSERT_FALSE(ref) << bad;
        EXPECT_EQ(ref.error().code, ErrorCode::kInvalidArgument) << bad;
    }
}

TEST(ModelRefTest, RoundTripsThroughToString) {
    const ModelRef ref{"anthropic", "claude-sonnet-4"};
    auto parsed = ParseModelRef(ref.ToString());
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, ref);
}

TEST(ModelErrorKindTest, NamesAreTheMetricReasonLabels) {
    EXPECT_EQ(ModelErrorKindName(ModelErrorKind::kNotConfigured), "not_configured");
    EXPECT_EQ(ModelErrorKindName(ModelErrorKind::kAuth), "auth");
    EXPECT_EQ(ModelErrorKindName(ModelErrorKind::kBadRequest), "bad_request");
    EXPECT_EQ(ModelErrorKindName(ModelErrorKind::kContextLength), "context_length");
    EXPECT_EQ(ModelErrorKindName(ModelErrorKind::kRateLimited), "rate_limited");
    EXPECT_EQ(ModelErrorKindName(ModelErrorKind::kOverloaded), "overloaded");
    EXPECT_EQ(ModelErrorKindName(ModelErrorKind::kServer), "server");
    EXPECT_EQ(ModelErrorKindName(ModelErrorKind::kTimeout), "timeout");
    EXPECT_EQ(ModelErrorKindName(ModelErrorKind::kConnection), "connection");
    EXPECT_EQ(ModelErrorKindName(ModelErrorKind::kMalformedStream), "malformed_stream");
    EXPECT_EQ(ModelErrorKindName(ModelErrorKind::kAborted), "aborted");
}

TEST(ModelErrorKindTest, OnlyTransientKindsAreRetryable) {
    EXPECT_TRUE(IsRetryable(ModelErrorKind::kRateLimited));
    EXPECT_TRUE(IsRetryable(ModelErrorKind::kOverloaded));
    EXPECT_TRUE(IsRetryable(ModelErrorKind::kTimeout));
    EXPECT_TRUE(IsRetryable(ModelErrorKind::kConnection));
    EXPECT_TRUE(IsRetryable(ModelErrorKind::kServer));
    EXPECT_FALSE(IsRetryable(ModelErrorKind::kNotConfigured));
    EXPECT_FALSE(IsRetryable(ModelErrorKind::kAuth));
    EXPECT_FALSE(IsRetryable(ModelErrorKind::kBadRequest));
    EXPECT_FALSE(IsRetryable(ModelErrorKind::kContextLength));
    EXPECT_FALSE(IsRetryable(ModelErrorKind::kMalformedStream));
    EXPECT_FALSE(IsRetryable(ModelErrorKind::kAborted));
}

TEST(ModelResultTest, OkOnlyWithAResponse) {
    ModelResult r;
    EXPECT_FALSE(r.ok());
    r.error = ModelError{};
    EXPECT_FALSE(r.ok());
    r = ModelResult{};
    r.response = ModelResponse{};
    EXPECT_TRUE(r.ok());
}

}  // namespace
}  // namespace gw::domain
