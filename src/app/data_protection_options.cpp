#include "app/data_protection_options.hpp"

#include "base/check.hpp"
#include "crypto/envelope.hpp"

namespace gw::app {
namespace {

crypto::Classification ClassOf(const std::string& name) {
    auto parsed = crypto::ParseClassification(name);
    GW_CHECK(parsed.has_value(), "store.encryption admits only the four classification names");
    return *parsed;
}

void CopyRules(
    const std::map<std::string, std::string>& from,
    std::map<std::string, crypto::Classification, std::less<>>& to
) {
    for (const auto& [id, name] : from) {
        to.emplace(id, ClassOf(name));
    }
}

}  // namespace

store::DataProtectionOptions DataProtectionOptionsFrom(const config::EncryptionOptions& enc) {
    store::DataProtectionOptions out;
    out.policy.default_classification = ClassOf(enc.default_classification);
    CopyRules(enc.tenants, out.policy.tenants);
    CopyRules(enc.agents, out.policy.agents);
    CopyRules(enc.channels, out.policy.channels);
    auto& schedule = out.reencryption.schedule;
    schedule.max_age[static_cast<std::size_t>(crypto::Classification::kInternal)] = enc.rotate_internal;
    schedule.max_age[static_cast<std::size_t>(crypto::Classification::kConfidential)] = enc.rotate_confidential;
    schedule.max_age[static_cast<std::size_t>(crypto::Classification::kRestricted)] = enc.rotate_restricted;
    out.reencryption.batch_size = enc.reencrypt_batch_size;
    out.reencryption.batch_delay = enc.reencrypt_batch_delay;
    return out;
}

}  // namespace gw::app
