#include "crypto/encoding.hpp"

#include <array>

namespace gw::crypto {
namespace {

constexpr std::string_view kStdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t kInvalid = 0xFF;

using DecodeTable = std::array<std::uint8_t, 256>;

constexpr DecodeTable MakeTable(std::string_view alphabet) {
    DecodeTable table{};
    for (auto& entry : table) {
        entry = kInvalid;
    }
    for (std::size_t i = 0; i < alphabet.size(); ++i) {
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
    }
    return table;
}

constexpr DecodeTable kStdTable = MakeTable(kStdAlphabet);
constexpr DecodeTable kUrlTable = MakeTable(kUrlAlphabet);

std::string Encode(std::span<const std::uint8_t> data, std::string_view alphabet, bool pad) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const std::uint32_t v =
            (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
        out.push_back(alphabet[(v >> 18) & 0x3F]);
        out.push_back(alphabet[(v >> 12) & 0x3F]);
        out.push_back(alphabet[(v >> 6) & 0x3F]);
        out.push_back(alphabet[v & 0x3F]);
    }
    const std::size_t rest = data.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{data[i]} << 16;
        out.push_back(alphabet[(v >> 18) & 0x3F]);
        out.push_back(alphabet[(v >> 12) & 0x3F]);
        if (pad) {
            out.append("==");
        }
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
        out.push_back(alphabet[(v >> 18) & 0x3F]);
        out.push_back(alphabet[(v >> 12) & 0x3F]);
        out.push_back(alphabet[(v >> 6) & 0x3F]);
        if (pad) {
            out.push_back('=');
        }
    }
    return out;
}

/// Decodes unpadded text; rejects impossible lengths, foreign characters and non-zero trailing bits.
Result<std::vector<std::uint8_t>> DecodeUnpadded(std::string_view text, const DecodeTable& table) {
    if (text.size() % 4 == 1) {
        return MakeError(ErrorCode::kInvalidArgument, "base64: invalid length");
    }
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 4 * 3 + 2);
    std::uint32_t acc = 0;
    int bits = 0;
    for (const char c : text) {
        const std::uint8_t v = table[static_cast<unsigned char>(c)];
        if (v == kInvalid) {
            return MakeError(ErrorCode::kInvalidArgument, "base64: invalid character");
        }
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
        }
    }
    // Leftover bits (2 or 4) must be zero, otherwise the encoding is not canonical.
    if (bits > 0 && (acc & ((1U << bits) - 1U)) != 0) {
        return MakeError(ErrorCode::kInvalidArgument, "base64: non-canonical trailing bits");
    }
    return out;
}

}  // namespace

std::string Base64Encode(std::span<const std::uint8_t> data) {
    return Encode(data, kStdAlphabet, true);
}

std::string Base64Encode(std::string_view data) {
    return Base64Encode(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

Result<std::vector<std::uint8_t>> Base64Decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        return MakeError(ErrorCode::kInvalidArgument, "base64: length is not a multiple of 4");
    }
    std::size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') {
        ++pad;
    }
    return DecodeUnpadded(text.substr(0, text.size() - pad), kStdTable);
}

std::string Base64EncodeUnpadded(std::span<const std::uint8_t> data) {
    return Encode(data, kStdAlphabet, false);
}

Result<std::vector<std::uint8_t>> Base64DecodeUnpadded(std::string_view text) {
    return DecodeUnpadded(text, kStdTable);
}

std::string Base64UrlEncode(std::span<const std::uint8_t> data) {
    return Encode(data, kUrlAlphabet, false);
}

std::string Base64UrlEncode(std::string_view data) {
    return Base64UrlEncode(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

Result<std::vector<std::uint8_t>> Base64UrlDecode(std::string_view text) {
    return DecodeUnpadded(text, kUrlTable);
}

std::string HexEncode(std::span<const std::uint8_t> data) {
    constexpr std::string_view kDigits = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (const std::uint8_t b : data) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0F]);
    }
    return out;
}

Result<std::vector<std::uint8_t>> HexDecode(std::string_view text) {
    if (text.size() % 2 != 0) {
        return MakeError(ErrorCode::kInvalidArgument, "hex: odd length");
    }
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    };
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int hi = nibble(text[i]);
        const int lo = nibble(text[i + 1]);
        if (hi < 0 || lo < 0) {
            return MakeError(ErrorCode::kInvalidArgument, "hex: invalid character");
        }
        out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
    }
    return out;
}

}  // namespace gw::crypto
