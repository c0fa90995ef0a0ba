#pragma once
// Checkpoint files (format hscsim-checkpoint, documented in output/README.md): the whole
// state of a run paused between steps (model/sim/experiment.hpp, Checkpointing), with the
// config and the build that wrote it, so that `hscsim run --resume FILE` continues it
// and ends with the results the uninterrupted run would have written, bit for bit.
//
// Written like the results: to `<path>.tmp`, flushed to disk and renamed, so a file at
// the checkpoint's path is always a complete checkpoint (the previous one until the new
// one is whole). The state is one uint8 dataset, /state, streamed in chunks (deflate and
// Fletcher-32 checksums per chunk), so that a 56-million-person run is never held twice.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/core/archive.hpp"

namespace hscsim {

inline constexpr const char* kCheckpointFormatName = "hscsim-checkpoint";
inline constexpr int kCheckpointVersion = 1;

//! What a checkpoint says about the run it belongs to (its root attributes).
struct CheckpointInfo {
  std::string config_yaml;  //!< the resolved config
  std::string config_name;
  std::string output;       //!< the results file the run writes
  std::string part;         //!< "K/N" for a part of a job array, "" for the whole run
  std::string version;      //!< hscsim_version and git_commit of the build
  uint64_t steps_done = 0, steps_total = 0;
  uint64_t state_bytes = 0;
  std::string created_utc;
  //! A domain-decomposed run's checkpoint is one file per rank (rank_path): the ranks of
  //! the run that wrote it, and the rank this file is of (1 and 0 for one process).
  uint64_t ranks = 1, rank = 0;
};

//! The checkpoint file of rank `rank` of a domain-decomposed run whose checkpoint is
//! `path`: rank 0's is `path` itself, rank k's is `path` + ".rank<k>".
std::string rank_path(const std::string& path, int rank);

//! The build's identity as checkpoints record it ("<version> <commit>").
std::string checkpoint_build();

//! Writes a checkpoint to `path` atomically (temporary name, fsync, rename), even while a
//! signal is pending; `state` is called twice, once to size the state (checked against
//! the free space of the folder) and once to write it. Throws RuntimeFailure (nothing is
//! left at the temporary name; an earlier checkpoint at `path` is kept).
void write_checkpoint(const std::string& path, const CheckpointInfo& info,
                      const std::function<void(archive::Io&)>& state);

//! A checkpoint opened for resuming: its info, and its state read on demand.
class Checkpoint {
 public:
  //! Opens and checks the file (format, version of the format). Throws InputError
  //! (exit 2) if it is not a checkpoint or cannot be read.
  explicit Checkpoint(std::string path);
  const CheckpointInfo& info() const { return info_; }
  const std::string& path() const { return path_; }
  //! Throws InputError (exit 2) unless this build wrote it and `config_yaml` (the
  //! resolved config of the run resuming) is its config: the message names the first
  //! line that differs.
  void check_matches(const std::string& config_yaml) const;
  //! Calls `state` with a reader over the stored state. Throws InputError if the state is
  //! damaged (a chunk's checksum fails, or the stream does not match the run).
  void read(const std::function<void(archive::Io&)>& state) const;

 private:
  std::string path_;
  CheckpointInfo info_;
};

//! A domain-decomposed run's checkpoints: a file per rank (rank_path). While a new set is
//! written, each rank's previous file stays beside its new one as `<file>.prev` until
//! every rank's new file is whole, so that a job killed meanwhile still leaves a step that
//! every rank has, which resuming finds. Each call is collective (every rank makes it, at
//! the same point) unless it says not.
namespace rank_checkpoints {

//! `<file>.prev`: a rank's previous file while a new set is written.
std::string previous(const std::string& file);
//! Writes this rank's file of the set at `base` (rank 0's path). True when every rank's new
//! file is whole (the previous set is then removed); otherwise every rank's files are the
//! previous set again, and `why` says this rank's error ("" if it was another rank's).
bool write(const std::string& base, const CheckpointInfo& info, const std::function<void(archive::Io&)>& state,
           std::string& why);
//! This rank's files of the set at `base` (its file and its `.prev`, those there), opened,
//! and checked to be this rank's of `ranks` ranks, of this config. Not collective; throws
//! InputError (exit 2) if there is none, or one is another rank's or another run's.
std::vector<Checkpoint> candidates(const std::string& base, int rank, int ranks, const std::string& config_yaml);
//! The newest step that a file of every rank holds (`mine`: this rank's candidates), or -1.
int64_t common_step(const std::vector<Checkpoint>& mine);
//! Makes this rank's file at the set's name the one of `step` (the other removed; not
//! collective) and opens it.
Checkpoint settle(const std::string& base, int rank, const std::vector<Checkpoint>& mine, uint64_t step);
//! Removes this rank's files (not collective); true if there was one.
bool remove(const std::string& base, int rank);

}  // namespace rank_checkpoints

}  // namespace hscsim
