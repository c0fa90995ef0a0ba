#pragma once
// The processes of one job: MPI ranks when hscsim is built with HSCSIM_MPI=ON and started
// by mpirun, otherwise this one process (rank 0 of 1). Everything that crosses ranks goes
// through here, so nothing else includes mpi.h and the non-MPI build needs no MPI.
//
// Ensemble mode (model/sim/experiment.hpp): each rank asks rank 0 for replicates to run
// (each with every scenario, its burn-in and its paired baseline) until none are left;
// the results travel to rank 0 as the same compressed bytes a single process holds, and
// rank 0 writes the one file.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hscsim::comm {

//! Starts MPI when built with it (MPI_Init_thread, threads funnelled through the main
//! thread); a no-op otherwise. Call once, first thing in main().
void init(int* argc, char*** argv);
//! Ends MPI (after every rank is done); a no-op without it.
void finalize();
//! Whether this build has MPI, and the MPI library's version ("" without).
bool built_with_mpi();
std::string library_version();

int rank();  //!< this process's rank (0 without MPI)
int size();  //!< the number of ranks (1 without MPI)

//! Rank 0's value, on every rank.
std::string broadcast(const std::string& value);
int broadcast(int value);
//! Rank 0 receives every rank's bytes ([rank], its own first); other ranks get {}.
std::vector<std::vector<uint8_t>> gather(const std::vector<uint8_t>& mine);
//! The sum (and the maximum) over ranks, on every rank.
uint64_t sum(uint64_t value);
double max(double value);
//! Element-wise sums over ranks, in place, on every rank (integers: exact, whatever the
//! order of the ranks). Domain decomposition's counts go through this.
void sum_in_place(int64_t* values, size_t n);
//! Every rank's bytes ([rank]), on every rank.
std::vector<std::vector<uint8_t>> all_gather(std::vector<uint8_t> mine);
//! Dynamic work sharing: rank 0 hands out work items on request, so that a rank that
//! finishes early takes more. On rank 0 (main thread): answers each other rank's requests
//! with take() (an item number, or -1 when none are left) until every other rank has been
//! answered -1, or until quit() is true; it polls, sleeping between polls, so that it
//! leaves the cores to the work running beside it. Other ranks: request() is the next
//! item (-1: none left).
void serve(const std::function<int64_t()>& take, const std::function<bool()>& quit);
int64_t request();
//! Ends every rank of the job with `code`, after printing `message` to stderr.
[[noreturn]] void abort(int code, const std::string& message);

}  // namespace hscsim::comm
