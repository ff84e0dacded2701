#include "crypto/internal/jwt_claims.hpp"

#include <cmath>
#include <limits>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace gw::crypto {
namespace {

namespace json = boost::json;

std::optional<std::string> AsString(const json::value* v) {
    if (v == nullptr || !v->is_string()) {
        return std::nullopt;
    }
    return std::string(v->get_string());
}

std::optional<std::vector<std::string>> AsStringArray(const json::value* v) {
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_string()) {
        return std::vector<std::string>{std::string(v->get_string())};
    }
    if (!v->is_array()) {
        return std::nullopt;
    }
    std::vector<std::string> out;
    out.reserve(v->get_array().size());
    for (const json::value& item : v->get_array()) {
        if (!item.is_string()) {
            return std::nullopt;
        }
        out.emplace_back(item.get_string());
    }
    return out;
}

std::optional<std::string> AsJson(const json::value* v) {
    if (v == nullptr) {
        return std::nullopt;
    }
    return json::serialize(*v);
}

}  // namespace

namespace internal {

std::optional<std::int64_t> NumericDate(const json::value& value) noexcept {
    if (value.is_int64()) {
        return value.get_int64();
    }
    if (value.is_uint64()) {
        const std::uint64_t u = value.get_uint64();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(u);
    }
    if (value.is_double()) {
        const double d = std::floor(value.get_double());
        // 2^63 is exactly representable; anything at or beyond it does not fit.
        if (!std::isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

}  // namespace internal

VerifiedJwt::VerifiedJwt(std::shared_ptr<const Impl> impl) noexcept : impl_(std::move(impl)) {}

JwtAlg VerifiedJwt::alg() const noexcept {
    return impl_->alg;
}

const std::string& VerifiedJwt::kid() const noexcept {
    return impl_->kid;
}

const std::optional<std::string>& VerifiedJwt::type() const noexcept {
    return impl_->type;
}

std::string_view VerifiedJwt::header_json() const noexcept {
    return impl_->header_json;
}

std::string_view VerifiedJwt::payload_json() const noexcept {
    return impl_->payload_json;
}

std::optional<std::string> VerifiedJwt::issuer() const {
    return GetString("iss");
}

std::optional<std::string> VerifiedJwt::subject() const {
    return GetString("sub");
}

std::vector<std::string> VerifiedJwt::audience() const {
    return GetStringArray("aud").value_or(std::vector<std::string>{});
}

std::optional<std::int64_t> VerifiedJwt::expires_at() const {
    const json::value* v = impl_->claims.get_object().if_contains("exp");
    return v != nullptr ? internal::NumericDate(*v) : std::nullopt;
}

std::optional<std::int64_t> VerifiedJwt::not_before() const {
    const json::value* v = impl_->claims.get_object().if_contains("nbf");
    return v != nullptr ? internal::NumericDate(*v) : std::nullopt;
}

std::optional<std::int64_t> VerifiedJwt::issued_at() const {
    const json::value* v = impl_->claims.get_object().if_contains("iat");
    return v != nullptr ? internal::NumericDate(*v) : std::nullopt;
}

std::optional<std::string> VerifiedJwt::jwt_id() const {
    return GetString("jti");
}

bool VerifiedJwt::HasClaim(std::string_view name) const {
    return impl_->claims.get_object().contains(json::string_view(name.data(), name.size()));
}

std::vector<std::string> VerifiedJwt::ClaimNames() const {
    std::vector<std::string> out;
    out.reserve(impl_->claims.get_object().size());
    for (const auto& member : impl_->claims.get_object()) {
        out.emplace_back(member.key());
    }
    return out;
}

std::optional<std::string> VerifiedJwt::GetString(std::string_view name) const {
    return AsString(impl_->claims.get_object().if_contains(json::string_view(name.data(), name.size())));
}

std::optional<std::vector<std::string>> VerifiedJwt::GetStringArray(std::string_view name) const {
    return AsStringArray(impl_->claims.get_object().if_contains(json::string_view(name.data(), name.size())));
}

std::optional<std::int64_t> VerifiedJwt::GetInt(std::string_view name) const {
    const json::value* v =
        impl_->claims.get_object().if_contains(json::string_view(name.data(), name.size()));
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_double() && std::floor(v->get_double()) != v->get_double()) {
        return std::nullopt;
    }
    return internal::NumericDate(*v);
}

std::optional<bool> VerifiedJwt::GetBool(std::string_view name) const {
    const json::value* v =
        impl_->claims.get_object().if_contains(json::string_view(name.data(), name.size()));
    if (v == nullptr || !v->is_bool()) {
        return std::nullopt;
    }
    return v->get_bool();
}

std::optional<std::string> VerifiedJwt::GetJson(std::string_view name) const {
    return AsJson(impl_->claims.get_object().if_contains(json::string_view(name.data(), name.size())));
}

namespace {

const json::value* FindPointer(const json::value& claims, std::string_view pointer) {
    json::error_code ec;
    return claims.find_pointer(json::string_view(pointer.data(), pointer.size()), ec);
}

}  // namespace

std::optional<std::string> VerifiedJwt::GetStringAt(std::string_view pointer) const {
    return AsString(FindPointer(impl_->claims, pointer));
}

std::optional<std::vector<std::string>> VerifiedJwt::GetStringArrayAt(std::string_view pointer) const {
    return AsStringArray(FindPointer(impl_->claims, pointer));
}

std::optional<std::string> VerifiedJwt::GetJsonAt(std::string_view pointer) const {
    return AsJson(FindPointer(impl_->claims, pointer));
}

}  // namespace gw::crypto
