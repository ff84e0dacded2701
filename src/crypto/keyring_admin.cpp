// Keyring: the writer side (key creation, rotation, retirement, shredding). Every function here runs
// under writer_mutex_, writes the store first and publishes a new snapshot only after it succeeded.
#include <limits>

#include "base/check.hpp"
#include "crypto/internal/keyring_snapshot.hpp"
#include "crypto/keyring.hpp"
#include "obs/log.hpp"

namespace gw::crypto {

using internal::ClassKeys;
using internal::DataKey;
using internal::KeyringSnapshot;
using internal::TenantKeys;

namespace {

constexpr std::string_view kLogger = "gw.crypto";

Result<void> CheckEncryptedClass(std::string_view tenant, Classification classification) {
    if (tenant.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "a tenant is required");
    }
    if (classification == Classification::kPublic ||
        static_cast<std::size_t>(classification) >= kClassificationCount) {
        return MakeError(ErrorCode::kInvalidArgument, "public data has no keys");
    }
    return Ok();
}

// A copy of `snapshot` in which `tenant` is replaced by `keys` (or removed when `keys` is null).
std::shared_ptr<const KeyringSnapshot> WithTenant(
    const KeyringSnapshot& snapshot, std::string_view tenant, std::shared_ptr<const TenantKeys> keys
) {
    auto next = std::make_shared<KeyringSnapshot>(snapshot);
    if (keys) {
        next->tenants.insert_or_assign(std::string(tenant), std::move(keys));
    } else if (auto it = next->tenants.find(tenant); it != next->tenants.end()) {
        next->tenants.erase(it);
    }
    return next;
}

}  // namespace

Result<std::uint32_t> Keyring::AddVersionLocked(std::string_view tenant, Classification classification) {
    const std::shared_ptr<const KeyringSnapshot> current = Load();
    const TenantKeys* existing = current->Find(tenant);
    const DataKey* active = existing != nullptr ? existing->Of(classification).Active() : nullptr;
    if (active != nullptr && active->version == std::numeric_limits<std::uint32_t>::max()) {
        return MakeError(ErrorCode::kInvalidArgument, "key version space exhausted");
    }
    const std::uint32_t version = active != nullptr ? active->version + 1 : 1;
    Aes256GcmKey key = Aes256GcmKey::Generate();
    auto wrapped = provider_.WrapKey(key, internal::DataKeyWrapAad(tenant, classification, version));
    if (!wrapped) {
        return wrapped.error();
    }
    WrappedKeyRecord record{
        .tenant = std::string(tenant),
        .classification = classification,
        .version = version,
        .wrapped = std::move(*wrapped),
        .created_at = options_.now(),
    };
    if (auto inserted = store_.Insert(record); !inserted) {
        if (inserted.error().code == ErrorCode::kConflict) {
            // Another process created this version first: adopt the store's view of the world.
            if (auto reloaded = ReloadLocked(); !reloaded) {
                return reloaded.error();
            }
        }
        return inserted.error();
    }
    auto keys = std::make_shared<TenantKeys>(existing != nullptr ? *existing : TenantKeys{});
    keys->Of(classification)
        .versions.push_back(std::make_shared<const DataKey>(DataKey{
            version, record.created_at, std::move(key)}));
    Publish(WithTenant(*current, tenant, std::move(keys)));
    const std::string version_text = std::to_string(version);
    obs::Log(
        obs::LogLevel::kInfo,
        kLogger,
        "data key created",
        {{"tenant", tenant},
         {"classification", ClassificationName(classification)},
         {"version", version_text}}
    );
    return version;
}

Result<std::shared_ptr<const KeyringSnapshot>> Keyring::EnsureActiveKeyLocked(
    std::string_view tenant, Classification classification
) {
    const auto has_active = [&] {
        const TenantKeys* keys = Load()->Find(tenant);
        return keys != nullptr && keys->Of(classification).Active() != nullptr;
    };
    if (!has_active()) {
        auto added = AddVersionLocked(tenant, classification);
        // On kConflict the keyring has reloaded; the other process's key is as good as ours.
        if (!added && !(added.error().code == ErrorCode::kConflict && has_active())) {
            return added.error();
        }
    }
    return Load();
}

