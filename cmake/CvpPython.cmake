# Finds a Python 3 that can import matplotlib, numpy, scipy, pytest and uvloop, sets CVP_PYTHON.
# The first python3 on PATH may be a separate interpreter without Debian's
# packages (pyenv, a venv), so every candidate is asked, not just the first.
if(CVP_PYTHON)
  return()
endif()
set(_cvp_candidates)
find_program(_cvp_path_python NAMES python3 NO_CACHE)
foreach(candidate IN ITEMS ${_cvp_path_python} /usr/bin/python3 /usr/local/bin/python3)
  if(EXISTS "${candidate}" AND NOT candidate IN_LIST _cvp_candidates)
    list(APPEND _cvp_candidates "${candidate}")
  endif()
endforeach()
foreach(candidate IN LISTS _cvp_candidates)
  execute_process(COMMAND "${candidate}" -c "import matplotlib, numpy, scipy, pytest, uvloop"
                  RESULT_VARIABLE _cvp_rc OUTPUT_QUIET ERROR_QUIET)
  if(_cvp_rc EQUAL 0)
    set(CVP_PYTHON "${candidate}" CACHE FILEPATH "Python 3 with matplotlib, numpy, scipy, pytest and uvloop")
    message(STATUS "Python for charts and tests: ${candidate}")
    return()
  endif()
endforeach()
message(FATAL_ERROR "No Python 3 here can import matplotlib, numpy, scipy, pytest and uvloop (asked: "
        "${_cvp_candidates}). Install them with .ci/install-deps (as root) "
        "(Debian: python3-matplotlib python3-numpy python3-scipy python3-pytest python3-uvloop), "
        "or pass -DCVP_PYTHON=/path/to/python3.")
