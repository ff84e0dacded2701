#include "edge/geo_filter.hpp"

#include <algorithm>
#include <cstring>

#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "edge/internal/watched_file.hpp"

namespace gw::edge {

struct GeoFilter::Database {
    MMDB_s mmdb{};
    bool open = false;

    Database() = default;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    ~Database() {
        if (open) {
            MMDB_close(&mmdb);
        }
    }
};

namespace {

Result<std::vector<std::string>> NormaliseCountries(
    const std::vector<std::string>& codes, std::string_view list
) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < codes.size(); ++i) {
        std::string code = codes[i];
        const bool ok = code.size() == 2 && std::all_of(code.begin(), code.end(), [](char c) {
                            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                        });
        if (!ok) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                std::string(list) + ": entry " + std::to_string(i) + ": '" + code +
                    "' is not an ISO 3166-1 alpha-2 code"
            );
        }
        for (char& c : code) {
            c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        }
        out.push_back(std::move(code));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool InSorted(const std::vector<std::string>& v, std::string_view s) {
    return std::binary_search(v.begin(), v.end(), s, [](std::string_view a, std::string_view b) {
        return a < b;
    });
}

/// `path` → a non-empty UTF-8 string value, else "".
std::string StringAt(MMDB_entry_s entry, const char* const* path) {
    MMDB_entry_data_s data{};
    if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_UTF8_STRING) {
        return {};
    }
    return std::string(data.utf8_string, data.data_size);
}

}  // namespace

Result<std::shared_ptr<const GeoFilter::Database>> GeoFilter::OpenDatabase(const std::string& path) {
    auto db = std::make_shared<GeoFilter::Database>();
    const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db->mmdb);
    if (status != MMDB_SUCCESS) {
        return MakeError(
            ErrorCode::kUnavailable, "cannot open MaxMind DB " + path + ": " + MMDB_strerror(status)
        );
    }
    db->open = true;
    return std::shared_ptr<const GeoFilter::Database>(std::move(db));
}

GeoFilter::GeoFilter(
    const GeoOptions& options, std::vector<std::string> blocked, std::vector<std::string> allowed
)
    : blocked_(std::move(blocked)),
      allowed_(std::move(allowed)),
      block_unknown_(options.block_unknown),
      db_(std::make_unique<internal::WatchedFile<Database>>(
          options.database_file, options.reload_check_interval, "geo database", &OpenDatabase
      )) {}

GeoFilter::~GeoFilter() = default;

Result<std::unique_ptr<GeoFilter>> GeoFilter::Open(const GeoOptions& options) {
    if (options.database_file.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "database_file is required for geo filtering");
    }
    auto blocked = NormaliseCountries(options.block_countries, "block_countries");
    if (!blocked) {
        return blocked.error();
    }
    auto allowed = NormaliseCountries(options.allow_countries, "allow_countries");
    if (!allowed) {
        return allowed.error();
    }
    std::unique_ptr<GeoFilter> filter(new GeoFilter(options, std::move(*blocked), std::move(*allowed)));
    auto loaded = filter->db_->ReloadIfChanged();
    if (!loaded) {
        return loaded.error();
    }
    return filter;
}

std::string GeoFilter::Country(const IpAddress& ip) const {
    const auto db = db_->Get();
    if (!db) {
        return {};
    }
    sockaddr_in v4{};
    sockaddr_in6 v6{};
    const sockaddr* sa = nullptr;
    if (ip.IsV4()) {
        v4.sin_family = AF_INET;
        std::memcpy(&v4.sin_addr, ip.bytes().data(), 4);
        sa = reinterpret_cast<const sockaddr*>(&v4);
    } else {
        v6.sin6_family = AF_INET6;
        std::memcpy(&v6.sin6_addr, ip.bytes().data(), 16);
        sa = reinterpret_cast<const sockaddr*>(&v6);
    }
    int mmdb_error = MMDB_SUCCESS;
    const MMDB_lookup_result_s result = MMDB_lookup_sockaddr(&db->mmdb, sa, &mmdb_error);
    if (mmdb_error != MMDB_SUCCESS || !result.found_entry) {
        return {};  // e.g. an IPv6 address in an IPv4-only database
    }
    static constexpr const char* kCountry[] = {"country", "iso_code", nullptr};
    static constexpr const char* kRegistered[] = {"registered_country", "iso_code", nullptr};
    std::string code = StringAt(result.entry, kCountry);
    if (code.empty()) {
        code = StringAt(result.entry, kRegistered);
    }
    for (char& c : code) {
        c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
    return code;
}

GeoDecision GeoFilter::Check(const IpAddress& ip) const {
    GeoDecision d;
    d.country = Country(ip);
    if (d.country.empty()) {
        d.allowed = !block_unknown_;
    } else if (InSorted(blocked_, d.country)) {
        d.allowed = false;
    } else if (!allowed_.empty() && !InSorted(allowed_, d.country)) {
        d.allowed = false;
    }
    return d;
}

Result<bool> GeoFilter::ReloadIfChanged() {
    return db_->ReloadIfChanged();
}

bool GeoFilter::PollReload(std::chrono::steady_clock::time_point now) {
    return db_->PollReload(now);
}

}  // namespace gw::edge
