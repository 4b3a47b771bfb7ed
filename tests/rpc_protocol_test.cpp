// Tests for src/net/rpc_protocol.cpp: requests round-trip, bad ones are refused, replies are fixed.
#include "net/rpc_protocol.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace cvp::rpc {
namespace {

TEST(RpcProtocol, RequestRoundTrips) {
  const Request r{42, 1'000, 4'096, kCloseAfterReply};
  const auto back = decode(encode(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->index, 42u);
  EXPECT_EQ(back->delay_us, 1'000u);
  EXPECT_EQ(back->reply_bytes, 4'096u);
  EXPECT_EQ(back->flags, kCloseAfterReply);
}

TEST(RpcProtocol, RefusesWrongMagicUnknownFlagsAndValuesOverTheirCaps) {
  auto bytes = encode({1, 0, 8, 0});
  bytes[0] ^= 0xff;
  EXPECT_FALSE(decode(bytes).has_value());
  EXPECT_FALSE(decode(encode({1, 0, 8, 4})).has_value());
  EXPECT_FALSE(decode(encode({1, kMaxDelayUs + 1, 8, 0})).has_value());
  EXPECT_FALSE(decode(encode({1, 0, kMaxReplyBytes + 1, 0})).has_value());
  EXPECT_TRUE(decode(encode({1, kMaxDelayUs, kMaxReplyBytes, 0})).has_value());
}

TEST(RpcProtocol, ReplyDependsOnTheIndexAloneAndFillsOddSizes) {
  std::vector<std::uint8_t> a(13), b(13), c(13);
  fill_reply(7, a);
  fill_reply(7, b);
  fill_reply(8, c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // A shorter reply is a prefix of a longer one: one stream per index.
  std::vector<std::uint8_t> longer(64);
  fill_reply(7, longer);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), longer.begin()));
}

}  // namespace
}  // namespace cvp::rpc
