#pragma once
// The HDF5 results file (schema version 1, documented in output/README.md).
// Written to a temporary name next to the target and renamed when complete, so an
// interrupted run never leaves a file that looks finished.
#include <string>
#include <vector>

#include "model/experiment.hpp"

namespace hscsim {

inline constexpr int kSchemaVersion = 1;
inline constexpr const char* kFormatName = "hscsim-results";

struct ValidationRow;
//! Writes the results (and, from `hscsim validate`, the validation table under
//! /validation). Throws RuntimeFailure on an I/O error (no file is left behind).
void write_results(const std::string& path, const Experiment& e, const RunResult& r,
                   const std::vector<ValidationRow>* validation = nullptr);
//! Writes a text file atomically (temporary name, then rename). Throws RuntimeFailure.
void write_text_file(const std::string& path, const std::string& text);

//! What `hscsim run --from FILE.h5` needs to reproduce a run.
struct StoredRun {
  std::string config_yaml;
  std::string config_name;
};
//! Reads the resolved config back. Throws InputError if the file is not an hscsim
//! results file or has an unsupported schema version.
StoredRun read_stored_run(const std::string& path);

//! Throws InputError if `path` cannot be written (missing folder, no permission).
void check_writable(const std::string& path);

}  // namespace hscsim
