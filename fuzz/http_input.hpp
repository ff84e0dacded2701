#pragma once
/// @file
/// @brief Fuzz input as an HTTP POST: header lines `Name:value`, an empty line, then the body (the
/// whole input is the body when there is no empty line). Shared by the request-parse targets.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "net/http_types.hpp"

namespace gw::fuzz {

inline net::HttpRequest HttpPostFromInput(const std::uint8_t* data, std::size_t size, std::string path) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    net::HttpRequest http;
    http.method = "POST";
    http.target = http.path = std::move(path);
    const std::size_t split = text.find("\n\n");
    if (split == std::string_view::npos) {
        http.body = std::string(text);
        return http;
    }
    FuzzInput head(data, split);
    for (const std::string_view line : head.SplitRest('\n')) {
        const std::size_t colon = line.find(':');
        const std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        http.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    http.body = std::string(text.substr(split + 2));
    return http;
}

}  // namespace gw::fuzz
