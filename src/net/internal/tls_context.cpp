#include "net/internal/tls_context.hpp"

#include <filesystem>
#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace gw::net::internal {
namespace {

namespace ssl = boost::asio::ssl;

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string OpenSslError() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) {
        return "unknown OpenSSL error";
    }
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    return buf;
}

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

Result<void> CheckReadable(const std::string& path, const char* what) {
    std::error_code ec;
    if (path.empty()) {
        return Invalid(std::string("TLS is enabled but no ") + what + " is configured");
    }
    if (!std::filesystem::is_regular_file(path, ec)) {
        return Invalid(std::string("TLS ") + what + " '" + path + "' does not exist or is not a file");
    }
    return Ok();
}

}  // namespace

Result<std::shared_ptr<ssl::context>> BuildTlsContext(const config::TlsOptions& tls) {
    int min_version = 0;
    if (tls.min_version == "1.2") {
        min_version = TLS1_2_VERSION;
    } else if (tls.min_version == "1.3") {
        min_version = TLS1_3_VERSION;
    } else {
        return Invalid("TLS min_version must be \"1.2\" or \"1.3\", got '" + tls.min_version + "'");
    }
    if (auto r = CheckReadable(tls.cert_file, "certificate file"); !r) {
        return r.error();
    }
    if (auto r = CheckReadable(tls.key_file, "key file"); !r) {
        return r.error();
    }

    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = ctx->native_handle();
    ERR_clear_error();
    if (SSL_CTX_set_min_proto_version(native, min_version) != 1) {
        return Invalid("cannot set the TLS minimum version: " + OpenSslError());
    }
    SSL_CTX_set_options(
        native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_ALL
    );
    if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
        return Invalid("cannot set the TLS cipher list: " + OpenSslError());
    }
    if (SSL_CTX_use_certificate_chain_file(native, tls.cert_file.c_str()) != 1) {
        return Invalid(
            "cannot load the TLS certificate chain from '" + tls.cert_file + "': " + OpenSslError()
        );
    }
    if (SSL_CTX_use_PrivateKey_file(native, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        return Invalid("cannot load the TLS private key from '" + tls.key_file + "': " + OpenSslError());
    }
    if (SSL_CTX_check_private_key(native) != 1) {
        return Invalid(
            "the TLS private key '" + tls.key_file + "' does not match the certificate: " + OpenSslError()
        );
    }
    return ctx;
}

}  // namespace gw::net::internal
