// The grid facts both languages share (bench/grid_facts.json), looked up by dotted key.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "grid.hpp"

namespace cvp::bench {

// The words of the fact at `key` for C++ in `profile` ("" for a fact that
// is the same in every profile): the value given per profile and per
// language where the file splits it. Throws std::logic_error when the file
// has no such fact (a build from a file that lost it).
std::vector<std::string_view> fact_words(std::string_view key, std::string_view profile = "");
bool has_fact(std::string_view key, std::string_view profile = "");
std::int64_t fact_int(std::string_view key, std::string_view profile = "");
double fact_number(std::string_view key, std::string_view profile = "");

// True when the row selector `selector` ("all", "concurrency:W",
// "family:threads") picks the model.
bool selects(std::string_view selector, const ModelInfo& m);

// The worker counts a list of words names on a machine of `cpus` CPUs, for a
// row of at most `tasks` tasks: numbers, "cpus", "<k>*cpus", "ladder",
// "tasks".
std::vector<std::int64_t> worker_counts(const std::vector<std::string_view>& words, int cpus,
                                        std::int64_t tasks);

// The rows of `workload`'s grid on a machine of `cpus` CPUs.
std::vector<GridRow> grid_rows(std::string_view workload, int cpus);

// cpu_hash: the chained rounds a message of `bytes` gets when none are
// asked for (the facts' rounds table, else 1), and that table's sizes.
std::int64_t default_rounds(std::int64_t bytes);
std::vector<std::int64_t> hash_sizes();

}  // namespace cvp::bench
