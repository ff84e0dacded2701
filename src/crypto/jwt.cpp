#include "crypto/jwt.hpp"

#include <algorithm>
#include <array>

#include "crypto/encoding.hpp"
#include "crypto/internal/jwt_claims.hpp"
#include "crypto/internal/jwt_json.hpp"
#include "crypto/internal/jwt_signature.hpp"

namespace gw::crypto {
namespace {

namespace json = boost::json;

constexpr std::string_view kPrefix = "jwt ";
constexpr std::int64_t kMaxLeewaySeconds = 366LL * 24 * 3600;

constexpr std::array kAllFailures = {
    JwtFailure::kMalformed,
    JwtFailure::kAlgNotAllowed,
    JwtFailure::kUnknownKid,
    JwtFailure::kKeyMismatch,
    JwtFailure::kBadSignature,
    JwtFailure::kExpired,
    JwtFailure::kNotYetValid,
    JwtFailure::kMissingClaim,
    JwtFailure::kBadIssuer,
    JwtFailure::kBadAudience,
    JwtFailure::kBadType,
};

Error Fail(JwtFailure failure, std::string_view detail) {
    std::string msg(kPrefix);
    msg += JwtFailureName(failure);
    msg += ": ";
    msg += detail;
    return MakeError(ErrorCode::kUnauthenticated, std::move(msg));
}

std::int64_t Now(const JwtVerifyOptions& options) {
    if (options.clock) {
        return options.clock();
    }
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch(
                                                            ))
        .count();
}

std::string AsciiLower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

/// Media type comparison of RFC 7515 §4.1.9: case-insensitive, "application/" optional.
std::string NormaliseType(std::string_view typ) {
    std::string lower = AsciiLower(typ);
    constexpr std::string_view kApp = "application/";
    if (std::string_view(lower).starts_with(kApp)) {
        lower.erase(0, kApp.size());
    }
    return lower;
}

/// Checks the time claims; `now`, `leeway` in seconds. Saturating arithmetic: claims are attacker
/// controlled (after signature verification, but a trusted issuer may still emit odd values).
Result<void> CheckTimes(const json::object& claims, const JwtVerifyOptions& options) {
    const std::int64_t now = Now(options);
    // Clamped so that now +/- leeway cannot overflow whatever the configuration says.
    const std::int64_t leeway = std::clamp<std::int64_t>(options.leeway.count(), 0, kMaxLeewaySeconds);
    auto read = [&](std::string_view name, std::optional<std::int64_t>& out) -> Result<void> {
        const json::value* v = claims.if_contains(json::string_view(name.data(), name.size()));
        if (v == nullptr) {
            return Ok();
        }
        out = internal::NumericDate(*v);
        if (!out) {
            return Fail(JwtFailure::kMalformed, std::string(name) + " is not a NumericDate");
        }
        return Ok();
    };
    std::optional<std::int64_t> exp;
    std::optional<std::int64_t> nbf;
    std::optional<std::int64_t> iat;
    for (auto [name, slot] : {std::pair{"exp", &exp}, std::pair{"nbf", &nbf}, std::pair{"iat", &iat}}) {
        if (auto ok = read(name, *slot); !ok) {
            return ok;
        }
    }
    if (!exp && options.require_exp) {
        return Fail(JwtFailure::kMissingClaim, "exp is required");
    }
    if (exp && now - leeway >= *exp) {
        return Fail(
            JwtFailure::kExpired, "expired at " + std::to_string(*exp) + ", now " + std::to_string(now)
        );
    }
    if (nbf && now + leeway < *nbf) {
        return Fail(
            JwtFailure::kNotYetValid, "nbf " + std::to_string(*nbf) + " is after now " + std::to_string(now)
        );
    }
    if (iat && now + leeway < *iat) {
        return Fail(
            JwtFailure::kNotYetValid, "iat " + std::to_string(*iat) + " is after now " + std::to_string(now)
        );
    }
    return Ok();
}

Result<void> CheckIssuerAndAudience(const json::object& claims, const JwtVerifyOptions& options) {
    if (!options.issuers.empty()) {
        const json::string* iss = internal::FindString(claims, "iss");
        if (iss == nullptr) {
            return Fail(JwtFailure::kBadIssuer, "iss missing");
        }
        const std::string_view value(iss->data(), iss->size());
        if (std::find(options.issuers.begin(), options.issuers.end(), value) == options.issuers.end()) {
            return Fail(JwtFailure::kBadIssuer, "issuer not accepted");
        }
    }
    if (!options.audiences.empty()) {
        const json::value* aud = claims.if_contains("aud");
        auto accepted = [&](const json::value& v) {
            return v.is_string() &&
                   std::find(
                       options.audiences.begin(), options.audiences.end(), std::string_view(v.get_string())
                   ) != options.audiences.end();
        };
        bool ok = false;
        if (aud != nullptr && aud->is_array()) {
            ok = std::any_of(aud->get_array().begin(), aud->get_array().end(), accepted);
        } else if (aud != nullptr) {
            ok = accepted(*aud);
        }
        if (!ok) {
            return Fail(JwtFailure::kBadAudience, aud == nullptr ? "aud missing" : "audience not accepted");
        }
    }
    return Ok();
}

struct Header {
    JwtAlg alg = JwtAlg::kHs256;
    std::optional<std::string> kid;
    std::optional<std::string> typ;
    std::string json;
};

Result<Header> ParseHeader(std::string_view encoded, const JwtVerifyOptions& options) {
    auto bytes = Base64UrlDecode(encoded);
    if (!bytes) {
        return Fail(JwtFailure::kMalformed, "header is not base64url");
    }
    Header header;
    header.json.assign(bytes->begin(), bytes->end());
    auto obj = internal::ParseStrictJsonObject(header.json, 8);
    if (!obj) {
        return Fail(JwtFailure::kMalformed, "header: " + obj.error().message);
    }
    const json::value* alg = obj->if_contains("alg");
    if (alg == nullptr || !alg->is_string()) {
        return Fail(JwtFailure::kMalformed, "alg missing or not a string");
    }
    const std::string_view alg_name(alg->get_string());
    const auto parsed = JwtAlgFromName(alg_name);
    if (!parsed || std::find(options.allowed_algs.begin(), options.allowed_algs.end(), *parsed) ==
                       options.allowed_algs.end()) {
        // Echo at most a short prefix of an attacker-chosen value into logs.
        return Fail(JwtFailure::kAlgNotAllowed, "alg '" + std::string(alg_name.substr(0, 16)) + "'");
    }
    header.alg = *parsed;
    if (obj->contains("crit")) {
        return Fail(JwtFailure::kMalformed, "crit header is not supported");
    }
    for (auto [name, slot] : {std::pair{"kid", &header.kid}, std::pair{"typ", &header.typ}}) {
        if (const json::value* v = obj->if_contains(name)) {
            if (!v->is_string()) {
                return Fail(JwtFailure::kMalformed, std::string(name) + " is not a string");
            }
            *slot = std::string(v->get_string());
        }
    }
    if (!options.allowed_types.empty()) {
        const bool ok = header.typ && std::any_of(
                                          options.allowed_types.begin(),
                                          options.allowed_types.end(),
                                          [&](const std::string& t) {
                                              return NormaliseType(t) == NormaliseType(*header.typ);
                                          }
                                      );
        if (!ok) {
            return Fail(JwtFailure::kBadType, header.typ ? "typ not accepted" : "typ missing");
        }
    }
    if (!header.kid && options.require_kid) {
        return Fail(JwtFailure::kUnknownKid, "kid is required");
    }
    return header;
}

/// Tries the compatible candidate keys; kUnknownKid/kKeyMismatch when there are none.
Result<void> CheckSignature(
    const Header& header,
    std::string_view signing_input,
    std::string_view encoded_sig,
    const JwtVerifyOptions& options,
    const KeyLookup& keys
) {
    const std::vector<Jwk> candidates =
        keys.FindKeys(header.kid ? std::optional<std::string_view>(*header.kid) : std::nullopt);
    if (candidates.empty()) {
        return Fail(JwtFailure::kUnknownKid, header.kid ? "no key with this kid" : "no keys configured");
    }
    auto sig = Base64UrlDecode(encoded_sig);
    if (!sig) {
        return Fail(JwtFailure::kMalformed, "signature is not base64url");
    }
    if (sig->empty()) {
        return Fail(JwtFailure::kBadSignature, "empty signature");
    }
    std::size_t tried = 0;
    for (const Jwk& key : candidates) {
        if (!key.CanVerify(header.alg)) {
            continue;
        }
        if (tried++ == options.max_keys_tried) {
            break;
        }
        if (internal::VerifyJwsSignature(header.alg, key, signing_input, *sig)) {
            return Ok();
        }
    }
    if (tried == 0) {
        return Fail(
            JwtFailure::kKeyMismatch,
            std::string(header.kid ? "no key with this kid" : "no key") + " may verify " +
                std::string(JwtAlgName(header.alg))
        );
    }
    return Fail(JwtFailure::kBadSignature, "signature does not verify");
}

}  // namespace

