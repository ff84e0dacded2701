#pragma once
/// @file
/// @brief Private to net's tests: helpers for HttpClient tests (run a coroutine with a client on a
/// private io_context, deadlines, request builders).

#include <chrono>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "net/http_client.hpp"

namespace gw::net::testing {

using namespace std::chrono_literals;

inline Deadline In(std::chrono::milliseconds d) {
    return std::chrono::steady_clock::now() + d;
}

/// Runs `body(client)` on a fresh io_context (the test thread) with a client created on it.
template <class Body>
void WithClient(const HttpClientOptions& options, Body body) {
    boost::asio::io_context ioc;
    auto client = HttpClient::Create(ioc, options);
    ASSERT_TRUE(client) << client.error().message;
    bool done = false;
    std::exception_ptr error;
    boost::asio::co_spawn(ioc, body(**client), [&](std::exception_ptr e) {
        error = e;
        done = true;
    });
    ioc.run_for(20s);
    ASSERT_TRUE(done) << "the test coroutine did not finish";
    if (error) {
        std::rethrow_exception(error);
    }
}

template <class Body>
void WithClient(Body body) {
    WithClient(HttpClientOptions{}, std::move(body));
}

inline std::string Url(std::uint16_t port, std::string_view path) {
    return "http://127.0.0.1:" + std::to_string(port) + std::string(path);
}

inline HttpClientRequest Get(std::string url) {
    HttpClientRequest r;
    r.url = std::move(url);
    return r;
}

}  // namespace gw::net::testing
