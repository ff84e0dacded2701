#include "crypto/sha256.hpp"

#include <openssl/evp.h>

#include "base/check.hpp"
#include "crypto/encoding.hpp"

namespace gw::crypto {
namespace {

// Fetched once: an implicit fetch per call (EVP_sha256()) costs a provider lookup each time.
const EVP_MD* Sha256Md() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    // The default provider always has SHA-256; a null here means a broken OpenSSL installation.
    GW_CHECK(md != nullptr, "EVP_MD_fetch(SHA2-256) failed");
    return md;
}

}  // namespace

Sha256Digest Sha256(std::span<const std::uint8_t> data) {
    Sha256Digest out{};
    unsigned int len = 0;
    // EVP_Digest fails only on allocation failure or a broken provider; both are fatal here.
    GW_CHECK(
        EVP_Digest(data.data(), data.size(), out.data(), &len, Sha256Md(), nullptr) == 1 && len == out.size(),
        "EVP_Digest(SHA-256) failed"
    );
    return out;
}

Sha256Digest Sha256(std::string_view data) {
    return Sha256(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

std::string Sha256Hex(std::string_view data) {
    return HexEncode(Sha256(data));
}

}  // namespace gw::crypto
