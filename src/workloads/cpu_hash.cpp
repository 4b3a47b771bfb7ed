// cpu_hash: each task hashes a B-byte message with SHA-256, chained R rounds.
#include "workloads/cpu_hash.hpp"

#include <algorithm>
#include <cstring>

#include "params.hpp"

namespace cvp {

CpuHash::CpuHash(std::int64_t tasks, std::int64_t bytes, std::int64_t rounds)
    : Workload({check_tasks(tasks), 0, check_bytes(bytes), check_rounds(rounds)}) {}

void CpuHash::message(int index, std::int64_t bytes, std::vector<std::uint8_t>& out) {
  out.resize(static_cast<std::size_t>(bytes));
  // xorshift64* seeded by the index, eight bytes a step. Cheap next to the
  // chained rounds of the small messages; for one round of 64 KiB it is
  // about a third of the task (perf: 34% of an mpi run's samples), and the
  // bare primitive makes its messages the same way, so vs_limit compares
  // like with like.
  std::uint64_t x = (static_cast<std::uint64_t>(index) + 1) * 0x9e3779b97f4a7c15ULL;
  for (std::size_t at = 0; at < out.size(); at += 8) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    const std::uint64_t word = x * 0x2545f4914f6cdd1dULL;
    std::memcpy(out.data() + at, &word, std::min<std::size_t>(8, out.size() - at));
  }
}

Digest CpuHash::compute(int index) const { return digest(index, params().bytes, params().rounds); }

Digest CpuHash::digest(int index, std::int64_t bytes, int rounds) {
  // One buffer per thread: a 64 KiB allocation per task would be measured too.
  thread_local std::vector<std::uint8_t> buf;
  message(index, bytes, buf);
  Sha256& sha = thread_sha256();
  Digest d = sha(buf);
  for (int r = 1; r < rounds; ++r) {
    std::memcpy(buf.data(), d.data(), std::min(buf.size(), d.size()));
    d = sha(buf);
  }
  return d;
}

}  // namespace cvp
