// The plan from rank 0 to every rank, one row of whole numbers per benchmark laid out by the axis
// table, so that every axis reaches the ranks.
#pragma once

#include <vector>

#include "comm.hpp"
#include "plan.hpp"

namespace cvp::mpi {

// Rank 0 sends `status` (0, or the exit status every rank ends with) and,
// when it is 0, its `plan`; the other ranks receive both, into `plan`.
// Returns the status. Rank 0 waits for the others a bounded time; they wait
// for rank 0's calibration however long it takes (only its death ends it).
int share_plan(const World& world, int status, std::vector<PlanItem>& plan);

}  // namespace cvp::mpi
