#include "store/content_protection.hpp"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "crypto/encoding.hpp"

namespace gw::store {

namespace asio = boost::asio;

namespace {

template <class Map>
const crypto::Classification* Lookup(const Map& map, std::string_view key) {
    if (key.empty()) {
        return nullptr;
    }
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
}

/// Runs on the protection's worker thread (a named coroutine, not a lambda: GCC 12, ENGINEERING.md §1.7).
asio::awaitable<Result<void>> EnsureTenantTask(std::shared_ptr<crypto::Keyring> keyring, std::string tenant) {
    co_return keyring->EnsureTenant(tenant);
}

}  // namespace

crypto::Classification ClassificationPolicy::Classify(const ClassificationSubject& subject) const {
    if (const auto* c = Lookup(channels, subject.channel)) {
        return *c;
    }
    if (const auto* c = Lookup(agents, subject.agent_id)) {
        return *c;
    }
    if (const auto* c = Lookup(tenants, subject.tenant_id)) {
        return *c;
    }
    return default_classification;
}

struct ContentProtection::Worker {
    asio::thread_pool pool{1};
};

ContentProtection::ContentProtection(std::shared_ptr<crypto::Keyring> keyring, ClassificationPolicy policy)
    : keyring_(std::move(keyring)), policy_(std::move(policy)), worker_(std::make_unique<Worker>()) {}

ContentProtection::~ContentProtection() {
    worker_->pool.join();
}

Result<SealedValue> ContentProtection::Seal(
    const crypto::EnvelopeContext& ctx, crypto::Classification classification, std::string_view plaintext
) const {
    auto envelope = keyring_->EncryptWithExistingKey(ctx, classification, plaintext);
    if (!envelope) {
        return envelope.error();
    }
    auto header = crypto::ParseEnvelopeHeader(*envelope);
    if (!header) {
        return header.error();
    }
    return SealedValue{std::move(*envelope), classification, header->key_version};
}

Result<std::string> ContentProtection::Open(
    const crypto::EnvelopeContext& ctx, std::span<const std::uint8_t> envelope
) const {
    return keyring_->Decrypt(ctx, envelope);
}

asio::awaitable<Result<void>> ContentProtection::EnsureKeys(std::string tenant) {
    if (tenant.empty()) {
        co_return MakeError(ErrorCode::kInvalidArgument, "a tenant is required");
    }
    if (keyring_->HasAllKeys(tenant)) {
        co_return Ok();
    }
    auto task = EnsureTenantTask(keyring_, std::move(tenant));
    Result<void> ensured = co_await asio::co_spawn(worker_->pool, std::move(task), asio::use_awaitable);
    co_return ensured;
}

Result<void> ContentProtection::EnsureKeysBlocking(std::string_view tenant) {
    if (keyring_->HasAllKeys(tenant)) {
        return Ok();
    }
    return keyring_->EnsureTenant(tenant);
}

std::string EncodeSealedText(std::span<const std::uint8_t> envelope) {
    return std::string(kSealedTextPrefix) + crypto::Base64Encode(envelope);
}

bool IsSealedText(std::string_view text) {
    return text.starts_with(kSealedTextPrefix);
}

Result<std::vector<std::uint8_t>> DecodeSealedText(std::string_view text) {
    if (!IsSealedText(text)) {
        return MakeError(ErrorCode::kInternal, "not a sealed value");
    }
    auto bytes = crypto::Base64Decode(text.substr(kSealedTextPrefix.size()));
    if (!bytes) {
        return MakeError(ErrorCode::kInternal, "malformed sealed value: " + bytes.error().message);
    }
    return std::move(*bytes);
}

}  // namespace gw::store
