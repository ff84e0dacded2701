#pragma once
/// @file
/// @brief Private to net's tests: a throw-away PKI in a temp dir — a CA and a server certificate for
/// DNS:localhost signed by it, or a single self-signed server certificate (P-256, valid for one hour).

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace gw::net::testing {

class TestPki {
public:
    enum class Kind { kCaSigned, kSelfSigned };

    explicit TestPki(Kind kind = Kind::kCaSigned) : kind_(kind) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "gw-net-pki-XXXXXX").string();
        const char* made = mkdtemp(tmpl.data());
        if (made == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        dir_ = made;
        ca_file = (dir_ / "ca.pem").string();
        cert_file = (dir_ / "cert.pem").string();
        key_file = (dir_ / "key.pem").string();
        Generate();
    }

    ~TestPki() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    TestPki(const TestPki&) = delete;
    TestPki& operator=(const TestPki&) = delete;

    std::string ca_file;    ///< the trust anchor: the CA certificate, or (self-signed) the server certificate
    std::string cert_file;  ///< the server certificate (SAN DNS:localhost, issued by the CA)
    std::string key_file;   ///< the server key

private:
    using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
    using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

    static Key NewKey() {
        std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> kctx(
            EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), &EVP_PKEY_CTX_free
        );
        EVP_PKEY* raw = nullptr;
        if (!kctx || EVP_PKEY_keygen_init(kctx.get()) != 1 ||
            EVP_PKEY_CTX_set_group_name(kctx.get(), "P-256") != 1 ||
            EVP_PKEY_generate(kctx.get(), &raw) != 1) {
            throw std::runtime_error("key generation failed");
        }
        return Key(raw, &EVP_PKEY_free);
    }

    static void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) {
            throw std::runtime_error("adding a certificate extension failed");
        }
        X509_EXTENSION_free(ext);
    }

    static Cert NewCert(EVP_PKEY* key, const char* cn, long serial) {
        Cert cert(X509_new(), &X509_free);
        X509_set_version(cert.get(), 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
        X509_set_pubkey(cert.get(), key);
        X509_NAME* name = X509_get_subject_name(cert.get());
        X509_NAME_add_entry_by_txt(
            name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0
        );
        return cert;
    }

    static void WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
        std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "w"), &std::fclose);
        const bool ok = f && (cert == nullptr || PEM_write_X509(f.get(), cert) == 1) &&
                        (key == nullptr ||
                         PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
        if (!ok) {
            throw std::runtime_error("writing " + path + " failed");
        }
    }

    void Generate() const {
        if (kind_ == Kind::kSelfSigned) {
            const Key key = NewKey();
            const Cert cert = NewCert(key.get(), "localhost", 1);
            X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
            AddExt(cert.get(), cert.get(), NID_subject_alt_name, "DNS:localhost");
            if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
                throw std::runtime_error("signing the certificate failed");
            }
            WritePem(cert_file, cert.get(), nullptr);
            WritePem(ca_file, cert.get(), nullptr);
            WritePem(key_file, nullptr, key.get());
            return;
        }
        const Key ca_key = NewKey();
        const Cert ca = NewCert(ca_key.get(), "gw test CA", 1);
        X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get()));
        AddExt(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
        AddExt(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
        AddExt(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
        if (X509_sign(ca.get(), ca_key.get(), EVP_sha256()) == 0) {
            throw std::runtime_error("signing the CA failed");
        }
        const Key key = NewKey();
        const Cert leaf = NewCert(key.get(), "localhost", 2);
        X509_set_issuer_name(leaf.get(), X509_get_subject_name(ca.get()));
        AddExt(leaf.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
        AddExt(leaf.get(), ca.get(), NID_subject_alt_name, "DNS:localhost");
        AddExt(leaf.get(), ca.get(), NID_ext_key_usage, "serverAuth");
        AddExt(leaf.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
        if (X509_sign(leaf.get(), ca_key.get(), EVP_sha256()) == 0) {
            throw std::runtime_error("signing the server certificate failed");
        }
        WritePem(ca_file, ca.get(), nullptr);
        WritePem(cert_file, leaf.get(), nullptr);
        WritePem(key_file, nullptr, key.get());
    }

    Kind kind_;
    std::filesystem::path dir_;
};

}  // namespace gw::net::testing
