#pragma once
/// @file
/// @brief SessionRepository: the port behind sessions.* (embedded: SQLite; cluster mode: PostgreSQL).

#include <string>

#include <boost/asio/awaitable.hpp>

#include "base/error.hpp"
#include "domain/session.hpp"
#include "domain/session_key.hpp"

namespace gw::domain {

/// Sessions addressed by (tenant, key). Every call is scoped to one tenant: no call reads or changes another
/// tenant's rows. Implementations are thread-safe; awaitables resume on the awaiting coroutine's executor and
/// never block it. Common errors: kUnavailable (store closed or busy), kInternal (corrupt row).
class SessionRepository {
public:
    virtual ~SessionRepository() = default;

    /// The session for (tenant, key), created if absent with a fresh empty transcript, owned by `user_id`
    /// and stamped with the clock. Atomic: concurrent callers get the same row. An existing session keeps
    /// its owner. kNotFound: the tenant does not exist.
    virtual boost::asio::awaitable<Result<Session>> GetOrCreate(
        std::string tenant_id, SessionKey key, std::string user_id
    ) = 0;

    /// kNotFound when the tenant has no such session.
    virtual boost::asio::awaitable<Result<Session>> Get(std::string tenant_id, SessionKey key) = 0;

    /// The tenant's sessions, most recently active first, filtered and paged (keyset on last activity).
    virtual boost::asio::awaitable<Result<SessionPage>> List(std::string tenant_id, SessionFilter filter) = 0;

    /// Applies a patch (normalised with NormalizeSessionPatch) and returns the session. Does not count as
    /// activity. kNotFound; kInvalidArgument (limits); kConflict (label used by another session of the
    /// agent).
    virtual boost::asio::awaitable<Result<Session>> Patch(
        std::string tenant_id, SessionKey key, SessionPatch patch
    ) = 0;

    /// sessions.reset / `/new`: points the session at a new empty transcript (the old one and its entries
    /// are kept and stay readable by id), restarts `transcript_started_at_ms`, zeroes `usage`. kNotFound.
    virtual boost::asio::awaitable<Result<Session>> Reset(std::string tenant_id, SessionKey key) = 0;

    /// Deletes the session with all its transcripts, entries and runs (OpenClaw deletes the transcript
    /// with the entry). kNotFound; kConflict while a run of the session is still running (abort it first).
    virtual boost::asio::awaitable<Result<void>> Delete(std::string tenant_id, SessionKey key) = 0;

    /// Marks activity now (OpenClaw `lastInteractionAt`; heartbeats and cron must not call it). kNotFound.
    virtual boost::asio::awaitable<Result<void>> Touch(std::string tenant_id, SessionKey key) = 0;
};

}  // namespace gw::domain
