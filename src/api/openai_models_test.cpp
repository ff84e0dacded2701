#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/openai_test_support.hpp"

namespace gw::api {
namespace {

namespace json = boost::json;

class OpenAiModelsTest : public testing::RoutesFixture {};

TEST_F(OpenAiModelsTest, ListsAgentTargetsInTheOpenAiListShape) {
    auto resp = Call("GET", "/v1/models");
    ASSERT_EQ(resp.status, 200);
    auto body = json::parse(resp.body).as_object();
    EXPECT_EQ(body.at("object"), "list");
    std::vector<std::string> ids;
    for (const auto& m : body.at("data").as_array()) {
        const auto& obj = m.as_object();
        ids.emplace_back(obj.at("id").as_string());
        EXPECT_EQ(obj.at("object"), "model");
        EXPECT_EQ(obj.at("owned_by"), "openclaw");
        EXPECT_TRUE(obj.at("created").is_int64());
    }
    EXPECT_EQ(
        ids, (std::vector<std::string>{"openclaw", "openclaw/default", "openclaw/main", "openclaw/ops"})
    );
}

TEST_F(OpenAiModelsTest, GetsOneTargetAlsoPercentEncoded) {
    auto resp = Call("GET", "/v1/models/openclaw/ops");
    ASSERT_EQ(resp.status, 200);
    EXPECT_EQ(json::parse(resp.body).at("id"), "openclaw/ops");
    auto encoded = Call("GET", "/v1/models/openclaw%2Fdefault");
    ASSERT_EQ(encoded.status, 200);
    EXPECT_EQ(json::parse(encoded.body).at("id"), "openclaw/default");
}

TEST_F(OpenAiModelsTest, UnknownModelIs404InOpenAiErrorShape) {
    auto resp = Call("GET", "/v1/models/gpt-4o");
    ASSERT_EQ(resp.status, 404);
    auto error = json::parse(resp.body).at("error").as_object();
    EXPECT_EQ(error.at("type"), "invalid_request_error");
    EXPECT_EQ(error.at("code"), "model_not_found");
    EXPECT_EQ(error.at("param"), "model");
    EXPECT_NE(json::value_to<std::string>(error.at("message")).find("gpt-4o"), std::string::npos);
}

}  // namespace
}  // namespace gw::api
