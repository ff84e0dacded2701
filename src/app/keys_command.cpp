#include "app/keys_command.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "app/data_protection_options.hpp"
#include "app/exit_codes.hpp"
#include "config/loader.hpp"
#include "crypto/envelope.hpp"
#include "store/data_protection.hpp"
#include "store/embedded_store.hpp"

namespace gw::app {

namespace {

namespace json = boost::json;
using crypto::Classification;

constexpr Classification kEncryptedClasses[] = {
    Classification::kInternal, Classification::kConfidential, Classification::kRestricted};

std::string IsoTime(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    );
}

int Fail(std::string_view what, const Error& error) {
    std::fprintf(
        stderr, "keys %.*s: %s\n", static_cast<int>(what.size()), what.data(), error.message.c_str()
    );
    return kExitFailure;
}

/// The store (schema must be current) and the keyring, as `serve` opens them.
struct Opened {
    std::unique_ptr<store::EmbeddedStore> store;
    std::unique_ptr<store::DataProtection> dp;
};

Result<Opened> OpenAll(const config::GatewayConfig& cfg) {
    Opened out;
    auto opened = store::EmbeddedStore::Open(cfg.store, store::MigrateMode::kInspectOnly);
    if (!opened) {
        return opened.error();
    }
    out.store = std::move(*opened);
    if (!out.store->Migrations().Current()) {
        return MakeError(
            ErrorCode::kConflict, "the database schema is not current (run `openclaw-gateway migrate`)"
        );
    }
    auto options = DataProtectionOptionsFrom(cfg.store.encryption);
    options.reencryption.auto_rotate = false;
    auto dp =
        store::DataProtection::Open(*out.store, cfg.store.data_dir, config::ProcessEnv(), std::move(options));
    if (!dp) {
        return dp.error();
    }
    out.dp = std::move(*dp);
    return out;
}

Result<std::vector<Classification>> Classes(const std::optional<std::string>& name) {
    if (!name) {
        return std::vector<Classification>(std::begin(kEncryptedClasses), std::end(kEncryptedClasses));
    }
    auto c = crypto::ParseClassification(*name);
    if (!c) {
        return c.error();
    }
    if (*c == Classification::kPublic) {
        return MakeError(ErrorCode::kInvalidArgument, "public data has no keys");
    }
    return std::vector<Classification>{*c};
}

/// Tenants that have keys of `c` (or just `tenant` when given).
std::vector<std::string> TenantsWith(
    crypto::Keyring& keyring, Classification c, const std::optional<std::string>& tenant
) {
    if (tenant) {
        return {*tenant};
    }
    std::set<std::string> out;
    for (const auto& s : keyring.Status()) {
        if (s.classification == c) {
            out.insert(s.tenant);
        }
    }
    return {out.begin(), out.end()};
}

int Rotate(const config::GatewayConfig& cfg, const KeysArgs& args) {
    auto all = OpenAll(cfg);
    if (!all) {
        return Fail("rotate", all.error());
    }
    auto classes = Classes(args.classification);
    if (!classes) {
        return Fail("rotate", classes.error());
    }
    crypto::Keyring& keyring = all->dp->Keyring();
    std::size_t rotated = 0;
    for (Classification c : *classes) {
        for (const std::string& tenant : TenantsWith(keyring, c, args.tenant)) {
            auto version = keyring.Rotate(tenant, c);
            if (!version) {
                return Fail("rotate", version.error());
            }
            ++rotated;
            std::printf(
                "rotated %s/%s to version %u\n",
                tenant.c_str(),
                std::string(crypto::ClassificationName(c)).c_str(),
                *version
            );
        }
    }
    std::printf(
        "%zu key(s) rotated; new writes use the new versions; a running gateway picks them up at its next "
        "key "
        "check and re-encrypts older rows in the background (or run `keys reencrypt`)\n",
        rotated
    );
    return kExitOk;
}

int Status(const config::GatewayConfig& cfg, const KeysArgs& args) {
    auto all = OpenAll(cfg);
    if (!all) {
        return Fail("status", all.error());
    }
    crypto::Keyring& keyring = all->dp->Keyring();
    auto counts = store::CountSealedRows(*all->store);
    if (!counts) {
        return Fail("status", counts.error());
    }
    auto progress = store::LoadReencryptionProgress(*all->store);
    if (!progress) {
        return Fail("status", progress.error());
    }
    const std::int64_t pending = store::PendingRows(*counts, keyring);
    std::map<std::tuple<std::string, Classification, std::uint32_t>, std::int64_t> rows;
    for (const auto& c : *counts) {
        rows[{c.tenant, c.classification, c.key_version}] += c.rows;
    }
    const auto status = keyring.Status();
    if (args.json) {
        json::array keys;
        for (const auto& s : status) {
            auto it = rows.find({s.tenant, s.classification, s.version});
            keys.push_back(json::object{
                {"tenant", s.tenant},
                {"classification", crypto::ClassificationName(s.classification)},
                {"version", s.version},
                {"created_at", IsoTime(s.created_at)},
                {"active", s.active},
                {"decryptable", s.decryptable},
                {"min_decrypt_version", s.min_decrypt_version},
                {"rows", it == rows.end() ? 0 : it->second},
            });
        }
        json::object out{
            {"master_key", all->dp->Provider().Describe()},
            {"keys", std::move(keys)},
            {"reencryption",
             json::object{
                 {"pending", pending},
                 {"reencrypted_total", progress->reencrypted_total},
                 {"failed_total", progress->failed_total},
                 {"passes_completed", progress->passes_completed},
                 {"cursor", progress->cursor},
             }},
        };
        std::printf("%s\n", json::serialize(out).c_str());
        return kExitOk;
    }
    std::printf("master key: %s\n", all->dp->Provider().Describe().c_str());
    std::printf(
        "%-20s %-13s %7s %-20s %-8s %-12s %s\n",
        "TENANT",
        "CLASS",
        "VERSION",
        "CREATED",
        "STATE",
        "MIN_DECRYPT",
        "ROWS"
    );
    for (const auto& s : status) {
        auto it = rows.find({s.tenant, s.classification, s.version});
        std::printf(
            "%-20s %-13s %7u %-20s %-8s %-12u %lld\n",
            s.tenant.c_str(),
            std::string(crypto::ClassificationName(s.classification)).c_str(),
            s.version,
            IsoTime(s.created_at).c_str(),
            s.active ? "active" : (s.decryptable ? "old" : "retired"),
            s.min_decrypt_version,
            static_cast<long long>(it == rows.end() ? 0 : it->second)
        );
    }
    std::printf(
        "re-encryption: %lld row(s) pending, %lld re-encrypted in total, %lld failed, %lld pass(es) "
        "completed, "
        "cursor %lld\n",
        static_cast<long long>(pending),
        static_cast<long long>(progress->reencrypted_total),
        static_cast<long long>(progress->failed_total),
        static_cast<long long>(progress->passes_completed),
        static_cast<long long>(progress->cursor)
    );
    return kExitOk;
}

int Retire(const config::GatewayConfig& cfg, const KeysArgs& args) {
    auto all = OpenAll(cfg);
    if (!all) {
        return Fail("retire", all.error());
    }
    auto classes = Classes(args.classification);
    if (!classes || classes->size() != 1) {
        return Fail(
            "retire",
            classes ? MakeError(ErrorCode::kInvalidArgument, "--class is required") : classes.error()
        );
    }
    const Classification c = classes->front();
    crypto::Keyring& keyring = all->dp->Keyring();
    auto counts = store::CountSealedRows(*all->store);
    if (!counts) {
        return Fail("retire", counts.error());
    }
    const auto tenants = TenantsWith(keyring, c, args.tenant);
    if (!args.force) {
        std::int64_t still = 0;
        for (const auto& row : *counts) {
            if (row.classification == c && row.key_version < args.below &&
                std::find(tenants.begin(), tenants.end(), row.tenant) != tenants.end()) {
                still += row.rows;
            }
        }
        if (still > 0) {
            std::fprintf(
                stderr,
                "keys retire: %lld row(s) are still encrypted under versions below %u and would become "
                "unreadable; "
                "run `keys reencrypt` first or pass --force\n",
                static_cast<long long>(still),
                args.below
            );
            return kExitFailure;
        }
    }
    for (const std::string& tenant : tenants) {
        if (auto set = keyring.SetMinDecryptVersion(tenant, c, args.below); !set) {
            return Fail("retire", set.error());
        }
        std::printf(
            "retired %s/%s versions below %u\n",
            tenant.c_str(),
            std::string(crypto::ClassificationName(c)).c_str(),
            args.below
        );
    }
    return kExitOk;
}

int Shred(const config::GatewayConfig& cfg, const KeysArgs& args) {
    if (!args.tenant || args.tenant->empty()) {
        return Fail("shred", MakeError(ErrorCode::kInvalidArgument, "--tenant is required"));
    }
    auto all = OpenAll(cfg);
    if (!all) {
        return Fail("shred", all.error());
    }
    if (auto shredded = all->dp->Keyring().ShredTenant(*args.tenant); !shredded) {
        return Fail("shred", shredded.error());
    }
    std::printf(
        "shredded every data key of tenant %s: its encrypted data is unreadable for good (backups taken "
        "before now still hold the wrapped keys); a running gateway drops the keys at its next key check\n",
        args.tenant->c_str()
    );
    return kExitOk;
}

int Reencrypt(const config::GatewayConfig& cfg) {
    auto all = OpenAll(cfg);
    if (!all) {
        return Fail("reencrypt", all.error());
    }
    auto done = all->dp->Reencryption().RunPass(true);
    if (!done) {
        return Fail("reencrypt", done.error());
    }
    auto counts = store::CountSealedRows(*all->store);
    std::printf(
        "re-encrypted %zu row(s); %lld pending\n",
        *done,
        static_cast<long long>(counts ? store::PendingRows(*counts, all->dp->Keyring()) : -1)
    );
    return kExitOk;
}

}  // namespace

