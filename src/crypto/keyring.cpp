#include "crypto/keyring.hpp"

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "crypto/internal/keyring_snapshot.hpp"

namespace gw::crypto {

using internal::ClassKeys;
using internal::DataKey;
using internal::KeyringSnapshot;
using internal::TenantKeys;

namespace {

std::string KeyName(std::string_view tenant, Classification classification, std::uint32_t version) {
    return "key version " + std::to_string(version) + " of class " +
           std::string(ClassificationName(classification)) + " for tenant '" + std::string(tenant) + "'";
}

Error InvalidRecord(const WrappedKeyRecord& r, std::string_view why) {
    return MakeError(
        ErrorCode::kInternal,
        "key store holds an invalid data key record (tenant '" + r.tenant + "', version " +
            std::to_string(r.version) + "): " + std::string(why)
    );
}

Result<std::shared_ptr<const KeyringSnapshot>> BuildSnapshot(
    MasterKeyProvider& provider, const WrappedKeySet& set
) {
    std::unordered_map<std::string, std::shared_ptr<TenantKeys>> building;
    for (const WrappedKeyRecord& r : set.keys) {
        if (static_cast<std::size_t>(r.classification) >= kClassificationCount ||
            r.classification == Classification::kPublic) {
            return InvalidRecord(r, "no data keys exist for this classification");
        }
        if (r.version == 0 || r.tenant.empty()) {
            return InvalidRecord(r, "empty tenant or version 0");
        }
        auto key =
            provider.UnwrapKey(r.wrapped, internal::DataKeyWrapAad(r.tenant, r.classification, r.version));
        if (!key) {
            return MakeError(
                key.error().code,
                "cannot load " + KeyName(r.tenant, r.classification, r.version) + ": " + key.error().message
            );
        }
        auto& tenant = building[r.tenant];
        if (!tenant) {
            tenant = std::make_shared<TenantKeys>();
        }
        tenant->Of(r.classification)
            .versions.push_back(std::make_shared<const DataKey>(DataKey{
                r.version, r.created_at, std::move(*key)}));
    }
    for (auto& [name, tenant] : building) {
        for (ClassKeys& keys : tenant->classes) {
            std::sort(keys.versions.begin(), keys.versions.end(), [](const auto& a, const auto& b) {
                return a->version < b->version;
            });
            auto dup = std::adjacent_find(
                keys.versions.begin(),
                keys.versions.end(),
                [](const auto& a, const auto& b) { return a->version == b->version; }
            );
            if (dup != keys.versions.end()) {
                return MakeError(
                    ErrorCode::kInternal,
                    "key store holds key version " + std::to_string((*dup)->version) + " twice for tenant '" +
                        name + "'"
                );
            }
        }
    }
    for (const KeyPolicyRecord& p : set.policies) {
        auto it = building.find(p.tenant);
        if (it != building.end() && static_cast<std::size_t>(p.classification) < kClassificationCount) {
            it->second->Of(p.classification).min_decrypt_version = p.min_decrypt_version;
        }
    }
    auto snapshot = std::make_shared<KeyringSnapshot>();
    for (auto& [name, tenant] : building) {
        snapshot->tenants.emplace(name, std::move(tenant));
    }
    return std::shared_ptr<const KeyringSnapshot>(std::move(snapshot));
}

}  // namespace

Keyring::Keyring(MasterKeyProvider& provider, WrappedKeyStore& store, KeyringOptions options)
    : provider_(provider), store_(store), options_(std::move(options)) {
    if (!options_.now) {
        options_.now = [] { return std::chrono::system_clock::now(); };
    }
}

Keyring::~Keyring() = default;

Result<std::unique_ptr<Keyring>> Keyring::Open(
    MasterKeyProvider& provider, WrappedKeyStore& store, KeyringOptions options
) {
    std::unique_ptr<Keyring> keyring(new Keyring(provider, store, std::move(options)));
    const std::lock_guard lock(keyring->writer_mutex_);
    if (auto loaded = keyring->ReloadLocked(); !loaded) {
        return loaded.error();
    }
    return keyring;
}

std::shared_ptr<const KeyringSnapshot> Keyring::Load() const {
    return snapshot_.load(std::memory_order_acquire);
}

void Keyring::Publish(std::shared_ptr<const KeyringSnapshot> snapshot) {
    snapshot_.store(std::move(snapshot), std::memory_order_release);
}

Result<void> Keyring::ReloadLocked() {
    auto set = store_.LoadAll();
    if (!set) {
        return set.error();
    }
    auto snapshot = BuildSnapshot(provider_, *set);
    if (!snapshot) {
        return snapshot.error();
    }
    Publish(std::move(*snapshot));
    return Ok();
}

Result<void> Keyring::Reload() {
    const std::lock_guard lock(writer_mutex_);
    return ReloadLocked();
}

Result<std::vector<std::uint8_t>> Keyring::Encrypt(
    const EnvelopeContext& ctx, Classification classification, std::string_view plaintext
) {
    if (classification == Classification::kPublic) {
        return SealPlainEnvelope(plaintext);
    }
    if (ctx.tenant.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "encrypting requires a tenant");
    }
    std::shared_ptr<const KeyringSnapshot> snapshot = Load();
    const TenantKeys* tenant = snapshot->Find(ctx.tenant);
    const DataKey* key = tenant != nullptr ? tenant->Of(classification).Active() : nullptr;
    if (key == nullptr) {
        auto ensured = EnsureActiveKey(ctx.tenant, classification);
        if (!ensured) {
            return ensured.error();
        }
        snapshot = std::move(*ensured);
        tenant = snapshot->Find(ctx.tenant);
        key = tenant != nullptr ? tenant->Of(classification).Active() : nullptr;
        if (key == nullptr) {  // EnsureActiveKey succeeded, so this cannot happen; stay safe anyway
            return MakeError(ErrorCode::kInternal, "no active data key after creating one");
        }
    }
    return SealEnvelope(key->key, ctx, classification, key->version, plaintext);
}

