// MPI plumbing for the mpi harness: checked calls, the ranks and their hosts, and waits that do not
// spin.
#include "comm.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

#include "children.hpp"
#include "sysinfo.hpp"

namespace cvp::mpi {
namespace {

volatile std::sig_atomic_t g_term = 0;

// The longest the second half of a barrier may take, every rank having
// reached the first.
constexpr std::chrono::seconds kSecondBarrier{10};

// The rank goes on to report (rank 0) or to end (the others), but a result
// file it is writing goes at once: mpiexec's SIGKILL follows within about a
// second and must not find one complete and unpublished.
void on_term(int) {
  g_term = 1;
  children::remove_cleanup_file();
}

// A fixed-size record per rank, for one MPI_Allgather.
struct PeerRecord {
  int pid;
  int cpus;
  char host[MPI_MAX_PROCESSOR_NAME];
};

// False when `pid` is gone or a zombie (dead, not yet reaped by orted).
// The state letter in /proc/PID/stat ('T' stopped, 'Z' zombie), or '?'.
char process_state(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return '?';
  const std::size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() ? '?' : line[paren + 2];
}

bool process_alive(int pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  return process_state(pid) != 'Z';  // no /proc: trust kill()
}

// Who a wait that timed out waited for, when it was one rank on this host:
// the message must name the rank at fault, not the rank that noticed.
std::string culprit(const World& world, const std::vector<int>& ranks) {
  if (ranks.size() != 1 || ranks[0] == world.rank() || !world.local(ranks[0])) return "";
  const int r = ranks[0];
  const char state = process_state(world.peers()[static_cast<std::size_t>(r)].pid);
  return ": " + world.describe(r) + (state == 'T' || state == 't' ? " is stopped" : " made none");
}

}  // namespace

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
  throw MpiError(std::string(what) + ": " +
                 (len > 0 ? std::string(text, static_cast<std::size_t>(len))
                          : "MPI error " + std::to_string(rc)));
}

void install_term_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_term;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, nullptr);
}

bool term_received() { return g_term != 0; }

void check_term() {
  if (g_term != 0) {
    throw RankLost(
        "mpiexec is ending the job (SIGTERM): a rank died, or mpiexec was interrupted or timed "
        "out");
  }
}

World::World(int& argc, char**& argv) {
  check(MPI_Init(&argc, &argv), "MPI_Init");
  // From here on every call returns its error instead of ending the job.
  check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  int size = 0;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");
  PeerRecord mine{};
  mine.pid = static_cast<int>(::getpid());
  mine.cpus = usable_cpus();
  int len = 0;
  check(MPI_Get_processor_name(mine.host, &len), "MPI_Get_processor_name");
  std::vector<PeerRecord> all(static_cast<std::size_t>(size));
  check(MPI_Allgather(&mine, sizeof mine, MPI_BYTE, all.data(), sizeof mine, MPI_BYTE,
                      MPI_COMM_WORLD),
        "MPI_Allgather (ranks and hosts)");
  for (int r = 0; r < size; ++r) {
    const PeerRecord& p = all[static_cast<std::size_t>(r)];
    peers_.push_back({r, p.pid, p.cpus, std::string(p.host, strnlen(p.host, sizeof p.host))});
    if (r != rank_) others_.push_back(r);
  }
}

World::~World() { MPI_Finalize(); }

std::string World::describe(int rank) const {
  const Peer& p = peers_[static_cast<std::size_t>(rank)];
  return "rank " + std::to_string(rank) + " (pid " + std::to_string(p.pid) + " on " + p.host + ")";
}

std::string World::library() const {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  check(MPI_Get_library_version(text, &len), "MPI_Get_library_version");
  std::string s(text, static_cast<std::size_t>(std::max(len, 0)));
  if (const std::size_t nl = s.find_first_of("\r\n"); nl != std::string::npos) s.resize(nl);
  return s;
}

std::string World::hosts() const {
  std::string out;
  for (const Peer& p : peers_) out += (out.empty() ? "" : ",") + p.host;
  return out;
}

int World::cpus_all_hosts() const {
  std::map<std::string, int> per_host;
  for (const Peer& p : peers_) per_host[p.host] = std::max(per_host[p.host], p.cpus);
  int total = 0;
  for (const auto& [host, cpus] : per_host) total += cpus;
  return total;
}

void World::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort does not return; if it did, the job must still end
}

void check_alive(const World& world, const std::vector<int>& ranks) {
  for (int r : ranks) {
    if (r != world.rank() && world.local(r) &&
        !process_alive(world.peers()[static_cast<std::size_t>(r)].pid)) {
      throw RankLost(world.describe(r) + " is gone (killed, or exited in the middle of a run)");
    }
  }
}

void Backoff::pause() {
  // The first polls follow each other closely: a reply to a request is
  // usually microseconds away.
  if (++polls_ <= 64) return;
  std::this_thread::sleep_for(sleep_);
  sleep_ = std::min(cap_, sleep_ * 2);
}

void wait(const World& world, MPI_Request& req, MPI_Status* status, const Watch& watch) {
  Backoff backoff(watch.max_sleep);
  backoff.reset();
  auto next_check = std::chrono::steady_clock::now();
  for (;;) {
    int done = 0;
    check(MPI_Test(&req, &done, status), "MPI_Test");
    if (done != 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_check) {
      check_term();
      check_alive(world, watch.ranks);
      if (now > watch.deadline) {
        throw RankLost("no progress while waiting for " + watch.what + culprit(world, watch.ranks));
      }
      next_check = now + std::chrono::milliseconds(20);
    }
    backoff.pause();
  }
}

void barrier(const World& world, const Watch& watch) {
  MPI_Request req = MPI_REQUEST_NULL;
  check(MPI_Ibarrier(MPI_COMM_WORLD, &req), "MPI_Ibarrier");
  wait(world, req, MPI_STATUS_IGNORE, watch);
  // Every rank is awake now: the second barrier completes within the first,
  // tight polls of the wait, and a rank stopped in between cannot hang it.
  Watch tight = watch;
  tight.deadline = std::min(watch.deadline, std::chrono::steady_clock::now() + kSecondBarrier);
  tight.max_sleep = std::chrono::microseconds(2);
  check(MPI_Ibarrier(MPI_COMM_WORLD, &req), "MPI_Ibarrier");
  wait(world, req, MPI_STATUS_IGNORE, tight);
}

}  // namespace cvp::mpi
