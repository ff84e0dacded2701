#pragma once
// Private to the crypto module: the immutable key snapshot behind Keyring and the wrap AAD.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/aead.hpp"
#include "crypto/envelope.hpp"

namespace gw::crypto::internal {

struct DataKey {
    std::uint32_t version = 0;
    std::chrono::system_clock::time_point created_at;
    Aes256GcmKey key;
};

/// The versions of one (tenant, classification), ascending and contiguous from 1 in practice.
struct ClassKeys {
    std::uint32_t min_decrypt_version = 0;  ///< 0: nothing retired
    std::vector<std::shared_ptr<const DataKey>> versions;

    const DataKey* Active() const { return versions.empty() ? nullptr : versions.back().get(); }

    const DataKey* Find(std::uint32_t version) const;
};

struct TenantKeys {
    std::array<ClassKeys, kClassificationCount> classes;

    const ClassKeys& Of(Classification c) const { return classes[static_cast<std::size_t>(c)]; }

    ClassKeys& Of(Classification c) { return classes[static_cast<std::size_t>(c)]; }
};

struct StringHash {
    using is_transparent = void;

    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

/// Published through an atomic shared_ptr; never modified after publication. Copies share the
/// unchanged tenants and keys (copy-on-write at tenant granularity).
struct KeyringSnapshot {
    std::unordered_map<std::string, std::shared_ptr<const TenantKeys>, StringHash, std::equal_to<>> tenants;

    const TenantKeys* Find(std::string_view tenant) const {
        auto it = tenants.find(tenant);
        return it == tenants.end() ? nullptr : it->second.get();
    }
};

/// AAD for wrapping a data key: "gw.datakey" || u32 len || tenant || classification(1) || version(u32),
/// so a wrapped key cannot be moved to another tenant, class or version.
std::vector<std::uint8_t> DataKeyWrapAad(
    std::string_view tenant, Classification classification, std::uint32_t version
);

}  // namespace gw::crypto::internal
