#include "net/router.hpp"

#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "net/http_types.hpp"
#include "net/internal/response_head.hpp"

namespace gw::net {
namespace {

Handler Respond(std::string body) {
    return [body = std::move(body)](const HttpRequest&) -> boost::asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.body = body;
        co_return r;
    };
}

TEST(RouterTest, ExactPathDistinguishesNotFoundFromMethodNotAllowed) {
    Router router;
    router.Add("GET", "/hello", Respond("get"));
    router.Add("POST", "/hello", Respond("post"));

    const auto get = router.Match("GET", "/hello");
    EXPECT_EQ(get.status, 200);
    ASSERT_NE(get.handler, nullptr);
    EXPECT_FALSE(get.head_fallback);

    const auto del = router.Match("DELETE", "/hello");
    EXPECT_EQ(del.status, 405);
    EXPECT_EQ(del.handler, nullptr);
    EXPECT_EQ(del.allow, "GET, HEAD, POST");

    EXPECT_EQ(router.Match("GET", "/hello/").status, 404);
    EXPECT_EQ(router.Match("GET", "/nope").status, 404);
    EXPECT_EQ(router.Match("get", "/hello").status, 405);  // methods are case-sensitive
}

TEST(RouterTest, HeadFallsBackToGetUnlessRegistered) {
    Router router;
    router.Add("GET", "/a", Respond("a"));
    const auto head = router.Match("HEAD", "/a");
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.head_fallback);
    EXPECT_EQ(head.handler, router.Match("GET", "/a").handler);

    router.Add("HEAD", "/a", Respond("head"));
    const auto explicit_head = router.Match("HEAD", "/a");
    EXPECT_FALSE(explicit_head.head_fallback);
    EXPECT_NE(explicit_head.handler, router.Match("GET", "/a").handler);

    router.Add("POST", "/b", Respond("b"));
    EXPECT_EQ(router.Match("HEAD", "/b").status, 405);
}

TEST(RouterTest, MostSpecificPathWinsAmongPrefixes) {
    Router router;
    router.Add("GET", "/api/*", Respond("api"));
    router.AddPrefix("GET", "/api/v1/", Respond("v1"));
    router.Add("GET", "/api/v1/exact", Respond("exact"));
    router.AddPrefix("POST", "/api/v1/", Respond("v1-post"));

    const auto* api = router.Match("GET", "/api/x").handler;
    const auto* v1 = router.Match("GET", "/api/v1/x/y").handler;
    const auto* exact = router.Match("GET", "/api/v1/exact").handler;
    ASSERT_NE(api, nullptr);
    ASSERT_NE(v1, nullptr);
    ASSERT_NE(exact, nullptr);
    EXPECT_NE(api, v1);
    EXPECT_NE(v1, exact);
    EXPECT_EQ(router.Match("GET", "/api").status, 404);  // "/api/*" needs the slash
    // The exact path exists, so POST there is 405 even though the prefix serves POST.
    EXPECT_EQ(router.Match("POST", "/api/v1/exact").status, 405);
    EXPECT_EQ(router.Match("POST", "/api/v1/z").status, 200);
    EXPECT_EQ(router.Match("PUT", "/api/v1/z").allow, "GET, HEAD, POST");
}

TEST(RouterTest, ReAddingReplacesTheHandler) {
    Router router;
    router.Add("GET", "/x", Respond("1"));
    const auto* first = router.Match("GET", "/x").handler;
    router.Add("GET", "/x", Respond("2"));
    EXPECT_EQ(router.Match("GET", "/x").handler, first);  // same slot, new function
    EXPECT_EQ(router.Match("PUT", "/x").allow, "GET, HEAD");
}

