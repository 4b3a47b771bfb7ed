// SHA-256 through OpenSSL's EVP API, with the digest fetched once per process.
#include "sha256.hpp"

#include <openssl/err.h>

#include <stdexcept>
#include <string>

namespace cvp {
namespace {

[[noreturn]] void throw_openssl(const char* what) {
  char buf[256] = "no OpenSSL error queued";
  if (unsigned long code = ERR_get_error(); code != 0) ERR_error_string_n(code, buf, sizeof buf);
  throw std::runtime_error(std::string(what) + ": " + buf);
}

}  // namespace

const EVP_MD* sha256_algorithm() {
  // Never freed: the algorithm lives as long as the process, and forked
  // children inherit it ready to use.
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) throw_openssl("EVP_MD_fetch(SHA256)");
    return fetched;
  }();
  return md;
}

Sha256::Sha256() : initialised_(EVP_MD_CTX_new()), work_(EVP_MD_CTX_new()) {
  if (initialised_ == nullptr || work_ == nullptr) throw_openssl("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex2(initialised_.get(), sha256_algorithm(), nullptr) != 1) {
    throw_openssl("EVP_DigestInit_ex2(SHA256)");
  }
}

Digest Sha256::operator()(std::span<const std::uint8_t> message) {
  Digest out{};
  unsigned int len = 0;
  if (EVP_MD_CTX_copy_ex(work_.get(), initialised_.get()) != 1 ||
      EVP_DigestUpdate(work_.get(), message.data(), message.size()) != 1 ||
      EVP_DigestFinal_ex(work_.get(), out.data(), &len) != 1 || len != out.size()) {
    throw_openssl("SHA-256");
  }
  return out;
}

Sha256& thread_sha256() {
  thread_local Sha256 sha;
  return sha;
}

}  // namespace cvp
