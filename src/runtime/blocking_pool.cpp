#include "runtime/blocking_pool.hpp"

#include "base/check.hpp"

namespace gw::runtime {

BlockingPool::BlockingPool(std::size_t threads) : pool_(threads) {
    GW_CHECK(threads > 0, "BlockingPool needs at least one thread");
}

BlockingPool::~BlockingPool() {
    pool_.stop();
    pool_.join();
}

}  // namespace gw::runtime
