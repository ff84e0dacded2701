#include "store/audit_chain.hpp"

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "crypto/constant_time.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hmac.hpp"
#include "crypto/sha256.hpp"

namespace gw::store {

namespace {

/// The 32 bytes of a 64-digit hex hash, or nullopt.
std::optional<std::vector<std::uint8_t>> HashBytes(std::string_view hex) {
    if (hex.size() != 2 * crypto::kSha256Size) {
        return std::nullopt;
    }
    auto bytes = crypto::HexDecode(hex);
    if (!bytes) {
        return std::nullopt;
    }
    return std::move(*bytes);
}

std::string SeqText(std::int64_t seq) {
    return std::to_string(seq);
}

}  // namespace

Result<std::string> AuditChainHash(std::string_view prev_hash_hex, std::string_view canonical) {
    auto prev = HashBytes(prev_hash_hex);
    if (!prev) {
        return MakeError(ErrorCode::kInvalidArgument, "audit chain: prev_hash is not a 64-digit hex hash");
    }
    std::string message(prev->begin(), prev->end());
    message.append(canonical);
    return crypto::Sha256Hex(message);
}

Result<std::string> AuditChainMac(std::string_view key, std::string_view hash_hex) {
    if (key.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "audit chain: empty HMAC key");
    }
    auto hash = HashBytes(hash_hex);
    if (!hash) {
        return MakeError(ErrorCode::kInvalidArgument, "audit chain: hash is not a 64-digit hex hash");
    }
    const std::string data(hash->begin(), hash->end());
    return crypto::HmacSha256Hex(key, data);
}

std::string_view AuditProblemKindName(AuditProblemKind kind) noexcept {
    switch (kind) {
        case AuditProblemKind::kModified:
            return "modified";
        case AuditProblemKind::kMissing:
            return "missing";
        case AuditProblemKind::kChainBroken:
            return "chain_broken";
        case AuditProblemKind::kMacMissing:
            return "mac_missing";
        case AuditProblemKind::kMacMismatch:
            return "mac_mismatch";
        case AuditProblemKind::kTruncated:
            return "truncated";
        case AuditProblemKind::kHeadMismatch:
            return "head_mismatch";
        case AuditProblemKind::kHeadMissing:
            return "head_missing";
    }
    return "unknown";
}

AuditChainChecker::AuditChainChecker(AuditVerifyOptions options) : options_(std::move(options)) {
    report_.last_hash = std::string(domain::kAuditGenesisHash);
    report_.macs_checked = !options_.hmac_key.empty();
}

bool AuditChainChecker::Fail(AuditProblemKind kind, std::int64_t seq, std::string message) {
    report_.ok = false;
    report_.problem = AuditProblem{kind, seq, std::move(message)};
    return false;
}

bool AuditChainChecker::CheckSeq(std::int64_t seq) {
    const std::int64_t expected = report_.last_seq + 1;
    if (seq == expected) {
        return true;
    }
    if (seq < expected) {  // the caller streams in ascending seq order, so only a corrupt seq gets here
        return Fail(
            AuditProblemKind::kChainBroken,
            seq,
            "records out of order at seq " + SeqText(seq) + " (after seq " + SeqText(report_.last_seq) + ")"
        );
    }
    std::string what = seq == expected + 1
                           ? "record seq " + SeqText(expected) + " is missing"
                           : "records seq " + SeqText(expected) + ".." + SeqText(seq - 1) + " are missing";
    if (report_.last_seq == 0) {
        what += " (the chain starts at seq " + SeqText(seq) + ")";
    } else {
        what += " (gap between seq " + SeqText(report_.last_seq) + " and seq " + SeqText(seq) + ")";
    }
    return Fail(AuditProblemKind::kMissing, expected, std::move(what));
}

bool AuditChainChecker::CheckMac(const domain::AuditRecord& record) {
    if (options_.hmac_key.empty() || record.seq < options_.mac_from_seq) {
        return true;
    }
    const std::string seq = SeqText(record.seq);
    if (record.mac.empty()) {
        return Fail(AuditProblemKind::kMacMissing, record.seq, "record seq " + seq + " has no MAC");
    }
    auto expected = AuditChainMac(options_.hmac_key, record.hash);
    if (!expected || !crypto::ConstantTimeEquals(*expected, record.mac)) {
        return Fail(
            AuditProblemKind::kMacMismatch,
            record.seq,
            "record seq " + seq + " has a wrong MAC (rewritten without the key, or a different key)"
        );
    }
    return true;
}

bool AuditChainChecker::Feed(const domain::AuditRecord& record, std::string_view decision_text) {
    if (report_.problem || !CheckSeq(record.seq)) {
        return false;
    }
    const std::string seq = SeqText(record.seq);
    auto recomputed = AuditChainHash(
        record.prev_hash, domain::CanonicalAuditBytes(record.seq, record.id, record.event, decision_text)
    );
    if (!recomputed || *recomputed != record.hash) {
        return Fail(
            AuditProblemKind::kModified, record.seq, "record seq " + seq + " was modified (hash mismatch)"
        );
    }
    if (record.prev_hash != report_.last_hash) {
        std::string what = record.seq == 1 ? "chain broken at seq 1: its prev_hash is not the genesis hash"
                                           : "chain broken at seq " + seq +
                                                 ": its prev_hash does not match the hash of seq " +
                                                 SeqText(record.seq - 1);
        return Fail(
            AuditProblemKind::kChainBroken, record.seq, what + " (records replaced, reordered or inserted)"
        );
    }
    if (!CheckMac(record)) {
        return false;
    }
    report_.last_seq = record.seq;
    report_.last_hash = record.hash;
    ++report_.records_checked;
    return true;
}

bool AuditChainChecker::FeedUnreadable(std::int64_t seq, std::string_view why) {
    if (report_.problem || !CheckSeq(seq)) {
        return false;
    }
    return Fail(
        AuditProblemKind::kModified,
        seq,
        "record seq " + SeqText(seq) + " was modified (" + std::string(why) + ")"
    );
}

AuditVerifyReport AuditChainChecker::Finish(std::optional<AuditHead> head) {
    report_.head = head;
    if (report_.problem) {
        return report_;
    }
    if (!head) {
        Fail(AuditProblemKind::kHeadMissing, report_.last_seq, "the chain head (audit_head) is missing");
        return report_;
    }
    const std::string last = SeqText(report_.last_seq);
    if (head->seq > report_.last_seq) {
        const std::string what =
            report_.last_seq == 0 ? "all records are missing" : "records after seq " + last + " are missing";
        Fail(
            AuditProblemKind::kTruncated,
            report_.last_seq + 1,
            what + ": the head says the chain ends at seq " + SeqText(head->seq) + " (tail deleted)"
        );
    } else if (head->seq < report_.last_seq) {
        Fail(
            AuditProblemKind::kHeadMismatch,
            head->seq + 1,
            "the head says the chain ends at seq " + SeqText(head->seq) + " but records run to seq " + last +
                " (records appended without the head, or the head was rewound)"
        );
    } else if (head->hash != report_.last_hash) {
        Fail(
            AuditProblemKind::kHeadMismatch,
            report_.last_seq,
            "the head's hash does not match record seq " + last + " (head edited or records rewritten)"
        );
    }
    return report_;
}

}  // namespace gw::store