std::string_view JwtFailureName(JwtFailure failure) noexcept {
    switch (failure) {
        case JwtFailure::kMalformed:
            return "malformed";
        case JwtFailure::kAlgNotAllowed:
            return "alg_not_allowed";
        case JwtFailure::kUnknownKid:
            return "unknown_kid";
        case JwtFailure::kKeyMismatch:
            return "key_mismatch";
        case JwtFailure::kBadSignature:
            return "bad_signature";
        case JwtFailure::kExpired:
            return "expired";
        case JwtFailure::kNotYetValid:
            return "not_yet_valid";
        case JwtFailure::kMissingClaim:
            return "missing_claim";
        case JwtFailure::kBadIssuer:
            return "bad_issuer";
        case JwtFailure::kBadAudience:
            return "bad_audience";
        case JwtFailure::kBadType:
            return "bad_type";
    }
    return "malformed";
}

std::optional<JwtFailure> JwtFailureOf(const Error& error) noexcept {
    std::string_view msg = error.message;
    if (error.code != ErrorCode::kUnauthenticated || !msg.starts_with(kPrefix)) {
        return std::nullopt;
    }
    msg.remove_prefix(kPrefix.size());
    for (const JwtFailure f : kAllFailures) {
        const std::string_view name = JwtFailureName(f);
        if (msg.starts_with(name) && msg.size() > name.size() && msg[name.size()] == ':') {
            return f;
        }
    }
    return std::nullopt;
}

