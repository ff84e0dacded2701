#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "net/http_server.hpp"
#include "net/internal/test_support.hpp"

namespace gw::net {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using runtime::RunCoro;
namespace ssl = asio::ssl;
using TlsClient = ssl::stream<Tcp::socket>;

/// A temp dir with a fresh self-signed P-256 certificate for CN=localhost.
class CertDir {
public:
    CertDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "gw-net-tls-XXXXXX").string();
        char* made = mkdtemp(tmpl.data());
        if (made == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        dir_ = made;
        cert = (dir_ / "cert.pem").string();
        key = (dir_ / "key.pem").string();
        Generate();
    }

    ~CertDir() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    CertDir(const CertDir&) = delete;
    CertDir& operator=(const CertDir&) = delete;

    std::string cert;
    std::string key;

private:
    void Generate() const {
        std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> kctx(
            EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), &EVP_PKEY_CTX_free
        );
        EVP_PKEY* raw_key = nullptr;
        if (!kctx || EVP_PKEY_keygen_init(kctx.get()) != 1 ||
            EVP_PKEY_CTX_set_group_name(kctx.get(), "P-256") != 1 ||
            EVP_PKEY_generate(kctx.get(), &raw_key) != 1) {
            throw std::runtime_error("key generation failed");
        }
        std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(raw_key, &EVP_PKEY_free);
        std::unique_ptr<X509, decltype(&X509_free)> x509(X509_new(), &X509_free);
        X509_set_version(x509.get(), 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), 1);
        X509_gmtime_adj(X509_getm_notBefore(x509.get()), -60);
        X509_gmtime_adj(X509_getm_notAfter(x509.get()), 3600);
        X509_set_pubkey(x509.get(), pkey.get());
        X509_NAME* name = X509_get_subject_name(x509.get());
        const std::string cn = "localhost";
        X509_NAME_add_entry_by_txt(
            name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0
        );
        X509_set_issuer_name(x509.get(), name);
        if (X509_sign(x509.get(), pkey.get(), EVP_sha256()) == 0) {
            throw std::runtime_error("signing failed");
        }
        std::unique_ptr<FILE, decltype(&std::fclose)> kf(std::fopen(key.c_str(), "w"), &std::fclose);
        std::unique_ptr<FILE, decltype(&std::fclose)> cf(std::fopen(cert.c_str(), "w"), &std::fclose);
        if (!kf || !cf ||
            PEM_write_PrivateKey(kf.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
            PEM_write_X509(cf.get(), x509.get()) != 1) {
            throw std::runtime_error("writing PEM files failed");
        }
    }

    std::filesystem::path dir_;
};

config::ServerOptions TlsOptions(const CertDir& certs) {
    auto o = TestOptions();
    o.tls.enabled = true;
    o.tls.cert_file = certs.cert;
    o.tls.key_file = certs.key;
    return o;
}

void AddHello(ServerFixture& f) {
    f.router.Add("GET", "/hello", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
        HttpResponse r;
        r.body = R"({"tls":true})";
        co_return r;
    });
}

/// HTTPS GET /hello with a client that trusts only `certs`.
asio::awaitable<std::optional<Response>> HttpsGet(std::uint16_t port, const CertDir& certs) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file(certs.cert);
    ctx.set_verify_mode(ssl::verify_peer);
    TlsClient stream(co_await Connect(port), ctx);
    co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
    const std::string req = Request("GET", "/hello");
    co_await asio::async_write(stream, asio::buffer(req), asio::use_awaitable);
    http::response_parser<http::string_body> parser;
    beast::flat_buffer buffer;
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    Response r;
    r.status = static_cast<int>(parser.get().result_int());
    for (const auto& field : parser.get()) {
        r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    r.body = parser.get().body();
    co_return r;
}

TEST(TlsTest, ServesHttpsWithTheConfiguredCertificate) {
    CertDir certs;
    ServerFixture f(TlsOptions(certs));
    AddHello(f);
    f.Start();
    EXPECT_EQ(f.Server().Scheme(), "https");
    const auto r = RunCoro(HttpsGet(f.Port(), certs));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, R"({"tls":true})");
    ExpectCommonHeaders(*r);
}

