// SHA-256 through OpenSSL's EVP API, with the digest fetched once per process.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace cvp {

using Digest = std::array<std::uint8_t, 32>;

// SHA-256 of whole messages, one context pair per thread (not thread-safe).
//
// OpenSSL 3.0 serialises threads that hash small messages unless two costs
// are kept off the per-digest path: the implicit algorithm lookup of
// EVP_sha256() (avoided by fetching once, EVP_MD_fetch), and the ENGINE
// lookup that EVP_DigestInit_ex() makes on every call, under a lock shared
// by all threads, even for a fetched algorithm. So the context is
// initialised once, as a template, and each digest starts from a copy of it
// (EVP_MD_CTX_copy_ex), which takes no lock.
class Sha256 {
 public:
  Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Digest operator()(std::span<const std::uint8_t> message);

 private:
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  using Ctx = std::unique_ptr<EVP_MD_CTX, Free>;
  Ctx initialised_;  // the template: SHA-256 initialised, no data
  Ctx work_;
};

// The calling thread's Sha256.
Sha256& thread_sha256();

// The fetched SHA-256 algorithm, shared by all threads for the process lifetime.
const EVP_MD* sha256_algorithm();

}  // namespace cvp
