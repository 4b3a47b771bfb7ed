// The main() of every workload harness: CVP_HARNESS names the workload (set per executable by
// bench/CMakeLists.txt).
#include "harnesses.hpp"

int main(int argc, char** argv) {
  return cvp::bench::run_main(argc, argv, cvp::bench::harness_named(CVP_HARNESS));
}
