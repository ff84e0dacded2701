#include "app/audit_command.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "app/exit_codes.hpp"
#include "obs/log.hpp"
#include "store/embedded_store.hpp"
#include "store/sqlite_audit_log.hpp"

namespace gw::app {
namespace {

std::string Quote(std::string_view s) {
    std::string out = "\"";
    obs::AppendJsonEscaped(out, s);
    out += '"';
    return out;
}

void PrintJson(const store::AuditVerifyReport& r) {
    std::string line =
        fmt::format(R"({{"ok":{},"records_checked":{},"last_seq":{})", r.ok, r.records_checked, r.last_seq);
    if (r.problem) {
        line += fmt::format(
            R"(,"problem":{},"seq":{},"message":{})",
            Quote(store::AuditProblemKindName(r.problem->kind)),
            r.problem->seq,
            Quote(r.problem->message)
        );
    }
    if (r.head) {
        line += fmt::format(R"(,"head_seq":{},"head_hash":{})", r.head->seq, Quote(r.head->hash));
    }
    line += fmt::format(R"(,"macs_checked":{}}})", r.macs_checked);
    std::printf("%s\n", line.c_str());
}

void PrintText(const store::AuditVerifyReport& r) {
    const std::string head = r.head ? fmt::format("{} {}", r.head->seq, r.head->hash) : "missing";
    if (r.ok) {
        std::printf(
            "audit chain ok: %lld records (seq 1..%lld), head %s%s\n",
            static_cast<long long>(r.records_checked),
            static_cast<long long>(r.last_seq),
            head.c_str(),
            r.macs_checked ? ", MACs checked" : ""
        );
        return;
    }
    std::printf("audit chain BROKEN: %s\n", r.problem->message.c_str());
    std::printf(
        "  kind=%s seq=%lld verified_before=%lld head=%s\n",
        std::string(store::AuditProblemKindName(r.problem->kind)).c_str(),
        static_cast<long long>(r.problem->seq),
        static_cast<long long>(r.records_checked),
        head.c_str()
    );
}

}  // namespace

int RunAuditVerify(const config::GatewayConfig& cfg, const AuditVerifyArgs& args) {
    store::AuditVerifyOptions options;
    options.mac_from_seq = args.mac_from_seq;
    if (args.hmac_key_file) {
        std::ifstream in(*args.hmac_key_file, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "audit verify: cannot read key file %s\n", args.hmac_key_file->c_str());
            return kExitFailure;
        }
        std::ostringstream key;
        key << in.rdbuf();
        options.hmac_key = key.str();
        while (!options.hmac_key.empty() &&
               (options.hmac_key.back() == '\n' || options.hmac_key.back() == '\r')) {
            options.hmac_key.pop_back();
        }
    }
    // Inspect only: verifying must never change the database it examines.
    auto opened = store::EmbeddedStore::Open(cfg.store, store::MigrateMode::kInspectOnly);
    if (!opened) {
        std::fprintf(stderr, "audit verify: %s\n", opened.error().message.c_str());
        return kExitFailure;
    }
    if (!(*opened)->Migrations().Current()) {
        std::fprintf(
            stderr, "audit verify: the database schema is not current; run `openclaw-gateway migrate` first\n"
        );
        return kExitFailure;
    }
    auto report = store::VerifyAuditChain(**opened, options);
    if (!report) {
        std::fprintf(stderr, "audit verify: %s\n", report.error().message.c_str());
        return kExitFailure;
    }
    if (args.json) {
        PrintJson(*report);
    } else {
        PrintText(*report);
    }
    return report->ok ? kExitOk : kExitFailure;
}

}  // namespace gw::app
