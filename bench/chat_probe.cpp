/// @file
/// @brief Latency and time-to-first-token probe for the chat benchmarks (bench/chat_bench.py).
///
/// Sends REQUESTS copies of one POST over CONCURRENCY keep-alive connections (blocking sockets, one
/// thread per connection, reconnecting when the server closes) and records per request, in
/// microseconds from just before the request is written: the first response byte, the first SSE
/// content token (the first `"content":"<non-empty>` in a `text/event-stream` body) and the complete
/// response. Prints one JSON object to stdout:
///   {"ok":N,"failed":F,"statuses":{"200":N},"wall_s":S,"first_byte_us":[...],"ttft_us":[...],
///    "total_us":[...],"errors":["..."]}
/// (the lists hold successful 2xx requests, in completion order).
///
/// Usage: gw_chat_probe --port P --body FILE [--path /v1/chat/completions] [--host 127.0.0.1]
///        [--requests 100] [--concurrency 1] [--token T] [--header "K: V"]... [--max-seconds 60]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string host = "127.0.0.1";
    int port = 0;
    std::string path = "/v1/chat/completions";
    std::string body;
    std::vector<std::string> headers;
    int requests = 100;
    int concurrency = 1;
    double max_seconds = 60;
};

struct Sample {
    long long first_byte_us = -1;
    long long ttft_us = -1;
    long long total_us = -1;
    int status = 0;
    std::string error_body;  ///< start of the body of a non-2xx answer
};

struct Results {
    std::mutex mu;
    std::vector<Sample> ok;
    std::map<int, int> statuses;
    std::vector<std::string> errors;
    int failed = 0;
};

long long MicrosSince(Clock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
}

/// True when `body` holds a JSON `"content"` member whose string value is non-empty.
bool HasContentToken(std::string_view body, std::size_t from) {
    std::size_t pos = from;
    while ((pos = body.find("\"content\"", pos)) != std::string_view::npos) {
        pos += 9;
        std::size_t i = pos;
        while (i < body.size() && body[i] == ' ') {
            ++i;
        }
        if (i >= body.size() || body[i] != ':') {
            continue;
        }
        ++i;
        while (i < body.size() && body[i] == ' ') {
            ++i;
        }
        if (i + 1 < body.size() && body[i] == '"' && body[i + 1] != '"') {
            return true;
        }
    }
    return false;
}

std::string Lower(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

class Connection {
public:
    explicit Connection(const Options& options) : options_(options) {}
    ~Connection() { Close(); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// One request/response; returns an error text or "" (then `sample` is filled).
    std::string RoundTrip(const std::string& request, Sample& sample) {
        if (fd_ < 0) {
            if (auto err = Open(); !err.empty()) {
                return err;
            }
        }
        buffer_.clear();
        const auto t0 = Clock::now();
        if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
            Close();
            return "send failed";
        }
        // Head.
        std::size_t head_end;
        while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!Read()) {
                Close();
                return "connection closed before response head";
            }
            if (sample.first_byte_us < 0) {
                sample.first_byte_us = MicrosSince(t0);
            }
        }
        const std::string head = Lower(buffer_.substr(0, head_end));
        std::size_t pos = head_end + 4;
        sample.status = std::atoi(head.c_str() + head.find(' ') + 1);
        const bool sse = head.find("content-type: text/event-stream") != std::string::npos;
        const bool chunked = head.find("transfer-encoding: chunked") != std::string::npos;
        const bool close_after = head.find("connection: close") != std::string::npos;
        long long length = -1;
        if (auto at = head.find("content-length:"); at != std::string::npos) {
            length = std::atoll(head.c_str() + at + 15);
        }
        std::string body;
        auto check_token = [&](std::size_t old_size) {
            if (sse && sample.ttft_us < 0 && HasContentToken(body, old_size > 16 ? old_size - 16 : 0)) {
                sample.ttft_us = MicrosSince(t0);
            }
        };
        if (chunked) {
            for (;;) {
                std::size_t line_end;
                while ((line_end = buffer_.find("\r\n", pos)) == std::string::npos) {
                    if (!Read()) {
                        Close();
                        return "connection closed inside chunked body";
                    }
                }
                const auto size = std::strtoull(buffer_.c_str() + pos, nullptr, 16);
                pos = line_end + 2;
                while (buffer_.size() < pos + size + 2) {
                    if (!Read()) {
                        Close();
                        return "connection closed inside chunk";
                    }
                }
                if (size == 0) {
                    break;  // no trailers expected
                }
                const auto old_size = body.size();
                body.append(buffer_, pos, size);
                pos += size + 2;
                check_token(old_size);
            }
        } else if (length >= 0) {
            while (buffer_.size() < pos + static_cast<std::size_t>(length)) {
                const auto old_size = body.size();
                body.assign(buffer_, pos);
                check_token(old_size);
                if (!Read()) {
                    Close();
                    return "connection closed inside body";
                }
            }
            const auto old_size = body.size();
            body.assign(buffer_, pos, static_cast<std::size_t>(length));
            check_token(old_size);
        } else {
            for (;;) {
                const auto old_size = body.size();
                body.assign(buffer_, pos);
                check_token(old_size);
                if (!Read()) {
                    break;
                }
            }
            Close();
        }
        sample.total_us = MicrosSince(t0);
        if (sample.status < 200 || sample.status >= 300) {
            sample.error_body = body.substr(0, 300);
        }
        if (close_after) {
            Close();
        }
        return "";
    }

