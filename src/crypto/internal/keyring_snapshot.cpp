#include "crypto/internal/keyring_snapshot.hpp"

#include <algorithm>

namespace gw::crypto::internal {

const DataKey* ClassKeys::Find(std::uint32_t version) const {
    auto it =
        std::lower_bound(versions.begin(), versions.end(), version, [](const auto& key, std::uint32_t v) {
            return key->version < v;
        });
    return it != versions.end() && (*it)->version == version ? it->get() : nullptr;
}

std::vector<std::uint8_t> DataKeyWrapAad(
    std::string_view tenant, Classification classification, std::uint32_t version
) {
    constexpr std::string_view kLabel = "gw.datakey";
    std::vector<std::uint8_t> aad;
    aad.reserve(kLabel.size() + 4 + tenant.size() + 1 + 4);
    const auto put_u32 = [&aad](std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            aad.push_back(static_cast<std::uint8_t>(v >> shift));
        }
    };
    aad.insert(aad.end(), kLabel.begin(), kLabel.end());
    put_u32(static_cast<std::uint32_t>(tenant.size()));
    aad.insert(aad.end(), tenant.begin(), tenant.end());
    aad.push_back(static_cast<std::uint8_t>(classification));
    put_u32(version);
    return aad;
}

}  // namespace gw::crypto::internal
