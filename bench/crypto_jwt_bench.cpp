// Micro-benchmarks for JWT verification (crypto module), one token per iteration (Google Benchmark).
// Intended target (add to bench/CMakeLists.txt):
//   add_executable(gw_crypto_jwt_bench crypto_jwt_bench.cpp)
//   target_compile_options(gw_crypto_jwt_bench PRIVATE ${GW_WARNING_FLAGS})
//   target_link_libraries(gw_crypto_jwt_bench PRIVATE gw_crypto benchmark::benchmark)

#include <chrono>
#include <cstdint>
#include <string>

#include <benchmark/benchmark.h>

#include "crypto/ed25519.hpp"
#include "crypto/encoding.hpp"
#include "crypto/jwk.hpp"
#include "crypto/jwt.hpp"
#include "crypto/jwt_sign.hpp"
#include "crypto/password.hpp"

namespace {

using gw::crypto::JwkSet;
using gw::crypto::JwtAlg;
using gw::crypto::JwtSigningKey;
using gw::crypto::JwtVerifyOptions;

struct Fixture {
    JwkSet keys;
    std::string token;
    JwtVerifyOptions options;
};

/// A realistic OIDC access token (≈ 600-900 bytes) and a JWKS with a decoy key under another kid.
Fixture MakeFixture(JwtAlg alg) {
    Fixture f;
    const JwtSigningKey signer = JwtSigningKey::Generate(alg).value();
    const JwtSigningKey decoy = JwtSigningKey::Generate(alg).value();
    f.keys.Add(decoy.VerificationKey("decoy").value());
    f.keys.Add(signer.VerificationKey("current").value());
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    const std::string claims = R"({"iss":"https://idp.example.com/realms/corp","sub":"f:3c1b:alice",)"
                               R"("aud":["openclaw-gateway","account"],"exp":)" +
                               std::to_string(now + 3600) + R"(,"iat":)" + std::to_string(now) +
                               R"(,"scope":"openid profile email gateway.chat","email":"alice@example.com",)"
                               R"("realm_access":{"roles":["offline_access","uma_authorization","gw-user"]},)"
                               R"("azp":"openclaw","jti":"5f7f2a1e-0c5e-4a4e-9f59-1f0f0b7c9d11"})";
    f.token = gw::crypto::SignJwt(alg, signer, claims, {.kid = "current"}).value();
    f.options.allowed_algs = {alg};
    f.options.issuers = {"https://idp.example.com/realms/corp"};
    f.options.audiences = {"openclaw-gateway"};
    return f;
}

void VerifyLoop(benchmark::State& state, JwtAlg alg) {
    const Fixture f = MakeFixture(alg);
    for (auto _ : state) {
        auto jwt = gw::crypto::VerifyJwt(f.token, f.options, f.keys);
        if (!jwt) {
            state.SkipWithError(jwt.error().message.c_str());
            break;
        }
        benchmark::DoNotOptimize(jwt);
    }
    state.SetLabel(std::to_string(f.token.size()) + " B token");
}

void BM_VerifyJwtHs256(benchmark::State& state) {
    VerifyLoop(state, JwtAlg::kHs256);
}

void BM_VerifyJwtRs256(benchmark::State& state) {
    VerifyLoop(state, JwtAlg::kRs256);
}

void BM_VerifyJwtEs256(benchmark::State& state) {
    VerifyLoop(state, JwtAlg::kEs256);
}

void BM_VerifyJwtEdDsa(benchmark::State& state) {
    VerifyLoop(state, JwtAlg::kEdDsa);
}

/// A refused token (bad signature) must not cost more than an accepted one.
void BM_VerifyJwtRs256BadSignature(benchmark::State& state) {
    Fixture f = MakeFixture(JwtAlg::kRs256);
    f.token[f.token.size() - 5] = f.token[f.token.size() - 5] == 'A' ? 'B' : 'A';
    for (auto _ : state) {
        auto jwt = gw::crypto::VerifyJwt(f.token, f.options, f.keys);
        benchmark::DoNotOptimize(jwt);
    }
}

/// OpenClaw device proof: base64url decode + Ed25519 verify.
void BM_VerifyDeviceSignature(benchmark::State& state) {
    const auto pair = gw::crypto::Ed25519KeyPair::Generate().value();
    const std::string message =
        "v3|" + gw::crypto::DeviceIdFromPublicKey(pair.public_key()) +
        "|cli|cli|operator|operator.read,operator.write|1737264000000||nonce-1|linux|desktop";
    const std::string pub = gw::crypto::EncodeDevicePublicKey(pair.public_key());
    const auto sig = pair.Sign(message).value();
    const std::string sig_b64 = gw::crypto::Base64UrlEncode(sig);
    for (auto _ : state) {
        auto ok = gw::crypto::VerifyDeviceSignature(pub, message, sig_b64);
        benchmark::DoNotOptimize(ok);
    }
}

/// Argon2id verification at the default (OWASP) cost: what one password login costs a blocking thread.
void BM_VerifyPasswordArgon2idDefault(benchmark::State& state) {
    const std::string phc = gw::crypto::HashPassword("correct horse battery staple").value();
    for (auto _ : state) {
        auto ok = gw::crypto::VerifyPassword("correct horse battery staple", phc);
        benchmark::DoNotOptimize(ok);
    }
}

}  // namespace

BENCHMARK(BM_VerifyJwtHs256);
BENCHMARK(BM_VerifyJwtRs256);
BENCHMARK(BM_VerifyJwtEs256);
BENCHMARK(BM_VerifyJwtEdDsa);
BENCHMARK(BM_VerifyJwtRs256BadSignature);
BENCHMARK(BM_VerifyDeviceSignature);
BENCHMARK(BM_VerifyPasswordArgon2idDefault)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