private:
    std::string Open() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) {
            return "socket failed";
        }
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        timeval tv{30, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(options_.port));
        ::inet_pton(AF_INET, options_.host.c_str(), &addr.sin_addr);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            Close();
            return std::string("connect failed: ") + std::strerror(errno);
        }
        return "";
    }

    bool Read() {
        char chunk[65536];
        const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) {
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    void Close() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

    const Options& options_;
    int fd_ = -1;
    std::string buffer_;
};

std::string BuildRequest(const Options& options) {
    std::ostringstream out;
    out << "POST " << options.path << " HTTP/1.1\r\nHost: " << options.host << ':' << options.port
        << "\r\nContent-Type: application/json\r\nAccept: */*\r\nContent-Length: " << options.body.size()
        << "\r\n";
    for (const auto& header : options.headers) {
        out << header << "\r\n";
    }
    out << "\r\n" << options.body;
    return out.str();
}

std::string JsonEscape(const std::string& s) {
    std::string out;
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

void PrintList(const char* name, const std::vector<Sample>& samples, long long Sample::* field) {
    std::printf("\"%s\":[", name);
    bool first = true;
    for (const auto& s : samples) {
        if (s.*field < 0) {
            continue;
        }
        std::printf(first ? "%lld" : ",%lld", s.*field);
        first = false;
    }
    std::printf("]");
}

bool ParseArgs(int argc, char** argv, Options& options) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const std::string value = argv[i + 1];
        if (key == "--port") {
            options.port = std::atoi(value.c_str());
        } else if (key == "--host") {
            options.host = value;
        } else if (key == "--path") {
            options.path = value;
        } else if (key == "--body") {
            std::ifstream in(value, std::ios::binary);
            if (!in) {
                return false;
            }
            options.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        } else if (key == "--requests") {
            options.requests = std::atoi(value.c_str());
        } else if (key == "--concurrency") {
            options.concurrency = std::max(1, std::atoi(value.c_str()));
        } else if (key == "--token") {
            options.headers.push_back("Authorization: Bearer " + value);
        } else if (key == "--header") {
            options.headers.push_back(value);
        } else if (key == "--max-seconds") {
            options.max_seconds = std::atof(value.c_str());
        } else {
            return false;
        }
    }
    return options.port > 0 && !options.body.empty() && argc % 2 == 1;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    if (!ParseArgs(argc, argv, options)) {
        std::fprintf(stderr, "usage: gw_chat_probe --port P --body FILE [--path P] [--requests N] "
                             "[--concurrency C] [--token T] [--header 'K: V'] [--max-seconds S]\n");
        return 2;
    }
    const std::string request = BuildRequest(options);
    Results results;
    std::atomic<int> next{0};
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(options.max_seconds));
    std::vector<std::thread> workers;
    for (int w = 0; w < options.concurrency; ++w) {
        workers.emplace_back([&] {
            Connection connection(options);
            while (next.fetch_add(1) < options.requests && Clock::now() < deadline) {
                Sample sample;
                auto err = connection.RoundTrip(request, sample);
                std::lock_guard lock(results.mu);
                if (!err.empty()) {
                    ++results.failed;
                    if (results.errors.size() < 5) {
                        results.errors.push_back(err);
                    }
                    continue;
                }
                ++results.statuses[sample.status];
                if (sample.status >= 200 && sample.status < 300) {
                    results.ok.push_back(sample);
                } else {
                    ++results.failed;
                    if (results.errors.size() < 5) {
                        results.errors.push_back(std::to_string(sample.status) + " " + sample.error_body);
                    }
                }
            }
        });
    }
    for (auto& t : workers) {
        t.join();
    }
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("{\"ok\":%zu,\"failed\":%d,\"wall_s\":%.6f,\"statuses\":{", results.ok.size(), results.failed, wall);
    bool first = true;
    for (const auto& [status, count] : results.statuses) {
        std::printf(first ? "\"%d\":%d" : ",\"%d\":%d", status, count);
        first = false;
    }
    std::printf("},");
    PrintList("first_byte_us", results.ok, &Sample::first_byte_us);
    std::printf(",");
    PrintList("ttft_us", results.ok, &Sample::ttft_us);
    std::printf(",");
    PrintList("total_us", results.ok, &Sample::total_us);
    std::printf(",\"errors\":[");
    for (std::size_t i = 0; i < results.errors.size(); ++i) {
        std::printf(i ? ",\"%s\"" : "\"%s\"", JsonEscape(results.errors[i]).c_str());
    }
    std::printf("]}\n");
    return 0;
}
