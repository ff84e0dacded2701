#pragma once
/// @file
/// @brief SkillCatalog: OpenClaw skills (`<dir>/<skill>/SKILL.md` with YAML front matter) loaded from
/// configured directories, listed in the system prompt and read on demand by the `skill_read` tool.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::engine {

/// One loaded skill.
struct Skill {
    std::string name;                          ///< front matter `name` (required)
    std::string description;                   ///< front matter `description` (required)
    std::string location;                      ///< path of its SKILL.md
    std::string base_dir;                      ///< the skill's directory (`{baseDir}`)
    std::map<std::string, std::string> extra;  ///< other front matter keys (scalars as text, else YAML)
    std::string body;  ///< markdown after the front matter, `{baseDir}` not yet replaced
};

/// Immutable after Load: thread-safe to read.
class SkillCatalog {
public:
    SkillCatalog() = default;

    /// Reads `<dir>/<skill>/SKILL.md` for every subdirectory of each dir (subdirectories in name order).
    /// Precedence = order of `dirs`: the first skill with a name wins. Missing directories are skipped;
    /// files without valid front matter (a `---` block with string `name` and `description`) are logged
    /// (gw.engine, warn) and skipped. Blocking file I/O: call at startup.
    static SkillCatalog Load(const std::vector<std::string>& dirs);

    /// Sorted by name.
    const std::vector<Skill>& Skills() const noexcept { return skills_; }

    bool Empty() const noexcept { return skills_.empty(); }

    const Skill* Find(std::string_view name) const;

    /// The body with every `{baseDir}` replaced by the skill's directory; nullopt for unknown names.
    std::optional<std::string> Read(std::string_view name) const;

    /// `<available_skills><skill><name>…</name><description>…</description><location>…</location></skill>…
    /// </available_skills>` as OpenClaw puts it in the system prompt (XML-escaped); empty when no skills.
    std::string PromptListing() const;

    /// Parses one SKILL.md text (exposed for tests). nullopt + `error` when invalid.
    static std::optional<Skill> Parse(
        std::string_view text, std::string location, std::string base_dir, std::string* error
    );

private:
    std::vector<Skill> skills_;
};

}  // namespace gw::engine
