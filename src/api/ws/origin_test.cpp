#include <gtest/gtest.h>

#include "api/ws/internal/origin.hpp"

namespace gw::api::ws {
namespace {

TEST(OriginAllowedTest, NonBrowserClientsWithoutOriginPass) {
    config::ControlUiOptions options;
    EXPECT_TRUE(OriginAllowed(options, "", "127.0.0.1:3000"));
}

TEST(OriginAllowedTest, BrowserOriginsAreRefusedUnlessListed) {
    config::ControlUiOptions options;
    EXPECT_FALSE(OriginAllowed(options, "https://evil.example", "127.0.0.1:3000"));
    EXPECT_FALSE(OriginAllowed(options, "http://127.0.0.1:3000", "127.0.0.1:3000"));  // UI disabled
    options.allowed_origins = {"https://Chat.Example.com/"};
    EXPECT_TRUE(OriginAllowed(options, "https://chat.example.com", "gw:3000"));
    EXPECT_FALSE(OriginAllowed(options, "https://chat.example.com.evil", "gw:3000"));
    EXPECT_FALSE(OriginAllowed(options, "null", "gw:3000"));
}

TEST(OriginAllowedTest, WildcardAllowsEveryOrigin) {
    config::ControlUiOptions options;
    options.allowed_origins = {"*"};
    EXPECT_TRUE(OriginAllowed(options, "null", "gw:3000"));
    EXPECT_TRUE(OriginAllowed(options, "https://anything.example", "gw:3000"));
}

TEST(OriginAllowedTest, EnabledControlUiAllowsItsOwnOrigin) {
    config::ControlUiOptions options;
    options.enabled = true;
    EXPECT_TRUE(OriginAllowed(options, "http://127.0.0.1:3000", "127.0.0.1:3000"));
    EXPECT_FALSE(OriginAllowed(options, "http://127.0.0.1:3001", "127.0.0.1:3000"));
    EXPECT_FALSE(OriginAllowed(options, "ftp://127.0.0.1:3000", "127.0.0.1:3000"));
}

}  // namespace
}  // namespace gw::api::ws
