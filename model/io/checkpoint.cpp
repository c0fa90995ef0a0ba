#include "model/io/checkpoint.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "model/core/build_info.hpp"
#include "model/core/comm.hpp"
#include "model/core/errors.hpp"
#include "model/io/hdf5.hpp"
#include "model/io/output.hpp"

namespace hscsim {
namespace fs = std::filesystem;
using namespace h5;  // model/io/hdf5.hpp

namespace {
constexpr hsize_t kChunk = hsize_t{1} << 20;  // bytes per chunk of /state (each checksummed)
constexpr int kDeflateLevel = 1;              // fast: a checkpoint is written while the run waits

uint64_t read_u64(hid_t obj, const char* name) {
  uint64_t v = 0;
  Id attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, name);
  check(H5Aread(attr, H5T_NATIVE_UINT64, &v), name);
  return v;
}

std::string gib(double bytes) { return fmt::format("{:.2f} GiB", bytes / double(uint64_t{1} << 30)); }
}  // namespace

std::string checkpoint_build() { return fmt::format("{} {}", build_info::version(), build_info::git_commit()); }

void write_checkpoint(const std::string& path, const CheckpointInfo& given, const std::function<void(archive::Io&)>& state) {
  // The size first (no bytes kept), so that a disk without room is found before HDF5
  // meets it (a full disk once left HDF5 unable to close its file).
  uint64_t bytes = 0;
  {
    auto io = archive::Io::writer([&](const uint8_t*, size_t n) { bytes += n; });
    state(io);
    io.flush();
  }
  const fs::path target(path);
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  struct statvfs v {};
  if (::statvfs(dir.c_str(), &v) == 0) {
    const double free_bytes = double(v.f_bavail) * double(v.f_frsize);
    const double need = double(bytes) * 1.02 + double(64u << 20);  // uncompressed, with the file's own overhead
    if (free_bytes < need)
      throw RuntimeFailure(fmt::format("cannot write the checkpoint '{}': it needs up to {} and '{}' has {} free", path,
                                       gib(need), dir.string(), gib(free_bytes)));
  }
  CheckpointInfo info = given;
  info.state_bytes = bytes;
  info.version = checkpoint_build();
  info.created_utc = utc_now();

  OutputFile out(path);  // <path>.tmp, locked; removed unless committed
  {
    Id fapl(file_access(false), H5Pclose, "file access");
    Id file(H5Fcreate(out.temp().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose, "create the checkpoint file");
    attr_string(file, "format", kCheckpointFormatName);
    attr_scalar<int32_t>(file, "checkpoint_version", kCheckpointVersion, H5T_NATIVE_INT32);
    attr_string(file, "hscsim_version", build_info::version());
    attr_string(file, "git_commit", build_info::git_commit());
    attr_string(file, "config_yaml", info.config_yaml);
    attr_string(file, "config_name", info.config_name);
    attr_string(file, "output", info.output);
    attr_string(file, "part", info.part);
    attr_string(file, "created_utc", info.created_utc);
    attr_scalar<uint64_t>(file, "steps_done", info.steps_done, H5T_NATIVE_UINT64);
    attr_scalar<uint64_t>(file, "steps_total", info.steps_total, H5T_NATIVE_UINT64);
    attr_scalar<uint64_t>(file, "state_bytes", info.state_bytes, H5T_NATIVE_UINT64);
    attr_scalar<uint64_t>(file, "ranks", info.ranks, H5T_NATIVE_UINT64);
    attr_scalar<uint64_t>(file, "rank", info.rank, H5T_NATIVE_UINT64);
    const hsize_t zero = 0, unlimited = H5S_UNLIMITED;
    Id space(H5Screate_simple(1, &zero, &unlimited), H5Sclose, "create data space");
    Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create property list");
    check(H5Pset_chunk(dcpl, 1, &kChunk), "set chunking");
    check(H5Pset_fletcher32(dcpl), "set checksums");
    check(H5Pset_deflate(dcpl, kDeflateLevel), "set compression");
    Id ds(H5Dcreate2(file, "state", H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose, "create /state");
    hsize_t at = 0;
    auto io = archive::Io::writer([&](const uint8_t* p, size_t n) {
      const hsize_t len = n, end = at + len;
      check(H5Dset_extent(ds, &end), "extend /state");
      Id fspace(H5Dget_space(ds), H5Sclose, "read data space");
      check(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &at, nullptr, &len, nullptr), "select");
      Id mspace(H5Screate_simple(1, &len, nullptr), H5Sclose, "create memory space");
      check(H5Dwrite(ds, H5T_NATIVE_UINT8, mspace, fspace, H5P_DEFAULT, p), "write /state");
      at = end;
    });
    state(io);
    io.flush();
    if (at != bytes)
      throw RuntimeFailure(fmt::format("checkpoint state changed size while written ({} then {} bytes)", bytes, at));
    check(H5Fflush(file, H5F_SCOPE_GLOBAL), "flush the checkpoint file");
  }
  out.commit(true);  // even with a signal pending: this is the checkpoint the signal asked for
}

std::string rank_path(const std::string& path, int rank) { return rank == 0 ? path : path + fmt::format(".rank{}", rank); }

Checkpoint::Checkpoint(std::string path) : path_(std::move(path)) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  std::error_code ec;
  if (!fs::is_regular_file(path_, ec))
    throw InputError(fmt::format("error: --resume '{}': {}", path_, fs::exists(path_, ec) ? "not a regular file" : "no such file"));
  try {
    Id fapl(file_access(false), H5Pclose, "file access");
    Id file(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose, "open the file as HDF5");
    const std::string format = read_attr_string(file, "format");
    if (format != kCheckpointFormatName)
      throw InputError(fmt::format("error: --resume '{}' is not an hscsim checkpoint (its format is '{}'; a checkpoint is "
                                   "written by run --checkpoint-every, or when a signal stops a run)",
                                   path_, format.empty() ? "none" : format));
    int32_t version = 0;
    {
      Id attr(H5Aopen(file, "checkpoint_version", H5P_DEFAULT), H5Aclose, "checkpoint_version");
      check(H5Aread(attr, H5T_NATIVE_INT32, &version), "checkpoint_version");
    }
    if (version != kCheckpointVersion)
      throw InputError(fmt::format("error: --resume '{}': checkpoint version {}, this build reads version {}", path_, version,
                                   kCheckpointVersion));
    info_.config_yaml = read_attr_string(file, "config_yaml");
    info_.config_name = read_attr_string(file, "config_name");
    info_.output = read_attr_string(file, "output");
    info_.part = read_attr_string(file, "part");
    info_.created_utc = read_attr_string(file, "created_utc");
    info_.version = read_attr_string(file, "hscsim_version") + " " + read_attr_string(file, "git_commit");
    info_.steps_done = read_u64(file, "steps_done");
    info_.steps_total = read_u64(file, "steps_total");
    info_.state_bytes = read_u64(file, "state_bytes");
    info_.ranks = H5Aexists(file, "ranks") > 0 ? read_u64(file, "ranks") : 1;
    info_.rank = H5Aexists(file, "rank") > 0 ? read_u64(file, "rank") : 0;
  } catch (const RuntimeFailure& e) {
    throw InputError(fmt::format("error: --resume '{}' cannot be read as an hscsim checkpoint: {}", path_, e.what()));
  }
}

