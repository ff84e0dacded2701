// The awaitable adapters of EmbeddedStore, kept apart so only this TU pulls in the heavier Asio headers.
#include <memory>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "store/embedded_store.hpp"
#include "store/internal/migrator.hpp"

namespace gw::store {

namespace {

namespace asio = boost::asio;

/// Turns `submit(done)` (whose `done` fires on a store thread) into an awaitable that resumes on the
/// awaiting coroutine's executor (never on the store thread). The completion holds a work-tracking copy
/// of that executor, so its io_context cannot run out of work while the store is busy (co_spawn tracks
/// work too; this keeps the guarantee for any other launcher). The executor's context must outlive the
/// operation: the store posts to it.
template <class Submit>
asio::awaitable<Result<void>> ResumeOnCaller(Submit submit) {
    auto initiate = [submit = std::move(submit)](auto handler) mutable {
        using Handler = decltype(handler);
        auto executor =
            asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
        // std::function needs a copyable callable; the handler is move-only.
        auto shared = std::make_shared<Handler>(std::move(handler));
        submit([shared, executor](Result<void> result) {
            asio::post(executor, [shared, result = std::move(result)]() mutable {
                std::move (*shared)(std::move(result));
            });
        });
    };
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(Result<void>)>(
        std::move(initiate), asio::use_awaitable
    );
}

}  // namespace

asio::awaitable<Result<void>> EmbeddedStore::Write(WriteFn fn) {
    auto submit = [this, fn = std::move(fn)](DoneFn done) mutable {
        SubmitWrite(std::move(fn), std::move(done));
    };
    return ResumeOnCaller(std::move(submit));
}

asio::awaitable<Result<void>> EmbeddedStore::Read(ReadFn fn) {
    auto submit = [this, fn = std::move(fn)](DoneFn done) mutable {
        SubmitRead(std::move(fn), std::move(done));
    };
    return ResumeOnCaller(std::move(submit));
}

asio::awaitable<Result<void>> EmbeddedStore::CheckReady() {
    const int latest = Migrations().latest_version;
    ReadFn check = [latest](sqlite::Connection& conn) { return internal::CheckSchemaCurrent(conn, latest); };
    return Read(std::move(check));
}

}  // namespace gw::store
