#include "net/sse_writer.hpp"

namespace gw::net {
namespace {

/// Calls `f(line)` for every line of `text` (CRLF, LF and CR end lines; at least one line).
template <class F>
void ForEachLine(std::string_view text, F&& f) {
    for (;;) {
        const auto pos = text.find_first_of("\r\n");
        if (pos == std::string_view::npos) {
            f(text);
            return;
        }
        f(text.substr(0, pos));
        const std::size_t skip =
            (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ? 2 : 1;
        text.remove_prefix(pos + skip);
    }
}

void AppendField(std::string& out, std::string_view name, std::string_view value, bool strip_nul) {
    out += name;
    out += ": ";
    for (char c : value) {
        if (c == '\r' || c == '\n' || (strip_nul && c == '\0')) {
            continue;
        }
        out += c;
    }
    out += '\n';
}

}  // namespace

void SseWriter::AppendEvent(
    std::string& out, std::string_view data, std::string_view event, std::string_view id
) {
    if (!event.empty()) {
        AppendField(out, "event", event, false);
    }
    if (!id.empty()) {
        AppendField(out, "id", id, true);
    }
    ForEachLine(data, [&out](std::string_view line) {
        out += "data: ";
        out += line;
        out += '\n';
    });
    out += '\n';
}

std::string SseWriter::Event(std::string_view data, std::string_view event, std::string_view id) {
    std::string out;
    out.reserve(data.size() + event.size() + id.size() + 24);
    AppendEvent(out, data, event, id);
    return out;
}

std::string SseWriter::Comment(std::string_view text) {
    std::string out;
    ForEachLine(text, [&out](std::string_view line) {
        out += ": ";
        out += line;
        out += '\n';
    });
    out += '\n';
    return out;
}

std::string SseWriter::Retry(std::chrono::milliseconds delay) {
    const auto ms = delay.count() < 0 ? 0 : delay.count();
    return "retry: " + std::to_string(ms) + "\n\n";
}

}  // namespace gw::net
