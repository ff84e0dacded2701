// Micro-benchmarks for the crypto module's data-protection hot paths (Google Benchmark).
// Target (issue #6): encrypt + decrypt of 1 KiB through the Keyring <= 2 us.
// Link: gw_crypto benchmark::benchmark (e.g. add_executable(gw_crypto_bench crypto_bench.cpp)).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "crypto/aead.hpp"
#include "crypto/encoding.hpp"
#include "crypto/envelope.hpp"
#include "crypto/hmac.hpp"
#include "crypto/keyring.hpp"
#include "crypto/random.hpp"
#include "crypto/sha256.hpp"

namespace {

using namespace gw::crypto;  // NOLINT(google-build-using-namespace): benchmark file

// One keyring shared by all threads of a multi-threaded run.
struct Fixture {
    std::unique_ptr<StaticKeyProvider> master =
        StaticKeyProvider::FromEncoded(HexEncode(RandomBytes<32>()), "bench").value();
    InMemoryWrappedKeyStore store;
    std::unique_ptr<Keyring> keyring = [this] {
        auto k = Keyring::Open(*master, store).value();
        k->EnsureTenant("tenant-0001").value();
        return k;
    }();
};

Fixture& Shared() {
    static Fixture fixture;
    return fixture;
}

const EnvelopeContext kCtx{"tenant-0001", "messages", "0b6f3c9e-5d2a-4c1e-9f7a-2e8d4b6a1c3f"};

std::string Payload(std::int64_t size) {
    return std::string(static_cast<std::size_t>(size), 'p');
}

void BM_KeyringEncryptDecrypt(benchmark::State& state) {
    Keyring& keyring = *Shared().keyring;
    const std::string plaintext = Payload(state.range(0));
    for (auto _ : state) {
        auto blob = keyring.Encrypt(kCtx, Classification::kConfidential, plaintext);
        auto plain = keyring.Decrypt(kCtx, *blob);
        benchmark::DoNotOptimize(plain->data());
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_KeyringEncryptDecrypt)->Arg(1024)->Arg(64)->Arg(16 * 1024);
BENCHMARK(BM_KeyringEncryptDecrypt)->Arg(1024)->Threads(2);

void BM_KeyringEncrypt(benchmark::State& state) {
    Keyring& keyring = *Shared().keyring;
    const std::string plaintext = Payload(state.range(0));
    for (auto _ : state) {
        auto blob = keyring.Encrypt(kCtx, Classification::kConfidential, plaintext);
        benchmark::DoNotOptimize(blob->data());
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_KeyringEncrypt)->Arg(1024);

void BM_KeyringDecrypt(benchmark::State& state) {
    Keyring& keyring = *Shared().keyring;
    const auto blob = keyring.Encrypt(kCtx, Classification::kConfidential, Payload(state.range(0))).value();
    for (auto _ : state) {
        auto plain = keyring.Decrypt(kCtx, blob);
        benchmark::DoNotOptimize(plain->data());
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_KeyringDecrypt)->Arg(1024);

// Raw AES-256-GCM with preallocated buffers (no nonce generation, no allocation).
void BM_AesGcmSealOpenDetached(benchmark::State& state) {
    const Aes256GcmKey key = Aes256GcmKey::Generate();
    const std::vector<std::uint8_t> plaintext(static_cast<std::size_t>(state.range(0)), 0x42);
    std::vector<std::uint8_t> ciphertext(plaintext.size());
    std::vector<std::uint8_t> opened(plaintext.size());
    const std::vector<std::uint8_t> aad(64, 0x01);
    AesGcmNonce nonce{};
    AesGcmTag tag{};
    std::uint64_t counter = 0;
    for (auto _ : state) {
        ++counter;
        std::copy_n(reinterpret_cast<const std::uint8_t*>(&counter), sizeof(counter), nonce.begin());
        AesGcmSealDetached(key, nonce, aad, plaintext, ciphertext, tag);
        auto ok = AesGcmOpenDetached(key, nonce, aad, ciphertext, tag, opened);
        benchmark::DoNotOptimize(ok);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_AesGcmSealOpenDetached)->Arg(1024);

// AesGcmSeal/AesGcmOpen: random nonce and vector allocation included.
void BM_AesGcmSealOpen(benchmark::State& state) {
    const Aes256GcmKey key = Aes256GcmKey::Generate();
    const std::vector<std::uint8_t> plaintext(static_cast<std::size_t>(state.range(0)), 0x42);
    const std::vector<std::uint8_t> aad(64, 0x01);
    for (auto _ : state) {
        auto sealed = AesGcmSeal(key, aad, plaintext);
        auto opened = AesGcmOpen(key, aad, sealed);
        benchmark::DoNotOptimize(opened->data());
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_AesGcmSealOpen)->Arg(1024);

// Why nonces come from a pooled buffer: RAND_bytes has a large fixed cost per call in OpenSSL 3.0.
void BM_RandBytes12(benchmark::State& state) {
    std::array<std::uint8_t, 12> out{};
    for (auto _ : state) {
        SecureRandom(out);
        benchmark::DoNotOptimize(out.data());
    }
}

BENCHMARK(BM_RandBytes12);

void BM_PooledNonce12(benchmark::State& state) {
    for (auto _ : state) {
        auto nonce = RandomNonce<12>();
        benchmark::DoNotOptimize(nonce.data());
    }
}

BENCHMARK(BM_PooledNonce12);

void BM_HmacSha256(benchmark::State& state) {
    const std::string key(32, 'k');
    const std::string data = Payload(state.range(0));
    for (auto _ : state) {
        auto tag = HmacSha256(key, data);
        benchmark::DoNotOptimize(tag.data());
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_HmacSha256)->Arg(1024);

void BM_Sha256(benchmark::State& state) {
    const std::string data = Payload(state.range(0));
    for (auto _ : state) {
        auto digest = Sha256(data);
        benchmark::DoNotOptimize(digest.data());
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_Sha256)->Arg(1024);

}  // namespace

BENCHMARK_MAIN();
