#pragma once
/// @file
/// @brief Private to net: builds the server's TLS context from TlsOptions.

#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "base/error.hpp"
#include "config/options.hpp"

namespace gw::net::internal {

/// A TLS server context: protocol >= tls.min_version ("1.2" or "1.3"), ECDHE + AEAD ciphers for
/// TLS 1.2 (OpenSSL's TLS 1.3 suites), no compression or renegotiation, the certificate chain and
/// private key from the PEM files (checked to match). kInvalidArgument with a clear message otherwise.
Result<std::shared_ptr<boost::asio::ssl::context>> BuildTlsContext(const config::TlsOptions& tls);

}  // namespace gw::net::internal
