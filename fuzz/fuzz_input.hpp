#pragma once
/// @file
/// @brief A tiny byte-splitting helper for the fuzz targets (libFuzzer's FuzzedDataProvider is not
/// available to the g++ replay build): control bytes from the front, the rest as text.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace gw::fuzz {

class FuzzInput {
public:
    FuzzInput(const std::uint8_t* data, std::size_t size)
        : rest_(reinterpret_cast<const char*>(data), size) {}

    /// The next byte, 0 when exhausted.
    std::uint8_t TakeByte() {
        if (rest_.empty()) {
            return 0;
        }
        const auto b = static_cast<std::uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return b;
    }

    /// Text up to the next `sep` (consumed), or everything left when there is none.
    std::string_view TakeUntil(char sep) {
        const std::size_t pos = rest_.find(sep);
        const std::string_view out = rest_.substr(0, pos);
        rest_.remove_prefix(pos == std::string_view::npos ? rest_.size() : pos + 1);
        return out;
    }

    /// Every piece separated by `sep`.
    std::vector<std::string_view> SplitRest(char sep) {
        std::vector<std::string_view> out;
        while (!rest_.empty()) {
            out.push_back(TakeUntil(sep));
        }
        return out;
    }

    std::string_view Rest() const { return rest_; }

private:
    std::string_view rest_;
};

/// Aborts (a crash the fuzzer reports) when a stated property does not hold.
#define GW_FUZZ_CHECK(cond)                                                                    \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                      \
        }                                                                                      \
    } while (false)

}  // namespace gw::fuzz