TEST(TlsTest, Tls11ClientIsRejectedByTheServer) {
    CertDir certs;
    ServerFixture f(TlsOptions(certs));
    AddHello(f);
    f.Start();
    const std::string error = RunCoro([&]() -> asio::awaitable<std::string> {
        ssl::context ctx(ssl::context::tls_client);
        SSL_CTX* native = ctx.native_handle();
        SSL_CTX_set_min_proto_version(native, TLS1_VERSION);
        SSL_CTX_set_max_proto_version(native, TLS1_1_VERSION);
        SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0");
        ctx.set_verify_mode(ssl::verify_none);
        TlsClient stream(co_await Connect(f.Port()), ctx);
        auto [ec] =
            co_await stream.async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
        co_return ec ? ec.message() : std::string("handshake succeeded");
    }());
    // The client offered TLS 1.1 and the server answered with a protocol_version alert.
    EXPECT_NE(error.find("protocol version"), std::string::npos) << error;
    EXPECT_TRUE(WaitFor([&] { return f.observer.ErrorCount("tls_handshake") == 1; }));
}

TEST(TlsTest, PlainHttpOnTheTlsPortFailsOnlyThatConnection) {
    CertDir certs;
    ServerFixture f(TlsOptions(certs));
    AddHello(f);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        auto socket = co_await Connect(f.Port());
        co_await Send(socket, Request("GET", "/hello"));
        const auto got = co_await ReadToEof(socket);
        EXPECT_EQ(got.find("HTTP/1.1"), std::string::npos);
        auto ok = co_await HttpsGet(f.Port(), certs);
        EXPECT_TRUE(ok && ok->status == 200);
    }());
    EXPECT_TRUE(WaitFor([&] { return f.observer.ErrorCount("tls_handshake") == 1; }));
}

TEST(TlsTest, WebSocketOverTls) {
    class Echo final : public WebSocketHandler {
    public:
        void OnOpen(std::shared_ptr<WebSocketSession>) override {}

        asio::awaitable<void> OnMessage(std::shared_ptr<WebSocketSession> s, std::string text) override {
            s->Send(std::move(text));
            co_return;
        }

        void OnClose(WebSocketSession&, std::uint16_t) override {}
    } handler;

    CertDir certs;
    ServerFixture f(TlsOptions(certs), &handler);
    f.Start();
    RunCoro([&]() -> asio::awaitable<void> {
        ssl::context ctx(ssl::context::tls_client);
        ctx.load_verify_file(certs.cert);
        ctx.set_verify_mode(ssl::verify_peer);
        beast::websocket::stream<TlsClient> ws(co_await Connect(f.Port()), ctx);
        co_await ws.next_layer().async_handshake(ssl::stream_base::client, asio::use_awaitable);
        co_await ws.async_handshake("localhost", "/", asio::use_awaitable);
        co_await ws.async_write(asio::buffer(std::string("secure")), asio::use_awaitable);
        beast::flat_buffer buffer;
        co_await ws.async_read(buffer, asio::use_awaitable);
        EXPECT_EQ(beast::buffers_to_string(buffer.data()), "secure");
        co_await ws.async_close(beast::websocket::close_code::normal, asio::use_awaitable);
    }());
}

TEST(TlsTest, ReloadPicksUpANewCertificate) {
    CertDir certs;
    ServerFixture f(TlsOptions(certs));
    AddHello(f);
    f.Start();
    // Replace the files with a new pair, reload, and connect trusting only the new certificate.
    CertDir fresh;
    std::filesystem::copy_file(fresh.cert, certs.cert, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(fresh.key, certs.key, std::filesystem::copy_options::overwrite_existing);
    const auto reloaded = f.Server().ReloadTls();
    ASSERT_TRUE(reloaded) << reloaded.error().message;
    const auto r = RunCoro(HttpsGet(f.Port(), fresh));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
}

TEST(TlsTest, StartFailsClearlyOnBadCertificateFiles) {
    CertDir certs;
    runtime::IoRuntime rt;
    Router router;
    RecordingObserver observer;

    auto missing = TlsOptions(certs);
    missing.tls.cert_file = certs.cert + ".missing";
    HttpServer a(rt.Context(), missing, router, observer, nullptr);
    const auto ra = a.Start();
    ASSERT_FALSE(ra);
    EXPECT_EQ(ra.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(ra.error().message.find(".missing"), std::string::npos) << ra.error().message;

    auto swapped = TlsOptions(certs);
    swapped.tls.cert_file = certs.key;  // a key is not a certificate
    HttpServer b(rt.Context(), swapped, router, observer, nullptr);
    const auto rb = b.Start();
    ASSERT_FALSE(rb);
    EXPECT_NE(rb.error().message.find("certificate"), std::string::npos) << rb.error().message;

    auto bad_version = TlsOptions(certs);
    bad_version.tls.min_version = "1.1";
    HttpServer c(rt.Context(), bad_version, router, observer, nullptr);
    const auto rc = c.Start();
    ASSERT_FALSE(rc);
    EXPECT_NE(rc.error().message.find("min_version"), std::string::npos) << rc.error().message;
}

}  // namespace
}  // namespace gw::net
