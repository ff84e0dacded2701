#include "store/internal/sha256.hpp"

#include <array>

#include <openssl/evp.h>

namespace gw::store::internal {

Result<std::string> Sha256Hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
        size != 32) {
        return MakeError(ErrorCode::kInternal, "sha256: EVP_Digest failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(static_cast<std::size_t>(size) * 2);
    for (unsigned int i = 0; i < size; ++i) {
        out.push_back(kHex[digest[i] >> 4U]);
        out.push_back(kHex[digest[i] & 0x0fU]);
    }
    return out;
}

}  // namespace gw::store::internal
