#include "crypto/constant_time.hpp"

#include <openssl/crypto.h>

namespace gw::crypto {

bool ConstantTimeEquals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        // Still make a full pass over `a` (compared with itself; CRYPTO_memcmp is an opaque library call
        // so it is not elided): the time then depends on a's length only, not on where b differs.
        static_cast<void>(CRYPTO_memcmp(a.data(), a.data(), a.size()));
        return false;
    }
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool ConstantTimeEquals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
    return ConstantTimeEquals(
        std::string_view(reinterpret_cast<const char*>(a.data()), a.size()),
        std::string_view(reinterpret_cast<const char*>(b.data()), b.size())
    );
}

}  // namespace gw::crypto
