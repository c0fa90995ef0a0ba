#include "model/core/comm.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#ifdef HSCSIM_MPI
#define OMPI_SKIP_MPICXX 1   // the C API only: the MPI C++ bindings are deprecated and
#define MPICH_SKIP_MPICXX 1  // need a library we do not link
#include <mpi.h>
#endif

namespace hscsim::comm {

#ifdef HSCSIM_MPI
namespace {
bool active() {
  int init = 0, done = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&done);
  return init && !done;
}
void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}
constexpr size_t kChunk = size_t{1} << 30;  // MPI counts are int: send in chunks below 2 GiB
}  // namespace

void init(int* argc, char*** argv) {
  int provided = 0;
  // Serialised: a domain-decomposed run's collectives come from the thread that steps the
  // world (one at a time), which need not be the main thread.
  MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}
void finalize() {
  if (active()) MPI_Finalize();
}
bool built_with_mpi() { return true; }
std::string library_version() {
  char v[MPI_MAX_LIBRARY_VERSION_STRING];
  int n = 0;
  MPI_Get_library_version(v, &n);
  std::string s(v, static_cast<size_t>(n));
  const size_t nl = s.find_first_of(",\n");
  return nl == std::string::npos ? s : s.substr(0, nl);
}
int rank() {
  int r = 0;
  if (active()) MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int size() {
  int n = 1;
  if (active()) MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}
std::string broadcast(const std::string& value) {
  if (size() == 1) return value;
  uint64_t n = value.size();
  check(MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "broadcast");
  std::string out = rank() == 0 ? value : std::string(n, '\0');
  for (size_t at = 0; at < n; at += kChunk)
    check(MPI_Bcast(out.data() + at, static_cast<int>(std::min(kChunk, n - at)), MPI_CHAR, 0, MPI_COMM_WORLD), "broadcast");
  return out;
}
int broadcast(int value) {
  if (size() == 1) return value;
  check(MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD), "broadcast");
  return value;
}
std::vector<std::vector<uint8_t>> gather(const std::vector<uint8_t>& mine) {
  const int n = size(), me = rank();
  if (n == 1) return {mine};
  if (me != 0) {
    uint64_t len = mine.size();
    check(MPI_Send(&len, 1, MPI_UINT64_T, 0, 1, MPI_COMM_WORLD), "send");
    for (size_t at = 0; at < len; at += kChunk)
      check(MPI_Send(mine.data() + at, static_cast<int>(std::min(kChunk, len - at)), MPI_BYTE, 0, 2, MPI_COMM_WORLD), "send");
    return {};
  }
  std::vector<std::vector<uint8_t>> all(static_cast<size_t>(n));
  all[0] = mine;
  for (int r = 1; r < n; ++r) {
    uint64_t len = 0;
    check(MPI_Recv(&len, 1, MPI_UINT64_T, r, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "receive");
    all[r].resize(len);
    for (size_t at = 0; at < len; at += kChunk)
      check(MPI_Recv(all[r].data() + at, static_cast<int>(std::min(kChunk, len - at)), MPI_BYTE, r, 2, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE),
            "receive");
  }
  return all;
}
uint64_t sum(uint64_t value) {
  if (size() == 1) return value;
  uint64_t out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD), "sum");
  return out;
}
double max(double value) {
  if (size() == 1) return value;
  double out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD), "max");
  return out;
}
void sum_in_place(int64_t* values, size_t n) {
  if (size() == 1) return;
  for (size_t at = 0; at < n; at += kChunk / 8)
    check(MPI_Allreduce(MPI_IN_PLACE, values + at, static_cast<int>(std::min(kChunk / 8, n - at)), MPI_INT64_T, MPI_SUM,
                        MPI_COMM_WORLD),
          "sum");
}
std::vector<std::vector<uint8_t>> all_gather(std::vector<uint8_t> mine) {
  const int n = size();
  if (n == 1) return {std::move(mine)};
  std::vector<uint64_t> len(static_cast<size_t>(n), 0);
  const uint64_t own = mine.size();
  check(MPI_Allgather(&own, 1, MPI_UINT64_T, len.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD), "all-gather");
  std::vector<std::vector<uint8_t>> all(static_cast<size_t>(n));
  for (int r = 0; r < n; ++r) all[static_cast<size_t>(r)].resize(len[static_cast<size_t>(r)]);
  all[static_cast<size_t>(rank())] = std::move(mine);
  // Each rank's bytes in turn from it (a broadcast per rank, in chunks below 2 GiB).
  for (int r = 0; r < n; ++r) {
    auto& buf = all[static_cast<size_t>(r)];
    for (size_t at = 0; at < buf.size(); at += kChunk)
      check(MPI_Bcast(buf.data() + at, static_cast<int>(std::min(kChunk, buf.size() - at)), MPI_BYTE, r, MPI_COMM_WORLD),
            "all-gather");
  }
  return all;
}
namespace {
constexpr int kTagAsk = 101, kTagGive = 102;
}
void serve(const std::function<int64_t()>& take, const std::function<bool()>& quit) {
  int answered_none = 0;
  const int others = size() - 1;
  while (answered_none < others && !quit()) {
    int pending = 0;
    MPI_Status status;
    check(MPI_Iprobe(MPI_ANY_SOURCE, kTagAsk, MPI_COMM_WORLD, &pending, &status), "probe");
    if (!pending) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
      continue;
    }
    int ask = 0;
    check(MPI_Recv(&ask, 1, MPI_INT, status.MPI_SOURCE, kTagAsk, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "receive");
    const int64_t item = take();
    check(MPI_Send(&item, 1, MPI_INT64_T, status.MPI_SOURCE, kTagGive, MPI_COMM_WORLD), "send");
    answered_none += item < 0;
  }
}
int64_t request() {
  int ask = 1;
  int64_t item = -1;
  check(MPI_Send(&ask, 1, MPI_INT, 0, kTagAsk, MPI_COMM_WORLD), "send");
  check(MPI_Recv(&item, 1, MPI_INT64_T, 0, kTagGive, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "receive");
  return item;
}
void abort(int code, const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  if (active() && size() > 1) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

#else  // no MPI: one process

void init(int*, char***) {}
void finalize() {}
bool built_with_mpi() { return false; }
std::string library_version() { return ""; }
int rank() { return 0; }
int size() { return 1; }
std::string broadcast(const std::string& value) { return value; }
int broadcast(int value) { return value; }
std::vector<std::vector<uint8_t>> gather(const std::vector<uint8_t>& mine) { return {mine}; }
uint64_t sum(uint64_t value) { return value; }
double max(double value) { return value; }
void sum_in_place(int64_t*, size_t) {}
std::vector<std::vector<uint8_t>> all_gather(std::vector<uint8_t> mine) { return {std::move(mine)}; }
void serve(const std::function<int64_t()>&, const std::function<bool()>&) {}
int64_t request() { return -1; }
void abort(int code, const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::exit(code);
}

#endif

}  // namespace hscsim::comm
