#include "crypto/hmac.hpp"

#include <memory>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "base/check.hpp"
#include "crypto/constant_time.hpp"
#include "crypto/encoding.hpp"

namespace gw::crypto {
namespace {

std::span<const std::uint8_t> Bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

EVP_MAC* HmacAlgorithm() {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    // The default provider always offers HMAC; null means a broken OpenSSL installation.
    GW_CHECK(mac != nullptr, "EVP_MAC_fetch(HMAC) failed");
    return mac;
}

struct MacCtxFree {
    void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};

// One context per thread, re-keyed per call: avoids an allocation and an algorithm fetch per MAC.
EVP_MAC_CTX* ThreadMacCtx() {
    thread_local const std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(HmacAlgorithm()));
    GW_CHECK(ctx != nullptr, "EVP_MAC_CTX_new failed");
    return ctx.get();
}

}  // namespace

HmacSha256Tag HmacSha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
    // EVP_MAC_init treats a null key as "keep the previous key", so an empty key must be non-null.
    static constexpr std::uint8_t kEmpty = 0;
    const std::uint8_t* key_ptr = key.empty() ? &kEmpty : key.data();
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC_CTX* ctx = ThreadMacCtx();
    HmacSha256Tag out{};
    std::size_t len = 0;
    // These fail only on allocation failure or a broken provider (inputs cannot make them fail).
    GW_CHECK(EVP_MAC_init(ctx, key_ptr, key.size(), params) == 1, "EVP_MAC_init failed");
    GW_CHECK(EVP_MAC_update(ctx, data.data(), data.size()) == 1, "EVP_MAC_update failed");
    GW_CHECK(
        EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == out.size(), "EVP_MAC_final failed"
    );
    return out;
}

HmacSha256Tag HmacSha256(std::string_view key, std::string_view data) {
    return HmacSha256(Bytes(key), Bytes(data));
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
    return HexEncode(HmacSha256(key, data));
}

bool VerifyHmacSha256(
    std::span<const std::uint8_t> key, std::span<const std::uint8_t> data, std::span<const std::uint8_t> tag
) {
    const HmacSha256Tag expected = HmacSha256(key, data);
    return ConstantTimeEquals(std::span<const std::uint8_t>(expected), tag);
}

}  // namespace gw::crypto
