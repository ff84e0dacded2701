#pragma once
/// @file
/// @brief Leaf factories for the config schema: `Leaf(key, ref, codec)` binds one GatewayConfig member
/// through a text codec (integer, bool, string, size, duration); `SecretLeaf` and `SizeMapLeaf`
/// handle the structured forms. `ref` is a generic lambda returning a reference to the member, e.g.
/// `[](auto& c) -> auto& { return c.server.port; }` (see GW_CONFIG_REF in schema.cpp).

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/internal/binder.hpp"
#include "config/internal/scalars.hpp"

namespace gw::config::internal {

/// Parses and renders values of type T for one field; `expected` completes "expected <...>, got ...".
template <class T>
struct Codec {
    std::string expected;
    bool plain_only = false;  ///< reject quoted scalars (integers, booleans)
    std::function<std::optional<T>(std::string_view)> parse;
    std::function<void(YAML::Emitter&, const T&)> emit;
};

/// Integers in [min, max], decimal, unquoted.
template <class T>
Codec<T> IntCodec(std::int64_t min, std::int64_t max) {
    Codec<T> c;
    c.expected = max == std::numeric_limits<std::int64_t>::max() ? fmt::format("an integer >= {}", min)
                                                                 : fmt::format("an integer {}..{}", min, max);
    c.plain_only = true;
    c.parse = [min, max](std::string_view text) -> std::optional<T> {
        auto v = ParseInteger(text);
        if (!v || *v < min || *v > max) {
            return std::nullopt;
        }
        return static_cast<T>(*v);
    };
    c.emit = [](YAML::Emitter& out, const T& v) { out << static_cast<long long>(v); };
    return c;
}

Codec<bool> BoolCodec();
Codec<std::string> StringCodec();
/// Sizes >= min bytes: plain integer or with unit (16KiB, 1MiB, 10KB, ...).
Codec<std::size_t> SizeCodec(std::uint64_t min);
/// Finite decimal numbers > 0 (e.g. 0.5, 10, 1e3), unquoted.
Codec<double> PositiveNumberCodec();
/// One of `choices` (exact, case-sensitive).
Codec<std::string> OneOfCodec(std::vector<std::string> choices);

/// Durations (250ms, 5s, 2m, 1h, 500us; plain integer = ms) in whole units of Dur (us, ms or s); > 0
/// unless allow_zero.
template <class Dur>
Codec<Dur> DurationCodec(bool allow_zero) {
    constexpr bool kMillis = std::is_same_v<Dur, std::chrono::milliseconds>;
    constexpr bool kSeconds = std::is_same_v<Dur, std::chrono::seconds>;
    static_assert(kMillis || kSeconds || std::is_same_v<Dur, std::chrono::microseconds>);
    Codec<Dur> c;
    c.expected = fmt::format(
        "a duration {}{} (e.g. 250ms, 5s, 2m, 1h; a plain integer means ms)",
        allow_zero ? ">= 0" : "> 0",
        kMillis ? " in whole milliseconds" : (kSeconds ? " in whole seconds" : "")
    );
    c.parse = [allow_zero](std::string_view text) -> std::optional<Dur> {
        auto micros = ParseDuration(text);
        if (!micros) {
            return std::nullopt;
        }
        const auto d = std::chrono::duration_cast<Dur>(*micros);
        if (std::chrono::duration_cast<std::chrono::microseconds>(d) != *micros) {
            return std::nullopt;  // finer than the field's resolution
        }
        if (d.count() == 0 && !allow_zero) {
            return std::nullopt;
        }
        return d;
    };
    c.emit = [](YAML::Emitter& out, const Dur& d) {
        out << FormatDuration(std::chrono::duration_cast<std::chrono::microseconds>(d));
    };
    return c;
}

/// Parses a scalar node through `codec`; nullopt for non-scalars and (if plain_only) quoted scalars.
template <class T>
std::optional<T> ParseNode(const YAML::Node& node, const Codec<T>& codec) {
    if (!node.IsScalar() || (codec.plain_only && node.Tag() != "?")) {
        return std::nullopt;
    }
    return codec.parse(node.Scalar());
}

/// A scalar leaf settable from YAML and from an env override.
template <class Target = GatewayConfig, class Ref>
FieldT<Target> Leaf(std::string key, Ref ref, Codec<LeafType<Ref, Target>> codec) {
    FieldT<Target> f;
    f.key = std::move(key);
    f.from_yaml = [ref, codec](
                      const YAML::Node& key_node,
                      const YAML::Node& value,
                      const std::string& path,
                      LoadContext& ctx,
                      Target& cfg
                  ) -> Result<void> {
        const auto mark = MarkOf(key_node, value);
        auto parsed = ParseNode(value, codec);
        if (!parsed) {
            return ctx.FailAt(
                mark, path, fmt::format("expected {}, got {}", codec.expected, DescribeNode(value))
            );
        }
        ref(cfg) = std::move(*parsed);
        ctx.SetOrigin(path, ctx.FileOrigin(mark));
        return Ok();
    };
    f.from_env = [ref, codec](
                     const std::string& text,
                     std::string_view env_name,
                     const std::string& path,
                     LoadContext& ctx,
                     Target& cfg
                 ) -> Result<void> {
        auto parsed = codec.parse(text);
        if (!parsed) {
            return ctx.FailEnv(env_name, fmt::format("expected {}, got '{}'", codec.expected, text));
        }
        ref(cfg) = std::move(*parsed);
        ctx.SetOrigin(path, Origin{Origin::Kind::kEnv, 0, 0, std::string(env_name)});
        return Ok();
    };
    f.render = [ref, codec](const Target& cfg, YAML::Emitter& out) { codec.emit(out, ref(cfg)); };
    return f;
}

/// Parses a secret node: a string ("inline"; "" = unset), null (unset), `{env: NAME}` or `{file: PATH}`.
Result<Secret> ParseSecretNode(
    const YAML::Node& key, const YAML::Node& value, const std::string& path, LoadContext& ctx
);
/// Renders a secret as "<redacted> (<source>)" or null when unset.
void EmitSecret(YAML::Emitter& out, const Secret& secret);

/// A Secret leaf; an env override sets it with source "env:NAME".
template <class Target = GatewayConfig, class Ref>
FieldT<Target> SecretLeaf(std::string key, Ref ref) {
    FieldT<Target> f;
    f.key = std::move(key);
    f.from_yaml = [ref](
                      const YAML::Node& key_node,
                      const YAML::Node& value,
                      const std::string& path,
                      LoadContext& ctx,
                      Target& cfg
                  ) -> Result<void> {
        auto secret = ParseSecretNode(key_node, value, path, ctx);
        if (!secret) {
            return secret.error();
        }
        ref(cfg) = std::move(*secret);
        ctx.SetOrigin(path, ctx.FileOrigin(MarkOf(key_node, value)));
        return Ok();
    };
    f.from_env = [ref](
                     const std::string& text,
                     std::string_view env_name,
                     const std::string& path,
                     LoadContext& ctx,
                     Target& cfg
                 ) -> Result<void> {
        ref(cfg) = Secret{text, fmt::format("env:{}", env_name)};
        ctx.SetOrigin(path, Origin{Origin::Kind::kEnv, 0, 0, std::string(env_name)});
        return Ok();
    };
    f.render = [ref](const Target& cfg, YAML::Emitter& out) { EmitSecret(out, ref(cfg)); };
    return f;
}

using SizeMap = std::map<std::string, std::size_t>;

/// Parses a mapping of path prefix ("/..." ) -> size; null means empty.
Result<SizeMap> ParseRouteSizeMap(
    const YAML::Node& key,
    const YAML::Node& value,
    const std::string& path,
    LoadContext& ctx,
    const Codec<std::size_t>& codec
);
void EmitSizeMap(YAML::Emitter& out, const SizeMap& map);

/// A map of URL path prefix -> size (e.g. server.route_body_limits). No env form.
template <class Target = GatewayConfig, class Ref>
FieldT<Target> RouteSizeMapLeaf(std::string key, Ref ref, Codec<std::size_t> codec) {
    FieldT<Target> f;
    f.key = std::move(key);
    f.from_yaml = [ref, codec](
                      const YAML::Node& key_node,
                      const YAML::Node& value,
                      const std::string& path,
                      LoadContext& ctx,
                      Target& cfg
                  ) -> Result<void> {
        auto map = ParseRouteSizeMap(key_node, value, path, ctx, codec);
        if (!map) {
            return map.error();
        }
        ref(cfg) = std::move(*map);
        ctx.SetOrigin(path, ctx.FileOrigin(MarkOf(key_node, value)));
        return Ok();
    };
    f.render = [ref](const Target& cfg, YAML::Emitter& out) { EmitSizeMap(out, ref(cfg)); };
    return f;
}

}  // namespace gw::config::internal