Result<std::shared_ptr<const KeyringSnapshot>> Keyring::EnsureActiveKey(
    std::string_view tenant, Classification classification
) {
    const std::lock_guard lock(writer_mutex_);
    return EnsureActiveKeyLocked(tenant, classification);
}

Result<void> Keyring::EnsureTenant(std::string_view tenant) {
    if (tenant.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "a tenant is required");
    }
    const std::lock_guard lock(writer_mutex_);
    for (auto c : {Classification::kInternal, Classification::kConfidential, Classification::kRestricted}) {
        if (auto ensured = EnsureActiveKeyLocked(tenant, c); !ensured) {
            return ensured.error();
        }
    }
    return Ok();
}

Result<std::uint32_t> Keyring::Rotate(std::string_view tenant, Classification classification) {
    if (auto valid = CheckEncryptedClass(tenant, classification); !valid) {
        return valid.error();
    }
    const std::lock_guard lock(writer_mutex_);
    return AddVersionLocked(tenant, classification);
}

Result<std::size_t> Keyring::RotateAll(Classification classification) {
    if (auto valid = CheckEncryptedClass("all", classification); !valid) {
        return valid.error();
    }
    const std::lock_guard lock(writer_mutex_);
    const std::shared_ptr<const KeyringSnapshot> start = Load();
    std::size_t rotated = 0;
    for (const auto& [tenant, keys] : start->tenants) {
        if (keys->Of(classification).Active() == nullptr) {
            continue;
        }
        if (auto added = AddVersionLocked(tenant, classification); !added) {
            return MakeError(
                added.error().code,
                "rotation stopped after " + std::to_string(rotated) + " tenants: " + added.error().message
            );
        }
        ++rotated;
    }
    return rotated;
}

Result<void> Keyring::SetMinDecryptVersion(
    std::string_view tenant, Classification classification, std::uint32_t version
) {
    if (auto valid = CheckEncryptedClass(tenant, classification); !valid) {
        return valid.error();
    }
    const std::lock_guard lock(writer_mutex_);
    const std::shared_ptr<const KeyringSnapshot> current = Load();
    const TenantKeys* existing = current->Find(tenant);
    const DataKey* active = existing != nullptr ? existing->Of(classification).Active() : nullptr;
    if (active == nullptr) {
        return MakeError(
            ErrorCode::kNotFound,
            "tenant '" + std::string(tenant) + "' has no " + std::string(ClassificationName(classification)) +
                " keys"
        );
    }
    if (version < 1 || version > active->version) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "min decrypt version must be between 1 and the active version " + std::to_string(active->version)
        );
    }
    KeyPolicyRecord policy{
        .tenant = std::string(tenant), .classification = classification, .min_decrypt_version = version};
    if (auto saved = store_.SetPolicy(policy); !saved) {
        return saved.error();
    }
    auto keys = std::make_shared<TenantKeys>(*existing);
    keys->Of(classification).min_decrypt_version = version;
    Publish(WithTenant(*current, tenant, std::move(keys)));
    const std::string version_text = std::to_string(version);
    obs::Log(
        obs::LogLevel::kInfo,
        kLogger,
        "min decrypt version set",
        {{"tenant", tenant},
         {"classification", ClassificationName(classification)},
         {"version", version_text}}
    );
    return Ok();
}

Result<void> Keyring::ShredTenant(std::string_view tenant) {
    if (tenant.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "a tenant is required");
    }
    const std::lock_guard lock(writer_mutex_);
    if (auto deleted = store_.DeleteTenant(tenant); !deleted) {
        return deleted.error();
    }
    Publish(WithTenant(*Load(), tenant, nullptr));
    obs::Log(obs::LogLevel::kWarn, kLogger, "tenant data keys shredded", {{"tenant", tenant}});
    return Ok();
}

}  // namespace gw::crypto
