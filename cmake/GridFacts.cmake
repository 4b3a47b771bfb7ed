# bench/grid_facts.json as a C++ header: every value under its dotted key, read at configure time.
#
# The Python harness reads the same file at run time, so the facts both
# languages share are written once. string(JSON) refuses a malformed file
# here, at configure time, instead of at the first benchmark run.

# Appends `{"key", "v1 v2 ..."},` to the variable named by `out` for every
# value under the container at `path` (a list of member names and indices)
# of `json`. A list of scalars is one entry; a list of objects gets a
# `key.#` entry with its length and one key per index. Prose (about, why,
# *_why) is left out.
function(_cvp_flatten json key out)
  set(lines "${${out}}")
  string(JSON kind TYPE "${json}" ${ARGN})
  string(JSON count LENGTH "${json}" ${ARGN})
  if(count EQUAL 0)
    string(APPEND lines "    {\"${key}\", \"\"},\n")
    set(${out} "${lines}" PARENT_SCOPE)
    return()
  endif()
  math(EXPR last "${count} - 1")
  set(scalars "")
  set(all_scalar TRUE)
  foreach(i RANGE ${last})
    if(kind STREQUAL "OBJECT")
      string(JSON name MEMBER "${json}" ${ARGN} ${i})
    else()
      set(name ${i})
    endif()
    if(name STREQUAL "about" OR name STREQUAL "why" OR name MATCHES "_why$")
      continue()
    endif()
    string(JSON child TYPE "${json}" ${ARGN} ${name})
    if(child STREQUAL "OBJECT" OR child STREQUAL "ARRAY")
      set(all_scalar FALSE)
      _cvp_flatten("${json}" "${key}.${name}" lines ${ARGN} ${name})
    elseif(kind STREQUAL "ARRAY")
      string(JSON value GET "${json}" ${ARGN} ${name})
      list(APPEND scalars "${value}")
    else()
      string(JSON value GET "${json}" ${ARGN} ${name})
      string(APPEND lines "    {\"${key}.${name}\", \"${value}\"},\n")
    endif()
  endforeach()
  if(kind STREQUAL "ARRAY")
    if(all_scalar)
      list(JOIN scalars " " joined)
      string(APPEND lines "    {\"${key}\", \"${joined}\"},\n")
    elseif(scalars)
      message(FATAL_ERROR "${key}: a list mixes values and objects")
    else()
      string(APPEND lines "    {\"${key}.#\", \"${count}\"},\n")
    endif()
  endif()
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

# Writes `header` from `json_file`, and re-runs configure when the file changes.
function(cvp_grid_facts_header json_file header)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${json_file}")
  file(READ "${json_file}" json)
  set(lines "")
  string(JSON count LENGTH "${json}")
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON name MEMBER "${json}" ${i})
    if(name STREQUAL "about")
      continue()
    endif()
    _cvp_flatten("${json}" "${name}" lines ${name})
  endforeach()
  file(CONFIGURE OUTPUT "${header}" CONTENT
"// Generated from bench/grid_facts.json at configure time; edit that file, not this one.
#pragma once

#include <string_view>

namespace cvp::bench::generated {

struct GridFact {
  std::string_view key;     // dotted path: io_sleep.rows.2.tasks.default.c++
  std::string_view values;  // the value, or a list's values, separated by spaces
};

inline constexpr GridFact kGridFacts[] = {
${lines}};

}  // namespace cvp::bench::generated
" @ONLY)
endfunction()
