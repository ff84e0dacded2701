#pragma once
/// @file
/// @brief Fixture of the conversation port suite (session_port_suite.hpp): the environment an
/// implementation provides, a manual clock, and helpers that run repository awaitables in tests.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "domain/clock.hpp"
#include "domain/ports.hpp"

namespace gw::store::port_suite {

/// One implementation's repositories over a fresh, empty, migrated database (tenant "default" exists).
class PortEnvironment {
public:
    virtual ~PortEnvironment() = default;
    virtual domain::SessionRepository& Sessions() = 0;
    virtual domain::TranscriptRepository& Transcripts() = 0;
    virtual domain::IdempotencyRepository& Idempotency() = 0;
    /// Adds a tenant (tenant administration is not one of these ports).
    virtual void CreateTenant(const std::string& tenant_id) = 0;
};

/// How the suite obtains an environment; `clock` must be handed to every repository.
struct PortSuiteParam {
    std::string name;  ///< test-name suffix, e.g. "Sqlite"
    std::function<std::unique_ptr<PortEnvironment>(domain::WallClock clock)> make;
};

/// Keeps test listings (and ctest names) readable: prints the implementation's name.
inline void PrintTo(const PortSuiteParam& param, std::ostream* os) {
    *os << param.name;
}

inline std::string PortSuiteParamName(const ::testing::TestParamInfo<PortSuiteParam>& info) {
    return info.param.name;
}

inline std::vector<std::int64_t> Seqs(const std::vector<domain::TranscriptEntry>& entries) {
    std::vector<std::int64_t> out;
    for (const auto& e : entries) {
        out.push_back(e.seq);
    }
    return out;
}

inline std::vector<std::string> Ids(const std::vector<domain::TranscriptEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) {
        out.push_back(e.id);
    }
    return out;
}

/// Base of every suite test: a fresh environment and a manual clock starting at kStartMs.
class PortSuiteTest : public ::testing::TestWithParam<PortSuiteParam> {
protected:
    static constexpr std::int64_t kStartMs = 1'795'607'617'487;

    void SetUp() override {
        auto now = now_;
        env_ = GetParam().make([now] { return now->load(); });
        ASSERT_TRUE(env_) << "the environment factory failed";
    }

    void TearDown() override { env_.reset(); }

    domain::SessionRepository& Sessions() { return env_->Sessions(); }

    domain::TranscriptRepository& Transcripts() { return env_->Transcripts(); }

    domain::IdempotencyRepository& Idempotency() { return env_->Idempotency(); }

    void CreateTenant(const std::string& id) { env_->CreateTenant(id); }

    std::int64_t Now() const { return now_->load(); }

    void Advance(std::chrono::milliseconds by) { now_->fetch_add(by.count()); }

    /// Runs `aw` on a private io_context on this thread; throws if it does not finish within 30 s.
    template <class T>
    static T Run(boost::asio::awaitable<T> aw) {
        boost::asio::io_context ioc;
        std::optional<T> out;
        std::exception_ptr error;
        boost::asio::co_spawn(ioc, std::move(aw), [&](std::exception_ptr e, T value) {
            error = e;
            if (!e) {
                out.emplace(std::move(value));
            }
        });
        ioc.run_for(std::chrono::seconds(30));
        if (error) {
            std::rethrow_exception(error);
        }
        if (!out) {
            throw std::runtime_error("port suite: the operation did not finish in time");
        }
        return std::move(*out);
    }

    static domain::SessionKey Key(std::string_view text) {
        auto key = domain::ParseSessionKey(text);
        if (!key) {
            throw std::runtime_error("port suite: bad test key: " + key.error().message);
        }
        return *key;
    }

    /// GetOrCreate that must succeed.
    domain::Session Open(const std::string& tenant, std::string_view key, const std::string& user = "u1") {
        auto session = Run(Sessions().GetOrCreate(tenant, Key(key), user));
        if (!session) {
            throw std::runtime_error("port suite: GetOrCreate failed: " + session.error().message);
        }
        return *session;
    }

    static domain::TranscriptEntry Entry(
        const domain::Session& s,
        std::string id,
        domain::Role role,
        std::string text,
        std::optional<std::string> parent = std::nullopt
    ) {
        domain::TranscriptEntry e;
        e.id = std::move(id);
        e.parent_id = std::move(parent);
        e.transcript_id = s.transcript_id;
        e.session_id = s.id;
        e.tenant_id = s.tenant_id;
        e.role = role;
        e.content.emplace_back(domain::TextBlock{std::move(text)});
        return e;
    }

    /// Appends that must succeed; returns the stored entries.
    std::vector<domain::TranscriptEntry> Append(std::vector<domain::TranscriptEntry> entries) {
        auto stored = Run(Transcripts().Append(std::move(entries)));
        if (!stored) {
            throw std::runtime_error("port suite: Append failed: " + stored.error().message);
        }
        return *stored;
    }

    /// Every entry of a transcript, in seq order.
    std::vector<domain::TranscriptEntry> All(const std::string& tenant, const std::string& transcript_id) {
        auto page =
            Run(Transcripts().History({tenant, transcript_id, domain::kMaxHistoryLimit, std::nullopt}));
        if (!page) {
            throw std::runtime_error("port suite: History failed: " + page.error().message);
        }
        return page->entries;
    }

    static domain::RunStart NewRun(
        const domain::Session& s, std::string run_id, std::optional<std::string> key
    ) {
        domain::RunStart start;
        start.run.id = std::move(run_id);
        start.run.tenant_id = s.tenant_id;
        start.run.session_id = s.id;
        start.run.transcript_id = s.transcript_id;
        start.run.idempotency_key = std::move(key);
        return start;
    }

private:
    std::shared_ptr<std::atomic<std::int64_t>> now_ = std::make_shared<std::atomic<std::int64_t>>(kStartMs);
    std::unique_ptr<PortEnvironment> env_;
};

class SessionPortTest : public PortSuiteTest {};

class TranscriptPortTest : public PortSuiteTest {};

class RunPortTest : public PortSuiteTest {};

class IdempotencyPortTest : public PortSuiteTest {};

}  // namespace gw::store::port_suite

/// Instantiates every test of the suite for one implementation (call once per test binary).
#define GW_INSTANTIATE_CONVERSATION_PORT_SUITE(prefix, param)                                              \
    INSTANTIATE_TEST_SUITE_P(                                                                              \
        prefix, SessionPortTest, ::testing::Values(param), ::gw::store::port_suite::PortSuiteParamName     \
    );                                                                                                     \
    INSTANTIATE_TEST_SUITE_P(                                                                              \
        prefix, TranscriptPortTest, ::testing::Values(param), ::gw::store::port_suite::PortSuiteParamName  \
    );                                                                                                     \
    INSTANTIATE_TEST_SUITE_P(                                                                              \
        prefix, RunPortTest, ::testing::Values(param), ::gw::store::port_suite::PortSuiteParamName         \
    );                                                                                                     \
    INSTANTIATE_TEST_SUITE_P(                                                                              \
        prefix, IdempotencyPortTest, ::testing::Values(param), ::gw::store::port_suite::PortSuiteParamName \
    )
