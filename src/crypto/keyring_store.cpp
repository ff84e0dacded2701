#include "crypto/keyring_store.hpp"

#include <openssl/crypto.h>

namespace gw::crypto {

Result<WrappedKeySet> InMemoryWrappedKeyStore::LoadAll() {
    const std::lock_guard lock(mutex_);
    WrappedKeySet set;
    set.keys.reserve(keys_.size());
    for (const auto& [id, record] : keys_) {
        set.keys.push_back(record);
    }
    for (const auto& [id, policy] : policies_) {
        set.policies.push_back(policy);
    }
    return set;
}

Result<void> InMemoryWrappedKeyStore::Insert(const WrappedKeyRecord& record) {
    const std::lock_guard lock(mutex_);
    auto [it, inserted] =
        keys_.try_emplace(KeyId{record.tenant, record.classification, record.version}, record);
    if (!inserted) {
        return MakeError(
            ErrorCode::kConflict,
            "data key " + record.tenant + "/" + std::string(ClassificationName(record.classification)) +
                "/v" + std::to_string(record.version) + " already exists"
        );
    }
    return Ok();
}

Result<void> InMemoryWrappedKeyStore::SetPolicy(const KeyPolicyRecord& policy) {
    const std::lock_guard lock(mutex_);
    policies_.insert_or_assign(PolicyId{policy.tenant, policy.classification}, policy);
    return Ok();
}

Result<void> InMemoryWrappedKeyStore::DeleteTenant(std::string_view tenant) {
    const std::lock_guard lock(mutex_);
    for (auto it = keys_.begin(); it != keys_.end();) {
        if (it->second.tenant == tenant) {
            OPENSSL_cleanse(it->second.wrapped.data(), it->second.wrapped.size());
            it = keys_.erase(it);
        } else {
            ++it;
        }
    }
    std::erase_if(policies_, [&](const auto& entry) { return entry.second.tenant == tenant; });
    return Ok();
}

std::size_t InMemoryWrappedKeyStore::KeyCount() const {
    const std::lock_guard lock(mutex_);
    return keys_.size();
}

}  // namespace gw::crypto
