#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/encoding.hpp"
#include "crypto/keyring.hpp"
#include "crypto/random.hpp"

namespace gw::crypto {
namespace {

struct Written {
    std::string row;
    std::string plaintext;
    std::vector<std::uint8_t> blob;
};

TEST(KeyringConcurrencyTest, FourThreadsEncryptAndDecryptWhileKeysRotate) {
    auto master = StaticKeyProvider::FromEncoded(HexEncode(RandomBytes<32>()), "test").value();
    InMemoryWrappedKeyStore store;
    auto keyring = Keyring::Open(*master, store).value();
    ASSERT_TRUE(keyring->EnsureTenant("acme"));
    ASSERT_TRUE(keyring->EnsureTenant("globex"));

    constexpr int kThreads = 4;
    constexpr int kOpsPerThread = 2000;
    constexpr int kRotations = 40;
    std::atomic<int> failures{0};
    std::atomic<int> finished{0};
    std::atomic<int> progress{0};  // operations done by all workers
    std::atomic<int> rotations_done{0};
    std::vector<std::vector<Written>> written(kThreads);
    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t) {
        workers.emplace_back([&, t] {
            const std::string tenant = t % 2 == 0 ? "acme" : "globex";
            std::uint32_t last_version = 0;
            for (int i = 0; i < kOpsPerThread; ++i) {
                if (i == kOpsPerThread / 2) {
                    // Halfway, wait for half of the rotations, so the test provably writes under
                    // several versions even if the scheduler starves the rotating thread.
                    while (rotations_done.load() < kRotations / 2) {
                        std::this_thread::yield();
                    }
                }
                Written w{
                    "row-" + std::to_string(t) + "-" + std::to_string(i), "value " + std::to_string(i), {}};
                auto blob =
                    keyring->Encrypt({tenant, "messages", w.row}, Classification::kConfidential, w.plaintext);
                if (!blob) {
                    ++failures;
                    ++progress;  // keep the rotating thread's progress gate moving
                    continue;
                }
                // New writes never go back to an older version once a newer one was seen.
                const std::uint32_t version = ParseEnvelopeHeader(*blob).value().key_version;
                if (version < last_version) {
                    ++failures;
                }
                last_version = version;
                auto plain = keyring->Decrypt({tenant, "messages", w.row}, *blob);
                if (!plain || *plain != w.plaintext) {
                    ++failures;
                }
                w.blob = std::move(*blob);
                written[static_cast<std::size_t>(t)].push_back(std::move(w));
                ++progress;
            }
            ++finished;
        });
    }
    // Spread the rotations over the workers' run: rotation k waits until k/(kRotations+1) of all
    // operations are done (for k <= kRotations/2 that is reachable before the workers' halfway wait).
    constexpr int kTotalOps = kThreads * kOpsPerThread;
    for (int k = 1; k <= kRotations; ++k) {
        while (progress.load() < k * kTotalOps / (kRotations + 1) && finished.load() < kThreads) {
            std::this_thread::yield();
        }
        EXPECT_TRUE(keyring->Rotate(k % 2 == 0 ? "acme" : "globex", Classification::kConfidential));
        rotations_done.store(k);
    }
    for (auto& w : workers) {
        w.join();
    }
    EXPECT_EQ(failures.load(), 0);

    // Everything written under any version still decrypts after all rotations.
    std::set<std::uint32_t> versions;
    for (int t = 0; t < kThreads; ++t) {
        const std::string tenant = t % 2 == 0 ? "acme" : "globex";
        ASSERT_EQ(written[static_cast<std::size_t>(t)].size(), static_cast<std::size_t>(kOpsPerThread));
        for (const Written& w : written[static_cast<std::size_t>(t)]) {
            versions.insert(ParseEnvelopeHeader(w.blob).value().key_version);
            EXPECT_EQ(keyring->Decrypt({tenant, "messages", w.row}, w.blob).value(), w.plaintext);
        }
    }
    EXPECT_GE(versions.size(), 2U) << "rotations did not interleave with writes";
}

}  // namespace
}  // namespace gw::crypto
