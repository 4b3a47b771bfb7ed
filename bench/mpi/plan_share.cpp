// The plan from rank 0 to every rank, one row of whole numbers per benchmark laid out by the axis
// table, so that every axis reaches the ranks.
#include "plan_share.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "axes.hpp"
#include "timing.hpp"

namespace cvp::mpi {
namespace {

using Row = std::vector<std::int64_t>;

// How long rank 0 waits for the others to take the plan: a rank that takes
// longer is stopped or gone.
constexpr std::chrono::seconds kCollectiveTimeout{10};

// A row: the workload, every axis in the table's order, the iterations and
// the calibrated task time.
std::size_t row_size() { return bench::axes().size() + 3; }

void append_row(const PlanItem& it, Row& data) {
  data.push_back(static_cast<std::int64_t>(it.workload));
  for (const bench::Axis& a : bench::axes()) data.push_back(it.point.*a.field);
  data.push_back(it.iterations);
  data.push_back(it.task_cpu_ns);
}

PlanItem read_row(const std::int64_t* row) {
  PlanItem it;
  it.workload = static_cast<std::size_t>(*row++);
  if (it.workload >= mpi_workloads().size()) throw MpiError("a malformed plan from rank 0");
  it.point.model = std::string(mpi_model().name);
  for (const bench::Axis& a : bench::axes()) it.point.*a.field = *row++;
  it.iterations = *row++;
  it.task_cpu_ns = *row;
  return it;
}

// MPI_Ibcast from rank 0, polled: the other ranks wait for rank 0's
// calibration without spinning on the cores it measures.
void broadcast(const World& world, Row& data) {
  MPI_Request req = MPI_REQUEST_NULL;
  check(
      MPI_Ibcast(data.data(), static_cast<int>(data.size()), MPI_INT64_T, 0, MPI_COMM_WORLD, &req),
      "MPI_Ibcast");
  const Watch watch =
      world.rank() == 0
          ? Watch{"every rank to take the plan", world.others(), Clock::now() + kCollectiveTimeout,
                  std::chrono::microseconds(100)}
          : Watch{"rank 0's plan", {0}, Clock::time_point::max(), std::chrono::microseconds(2000)};
  wait(world, req, MPI_STATUS_IGNORE, watch);
}

}  // namespace

int share_plan(const World& world, int status, std::vector<PlanItem>& plan) {
  Row head{status, static_cast<std::int64_t>(plan.size())};
  broadcast(world, head);
  if (head[0] != 0) return static_cast<int>(head[0]);
  const auto items = static_cast<std::size_t>(head[1]);
  Row data;
  if (world.rank() == 0) {
    for (const PlanItem& it : plan) append_row(it, data);
  } else {
    data.resize(items * row_size());
  }
  broadcast(world, data);
  if (world.rank() != 0) {
    plan.clear();
    for (std::size_t i = 0; i < items; ++i) plan.push_back(read_row(data.data() + i * row_size()));
  }
  return 0;
}

}  // namespace cvp::mpi