void Checkpoint::check_matches(const std::string& config_yaml) const {
  if (info_.version != checkpoint_build())
    throw InputError(fmt::format("error: --resume '{}' was written by hscsim {}; this is hscsim {}. A checkpoint holds the "
                                 "program's own state, so only the build that wrote it can resume it (run that build, or "
                                 "start the run again)",
                                 path_, info_.version, checkpoint_build()));
  if (config_yaml == info_.config_yaml) return;
  std::istringstream a(info_.config_yaml), b(config_yaml);
  std::string la, lb;
  size_t line = 0;
  for (;;) {
    const bool ga = static_cast<bool>(std::getline(a, la)), gb = static_cast<bool>(std::getline(b, lb));
    ++line;
    if (!ga || !gb || la != lb) {
      throw InputError(fmt::format("error: --resume '{}' belongs to a run of another config: the resolved configs differ at "
                                   "line {}:\n  checkpoint: {}\n  this run:   {}\n(resume with the same config and --set "
                                   "options, or with --resume alone to use the checkpoint's own config)",
                                   path_, line, ga ? la : "(end)", gb ? lb : "(end)"));
    }
  }
}

void Checkpoint::read(const std::function<void(archive::Io&)>& state) const {
  try {
    Id fapl(file_access(false), H5Pclose, "file access");
    Id file(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose, "open the file as HDF5");
    Id ds(H5Dopen2(file, "state", H5P_DEFAULT), H5Dclose, "open /state");
    Id space(H5Dget_space(ds), H5Sclose, "read data space");
    const auto total = static_cast<uint64_t>(H5Sget_simple_extent_npoints(space));
    if (total != info_.state_bytes)
      throw RuntimeFailure(fmt::format("/state has {} bytes, the file says {}", total, info_.state_bytes));
    hsize_t at = 0;
    auto io = archive::Io::reader(
        [&](uint8_t* p, size_t n) {
          const hsize_t len = n;
          Id fspace(H5Dget_space(ds), H5Sclose, "read data space");
          check(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &at, nullptr, &len, nullptr), "select");
          Id mspace(H5Screate_simple(1, &len, nullptr), H5Sclose, "create memory space");
          check(H5Dread(ds, H5T_NATIVE_UINT8, mspace, fspace, H5P_DEFAULT, p),
                "read /state (a chunk failed its checksum, or the file is cut short)");
          at += len;
        },
        total);
    state(io);
    if (at != total) throw RuntimeFailure(fmt::format("the run read {} of the state's {} bytes", at, total));
  } catch (const InputError&) {
    throw;
  } catch (const RuntimeFailure& e) {
    throw InputError(fmt::format("error: --resume '{}' is damaged: {}", path_, e.what()));
  } catch (const std::runtime_error& e) {  // the stream does not match the run (archive::Io)
    throw InputError(fmt::format("error: --resume '{}': {}", path_, e.what()));
  }
}

