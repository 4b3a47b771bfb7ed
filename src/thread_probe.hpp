// Finding out before a library does that a thread cannot be made: libuv aborts and oneTBB
// ends the process when pthread_create fails.
#pragma once

#include <string>

namespace cvp {

// Creates `n` threads that all exist at once, then lets them end and joins
// them. Throws std::system_error with pthread_create's errno ("`what`:
// cannot create thread 3 of 4: Resource temporarily unavailable") when one
// cannot be made, for example under RLIMIT_NPROC. A probe that passes
// leaves room for n threads now; a process that starts more threads
// meanwhile can still take that room (then libuv still aborts).
void probe_threads(int n, const std::string& what);

}  // namespace cvp
