#include "engine/skills.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "obs/log.hpp"

namespace gw::engine {

namespace {

namespace fs = std::filesystem;

std::string XmlEscape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

/// The next line of `text` from `pos` (without its line break); advances `pos` past it.
std::string_view NextLine(std::string_view text, std::size_t& pos) {
    std::size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? text.size() - pos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    return line;
}

bool IsFence(std::string_view line) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
        line.remove_suffix(1);
    }
    return line == "---";
}

std::optional<std::string> ScalarString(const YAML::Node& node) {
    if (!node || !node.IsScalar()) {
        return std::nullopt;
    }
    return node.as<std::string>();
}

}  // namespace

std::optional<Skill> SkillCatalog::Parse(
    std::string_view text, std::string location, std::string base_dir, std::string* error
) {
    auto fail = [error](std::string why) -> std::optional<Skill> {
        if (error != nullptr) {
            *error = std::move(why);
        }
        return std::nullopt;
    };
    if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
        static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF) {
        text.remove_prefix(3);  // UTF-8 BOM
    }
    std::size_t pos = 0;
    if (!IsFence(NextLine(text, pos))) {
        return fail("no YAML front matter (the file must start with a --- line)");
    }
    std::size_t front_begin = pos;
    std::size_t front_end = std::string_view::npos;
    while (pos < text.size()) {
        std::size_t line_begin = pos;
        if (IsFence(NextLine(text, pos))) {
            front_end = line_begin;
            break;
        }
    }
    if (front_end == std::string_view::npos) {
        return fail("front matter is not closed by a --- line");
    }
    Skill skill;
    skill.location = std::move(location);
    skill.base_dir = std::move(base_dir);
    try {
        YAML::Node root = YAML::Load(std::string(text.substr(front_begin, front_end - front_begin)));
        if (!root.IsMap()) {
            return fail("front matter is not a YAML mapping");
        }
        for (const auto& kv : root) {
            auto key = kv.first.as<std::string>();
            auto value = ScalarString(kv.second);
            if (key == "name" || key == "description") {
                if (!value || value->empty()) {
                    return fail("front matter `" + key + "` must be a non-empty string");
                }
                (key == "name" ? skill.name : skill.description) = std::move(*value);
            } else if (value) {
                skill.extra[key] = std::move(*value);
            } else {
                YAML::Emitter out;
                out << YAML::Flow << kv.second;
                skill.extra[key] = out.c_str();
            }
        }
    } catch (const YAML::Exception& e) {
        return fail(std::string("front matter is not valid YAML: ") + e.what());
    }
    if (skill.name.empty()) {
        return fail("front matter has no `name`");
    }
    if (skill.description.empty()) {
        return fail("front matter has no `description`");
    }
    skill.body = std::string(text.substr(pos));
    return skill;
}

SkillCatalog SkillCatalog::Load(const std::vector<std::string>& dirs) {
    SkillCatalog catalog;
    std::set<std::string, std::less<>> seen;
    for (const auto& dir : dirs) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) {
            continue;
        }
        std::vector<fs::path> skill_dirs;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            if (it->is_directory(ec)) {
                skill_dirs.push_back(it->path());
            }
        }
        std::sort(skill_dirs.begin(), skill_dirs.end());
        for (const auto& skill_dir : skill_dirs) {
            fs::path file = skill_dir / "SKILL.md";
            if (!fs::is_regular_file(file, ec)) {
                continue;
            }
            std::ifstream in(file, std::ios::binary);
            std::stringstream buffer;
            buffer << in.rdbuf();
            if (!in) {
                obs::Log(
                    obs::LogLevel::kWarn, "gw.engine", "skill file unreadable", {{"path", file.string()}}
                );
                continue;
            }
            std::string why;
            auto skill = Parse(buffer.str(), file.string(), skill_dir.string(), &why);
            if (!skill) {
                obs::Log(
                    obs::LogLevel::kWarn,
                    "gw.engine",
                    "skill skipped",
                    {{"path", file.string()}, {"error", why}}
                );
                continue;
            }
            if (seen.contains(skill->name)) {
                continue;  // an earlier directory wins
            }
            seen.insert(skill->name);
            catalog.skills_.push_back(std::move(*skill));
        }
    }
    std::sort(catalog.skills_.begin(), catalog.skills_.end(), [](const Skill& a, const Skill& b) {
        return a.name < b.name;
    });
    return catalog;
}

const Skill* SkillCatalog::Find(std::string_view name) const {
    auto it = std::lower_bound(skills_.begin(), skills_.end(), name, [](const Skill& s, std::string_view n) {
        return s.name < n;
    });
    return it != skills_.end() && it->name == name ? &*it : nullptr;
}

std::optional<std::string> SkillCatalog::Read(std::string_view name) const {
    const Skill* skill = Find(name);
    if (skill == nullptr) {
        return std::nullopt;
    }
    std::string body = skill->body;
    constexpr std::string_view kPlaceholder = "{baseDir}";
    for (std::size_t at = body.find(kPlaceholder); at != std::string::npos;
         at = body.find(kPlaceholder, at + skill->base_dir.size())) {
        body.replace(at, kPlaceholder.size(), skill->base_dir);
    }
    return body;
}

std::string SkillCatalog::PromptListing() const {
    if (skills_.empty()) {
        return {};
    }
    std::string out = "<available_skills>";
    for (const auto& s : skills_) {
        out += "<skill><name>" + XmlEscape(s.name) + "</name><description>" + XmlEscape(s.description) +
               "</description><location>" + XmlEscape(s.location) + "</location></skill>";
    }
    out += "</available_skills>";
    return out;
}

}  // namespace gw::engine
