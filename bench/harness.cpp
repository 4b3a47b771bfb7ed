// A harness: one workload's grid, run under Google Benchmark and published as a result file.
#include "harness.hpp"

#include <cstdio>
#include <stdexcept>

#include "cli.hpp"
#include "context.hpp"
#include "measure.hpp"
#include "result_file.hpp"
#include "run.hpp"
#include "timing.hpp"

namespace cvp::bench {

int run_main(int argc, char** argv, const Harness& h) {
  const std::string prog(h.workload);
  // Before any thread or child exists, so that all of them inherit it.
  set_timer_slack(std::chrono::nanoseconds(1));
  static std::atomic<int> failures{0};
  try {
    const Options o = parse_options(argc, argv, h);
    if (o.help) {
      print_help(h, argv[0]);
      return 0;
    }
    // Everything the command line can get wrong is refused here, before
    // anything is measured or written.
    if (o.out) check_out_file(*o.out);
    const Profile profile = profile_named(o.profile);
    const std::vector<Point> points = grid_points(o, profile, h);
    if (points.empty()) throw std::invalid_argument("the grid is empty");
    std::vector<std::string> models;
    for (const Point& p : points) models.push_back(p.model);
    add_context(h.workload, profile.name, models);

    const auto prepared = prepare_workloads(points, h);
    add_calibration_context(prepared);
    register_benchmarks(points, prepared, h, failures);
    std::vector<std::string> names;
    for (const Point& p : points) names.push_back(benchmark_name(h.workload, p, h.names));
    const int status =
        run_registered({prog, profile, o.out, o.passthrough, points.size(), names}, failures);
    release_benchmark_models();
    return status;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "%s: error: %s\n", prog.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", prog.c_str(), e.what());
    return 1;
  }
}

}  // namespace cvp::bench
