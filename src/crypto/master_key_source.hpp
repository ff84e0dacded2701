#pragma once
/// @file
/// @brief Chooses the master-key provider for a deployment: `OPENCLAW_MASTER_KEY` (an encoded key in the
/// environment), `OPENCLAW_MASTER_KEY_FILE` (a mounted secret file), else a local key file under the data
/// directory, created 0600 on first use. The result is the `MasterKeyProvider` port, so a KMS provider
/// can be chosen here later without touching callers.

#include <filesystem>
#include <memory>

#include "base/error.hpp"
#include "config/loader.hpp"
#include "crypto/key_provider.hpp"

namespace gw::crypto {

inline constexpr std::string_view kMasterKeyEnv = "OPENCLAW_MASTER_KEY";
inline constexpr std::string_view kMasterKeyFileEnv = "OPENCLAW_MASTER_KEY_FILE";

/// `<data_dir>/keys/master.key`: the local key file's location.
std::filesystem::path LocalMasterKeyPath(const std::filesystem::path& data_dir);

/// The provider for this process. Precedence: `OPENCLAW_MASTER_KEY` (hex/base64/base64url of 32 bytes),
/// then `OPENCLAW_MASTER_KEY_FILE` (path of a file holding such a value), then
/// `LocalKeyFileProvider(LocalMasterKeyPath(data_dir))`. Setting both variables is kInvalidArgument (an
/// ambiguous deployment). The static providers are validated here (kInvalidArgument naming the source,
/// kNotFound for a missing secret file); the local file is created or checked on first use, i.e. when the
/// keyring opens. Blocking (reads a secret file).
Result<std::unique_ptr<MasterKeyProvider>> OpenMasterKeyProvider(
    const std::filesystem::path& data_dir, const config::EnvLookup& env
);

}  // namespace gw::crypto
