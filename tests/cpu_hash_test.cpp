// Tests for src/workloads/cpu_hash.cpp: chained SHA-256 over index-derived messages.
#include "workloads/cpu_hash.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstring>
#include <set>
#include <thread>

namespace cvp {
namespace {

// SHA-256 by OpenSSL's one-shot call with the implicit algorithm: an
// independent path to the same digest.
Digest one_shot(const std::vector<std::uint8_t>& m) {
  Digest d{};
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(m.data(), m.size(), d.data(), &len, EVP_sha256(), nullptr), 1);
  return d;
}

TEST(CpuHash, OneRoundIsTheSha256OfTheMessage) {
  std::vector<std::uint8_t> m;
  CpuHash::message(7, 4096, m);
  ASSERT_EQ(m.size(), 4096u);
  EXPECT_EQ(CpuHash(10, 4096, 1).compute(7), one_shot(m));
}

TEST(CpuHash, RoundsChainThroughTheMessagePrefix) {
  std::vector<std::uint8_t> m;
  CpuHash::message(3, 100, m);
  Digest d = one_shot(m);
  for (int r = 1; r < 3; ++r) {
    std::memcpy(m.data(), d.data(), d.size());
    d = one_shot(m);
  }
  EXPECT_EQ(CpuHash(4, 100, 3).compute(3), d);
}

TEST(CpuHash, MessagesShorterThanADigestChainToo) {
  std::vector<std::uint8_t> m;
  CpuHash::message(0, 5, m);
  Digest d = one_shot(m);
  std::memcpy(m.data(), d.data(), m.size());
  EXPECT_EQ(CpuHash(1, 5, 2).compute(0), one_shot(m));
}

TEST(CpuHash, MessagesDependOnIndexAndDiffer) {
  std::vector<std::uint8_t> a, b, a2;
  CpuHash::message(1, 64, a);
  CpuHash::message(2, 64, b);
  CpuHash::message(1, 64, a2);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, a2);
  const CpuHash w(200, 64, 2);
  std::set<Digest> seen;
  for (int i = 0; i < w.tasks(); ++i) seen.insert(w.compute(i));
  EXPECT_EQ(seen.size(), 200u);
}

TEST(CpuHash, SameDigestsFromTwoThreadsAtOnce) {
  const CpuHash w(64, 4096, 4);
  const auto ref = reference_digests(w);
  std::vector<Digest> a(64), b(64);
  std::thread t1([&] {
    for (int i = 0; i < 64; ++i) a[i] = w.compute(i);
  });
  std::thread t2([&] {
    for (int i = 63; i >= 0; --i) b[i] = w.compute(i);
  });
  t1.join();
  t2.join();
  EXPECT_EQ(a, ref);
  EXPECT_EQ(b, ref);
}

TEST(CpuHash, RejectsBadParametersNamingThem) {
  try {
    CpuHash(8, 0, 1);
    FAIL() << "bytes 0 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "bytes is 0; allowed: 1 to 67108864");
  }
  EXPECT_THROW(CpuHash(-1, 64, 1), std::invalid_argument);
  EXPECT_THROW(CpuHash(8, 1LL << 30, 1), std::invalid_argument);
  EXPECT_THROW(CpuHash(8, 64, 0), std::invalid_argument);
}

TEST(Workload, FirstMismatchFindsTheTask) {
  std::vector<Digest> a(5), b(5);
  EXPECT_EQ(first_mismatch(a, b), -1);
  b[3][0] = 1;
  EXPECT_EQ(first_mismatch(a, b), 3);
  EXPECT_EQ(first_mismatch(a, std::vector<Digest>(4)), 0);
}

}  // namespace
}  // namespace cvp
