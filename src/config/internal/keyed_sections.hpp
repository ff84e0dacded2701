#pragma once
/// @file
/// @brief `KeyedSections`: a YAML mapping of id -> mapping bound to a `std::map<std::string, Elem>`
/// (e.g. `models.providers`, `agents.entries`), with id validation and per-entry defaults.

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/internal/binder.hpp"

namespace gw::config::internal {

/// Returns "" when `id` is acceptable as a map key, else what is wrong with it.
using IdCheck = std::function<std::string(const std::string& id)>;
/// Prepares a fresh element for `id` before its mapping is bound (e.g. sets `elem.id`).
template <class Elem>
using ElemInit = std::function<void(Elem& elem, const std::string& id)>;

/// A mapping of id -> mapping; each entry starts from `init(Elem{}, id)` and binds `children` (a null
/// entry keeps the defaults). The file's map replaces the default one. Entry paths are `path.<id>`.
template <class Target, class Ref>
FieldT<Target> KeyedSections(
    std::string key,
    Ref ref,
    std::vector<FieldT<typename LeafType<Ref, Target>::mapped_type>> children,
    IdCheck check_id,
    ElemInit<typename LeafType<Ref, Target>::mapped_type> init
) {
    using Elem = typename LeafType<Ref, Target>::mapped_type;
    FieldT<Target> f;
    f.key = std::move(key);
    f.from_yaml = [ref, children, check_id, init](
                      const YAML::Node& key_node,
                      const YAML::Node& value,
                      const std::string& path,
                      LoadContext& ctx,
                      Target& target
                  ) -> Result<void> {
        LeafType<Ref, Target> out;
        if (value.IsNull()) {
            ref(target) = std::move(out);
            return Ok();
        }
        if (auto r = CheckMapping(key_node, value, path, ctx); !r) {
            return r;
        }
        for (auto it = value.begin(); it != value.end(); ++it) {
            const YAML::Node id_node = it->first;  // copy: operator-> yields a temporary proxy
            const YAML::Node item = it->second;
            if (auto r = CheckKeyIsScalar(id_node, path, ctx); !r) {
                return r;
            }
            const std::string& id = id_node.Scalar();
            const std::string item_path = JoinPath(path, id);
            if (auto problem = check_id(id); !problem.empty()) {
                return ctx.FailAt(id_node.Mark(), item_path, problem);
            }
            if (out.count(id) != 0) {
                return ctx.FailAt(id_node.Mark(), item_path, "duplicate key");
            }
            if (!item.IsNull()) {
                if (auto r = CheckMapping(id_node, item, item_path, ctx); !r) {
                    return r;
                }
            }
            ctx.SetOrigin(item_path, ctx.FileOrigin(id_node.Mark()));
            Elem elem{};
            init(elem, id);
            if (!item.IsNull()) {
                if (auto r = BindMapping(item, children, item_path, ctx, elem); !r) {
                    return r;
                }
            }
            out.emplace(id, std::move(elem));
        }
        ref(target) = std::move(out);
        return Ok();
    };
    f.render = [ref, children](const Target& target, YAML::Emitter& out) {
        if (ref(target).empty()) {
            out << YAML::Flow;
        }
        out << YAML::BeginMap;
        for (const auto& [id, elem] : ref(target)) {
            out << YAML::Key << id << YAML::Value;
            RenderMapping(children, elem, out);
        }
        out << YAML::EndMap;
    };
    return f;
}

}  // namespace gw::config::internal
