// net_rpc's wire format: a fixed-size request naming a task, a reply derived from its index.
#include "net/rpc_protocol.hpp"

#include <algorithm>
#include <cstring>

namespace cvp::rpc {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t x = (state += 0x9e3779b97f4a7c15ULL);
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

RequestBytes encode(const Request& r) {
  const std::uint32_t words[5] = {kMagic, r.index, r.delay_us, r.reply_bytes, r.flags};
  RequestBytes out;
  std::memcpy(out.data(), words, sizeof words);
  return out;
}

std::optional<Request> decode(std::span<const std::uint8_t, kRequestBytes> bytes) {
  std::uint32_t words[5];
  std::memcpy(words, bytes.data(), sizeof words);
  const Request r{words[1], words[2], words[3], words[4]};
  if (words[0] != kMagic || (r.flags & ~kCloseAfterReply) != 0 || r.delay_us > kMaxDelayUs ||
      r.reply_bytes > kMaxReplyBytes) {
    return std::nullopt;
  }
  return r;
}

void fill_reply(std::uint32_t index, std::span<std::uint8_t> out) {
  std::uint64_t state = index;
  for (std::size_t at = 0; at < out.size(); at += 8) {
    const std::uint64_t x = splitmix64(state);
    std::memcpy(out.data() + at, &x, std::min<std::size_t>(8, out.size() - at));
  }
}

}  // namespace cvp::rpc