KeysCommand::KeysCommand(CLI::App& cli) {
    keys_ = cli.add_subcommand("keys", "data-key administration (encryption at rest)");
    keys_->require_subcommand(1);
    rotate_ =
        keys_->add_subcommand("rotate", "create a new active data-key version (new writes use it at once)");
    rotate_->add_option("--class", args_.classification, "internal|confidential|restricted (default: all)");
    rotate_->add_option("--tenant", args_.tenant, "only this tenant (default: every tenant with keys)");
    status_ = keys_->add_subcommand(
        "status", "versions per class, created time, min-decrypt version, re-encryption"
    );
    status_->add_flag("--json", args_.json, "print one JSON object");
    retire_ =
        keys_->add_subcommand("retire", "set the minimum decrypt version (older versions stop decrypting)");
    retire_->add_option("--class", args_.classification, "internal|confidential|restricted")->required();
    retire_->add_option("--below", args_.below, "versions below this one are retired")
        ->required()
        ->check(CLI::PositiveNumber);
    retire_->add_option("--tenant", args_.tenant, "only this tenant (default: every tenant with keys)");
    retire_->add_flag("--force", args_.force, "retire even though rows still use those versions");
    shred_ =
        keys_->add_subcommand("shred", "delete a tenant's data keys: its encrypted data becomes unreadable");
    shred_->add_option("--tenant", args_.tenant, "the tenant")->required();
    reencrypt_ = keys_->add_subcommand("reencrypt", "re-encrypt rows under older key versions now (offline)");
}

bool KeysCommand::Parsed() const {
    return keys_->parsed();
}

int KeysCommand::Run(const config::GatewayConfig& cfg) const {
    if (rotate_->parsed()) {
        return Rotate(cfg, args_);
    }
    if (status_->parsed()) {
        return Status(cfg, args_);
    }
    if (retire_->parsed()) {
        return Retire(cfg, args_);
    }
    if (shred_->parsed()) {
        return Shred(cfg, args_);
    }
    if (reencrypt_->parsed()) {
        return Reencrypt(cfg);
    }
    return kExitUsage;
}

}  // namespace gw::app
