// The workload harnesses, by name: each workload's grid and how to build it, defined once and used
// by its own executable and by the mpi harness.
#pragma once

#include <string_view>
#include <vector>

#include "harness.hpp"

namespace cvp::bench {

Harness io_sleep_harness();
Harness cpu_hash_harness();
Harness mixed_harness();
Harness shared_counter_harness();
Harness net_rpc_harness();
Harness file_read_harness();

// The harness of `workload` ("cpu_hash"); throws std::invalid_argument
// naming the allowed ones for any other name.
const Harness& harness_named(std::string_view workload);

// Every harness's workload name, in the order the suite runs them.
std::vector<std::string_view> harness_names();

}  // namespace cvp::bench
