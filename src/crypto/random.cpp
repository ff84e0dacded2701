#include "crypto/random.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <mutex>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

#include "base/check.hpp"

namespace gw::crypto {
namespace {

constexpr std::size_t kPoolSize = 1024;

struct RandomPool {
    std::array<std::uint8_t, kPoolSize> bytes{};
    std::size_t used = kPoolSize;  // starts empty

    ~RandomPool() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

    RandomPool() = default;
    RandomPool(const RandomPool&) = delete;
    RandomPool& operator=(const RandomPool&) = delete;
    RandomPool(RandomPool&&) = delete;
    RandomPool& operator=(RandomPool&&) = delete;
};

thread_local RandomPool t_pool;

// In a fork child only the forking thread survives; its pool was copied from the parent, so the
// parent would hand out the same bytes again. Discard the copy (runs on that thread in the child).
void DiscardPoolInChild() {
    t_pool.used = kPoolSize;
}

void RegisterForkHandlerOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        // pthread_atfork only fails with ENOMEM; without the handler a fork child could repeat nonces.
        GW_CHECK(pthread_atfork(nullptr, nullptr, &DiscardPoolInChild) == 0, "pthread_atfork failed");
    });
}

}  // namespace

void SecureRandom(std::span<std::uint8_t> out) {
    while (!out.empty()) {
        const std::size_t n = std::min<std::size_t>(out.size(), INT_MAX);
        // RAND_bytes fails only when the DRBG cannot be seeded; we must not continue without randomness.
        GW_CHECK(RAND_bytes(out.data(), static_cast<int>(n)) == 1, "RAND_bytes failed");
        out = out.subspan(n);
    }
}

void SecureRandomPooled(std::span<std::uint8_t> out) {
    if (out.size() > kPoolSize / 4) {
        SecureRandom(out);
        return;
    }
    RandomPool& pool = t_pool;
    if (kPoolSize - pool.used < out.size()) {
        RegisterForkHandlerOnce();
        SecureRandom(pool.bytes);
        pool.used = 0;
    }
    std::copy_n(pool.bytes.begin() + static_cast<std::ptrdiff_t>(pool.used), out.size(), out.begin());
    // Consumed bytes are overwritten so a later memory disclosure cannot reveal already-used values.
    std::fill_n(pool.bytes.begin() + static_cast<std::ptrdiff_t>(pool.used), out.size(), std::uint8_t{0});
    pool.used += out.size();
}

}  // namespace gw::crypto
