#pragma once
// The HDF5 results file (schema version 1, documented in output/README.md).
// Written to a temporary name next to the target and renamed when complete, so an
// interrupted run never leaves a file that looks finished.
#include <string>
#include <vector>

#include "model/sim/experiment.hpp"

namespace hscsim {

inline constexpr int kSchemaVersion = 1;
inline constexpr const char* kFormatName = "hscsim-results";
inline constexpr const char* kSensitivityFormatName = "hscsim-sensitivity";
inline constexpr const char* kPartFormatName = "hscsim-part";

struct ValidationRow;
struct SensitivitySpec;
struct SensitivityResult;

//! A file being written (results, validation CSV, calibration overlay): created as
//! `<path>.tmp` in the target's folder before anything runs, locked so that a second run
//! writing the same path fails at once, renamed into place by commit(), and removed by the
//! destructor (error, exception, signal) if it was not committed. The target must be a
//! regular file or not exist yet; devices, folders and special files are refused.
class OutputFile {
 public:
  //! Throws InputError (exit 2) if `path` cannot be written, is not a regular file, or
  //! another run is writing it.
  explicit OutputFile(std::string path);
  ~OutputFile();
  OutputFile(OutputFile&& o) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& temp() const { return temp_; }
  //! Replaces the temporary file's contents with `n` bytes. Throws RuntimeFailure (for
  //! example "No space left on device").
  void write(const void* data, size_t n);
  //! Flushes the temporary file to disk and renames it to path(). Throws Interrupted if a
  //! signal arrived (the file is then removed, never renamed), unless `despite_signal`
  //! (a checkpoint written because of the signal); RuntimeFailure on I/O error.
  void commit(bool despite_signal = false);

 private:
  void release();
  std::string path_, temp_;
  int fd_ = -1;
  int slot_ = -1;
};

//! Writes the results (and, from `hscsim validate`, the validation table under
//! /validation) to out.temp() and commits. Throws RuntimeFailure on an I/O error (no file
//! is left behind).
void write_results(OutputFile& out, const Experiment& e, const RunResult& r,
                   const std::vector<ValidationRow>* validation = nullptr);
//! Writes a sensitivity analysis (`hscsim sensitivity`: format hscsim-sensitivity, the
//! root attributes of a results file plus params_yaml, and /sensitivity; output/README.md)
//! to out.temp() and commits. Throws RuntimeFailure.
void write_sensitivity(OutputFile& out, const Experiment& e, const SensitivitySpec& spec, const SensitivityResult& r,
                       const std::string& params_yaml);
//! Writes a text file to out.temp() and commits. Throws RuntimeFailure.
void write_text_file(OutputFile& out, const std::string& text);

//! What `hscsim run --from FILE.h5` needs to reproduce a run.
struct StoredRun {
  std::string config_yaml;
  std::string config_name;
};
//! Reads the resolved config back after verifying the file's checksum (over the stored
//! config and every dataset, written with the results). Throws InputError if the file is
//! not an hscsim results file, has an unsupported schema version, cannot be read, or does
//! not match its checksum. `verified` says whether a checksum was found and matched
//! (files written before checksums were stored have none).
StoredRun read_stored_run(const std::string& path, bool* verified = nullptr);

//! `hscsim run --part K/N`: the part's replicates as the program holds them (format
//! hscsim-part, with the root attributes of a results file, part_index, part_count,
//! person_steps, and /results: the packed bytes, model/sim/experiment.hpp). Throws
//! RuntimeFailure.
void write_part(OutputFile& out, const Experiment& e, const RunResult& r, const Part& part);
struct PartFile {
  std::string path, config_yaml, config_name, version;
  Part part;
  uint64_t person_steps = 0;
  double wall_seconds = 0;
  int32_t threads = 1;
  std::vector<uint8_t> bytes;
};
//! Reads a part file after verifying its checksum. Throws InputError.
PartFile read_part(const std::string& path);
//! The run the parts make together (`hscsim merge`): they must be every part, once, of
//! one config run by one build. Its results equal one run's, bit for bit. Throws InputError.
struct Merged {
  Experiment e;
  RunResult r;
};
Merged merge_parts(const std::vector<PartFile>& parts);

//! `hscsim export FILE.h5 --csv DIR`: one tidy CSV per group of the results file
//! (time series, by quintile, providers and ledgers, comparisons, validation) and a
//! README.txt of columns, units and metrics, each written to a temporary name and renamed.
//! Existing files are replaced only with `force`. Returns the files written. Throws
//! InputError (exit 2) for a missing folder, a file that is not a results file, or a file
//! in the way.
std::vector<std::string> export_csv(const std::string& path, const std::string& dir, bool force);

}  // namespace hscsim