Result<VerifiedJwt> VerifyJwt(
    std::string_view token, const JwtVerifyOptions& options, const KeyLookup& keys
) {
    if (token.empty() || token.size() > options.max_token_bytes) {
        return Fail(JwtFailure::kMalformed, token.empty() ? "empty token" : "token too large");
    }
    const std::size_t dot1 = token.find('.');
    const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
        return Fail(JwtFailure::kMalformed, "not three dot-separated parts");
    }
    auto header = ParseHeader(token.substr(0, dot1), options);
    if (!header) {
        return header.error();
    }
    // Decoding is cheap and safe before the signature check; parsing the JSON waits until after it.
    const std::string_view encoded_payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
    auto payload = Base64UrlDecode(encoded_payload);
    if (encoded_payload.empty() || !payload) {
        return Fail(JwtFailure::kMalformed, "payload is empty or not base64url");
    }
    const std::string_view signing_input = token.substr(0, dot2);
    if (auto ok = CheckSignature(*header, signing_input, token.substr(dot2 + 1), options, keys); !ok) {
        return ok.error();
    }
    auto impl = std::make_shared<VerifiedJwt::Impl>();
    impl->payload_json.assign(payload->begin(), payload->end());
    auto claims = internal::ParseStrictJsonObject(impl->payload_json, 16);
    if (!claims) {
        return Fail(JwtFailure::kMalformed, "payload: " + claims.error().message);
    }
    if (auto ok = CheckTimes(*claims, options); !ok) {
        return ok.error();
    }
    if (auto ok = CheckIssuerAndAudience(*claims, options); !ok) {
        return ok.error();
    }
    impl->alg = header->alg;
    impl->kid = header->kid.value_or("");
    impl->type = std::move(header->typ);
    impl->header_json = std::move(header->json);
    impl->claims = std::move(*claims);
    return VerifiedJwt(std::move(impl));
}

}  // namespace gw::crypto
