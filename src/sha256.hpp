// SHA-256 through OpenSSL's EVP API, with the digest fetched once per process.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <span>

namespace cvp {

using Digest = std::array<std::uint8_t, 32>;

// One EVP_MD_CTX, reused for every digest it computes. Not thread-safe: keep
// one per thread. OpenSSL 3.0 takes a global lock when EVP_sha256() is looked
// up implicitly on every digest, which serialises threads hashing small
// messages; fetching the algorithm once (EVP_MD_fetch) and reusing the
// context avoids it, so a benchmark measures the execution model, not a lock.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Digest operator()(std::span<const std::uint8_t> message);

 private:
  EVP_MD_CTX* ctx_;
};

// The calling thread's Sha256.
Sha256& thread_sha256();

// The fetched SHA-256 algorithm, shared by all threads for the process lifetime.
const EVP_MD* sha256_algorithm();

}  // namespace cvp
