#include "edge/reputation_list.hpp"

#include <algorithm>
#include <vector>

#include "edge/cidr.hpp"
#include "edge/internal/range_table.hpp"
#include "edge/internal/watched_file.hpp"

namespace gw::edge {

class ReputationTable {
public:
    using V4 = internal::RangeTable<std::uint32_t, int>;
    using V6 = internal::RangeTable<internal::U128, int>;

    ReputationTable(V4 v4, V6 v6, std::size_t entries)
        : v4_(std::move(v4)), v6_(std::move(v6)), entries_(entries) {}

    const int* Find(const IpAddress& ip) const noexcept {
        return ip.IsV4() ? v4_.Find(ip.V4Value()) : v6_.Find(internal::V6Key(ip));
    }

    std::size_t entries() const noexcept { return entries_; }

private:
    V4 v4_;
    V6 v6_;
    std::size_t entries_;
};

namespace {

constexpr int kMaxScore = 100;
constexpr std::size_t kMaxReportedErrors = 20;

bool IsBlank(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r';
}

/// Next blank-separated field of `line` starting at `pos` (advances `pos`).
std::string_view NextField(std::string_view line, std::size_t& pos) noexcept {
    while (pos < line.size() && IsBlank(line[pos])) {
        ++pos;
    }
    const std::size_t start = pos;
    while (pos < line.size() && !IsBlank(line[pos])) {
        ++pos;
    }
    return line.substr(start, pos - start);
}

std::optional<int> ParseScore(std::string_view s) noexcept {
    if (s.empty() || s.size() > 3 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    int v = 0;
    for (char c : s) {
        v = v * 10 + (c - '0');
    }
    return v <= kMaxScore ? std::optional<int>(v) : std::nullopt;
}

}  // namespace

Result<std::shared_ptr<const ReputationTable>> ParseReputationText(std::string_view text) {
    std::vector<ReputationTable::V4::Block> v4;
    std::vector<ReputationTable::V6::Block> v6;
    std::string errors;
    std::size_t error_count = 0;
    std::size_t entries = 0;
    auto fail = [&](std::size_t line_no, const std::string& what) {
        if (++error_count <= kMaxReportedErrors) {
            errors += (errors.empty() ? "" : "; ") + ("line " + std::to_string(line_no) + ": " + what);
        }
    };
    std::size_t line_no = 0;
    for (std::size_t start = 0; start <= text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++line_no;
        if (const auto hash = line.find('#'); hash != std::string_view::npos) {
            line = line.substr(0, hash);
        }
        std::size_t pos = 0;
        const std::string_view addr = NextField(line, pos);
        if (addr.empty()) {
            continue;
        }
        const std::string_view score_text = NextField(line, pos);
        auto cidr = Cidr::Parse(addr);
        if (!cidr) {
            fail(line_no, cidr.error().message);
            continue;
        }
        const auto score = ParseScore(score_text);
        if (!score) {
            fail(
                line_no,
                score_text.empty() ? "missing score"
                                   : "score '" + std::string(score_text) + "' is not an integer 0..100"
            );
            continue;
        }
        ++entries;
        const IpAddress& net = cidr->network();
        if (net.IsV4()) {
            v4.push_back({net.V4Value(), internal::LastV4(net.V4Value(), cidr->prefix_length()), *score});
        } else {
            const auto first = internal::V6Key(net);
            v6.push_back({first, internal::LastV6(first, cidr->prefix_length()), *score});
        }
    }
    if (error_count > 0) {
        if (error_count > kMaxReportedErrors) {
            errors += "; and " + std::to_string(error_count - kMaxReportedErrors) + " more";
        }
        return MakeError(ErrorCode::kInvalidArgument, "malformed reputation list: " + errors);
    }
    auto higher = [](int a, int b) { return std::max(a, b); };
    return std::make_shared<const ReputationTable>(
        ReputationTable::V4::Build(std::move(v4), higher),
        ReputationTable::V6::Build(std::move(v6), higher),
        entries
    );
}

ReputationList::ReputationList(const ReputationOptions& options)
    : threshold_(options.block_threshold),
      table_(std::make_unique<internal::WatchedFile<ReputationTable>>(
          options.file,
          options.reload_check_interval,
          "reputation list",
          [](const std::string& path) -> Result<std::shared_ptr<const ReputationTable>> {
              auto text = internal::ReadFileLimited(path, kMaxReputationFileBytes);
              if (!text) {
                  return text.error();
              }
              return ParseReputationText(*text);
          }
      )) {}

ReputationList::~ReputationList() = default;

Result<std::unique_ptr<ReputationList>> ReputationList::Open(const ReputationOptions& options) {
    if (options.file.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "file is required for the reputation list");
    }
    if (options.block_threshold < 1 || options.block_threshold > kMaxScore) {
        return MakeError(ErrorCode::kInvalidArgument, "block_threshold must be 1..100");
    }
    std::unique_ptr<ReputationList> list(new ReputationList(options));
    auto loaded = list->table_->ReloadIfChanged();
    if (!loaded) {
        return loaded.error();
    }
    return list;
}

ReputationVerdict ReputationList::Check(const IpAddress& ip) const noexcept {
    ReputationVerdict v;
    const auto table = table_->Get();
    if (!table) {
        return v;
    }
    if (const int* score = table->Find(ip)) {
        v.listed = true;
        v.score = *score;
        v.blocked = *score >= threshold_;
    }
    return v;
}

std::size_t ReputationList::EntryCount() const noexcept {
    const auto table = table_->Get();
    return table ? table->entries() : 0;
}

Result<bool> ReputationList::ReloadIfChanged() {
    return table_->ReloadIfChanged();
}

bool ReputationList::PollReload(std::chrono::steady_clock::time_point now) {
    return table_->PollReload(now);
}

}  // namespace gw::edge