Result<std::string> Keyring::Decrypt(
    const EnvelopeContext& ctx, std::span<const std::uint8_t> blob, Classification at_least
) const {
    auto header = ParseEnvelopeHeader(blob);
    if (!header) {
        return header.error();
    }
    const Classification classification = header->classification;
    if (classification < at_least) {
        return MakeError(
            ErrorCode::kInternal,
            "envelope is classified " + std::string(ClassificationName(classification)) + " but at least " +
                std::string(ClassificationName(at_least)) + " is required (downgraded or misfiled value)"
        );
    }
    if (header->format == kEnvelopeFormatPlain) {
        const auto body = blob.subspan(kEnvelopePlainOverhead);
        return std::string(body.begin(), body.end());
    }
    if (ctx.tenant.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "decrypting requires a tenant");
    }
    const std::shared_ptr<const KeyringSnapshot> snapshot = Load();
    const TenantKeys* tenant = snapshot->Find(ctx.tenant);
    const ClassKeys* keys = tenant != nullptr ? &tenant->Of(classification) : nullptr;
    if (keys != nullptr && header->key_version < keys->min_decrypt_version) {
        return MakeError(
            ErrorCode::kNotFound,
            KeyName(ctx.tenant, classification, header->key_version) +
                " is retired (minimum decrypt version " + std::to_string(keys->min_decrypt_version) + ")"
        );
    }
    const DataKey* key = keys != nullptr ? keys->Find(header->key_version) : nullptr;
    if (key == nullptr) {
        return MakeError(
            ErrorCode::kNotFound,
            KeyName(ctx.tenant, classification, header->key_version) +
                " is not available (unknown or shredded)"
        );
    }
    return OpenEnvelope(key->key, ctx, *header, blob);
}

std::vector<KeyVersionStatus> Keyring::Status() const {
    const std::shared_ptr<const KeyringSnapshot> snapshot = Load();
    std::vector<KeyVersionStatus> out;
    for (const auto& [name, tenant] : snapshot->tenants) {
        for (std::size_t c = 0; c < kClassificationCount; ++c) {
            const ClassKeys& keys = tenant->classes[c];
            for (const auto& key : keys.versions) {
                out.push_back(KeyVersionStatus{
                    .tenant = name,
                    .classification = static_cast<Classification>(c),
                    .version = key->version,
                    .created_at = key->created_at,
                    .active = key.get() == keys.Active(),
                    .decryptable = key->version >= keys.min_decrypt_version,
                    .min_decrypt_version = keys.min_decrypt_version,
                });
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const KeyVersionStatus& a, const KeyVersionStatus& b) {
        return std::tie(a.tenant, a.classification, a.version) <
               std::tie(b.tenant, b.classification, b.version);
    });
    return out;
}

Result<std::vector<std::uint8_t>> Keyring::EncryptWithExistingKey(
    const EnvelopeContext& ctx, Classification classification, std::string_view plaintext
) const {
    if (classification == Classification::kPublic) {
        return SealPlainEnvelope(plaintext);
    }
    if (ctx.tenant.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "encrypting requires a tenant");
    }
    const std::shared_ptr<const KeyringSnapshot> snapshot = Load();
    const TenantKeys* tenant = snapshot->Find(ctx.tenant);
    const DataKey* key = tenant != nullptr ? tenant->Of(classification).Active() : nullptr;
    if (key == nullptr) {
        return MakeError(
            ErrorCode::kUnavailable,
            "no " + std::string(ClassificationName(classification)) + " data key for tenant '" +
                std::string(ctx.tenant) + "'"
        );
    }
    return SealEnvelope(key->key, ctx, classification, key->version, plaintext);
}

std::optional<std::uint32_t> Keyring::ActiveVersion(std::string_view tenant, Classification classification)
    const {
    if (static_cast<std::size_t>(classification) >= kClassificationCount) {
        return std::nullopt;
    }
    const std::shared_ptr<const KeyringSnapshot> snapshot = Load();
    const TenantKeys* keys = snapshot->Find(tenant);
    const DataKey* active = keys != nullptr ? keys->Of(classification).Active() : nullptr;
    if (active == nullptr) {
        return std::nullopt;
    }
    return active->version;
}

bool Keyring::HasAllKeys(std::string_view tenant) const {
    const std::shared_ptr<const KeyringSnapshot> snapshot = Load();
    const TenantKeys* keys = snapshot->Find(tenant);
    if (keys == nullptr) {
        return false;
    }
    for (auto c : {Classification::kInternal, Classification::kConfidential, Classification::kRestricted}) {
        if (keys->Of(c).Active() == nullptr) {
            return false;
        }
    }
    return true;
}

}  // namespace gw::crypto
