// HttpClient over TLS against the gateway's HttpServer with a throw-away CA.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "net/http_client.hpp"
#include "net/internal/client_test_support.hpp"
#include "net/internal/test_pki.hpp"
#include "net/internal/test_support.hpp"
#include "net/sse_writer.hpp"

namespace gw::net {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using Clock = std::chrono::steady_clock;

class HttpsFixture {
public:
    explicit HttpsFixture(TestPki::Kind kind = TestPki::Kind::kCaSigned) : pki(kind), server_(Options(pki)) {
        server_.router.Add("GET", "/hello", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
            HttpResponse r;
            r.body = R"({"tls":true})";
            co_return r;
        });
        server_.router.Add("GET", "/sse", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
            HttpResponse r;
            r.content_type = "text/event-stream";
            r.stream = [](ResponseStream& out) -> asio::awaitable<void> {
                for (int i = 0; i < 20; ++i) {
                    co_await out.Write(SseWriter::Event(std::to_string(i)));
                }
            };
            co_return r;
        });
        server_.Start();
    }

    std::string Url(std::string_view host, std::string_view path) const {
        return "https://" + std::string(host) + ":" + std::to_string(server_.Port()) + std::string(path);
    }

    int Opened() const { return server_.observer.opened.load(); }

    TestPki pki;

private:
    static config::ServerOptions Options(const TestPki& pki) {
        auto o = TestOptions();
        o.tls.enabled = true;
        o.tls.cert_file = pki.cert_file;
        o.tls.key_file = pki.key_file;
        return o;
    }

    ServerFixture server_;
};

HttpClientOptions Trusting(const TestPki& pki) {
    HttpClientOptions o;
    o.extra_ca_file = pki.ca_file;
    return o;
}

TEST(HttpClientTlsTest, UnknownCertificateFailsVerification) {
    HttpsFixture f;
    WithClient(HttpClientOptions{}, [&](HttpClient& client) -> asio::awaitable<void> {
        auto r = co_await client.Request(Get(f.Url("localhost", "/hello")), In(5s));
        EXPECT_FALSE(r);
        if (!r) {
            EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
            EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos)
                << r.error().message;
        }
    });
}

TEST(HttpClientTlsTest, TrustedCaFileMakesTheRequestSucceedAndReusesTheConnection) {
    HttpsFixture f;
    WithClient(Trusting(f.pki), [&](HttpClient& client) -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            auto r = co_await client.Request(Get(f.Url("localhost", "/hello")), In(5s));
            EXPECT_TRUE(r) << r.error().message;
            EXPECT_TRUE(r && r->status == 200 && r->body == R"({"tls":true})");
        }
    });
    EXPECT_EQ(f.Opened(), 1);
}

TEST(HttpClientTlsTest, SelfSignedCertificateIsTrustedOnlyWhenConfigured) {
    HttpsFixture f(TestPki::Kind::kSelfSigned);
    WithClient(HttpClientOptions{}, [&](HttpClient& client) -> asio::awaitable<void> {
        auto r = co_await client.Request(Get(f.Url("localhost", "/hello")), In(5s));
        EXPECT_TRUE(!r && r.error().message.find("certificate verify failed") != std::string::npos);
    });
    WithClient(Trusting(f.pki), [&](HttpClient& client) -> asio::awaitable<void> {
        auto r = co_await client.Request(Get(f.Url("localhost", "/hello")), In(5s));
        EXPECT_TRUE(r) << r.error().message;
        EXPECT_TRUE(r && r->status == 200);
    });
}

TEST(HttpClientTlsTest, WrongHostNameFailsVerification) {
    HttpsFixture f;
    WithClient(Trusting(f.pki), [&](HttpClient& client) -> asio::awaitable<void> {
        // The certificate names DNS:localhost only, not the IP address.
        auto r = co_await client.Request(Get(f.Url("127.0.0.1", "/hello")), In(5s));
        EXPECT_FALSE(r);
        if (!r) {
            EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
            EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos)
                << r.error().message;
            EXPECT_NE(r.error().message.find("host name"), std::string::npos) << r.error().message;
        }
    });
}

TEST(HttpClientTlsTest, VerificationCanBeTurnedOff) {
    HttpsFixture f;
    HttpClientOptions o;
    o.verify_tls = false;
    WithClient(o, [&](HttpClient& client) -> asio::awaitable<void> {
        auto r = co_await client.Request(Get(f.Url("127.0.0.1", "/hello")), In(5s));
        EXPECT_TRUE(r && r->status == 200);
    });
}

TEST(HttpClientTlsTest, StreamsSseOverTls) {
    HttpsFixture f;
    WithClient(Trusting(f.pki), [&](HttpClient& client) -> asio::awaitable<void> {
        for (int round = 0; round < 2; ++round) {
            auto stream = co_await client.Stream(Get(f.Url("localhost", "/sse")), In(5s));
            EXPECT_TRUE(stream) << stream.error().message;
            if (!stream) {
                co_return;
            }
            std::string body;
            for (;;) {
                auto chunk = co_await stream->NextChunk();
                EXPECT_TRUE(chunk) << chunk.error().message;
                if (!chunk || !*chunk) {
                    break;
                }
                body += **chunk;
            }
            std::string expected;
            for (int i = 0; i < 20; ++i) {
                expected += SseWriter::Event(std::to_string(i));
            }
            EXPECT_EQ(body, expected);
        }
    });
    EXPECT_EQ(f.Opened(), 1);  // the TLS connection went back to the pool after each stream
}

TEST(HttpClientTlsTest, UnreadableCaFileFailsCreate) {
    asio::io_context ioc;
    HttpClientOptions o;
    o.extra_ca_file = "/nonexistent/ca.pem";
    auto client = HttpClient::Create(ioc, o);
    ASSERT_FALSE(client);
    EXPECT_EQ(client.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace gw::net