namespace rank_checkpoints {

std::string previous(const std::string& file) { return file + ".prev"; }

bool write(const std::string& base, const CheckpointInfo& info, const std::function<void(archive::Io&)>& state,
           std::string& why) {
  const std::string mine = rank_path(base, comm::rank()), prev = previous(mine);
  std::error_code ec, moved;
  // The previous file steps aside (an atomic rename) rather than being replaced: until
  // every rank's new file is whole, a rank's file of the previous step is always there.
  if (fs::is_regular_file(mine, ec)) fs::rename(mine, prev, moved);
  bool ok = !moved;
  why = moved ? fmt::format("cannot move the checkpoint '{}' aside: {}", mine, moved.message()) : "";
  if (ok) {
    try {
      write_checkpoint(mine, info, state);
    } catch (const RuntimeFailure& err) {
      ok = false;
      why = err.what();
    }
  }
  // For the test of a set left half-written (tests/mpi/domain_test.sh): the last rank's new
  // file is lost, as if the job had been killed before it was renamed, and the job stops.
  if (const char* n = std::getenv("HSCSIM_TEST_KILL_IN_CHECKPOINT"); n && ok) {
    static int saves = 0;
    if (++saves == std::atoi(n)) {
      if (comm::rank() == comm::size() - 1) fs::remove(mine, ec);
      (void)comm::sum(uint64_t{1});
      comm::abort(9, "HSCSIM_TEST_KILL_IN_CHECKPOINT: the job stops while its checkpoint is written");
    }
  }
  if (comm::sum(uint64_t{ok ? 1u : 0u}) == static_cast<uint64_t>(comm::size())) {
    fs::remove(prev, ec);
    return true;
  }
  if (ok) fs::remove(mine, ec);  // back to the previous set
  if (fs::is_regular_file(prev, ec)) fs::rename(prev, mine, ec);
  return false;
}

std::vector<Checkpoint> candidates(const std::string& base, int rank, int ranks, const std::string& config_yaml) {
  const std::string mine = rank_path(base, rank);
  std::vector<Checkpoint> out;
  std::error_code ec;
  for (const std::string& f : {mine, previous(mine)}) {
    if (!fs::exists(f, ec)) continue;
    Checkpoint c(f);
    const CheckpointInfo& info = c.info();
    if (info.ranks != static_cast<uint64_t>(ranks) || info.rank != static_cast<uint64_t>(rank))
      throw InputError(fmt::format("error: --resume '{}' is the checkpoint of rank {} of {} ranks; resume it with mpirun "
                                   "-np {} ... --decompose",
                                   f, info.rank, info.ranks, info.ranks));
    c.check_matches(config_yaml);
    out.push_back(std::move(c));
  }
  if (out.empty())
    throw InputError(fmt::format("error: --resume '{}': rank {} has no checkpoint file ('{}'); resume with the number of "
                                 "ranks that wrote it",
                                 base, rank, mine));
  return out;
}

int64_t common_step(const std::vector<Checkpoint>& mine) {
  // Every rank's steps (at most two each); the newest that every rank has.
  std::vector<uint8_t> bytes(mine.size() * sizeof(uint64_t));
  for (size_t k = 0; k < mine.size(); ++k) std::memcpy(bytes.data() + k * 8, &mine[k].info().steps_done, 8);
  std::vector<std::vector<uint64_t>> steps;
  for (const auto& b : comm::all_gather(std::move(bytes))) {
    steps.emplace_back(b.size() / 8);
    if (!b.empty()) std::memcpy(steps.back().data(), b.data(), b.size());
  }
  int64_t best = -1;
  for (uint64_t s : steps.front()) {
    bool everywhere = true;
    for (const auto& v : steps) everywhere = everywhere && std::find(v.begin(), v.end(), s) != v.end();
    if (everywhere) best = std::max(best, static_cast<int64_t>(s));
  }
  return best;
}

Checkpoint settle(const std::string& base, int rank, const std::vector<Checkpoint>& mine, uint64_t step) {
  const std::string file = rank_path(base, rank);
  std::error_code ec;
  for (const Checkpoint& c : mine) {
    if (c.info().steps_done != step) continue;
    if (c.path() != file) {
      fs::rename(c.path(), file, ec);
      if (ec) throw RuntimeFailure(fmt::format("cannot rename the checkpoint '{}' to '{}': {}", c.path(), file, ec.message()));
    } else {
      fs::remove(previous(file), ec);
    }
    return Checkpoint(file);
  }
  throw std::logic_error("rank_checkpoints::settle: no file of that step");
}

bool remove(const std::string& base, int rank) {
  const std::string file = rank_path(base, rank);
  std::error_code ec;
  fs::remove(previous(file), ec);
  return fs::is_regular_file(file, ec) && fs::remove(file, ec);
}

}  // namespace rank_checkpoints

}  // namespace hscsim
