// net_rpc's wire format: a fixed-size request naming a task, a reply derived from its index.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace cvp::rpc {

// Loopback only, so one machine's byte order on both ends: the request is
// five 32-bit words in host order.
inline constexpr std::uint32_t kMagic = 0x63767072;  // "cvpr"
inline constexpr std::uint32_t kCloseAfterReply = 1;  // the server closes first
inline constexpr std::size_t kRequestBytes = 20;
// The largest reply a request may ask for (the workload's bytes cap).
inline constexpr std::uint32_t kMaxReplyBytes = 1u << 20;
// The longest delay a request may ask for.
inline constexpr std::uint32_t kMaxDelayUs = 10'000'000;

struct Request {
  std::uint32_t index = 0;
  std::uint32_t delay_us = 0;     // the server waits this long before replying
  std::uint32_t reply_bytes = 0;  // then sends this many bytes
  std::uint32_t flags = 0;        // kCloseAfterReply: a connection per task
};

using RequestBytes = std::array<std::uint8_t, kRequestBytes>;

RequestBytes encode(const Request& r);
// nullopt for a request with the wrong magic, an unknown flag or a value
// over its cap: the server closes that connection.
std::optional<Request> decode(std::span<const std::uint8_t, kRequestBytes> bytes);

// The reply to task `index`: a splitmix64 stream seeded by the index. The
// server sends it; the workload's reference digest is the SHA-256 of it.
void fill_reply(std::uint32_t index, std::span<std::uint8_t> out);

}  // namespace cvp::rpc
