#pragma once
// Signals (SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2) as a clean stop. The first signal
// sets a flag that the run checks after every step: the run saves a checkpoint and stops
// (exit 75), or, without checkpoints, is abandoned, temporary files are removed, and main()
// exits with 128 + the signal number (130 SIGINT, 143 SIGTERM, 129 SIGHUP, 138 SIGUSR1,
// 140 SIGUSR2). A second signal stops at once, still removing the registered temporary
// files first. SIGUSR1 and SIGUSR2 are there for mpirun, which passes them on to every
// rank (and follows SIGTERM and SIGINT with SIGKILL).
#include <string>

#include "model/core/errors.hpp"

namespace hscsim {

//! Thrown where the run notices a signal. main() maps it to exit 128 + signal.
class Interrupted : public Error {
 public:
  explicit Interrupted(int signal);
  int signal() const { return signal_; }
  int exit_code() const { return 128 + signal_; }

 private:
  int signal_;
};

namespace interrupt {

//! Installs the handlers (once, from main()).
void install();
//! From the first signal on, stop at once (removing the registered temporary files):
//! for an ensemble across MPI ranks, where a rank may be waiting for another's results
//! rather than between steps (a decomposed run instead stops every rank at one step).
void stop_at_once(bool yes);
//! The signal received so far, or 0.
int pending();
//! Throws Interrupted if a signal has arrived.
void check();
//! "SIGTERM" etc.
std::string name(int signal);

//! Files to unlink if a second signal stops the process at once (async-signal-safe
//! removal needs the paths ahead of time). At most 8 at once; longer paths are kept too.
int register_temp_file(const std::string& path);
void unregister_temp_file(int slot);

//! Takes up a signal another rank received (a decomposed run stops every rank at the same
//! step): pending() says it, but a signal of this rank's own that follows is still the
//! first, not a second that stops at once.
void adopt(int signal);

//! For tests: behave as if `signal` had arrived (0 clears).
void simulate(int signal);

}  // namespace interrupt
}  // namespace hscsim
