#include "crypto/password.hpp"

#include <charconv>

#include <argon2.h>
#include <openssl/crypto.h>

#include "crypto/constant_time.hpp"
#include "crypto/encoding.hpp"
#include "crypto/random.hpp"

namespace gw::crypto {
namespace {

constexpr std::string_view kPrefix = "$argon2id$v=19$";

Error Malformed(std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument, "password hash: " + std::string(why));
}

Result<void> CheckParams(const Argon2Params& p) {
    if (p.iterations < 1 || p.iterations > kArgon2MaxIterations) {
        return Malformed("iterations out of range");
    }
    if (p.parallelism < 1 || p.parallelism > kArgon2MaxParallelism) {
        return Malformed("parallelism out of range");
    }
    if (p.memory_kib < 8 || p.memory_kib > kArgon2MaxMemoryKib || p.memory_kib < 8 * p.parallelism) {
        return Malformed("memory out of range");
    }
    if (p.salt_bytes < 8 || p.salt_bytes > 64) {
        return Malformed("salt length out of range");
    }
    if (p.hash_bytes < 16 || p.hash_bytes > 64) {
        return Malformed("hash length out of range");
    }
    return Ok();
}

/// Consumes "<name>=<canonical decimal>" from the front of `s`.
bool ConsumeParam(std::string_view& s, std::string_view name, std::uint32_t& out) {
    if (!s.starts_with(name) || s.size() <= name.size() || s[name.size()] != '=') {
        return false;
    }
    s.remove_prefix(name.size() + 1);
    std::size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
        ++digits;
    }
    if (digits == 0 || digits > 10 || (digits > 1 && s[0] == '0')) {
        return false;
    }
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + digits, out);
    if (ec != std::errc() || ptr != s.data() + digits) {
        return false;
    }
    s.remove_prefix(digits);
    return true;
}

bool ConsumeChar(std::string_view& s, char c) {
    if (s.empty() || s.front() != c) {
        return false;
    }
    s.remove_prefix(1);
    return true;
}

Result<std::vector<std::uint8_t>> Argon2idRaw(
    std::string_view password, const Argon2Params& p, std::span<const std::uint8_t> salt
) {
    std::vector<std::uint8_t> hash(p.hash_bytes);
    const int rc = argon2id_hash_raw(
        p.iterations,
        p.memory_kib,
        p.parallelism,
        password.data(),
        password.size(),
        salt.data(),
        salt.size(),
        hash.data(),
        hash.size()
    );
    if (rc != ARGON2_OK) {
        return MakeError(ErrorCode::kInternal, std::string("argon2id: ") + argon2_error_message(rc));
    }
    return hash;
}

}  // namespace

Result<Argon2Phc> ParseArgon2Phc(std::string_view phc) {
    if (phc.size() > 512) {
        return Malformed("too long");
    }
    if (!phc.starts_with(kPrefix)) {
        return Malformed("not an $argon2id$v=19$ string");
    }
    std::string_view s = phc.substr(kPrefix.size());
    Argon2Phc out;
    if (!ConsumeParam(s, "m", out.params.memory_kib) || !ConsumeChar(s, ',') ||
        !ConsumeParam(s, "t", out.params.iterations) || !ConsumeChar(s, ',') ||
        !ConsumeParam(s, "p", out.params.parallelism) || !ConsumeChar(s, '$')) {
        return Malformed("bad parameter segment");
    }
    const auto dollar = s.find('$');
    if (dollar == std::string_view::npos) {
        return Malformed("missing hash segment");
    }
    auto salt = Base64DecodeUnpadded(s.substr(0, dollar));
    auto hash = Base64DecodeUnpadded(s.substr(dollar + 1));
    if (!salt || !hash) {
        return Malformed("bad base64 in salt or hash");
    }
    out.salt = std::move(*salt);
    out.hash = std::move(*hash);
    out.params.salt_bytes = static_cast<std::uint32_t>(out.salt.size());
    out.params.hash_bytes = static_cast<std::uint32_t>(out.hash.size());
    if (auto ok = CheckParams(out.params); !ok) {
        return ok.error();
    }
    return out;
}

Result<std::string> HashPassword(std::string_view password, const Argon2Params& params) {
    if (auto ok = CheckParams(params); !ok) {
        return ok.error();
    }
    if (password.size() > kMaxPasswordBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "password too long");
    }
    std::vector<std::uint8_t> salt(params.salt_bytes);
    SecureRandom(salt);
    auto hash = Argon2idRaw(password, params, salt);
    if (!hash) {
        return hash.error();
    }
    std::string out(kPrefix);
    out += "m=" + std::to_string(params.memory_kib) + ",t=" + std::to_string(params.iterations) +
           ",p=" + std::to_string(params.parallelism) + "$";
    out += Base64EncodeUnpadded(salt);
    out += '$';
    out += Base64EncodeUnpadded(*hash);
    OPENSSL_cleanse(hash->data(), hash->size());
    return out;
}

Result<bool> VerifyPassword(std::string_view password, std::string_view phc) {
    auto parsed = ParseArgon2Phc(phc);
    if (!parsed) {
        return parsed.error();
    }
    if (password.size() > kMaxPasswordBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "password too long");
    }
    auto hash = Argon2idRaw(password, parsed->params, parsed->salt);
    if (!hash) {
        return hash.error();
    }
    // Lengths are equal by construction (hash_bytes comes from the stored hash).
    const bool equal = ConstantTimeEquals(*hash, parsed->hash);
    OPENSSL_cleanse(hash->data(), hash->size());
    return equal;
}

Result<bool> NeedsRehash(std::string_view phc, const Argon2Params& params) {
    auto parsed = ParseArgon2Phc(phc);
    if (!parsed) {
        return parsed.error();
    }
    const Argon2Params& p = parsed->params;
    return p.memory_kib != params.memory_kib || p.iterations != params.iterations ||
           p.parallelism != params.parallelism || p.salt_bytes != params.salt_bytes ||
           p.hash_bytes != params.hash_bytes;
}

}  // namespace gw::crypto
