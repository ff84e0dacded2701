// The built-in tools: current_time, session_history, skills_list, skill_read.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <utility>

#include <boost/json.hpp>

#include "domain/session_key.hpp"
#include "engine/skills.hpp"
#include "engine/tools.hpp"

namespace gw::engine {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;

/// Parses the model's arguments; an empty text counts as `{}`.
std::optional<json::object> ParseArgs(const std::string& args_json) {
    if (args_json.find_first_not_of(" \t\r\n") == std::string::npos) {
        return json::object{};
    }
    boost::system::error_code ec;
    json::value v = json::parse(args_json, ec);
    if (ec || !v.is_object()) {
        return std::nullopt;
    }
    return v.as_object();
}

ToolOutput ErrorOutput(std::string text) {
    return ToolOutput{std::move(text), true};
}

class SpecTool : public Tool {
public:
    explicit SpecTool(domain::ToolSpec spec) : spec_(std::move(spec)) {}

    const domain::ToolSpec& Spec() const override { return spec_; }

private:
    domain::ToolSpec spec_;
};

/// "UTC", "Z", "GMT", "Etc/UTC", "+05:30", "-3", "+0530", "UTC+2", "GMT-03:30" → offset in minutes.
std::optional<int> ParseFixedOffset(std::string_view tz) {
    for (std::string_view prefix : {"Etc/UTC", "Etc/GMT", "UTC", "GMT"}) {
        if (tz.starts_with(prefix)) {
            tz.remove_prefix(prefix.size());
            break;
        }
    }
    if (tz.empty() || tz == "Z") {
        return 0;
    }
    int sign = 1;
    if (tz[0] == '+' || tz[0] == '-') {
        sign = tz[0] == '-' ? -1 : 1;
        tz.remove_prefix(1);
    } else {
        return std::nullopt;
    }
    std::string digits;
    for (char c : tz) {
        if (c >= '0' && c <= '9') {
            digits += c;
        } else if (c != ':') {
            return std::nullopt;
        }
    }
    if (digits.empty() || digits.size() > 4 ||
        (tz.find(':') != std::string_view::npos && digits.size() < 3)) {
        return std::nullopt;
    }
    int hours = 0;
    int minutes = 0;
    if (digits.size() <= 2) {
        hours = std::stoi(digits);
    } else {
        hours = std::stoi(digits.substr(0, digits.size() - 2));
        minutes = std::stoi(digits.substr(digits.size() - 2));
    }
    if (hours > 14 || minutes > 59) {
        return std::nullopt;
    }
    return sign * (hours * 60 + minutes);
}

std::string FormatTime(std::int64_t unix_ms, int offset_minutes) {
    using namespace std::chrono;
    sys_time<milliseconds> t{milliseconds(unix_ms + std::int64_t{offset_minutes} * 60'000)};
    auto day = floor<days>(t);
    year_month_day ymd{day};
    hh_mm_ss hms{t - day};
    char buf[64];
    std::snprintf(
        buf,
        sizeof buf,
        "%04d-%02u-%02uT%02d:%02d:%02d.%03d",
        static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()),
        static_cast<unsigned>(ymd.day()),
        static_cast<int>(hms.hours().count()),
        static_cast<int>(hms.minutes().count()),
        static_cast<int>(hms.seconds().count()),
        static_cast<int>(hms.subseconds().count())
    );
    std::string out = buf;
    if (offset_minutes == 0) {
        return out + "Z";
    }
    int abs_offset = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    std::snprintf(
        buf, sizeof buf, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', abs_offset / 60, abs_offset % 60
    );
    return out + buf;
}

class CurrentTimeTool final : public SpecTool {
public:
    explicit CurrentTimeTool(domain::WallClock clock)
        : SpecTool(
              {"current_time",
               "The current date and time (ISO 8601). Optional `timezone`: UTC or a fixed offset such as "
               "+05:30.",
               R"({"type":"object","properties":{"timezone":{"type":"string","description":"UTC or a fixed UTC offset like +05:30"}}})"}
          ),
          clock_(std::move(clock)) {}

    asio::awaitable<ToolOutput> Invoke(const ToolContext& /*ctx*/, std::string args_json) override {
        auto args = ParseArgs(args_json);
        if (!args) {
            co_return ErrorOutput("arguments must be a JSON object");
        }
        std::string tz = "UTC";
        if (auto* v = args->if_contains("timezone"); v != nullptr && !v->is_null()) {
            if (!v->is_string()) {
                co_return ErrorOutput("timezone must be a string");
            }
            tz = std::string(v->as_string());
        }
        auto offset = ParseFixedOffset(tz);
        if (!offset) {
            co_return ErrorOutput(
                "unsupported timezone '" + tz +
                "': this build has no time zone database (g++ 12 lacks std::chrono tzdb); use UTC or a fixed "
                "offset like +05:30"
            );
        }
        std::int64_t now = clock_();
        json::object out;
        out["now"] = FormatTime(now, *offset);
        out["utc"] = FormatTime(now, 0);
        out["timezone"] = tz;
        out["unixMs"] = now;
        co_return ToolOutput{json::serialize(out), false};
    }

private:
    domain::WallClock clock_;
};

std::string BlockText(const domain::ContentBlock& block) {
    if (const auto* t = std::get_if<domain::TextBlock>(&block)) {
        return t->text;
    }
    if (const auto* c = std::get_if<domain::ToolCallBlock>(&block)) {
        return "[tool call " + c->name + " " + c->arguments_json + "]";
    }
    if (const auto* r = std::get_if<domain::ToolResultBlock>(&block)) {
        return "[tool result " + r->tool_name + (r->is_error ? " (error)" : "") + "] " + r->content;
    }
    if (std::holds_alternative<domain::ImageBlock>(block)) {
        return "[image]";
    }
    return {};  // thinking is not repeated
}

class SessionHistoryTool final : public SpecTool {
public:
    SessionHistoryTool(domain::TranscriptRepository& transcripts, domain::SessionRepository& sessions)
        : SpecTool(
              {"session_history",
               "Recent messages of this conversation as text, oldest first. Optional `limit` (default 20, "
               "max 200).",
               R"({"type":"object","properties":{"limit":{"type":"integer","minimum":1,"maximum":200}}})"}
          ),
          transcripts_(transcripts),
          sessions_(sessions) {}

    asio::awaitable<ToolOutput> Invoke(const ToolContext& ctx, std::string args_json) override {
        auto args = ParseArgs(args_json);
        if (!args) {
            co_return ErrorOutput("arguments must be a JSON object");
        }
        std::int64_t limit = 20;
        if (auto* v = args->if_contains("limit"); v != nullptr && !v->is_null()) {
            if (!v->is_int64()) {
                co_return ErrorOutput("limit must be an integer");
            }
            limit = std::clamp<std::int64_t>(v->as_int64(), 1, 200);
        }
        std::string transcript_id = ctx.transcript_id;
        if (transcript_id.empty()) {
            if (ctx.session_key.empty()) {
                co_return ErrorOutput("no session: session_history needs a session");
            }
            auto key = domain::ParseSessionKey(ctx.session_key);
            if (!key) {
                co_return ErrorOutput("bad session key: " + key.error().message);
            }
            auto session = co_await sessions_.Get(ctx.tenant_id, *key);
            if (!session) {
                co_return ErrorOutput("session not found");
            }
            transcript_id = session->transcript_id;
        }
        domain::HistoryQuery query{
            ctx.tenant_id, transcript_id, static_cast<std::size_t>(limit), std::nullopt};
        auto page = co_await transcripts_.History(std::move(query));
        if (!page) {
            co_return ErrorOutput("history unavailable: " + page.error().message);
        }
        if (page->entries.empty()) {
            co_return ToolOutput{"(no messages)", false};
        }
        std::string out;
        for (const auto& e : page->entries) {
            std::string text;
            for (const auto& b : e.content) {
                std::string piece = BlockText(b);
                if (!piece.empty()) {
                    text += (text.empty() ? "" : "\n") + piece;
                }
            }
            out += std::string(domain::RoleName(e.role)) + ": " + text + "\n";
        }
        co_return ToolOutput{std::move(out), false};
    }

private:
    domain::TranscriptRepository& transcripts_;
    domain::SessionRepository& sessions_;
};

class SkillsListTool final : public SpecTool {
public:
    explicit SkillsListTool(const SkillCatalog& skills)
        : SpecTool(
              {"skills_list",
               "Lists the available skills: name, description and location.",
               R"({"type":"object","properties":{}})"}
          ),
          skills_(skills) {}

    asio::awaitable<ToolOutput> Invoke(const ToolContext& /*ctx*/, std::string /*args_json*/) override {
        if (skills_.Empty()) {
            co_return ToolOutput{"(no skills)", false};
        }
        std::string out;
        for (const auto& s : skills_.Skills()) {
            out += s.name + ": " + s.description + " (" + s.location + ")\n";
        }
        co_return ToolOutput{std::move(out), false};
    }

private:
    const SkillCatalog& skills_;
};

class SkillReadTool final : public SpecTool {
public:
    explicit SkillReadTool(const SkillCatalog& skills)
        : SpecTool(
              {"skill_read",
               "Reads the instructions (SKILL.md body) of one skill by `name`.",
               R"({"type":"object","properties":{"name":{"type":"string"}},"required":["name"]})"}
          ),
          skills_(skills) {}

    asio::awaitable<ToolOutput> Invoke(const ToolContext& /*ctx*/, std::string args_json) override {
        auto args = ParseArgs(args_json);
        const json::value* name = args ? args->if_contains("name") : nullptr;
        if (name == nullptr || !name->is_string()) {
            co_return ErrorOutput("arguments must be {\"name\": \"<skill>\"}");
        }
        auto body = skills_.Read(std::string_view(name->as_string()));
        if (!body) {
            co_return ErrorOutput("unknown skill '" + std::string(name->as_string()) + "'");
        }
        co_return ToolOutput{std::move(*body), false};
    }

private:
    const SkillCatalog& skills_;
};

}  // namespace

Result<void> RegisterBuiltinTools(ToolRegistry& registry, const BuiltinToolDeps& deps) {
    std::vector<std::unique_ptr<Tool>> tools;
    tools.push_back(std::make_unique<CurrentTimeTool>(deps.clock));
    tools.push_back(std::make_unique<SessionHistoryTool>(deps.transcripts, deps.sessions));
    tools.push_back(std::make_unique<SkillsListTool>(deps.skills));
    tools.push_back(std::make_unique<SkillReadTool>(deps.skills));
    for (auto& tool : tools) {
        if (auto ok = registry.Register(std::move(tool)); !ok) {
            return ok;
        }
    }
    return Ok();
}

}  // namespace gw::engine
