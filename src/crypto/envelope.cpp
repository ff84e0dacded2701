#include "crypto/envelope.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "base/check.hpp"
#include "crypto/random.hpp"

namespace gw::crypto {
namespace {

constexpr std::string_view kAadLabel = "gw.envelope";
constexpr std::size_t kFixedAadSize = kAadLabel.size() + 1 + (3 * std::size_t{4}) + 1 + 4;
constexpr std::size_t kStackAadSize = 256;
constexpr std::size_t kVersionOffset = 2;
constexpr std::size_t kNonceOffset = 6;

std::uint8_t* PutU32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
    return p + 4;
}

std::uint32_t GetU32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

std::uint8_t* PutBytes(std::uint8_t* p, std::string_view s) {
    if (!s.empty()) {
        std::memcpy(p, s.data(), s.size());
    }
    return p + s.size();
}

std::uint8_t* PutField(std::uint8_t* p, std::string_view s) {
    // WithAad has checked that every field fits a u32 length.
    return PutBytes(PutU32(p, static_cast<std::uint32_t>(s.size())), s);
}

std::size_t AadSize(const EnvelopeContext& ctx) {
    return kFixedAadSize + ctx.tenant.size() + ctx.table.size() + ctx.row.size();
}

void WriteAad(
    std::uint8_t* p, const EnvelopeContext& ctx, Classification classification, std::uint32_t version
) {
    p = PutBytes(p, kAadLabel);
    *p++ = kEnvelopeFormatAesGcmV1;
    p = PutField(p, ctx.tenant);
    p = PutField(p, ctx.table);
    p = PutField(p, ctx.row);
    *p++ = static_cast<std::uint8_t>(classification);
    PutU32(p, version);
}

// Calls f(aad) with the AAD in a stack buffer when it fits (the common case), else on the heap.
template <class F>
auto WithAad(const EnvelopeContext& ctx, Classification classification, std::uint32_t version, F&& f) {
    const std::size_t size = AadSize(ctx);
    GW_CHECK(
        ctx.tenant.size() <= UINT32_MAX && ctx.table.size() <= UINT32_MAX && ctx.row.size() <= UINT32_MAX,
        "envelope context field longer than 4 GiB"
    );
    if (size <= kStackAadSize) {
        std::array<std::uint8_t, kStackAadSize> buffer;  // NOLINT(cppcoreguidelines-pro-type-member-init)
        WriteAad(buffer.data(), ctx, classification, version);
        return f(std::span<const std::uint8_t>(buffer.data(), size));
    }
    std::vector<std::uint8_t> buffer(size);
    WriteAad(buffer.data(), ctx, classification, version);
    return f(std::span<const std::uint8_t>(buffer));
}

Error Malformed(std::string_view why) {
    return MakeError(ErrorCode::kInternal, "malformed envelope: " + std::string(why));
}

}  // namespace

std::string_view ClassificationName(Classification classification) noexcept {
    switch (classification) {
        case Classification::kPublic:
            return "public";
        case Classification::kInternal:
            return "internal";
        case Classification::kConfidential:
            return "confidential";
        case Classification::kRestricted:
            return "restricted";
    }
    return "unknown";
}

Result<Classification> ParseClassification(std::string_view name) {
    for (std::uint8_t i = 0; i < kClassificationCount; ++i) {
        const auto c = static_cast<Classification>(i);
        if (ClassificationName(c) == name) {
            return c;
        }
    }
    return MakeError(
        ErrorCode::kInvalidArgument,
        "unknown data classification '" + std::string(name) +
            "' (expected public, internal, confidential or restricted)"
    );
}

