#!/usr/bin/env bash
# Proves that adding a model is its own file(s) plus one registry row: in a
# scratch copy of the tree, adds `serial_copy` (the serial model under another
# name), builds, runs it in the quick profile and draws it with plot.py.
# usage: scripts/check-add-model.sh   (needs the packages of .ci/install-deps)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
git -C "$root" ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$scratch")
cd "$scratch"

# The model's own files.
sed -e 's/SerialModel/SerialCopyModel/g' -e 's/"serial"/"serial_copy"/' \
    -e 's/^\/\/ serial:/\/\/ serial_copy:/' src/models/serial.hpp > src/models/serial_copy.hpp
sed -e 's/SerialModel/SerialCopyModel/g' -e 's/models\/serial.hpp/models\/serial_copy.hpp/' \
    -e 's/^\/\/ serial:/\/\/ serial_copy:/' src/models/serial.cpp > src/models/serial_copy.cpp
# One registry row (and its header's include).
sed -i -e 's/#include "models\/serial.hpp"/&\n#include "models\/serial_copy.hpp"/' \
       -e '/^const std::vector<ModelInfo> kModels{/a\    {"serial_copy", kOneThread, one, "one thread", kOne, kOne, kLoop, false, false,\n     "the serial model under another name", make_fixed<SerialCopyModel>},' \
       src/models/registry.cpp
echo "added src/models/serial_copy.{hpp,cpp} ($(cat src/models/serial_copy.* | wc -l) lines) and one registry row"

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCVP_BUILD_TESTS=OFF >/dev/null
cmake --build build --target cpu_hash -j2 >/dev/null
build/bench/cpu_hash --profile=quick --models=serial,serial_copy,tbb --tasks=256 \
  --benchmark_repetitions=1 --out=results/cpu_hash.json 2>/dev/null | grep serial_copy
python="$(sed -n 's/^CVP_PYTHON:FILEPATH=//p' build/CMakeCache.txt)"
"$python" plot.py results -o results >/dev/null
grep -l "serial_copy" results/*.svg results/summary.md
echo "check-add-model: serial_copy built, ran and was drawn with its name"