TEST(HttpTypesTest, JsonErrorHasTheContractShapeAndEscapes) {
    const auto r = JsonError(400, "bad_request", "say \"hi\"\n\\", "rid-1");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.content_type, "application/json");
    const auto v = boost::json::parse(r.body);
    const auto& e = v.at("error").as_object();
    EXPECT_EQ(e.at("code").as_string(), "bad_request");
    EXPECT_EQ(e.at("message").as_string(), "say \"hi\"\n\\");
    EXPECT_EQ(e.at("request_id").as_string(), "rid-1");
    EXPECT_EQ(e.size(), 3U);
    EXPECT_TRUE(r.headers.empty());
}

TEST(HttpTypesTest, UnavailableCarriesRetryAfter) {
    const auto r = JsonError(503, "unavailable", "busy", "x");
    ASSERT_EQ(r.headers.size(), 1U);
    EXPECT_EQ(r.headers[0].first, "Retry-After");
    EXPECT_EQ(r.headers[0].second, "1");
}

TEST(HttpTypesTest, RequestIdValidation) {
    EXPECT_TRUE(IsValidRequestId("abc-DEF_0.9"));
    EXPECT_TRUE(IsValidRequestId(std::string(64, 'a')));
    EXPECT_FALSE(IsValidRequestId(std::string(65, 'a')));
    EXPECT_FALSE(IsValidRequestId(""));
    EXPECT_FALSE(IsValidRequestId("a b"));
    EXPECT_FALSE(IsValidRequestId("a\r\nX: y"));
    EXPECT_FALSE(IsValidRequestId("é"));
}

TEST(HttpTypesTest, HeaderLookupIsCaseInsensitive) {
    HttpRequest req;
    req.headers = {{"Content-Type", "text/plain"}, {"X-A", "1"}, {"x-a", "2"}};
    EXPECT_EQ(req.Header("content-type"), "text/plain");
    EXPECT_EQ(req.Header("X-a"), "1");
    EXPECT_FALSE(req.Header("missing").has_value());
}

TEST(ResponseHeadTest, AddsDefaultsAndDropsUnsafeOrFramingHeaders) {
    HttpResponse resp;
    resp.status = 201;
    resp.body = "{}";
    resp.headers = {
        {"X-Ok", "1"},
        {"X-Bad", "a\r\nInjected: yes"},
        {"Bad Name", "v"},
        {"Content-Length", "999"},
        {"Referrer-Policy", "same-origin"}};
    std::string head;
    internal::SerializeHead(head, resp, "rid", false);
    EXPECT_EQ(head.rfind("HTTP/1.1 201 Created\r\n", 0), 0U);
    EXPECT_NE(head.find("Content-Length: 2\r\n"), std::string::npos);
    EXPECT_EQ(head.find("999"), std::string::npos);
    EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
    EXPECT_NE(head.find("X-Request-Id: rid\r\n"), std::string::npos);
    EXPECT_NE(head.find("X-Ok: 1\r\n"), std::string::npos);
    EXPECT_EQ(head.find("Injected"), std::string::npos);
    EXPECT_EQ(head.find("Bad Name"), std::string::npos);
    EXPECT_NE(head.find("Referrer-Policy: same-origin\r\n"), std::string::npos);
    EXPECT_EQ(head.find("no-referrer"), std::string::npos);
    EXPECT_NE(head.find("X-Content-Type-Options: nosniff\r\n"), std::string::npos);
    EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
}

TEST(ResponseHeadTest, NoContentHasNoLengthOrType) {
    HttpResponse resp;
    resp.status = 204;
    std::string head;
    internal::SerializeHead(head, resp, "rid", true);
    EXPECT_EQ(head.find("Content-Length"), std::string::npos);
    EXPECT_EQ(head.find("\r\nContent-Type:"), std::string::npos);
    EXPECT_NE(head.find("Connection: keep-alive\r\n"), std::string::npos);
}

TEST(ResponseHeadTest, MethodLabelsAreBounded) {
    EXPECT_EQ(internal::MethodLabel("GET"), "GET");
    EXPECT_EQ(internal::MethodLabel("BREW"), "OTHER");
    EXPECT_EQ(internal::MethodLabel(""), "UNKNOWN");
}

}  // namespace
}  // namespace gw::net
