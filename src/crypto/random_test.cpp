#include "crypto/random.hpp"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include "crypto/constant_time.hpp"

namespace gw::crypto {
namespace {

TEST(RandomTest, SecureRandomFillsBuffersOfAnySize) {
    for (std::size_t size : {1U, 12U, 32U, 1000U, 5000U}) {
        std::vector<std::uint8_t> a(size, 0);
        std::vector<std::uint8_t> b(size, 0);
        SecureRandom(a);
        SecureRandom(b);
        if (size >= 12) {
            EXPECT_NE(a, b) << size;  // a 96-bit collision does not happen
        }
    }
}

TEST(RandomTest, PooledBytesAreNeverHandedOutTwice) {
    std::set<std::array<std::uint8_t, 12>> seen;
    for (int i = 0; i < 10'000; ++i) {  // crosses many 1 KiB refills
        EXPECT_TRUE(seen.insert(RandomNonce<12>()).second) << i;
    }
}

TEST(RandomTest, PooledRequestsLargerThanThePoolAreServed) {
    std::vector<std::uint8_t> big(4096, 0);
    SecureRandomPooled(big);
    EXPECT_NE(big, std::vector<std::uint8_t>(4096, 0));
}

TEST(RandomTest, ForkChildDoesNotRepeatTheParentsPooledBytes) {
    (void)RandomNonce<12>();  // make sure this thread's pool holds unused bytes
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        const auto nonce = RandomNonce<12>();
        const bool ok =
            ::write(pipe_fds[1], nonce.data(), nonce.size()) == static_cast<ssize_t>(nonce.size());
        ::_exit(ok ? 0 : 1);
    }
    ::close(pipe_fds[1]);
    const auto parent = RandomNonce<12>();
    std::array<std::uint8_t, 12> child{};
    ASSERT_EQ(::read(pipe_fds[0], child.data(), child.size()), static_cast<ssize_t>(child.size()));
    ::close(pipe_fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_NE(parent, child);
}

TEST(ConstantTimeTest, ComparesContentAndLength) {
    EXPECT_TRUE(ConstantTimeEquals("token-123", "token-123"));
    EXPECT_TRUE(ConstantTimeEquals("", ""));
    EXPECT_FALSE(ConstantTimeEquals("token-123", "token-124"));
    EXPECT_FALSE(ConstantTimeEquals("xoken-123", "token-123"));
    EXPECT_FALSE(ConstantTimeEquals("token-123", "token-12"));
    EXPECT_FALSE(ConstantTimeEquals("token-12", "token-123"));
    EXPECT_FALSE(ConstantTimeEquals("", "a"));
    const std::vector<std::uint8_t> a = {1, 2, 3};
    const std::vector<std::uint8_t> b = {1, 2, 3};
    const std::vector<std::uint8_t> c = {1, 2, 4};
    EXPECT_TRUE(ConstantTimeEquals(a, b));
    EXPECT_FALSE(ConstantTimeEquals(a, c));
}

}  // namespace
}  // namespace gw::crypto
