#pragma once
/// @file
/// @brief Section kinds that bind a member of another struct type: `Nested` (a sub-struct, e.g.
/// `agents.defaults`), `OptionalSection` (a sub-struct that `null`/`off` switches off), `SectionList`
/// (a sequence of mappings); `KeyedSections` (keyed_sections.hpp) maps id -> mapping.
/// Each takes the child fields of the element type, so one field table serves every place it appears.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/internal/binder.hpp"

namespace gw::config::internal {

/// A mapping bound to the sub-struct `ref(target)` through `children`; null keeps its defaults.
template <class Target, class Ref>
FieldT<Target> Nested(std::string key, Ref ref, std::vector<FieldT<LeafType<Ref, Target>>> children) {
    FieldT<Target> f;
    f.key = std::move(key);
    f.from_yaml = [ref, children](
                      const YAML::Node& key_node,
                      const YAML::Node& value,
                      const std::string& path,
                      LoadContext& ctx,
                      Target& target
                  ) -> Result<void> {
        if (value.IsNull()) {
            return Ok();
        }
        if (auto r = CheckMapping(key_node, value, path, ctx); !r) {
            return r;
        }
        return BindMapping(value, children, path, ctx, ref(target));
    };
    f.render = [ref, children](const Target& target, YAML::Emitter& out) {
        RenderMapping(children, ref(target), out);
    };
    return f;
}

/// True for a null value or the plain scalar `off`.
bool IsOff(const YAML::Node& value);

/// An optional sub-struct: `null`/`off` disengages it; a mapping engages it (starting from its
/// current value, else the element's defaults) and binds `children`. Renders `off` when disengaged.
template <class Target, class Ref>
FieldT<Target> OptionalSection(
    std::string key, Ref ref, std::vector<FieldT<typename LeafType<Ref, Target>::value_type>> children
) {
    using Elem = typename LeafType<Ref, Target>::value_type;
    FieldT<Target> f;
    f.key = std::move(key);
    f.from_yaml = [ref, children](
                      const YAML::Node& key_node,
                      const YAML::Node& value,
                      const std::string& path,
                      LoadContext& ctx,
                      Target& target
                  ) -> Result<void> {
        ctx.SetOrigin(path, ctx.FileOrigin(MarkOf(key_node, value)));
        if (IsOff(value)) {
            ref(target).reset();
            return Ok();
        }
        if (!value.IsMap()) {
            return ctx.FailAt(
                MarkOf(key_node, value),
                path,
                fmt::format("expected a mapping, null or off, got {}", DescribeNode(value))
            );
        }
        Elem elem = ref(target).value_or(Elem{});
        if (auto r = BindMapping(value, children, path, ctx, elem); !r) {
            return r;
        }
        ref(target) = std::move(elem);
        return Ok();
    };
    f.render = [ref, children](const Target& target, YAML::Emitter& out) {
        if (ref(target)) {
            RenderMapping(children, *ref(target), out);
        } else {
            out << "off";
        }
    };
    return f;
}

/// A sequence of mappings, each bound to a default-constructed element through `children`; null
/// means empty. Element paths are `path[i]` (their origin is recorded for validation messages).
template <class Target, class Ref>
FieldT<Target> SectionList(
    std::string key, Ref ref, std::vector<FieldT<typename LeafType<Ref, Target>::value_type>> children
) {
    using Elem = typename LeafType<Ref, Target>::value_type;
    FieldT<Target> f;
    f.key = std::move(key);
    f.from_yaml = [ref, children](
                      const YAML::Node& key_node,
                      const YAML::Node& value,
                      const std::string& path,
                      LoadContext& ctx,
                      Target& target
                  ) -> Result<void> {
        std::vector<Elem> out;
        if (!value.IsNull() && !value.IsSequence()) {
            return ctx.FailAt(
                MarkOf(key_node, value),
                path,
                fmt::format("expected a sequence of mappings, got {}", DescribeNode(value))
            );
        }
        for (std::size_t i = 0; value.IsSequence() && i < value.size(); ++i) {
            const YAML::Node item = value[i];
            const std::string item_path = fmt::format("{}[{}]", path, i);
            if (!item.IsMap()) {
                return ctx.FailAt(item.Mark(), item_path, fmt::format("expected a mapping, got {}", DescribeNode(item)));
            }
            ctx.SetOrigin(item_path, ctx.FileOrigin(item.Mark()));
            Elem elem{};
            if (auto r = BindMapping(item, children, item_path, ctx, elem); !r) {
                return r;
            }
            out.push_back(std::move(elem));
        }
        ref(target) = std::move(out);
        return Ok();
    };
    f.render = [ref, children](const Target& target, YAML::Emitter& out) {
        if (ref(target).empty()) {
            out << YAML::Flow;
        }
        out << YAML::BeginSeq;
        for (const auto& elem : ref(target)) {
            RenderMapping(children, elem, out);
        }
        out << YAML::EndSeq;
    };
    return f;
}

}  // namespace gw::config::internal
