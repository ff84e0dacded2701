#include "crypto/master_key_source.hpp"

#include <string>

namespace gw::crypto {

std::filesystem::path LocalMasterKeyPath(const std::filesystem::path& data_dir) {
    return data_dir / "keys" / "master.key";
}

Result<std::unique_ptr<MasterKeyProvider>> OpenMasterKeyProvider(
    const std::filesystem::path& data_dir, const config::EnvLookup& env
) {
    const auto value = [&env](std::string_view name) -> std::optional<std::string> {
        auto v = env ? env(name) : std::nullopt;
        if (v && v->empty()) {
            return std::nullopt;
        }
        return v;
    };
    const auto inline_key = value(kMasterKeyEnv);
    const auto key_file = value(kMasterKeyFileEnv);
    if (inline_key && key_file) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            std::string(kMasterKeyEnv) + " and " + std::string(kMasterKeyFileEnv) +
                " are both set; choose one"
        );
    }
    if (inline_key) {
        auto provider = StaticKeyProvider::FromEncoded(*inline_key, "env:" + std::string(kMasterKeyEnv));
        if (!provider) {
            return provider.error();
        }
        return std::unique_ptr<MasterKeyProvider>(std::move(*provider));
    }
    if (key_file) {
        auto provider = StaticKeyProvider::FromFile(*key_file);
        if (!provider) {
            return provider.error();
        }
        return std::unique_ptr<MasterKeyProvider>(std::move(*provider));
    }
    return std::unique_ptr<MasterKeyProvider>(
        std::make_unique<LocalKeyFileProvider>(LocalMasterKeyPath(data_dir))
    );
}

}  // namespace gw::crypto