Result<EnvelopeHeader> ParseEnvelopeHeader(std::span<const std::uint8_t> blob) {
    if (blob.size() < kEnvelopePlainOverhead) {
        return Malformed("shorter than 2 bytes");
    }
    if (blob[1] >= kClassificationCount) {
        return Malformed("unknown classification byte " + std::to_string(blob[1]));
    }
    EnvelopeHeader header;
    header.format = blob[0];
    header.classification = static_cast<Classification>(blob[1]);
    if (header.format == kEnvelopeFormatPlain) {
        if (header.classification != Classification::kPublic) {
            return Malformed(
                "plaintext envelope marked as " + std::string(ClassificationName(header.classification))
            );
        }
        return header;
    }
    if (header.format != kEnvelopeFormatAesGcmV1) {
        return Malformed("unknown format byte " + std::to_string(header.format));
    }
    if (header.classification == Classification::kPublic) {
        return Malformed("encrypted envelope marked as public");
    }
    if (blob.size() < kEnvelopeAesGcmOverhead) {
        return Malformed("too short for an AES-GCM envelope");
    }
    header.key_version = GetU32(blob.data() + kVersionOffset);
    if (header.key_version == 0) {
        return Malformed("key version 0");
    }
    return header;
}

std::vector<std::uint8_t> EnvelopeAad(
    const EnvelopeContext& ctx, Classification classification, std::uint32_t key_version
) {
    return WithAad(ctx, classification, key_version, [](std::span<const std::uint8_t> aad) {
        return std::vector<std::uint8_t>(aad.begin(), aad.end());
    });
}

std::vector<std::uint8_t> SealPlainEnvelope(std::string_view plaintext) {
    std::vector<std::uint8_t> out(kEnvelopePlainOverhead + plaintext.size());
    out[0] = kEnvelopeFormatPlain;
    out[1] = static_cast<std::uint8_t>(Classification::kPublic);
    PutBytes(out.data() + kEnvelopePlainOverhead, plaintext);
    return out;
}

std::vector<std::uint8_t> SealEnvelope(
    const Aes256GcmKey& key,
    const EnvelopeContext& ctx,
    Classification classification,
    std::uint32_t key_version,
    std::string_view plaintext
) {
    GW_CHECK(classification != Classification::kPublic, "SealEnvelope: public data is not encrypted");
    GW_CHECK(key_version >= 1, "SealEnvelope: key versions start at 1");
    std::vector<std::uint8_t> out(kEnvelopeAesGcmOverhead + plaintext.size());
    const std::span<std::uint8_t> all(out);
    all[0] = kEnvelopeFormatAesGcmV1;
    all[1] = static_cast<std::uint8_t>(classification);
    PutU32(all.data() + kVersionOffset, key_version);
    const auto nonce = all.subspan<kNonceOffset, kAesGcmNonceSize>();
    SecureRandomPooled(nonce);
    const std::span<const std::uint8_t> pt(
        reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()
    );
    WithAad(ctx, classification, key_version, [&](std::span<const std::uint8_t> aad) {
        AesGcmSealDetached(
            key,
            nonce,
            aad,
            pt,
            all.subspan(kEnvelopeHeaderSize, plaintext.size()),
            all.last<kAesGcmTagSize>()
        );
        return 0;
    });
    return out;
}

Result<std::string> OpenEnvelope(
    const Aes256GcmKey& key,
    const EnvelopeContext& ctx,
    const EnvelopeHeader& header,
    std::span<const std::uint8_t> blob
) {
    GW_CHECK(
        header.format == kEnvelopeFormatAesGcmV1 && blob.size() >= kEnvelopeAesGcmOverhead,
        "OpenEnvelope: header must come from ParseEnvelopeHeader(blob) of an AES-GCM envelope"
    );
    const std::size_t n = blob.size() - kEnvelopeAesGcmOverhead;
    std::string plaintext(n, '\0');
    const std::span<std::uint8_t> out(reinterpret_cast<std::uint8_t*>(plaintext.data()), n);
    auto opened =
        WithAad(ctx, header.classification, header.key_version, [&](std::span<const std::uint8_t> aad) {
            return AesGcmOpenDetached(
                key,
                blob.subspan<kNonceOffset, kAesGcmNonceSize>(),
                aad,
                blob.subspan(kEnvelopeHeaderSize, n),
                blob.last<kAesGcmTagSize>(),
                out
            );
        });
    if (!opened) {
        return MakeError(
            ErrorCode::kInternal, "ciphertext integrity check failed (tenant/table/row mismatch or tampering)"
        );
    }
    return plaintext;
}

}  // namespace gw::crypto
