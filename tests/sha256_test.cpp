// Tests for src/sha256.cpp: known digests, and one context reused across messages.
#include "sha256.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

namespace cvp {
namespace {

std::string hex(const Digest& d) {
  std::string s;
  char buf[3];
  for (auto b : d) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    s += buf;
  }
  return s;
}

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(Sha256, MatchesFipsVectors) {
  Sha256 sha;
  EXPECT_EQ(hex(sha(bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha(bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, ReusedContextGivesTheSameDigestAgain) {
  Sha256 sha;
  const Digest first = sha(bytes("cvpbench"));
  sha(bytes("something else"));
  EXPECT_EQ(sha(bytes("cvpbench")), first);
}

TEST(Sha256, EachThreadHasItsOwnContext) {
  Sha256* main_ctx = &thread_sha256();
  Sha256* other_ctx = nullptr;
  std::thread([&] { other_ctx = &thread_sha256(); }).join();
  EXPECT_NE(main_ctx, other_ctx);
  EXPECT_EQ(&thread_sha256(), main_ctx);
}

}  // namespace
}  // namespace cvp
