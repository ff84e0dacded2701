#pragma once
/// @file
/// @brief Structured value kinds for schema leaves: a scalar through a Codec, a list of scalars, a
/// string-keyed map of scalars, and an optional wrapper (`null` = unset). `ValueLeaf(key, ref, kind)`
/// binds one member of any Target (GatewayConfig, ProviderOptions, AgentOptions, ...). No env form.

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/internal/binder.hpp"
#include "config/internal/fields.hpp"

namespace gw::config::internal {

/// Parses a YAML node into a T (with located errors) and renders a T back.
template <class T>
struct ValueKind {
    std::function<Result<T>(
        const YAML::Node& key, const YAML::Node& value, const std::string& path, LoadContext& ctx
    )>
        parse;
    std::function<void(YAML::Emitter&, const T&)> emit;
};

/// A scalar parsed by `codec`.
template <class T>
ValueKind<T> Scalar(Codec<T> codec) {
    ValueKind<T> k;
    k.parse = [codec](const YAML::Node& key, const YAML::Node& value, const std::string& path, LoadContext& ctx)
        -> Result<T> {
        auto parsed = ParseNode(value, codec);
        if (!parsed) {
            return ctx.FailAt(
                MarkOf(key, value), path, fmt::format("expected {}, got {}", codec.expected, DescribeNode(value))
            );
        }
        return std::move(*parsed);
    };
    k.emit = codec.emit;
    return k;
}

/// A YAML sequence of scalars (`[a, b]` or a block list); null means empty. Errors name `path[i]`.
template <class T>
ValueKind<std::vector<T>> ListOf(Codec<T> codec) {
    ValueKind<std::vector<T>> k;
    k.parse = [codec](const YAML::Node& key, const YAML::Node& value, const std::string& path, LoadContext& ctx)
        -> Result<std::vector<T>> {
        std::vector<T> out;
        if (value.IsNull()) {
            return out;
        }
        if (!value.IsSequence()) {
            return ctx.FailAt(
                MarkOf(key, value),
                path,
                fmt::format("expected a sequence (each item {}), got {}", codec.expected, DescribeNode(value))
            );
        }
        for (std::size_t i = 0; i < value.size(); ++i) {
            const YAML::Node item = value[i];
            auto parsed = ParseNode(item, codec);
            if (!parsed) {
                return ctx.FailAt(
                    item.Mark(),
                    fmt::format("{}[{}]", path, i),
                    fmt::format("expected {}, got {}", codec.expected, DescribeNode(item))
                );
            }
            out.push_back(std::move(*parsed));
        }
        return out;
    };
    k.emit = [emit = codec.emit](YAML::Emitter& out, const std::vector<T>& list) {
        out << YAML::Flow << YAML::BeginSeq;
        for (const auto& v : list) {
            emit(out, v);
        }
        out << YAML::EndSeq;
    };
    return k;
}

/// A mapping of non-empty string keys to scalars; null means empty. Duplicate keys are errors.
template <class T>
ValueKind<std::map<std::string, T>> StringMapOf(Codec<T> codec) {
    using Map = std::map<std::string, T>;
    ValueKind<Map> k;
    k.parse = [codec](const YAML::Node& key, const YAML::Node& value, const std::string& path, LoadContext& ctx)
        -> Result<Map> {
        Map out;
        if (value.IsNull()) {
            return out;
        }
        if (auto r = CheckMapping(key, value, path, ctx); !r) {
            return r.error();
        }
        for (auto it = value.begin(); it != value.end(); ++it) {
            const YAML::Node name = it->first;  // copy: operator-> yields a temporary proxy
            const YAML::Node item = it->second;
            if (!name.IsScalar() || name.Scalar().empty()) {
                return ctx.FailAt(
                    name.Mark(), path, fmt::format("keys must be non-empty strings, got {}", DescribeNode(name))
                );
            }
            const std::string entry_path = fmt::format("{}[\"{}\"]", path, name.Scalar());
            auto parsed = ParseNode(item, codec);
            if (!parsed) {
                return ctx.FailAt(
                    MarkOf(name, item),
                    entry_path,
                    fmt::format("expected {}, got {}", codec.expected, DescribeNode(item))
                );
            }
            if (!out.emplace(name.Scalar(), std::move(*parsed)).second) {
                return ctx.FailAt(name.Mark(), entry_path, "duplicate key");
            }
        }
        return out;
    };
    k.emit = [emit = codec.emit](YAML::Emitter& out, const Map& map) {
        if (map.empty()) {
            out << YAML::Flow;
        }
        out << YAML::BeginMap;
        for (const auto& [name, v] : map) {
            out << YAML::Key << name << YAML::Value;
            emit(out, v);
        }
        out << YAML::EndMap;
    };
    return k;
}

/// `inner`, or nullopt when the value is null (`~`, `null` or nothing); renders nullopt as null.
template <class T>
ValueKind<std::optional<T>> Optional(ValueKind<T> inner) {
    ValueKind<std::optional<T>> k;
    k.parse = [parse = inner.parse](
                  const YAML::Node& key, const YAML::Node& value, const std::string& path, LoadContext& ctx
              ) -> Result<std::optional<T>> {
        if (value.IsNull()) {
            return std::optional<T>();
        }
        auto parsed = parse(key, value, path, ctx);
        if (!parsed) {
            return parsed.error();
        }
        return std::optional<T>(std::move(*parsed));
    };
    k.emit = [emit = inner.emit](YAML::Emitter& out, const std::optional<T>& v) {
        if (v) {
            emit(out, *v);
        } else {
            out << YAML::Null;
        }
    };
    return k;
}

/// A leaf of Target bound through `kind`; records the value's origin for validation messages.
template <class Target = GatewayConfig, class Ref>
FieldT<Target> ValueLeaf(std::string key, Ref ref, ValueKind<LeafType<Ref, Target>> kind) {
    FieldT<Target> f;
    f.key = std::move(key);
    f.from_yaml = [ref, parse = kind.parse](
                      const YAML::Node& key_node,
                      const YAML::Node& value,
                      const std::string& path,
                      LoadContext& ctx,
                      Target& target
                  ) -> Result<void> {
        auto parsed = parse(key_node, value, path, ctx);
        if (!parsed) {
            return parsed.error();
        }
        ref(target) = std::move(*parsed);
        ctx.SetOrigin(path, ctx.FileOrigin(MarkOf(key_node, value)));
        return Ok();
    };
    f.render = [ref, emit = kind.emit](const Target& target, YAML::Emitter& out) { emit(out, ref(target)); };
    return f;
}

}  // namespace gw::config::internal
