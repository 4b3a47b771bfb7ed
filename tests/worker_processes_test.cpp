// Tests for src/models/worker_processes.cpp: chunk sizes, the shared queue, and the progress
// timeout.
#include "models/worker_processes.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workloads/io_sleep.hpp"

namespace cvp::workers {
namespace {

TEST(ChunkSize, ThirtyTwoChunksPerWorkerRoundedUp) {
  // divmod(N, 32W), plus one when there is a remainder, at least 1.
  EXPECT_EQ(chunk_size(4096, 2), 64);
  EXPECT_EQ(chunk_size(100, 1), 4);  // 100 / 32 = 3 remainder 4
  EXPECT_EQ(chunk_size(10, 8), 1);
  EXPECT_EQ(chunk_size(1, 1), 1);
}

TEST(ChunkQueue, HandsOutEveryTaskOnceAcrossProcesses) {
  ChunkQueue q;
  q.reset(100, 7);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  int begin = 0, end = 0, taken = 0;
  while (q.take(pid == 0 ? 1 : 0, begin, end)) taken += end - begin;
  if (pid == 0) _exit(taken);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(taken + WEXITSTATUS(status), 100);
}

TEST(ChunkQueue, MarksAWorkerBusyUntilItsChunkIsDone) {
  ChunkQueue q;
  q.reset(10, 5);
  int begin = 0, end = 0;
  ASSERT_TRUE(q.take(3, begin, end));
  EXPECT_GT(q.busy_since_ns(3), 0);
  q.done(3);
  EXPECT_EQ(q.busy_since_ns(3), 0);
}

TEST(DefaultProgressTimeout, ScalesWithTheWaitsOfOneChunk) {
  EXPECT_EQ(default_progress_timeout(IoSleep(10, 0), 2), std::chrono::seconds(10));
  // 10 tasks on 2 workers: chunks of 1, each 1 s of waiting: 10 s + 4 * 1 s.
  EXPECT_EQ(default_progress_timeout(IoSleep(10, 1'000'000), 2), std::chrono::seconds(14));
}

}  // namespace
}  // namespace cvp::workers
