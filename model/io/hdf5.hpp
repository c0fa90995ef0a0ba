#pragma once
// Small helpers for the HDF5 C API shared by the results, part and checkpoint files: an
// owning id, error checks that throw RuntimeFailure, string and scalar attributes, file
// access settings and the creation time.
#include <hdf5.h>

#include <ctime>
#include <string>

#include <fmt/format.h>

#include "model/core/errors.hpp"

namespace hscsim::h5 {

// Minimal RAII for HDF5 ids.
struct Id {
  hid_t id = -1;
  herr_t (*close)(hid_t) = nullptr;
  Id(hid_t i, herr_t (*c)(hid_t), const char* what) : id(i), close(c) {
    if (i < 0) throw RuntimeFailure(fmt::format("HDF5: cannot {}", what));
  }
  ~Id() {
    if (id >= 0 && close) close(id);
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  operator hid_t() const { return id; }
};

inline void check(herr_t rc, const char* what) {
  if (rc < 0) throw RuntimeFailure(fmt::format("HDF5: cannot {}", what));
}

inline void attr_string(hid_t obj, const char* name, const std::string& value) {
  Id type(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type");
  check(H5Tset_size(type, H5T_VARIABLE), "set string size");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "set UTF-8");
  Id space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  Id attr(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, "create attribute");
  const char* p = value.c_str();
  check(H5Awrite(attr, type, &p), "write attribute");
}

template <typename T>
inline void attr_scalar(hid_t obj, const char* name, T value, hid_t type) {
  Id space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  Id attr(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, "create attribute");
  check(H5Awrite(attr, type, &value), "write attribute");
}

//! A string attribute, or "" if there is none (or it is not a string).
inline std::string read_attr_string(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  Id attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, "open attribute");
  Id type(H5Aget_type(attr), H5Tclose, "read attribute type");
  if (H5Tget_class(type) != H5T_STRING) return {};
  if (H5Tis_variable_str(type) > 0) {
    char* p = nullptr;
    Id mem(H5Tcopy(H5T_C_S1), H5Tclose, "copy type");
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5T_CSET_UTF8);
    check(H5Aread(attr, mem, &p), "read attribute");
    std::string s = p ? p : "";
    H5free_memory(p);
    return s;
  }
  std::string s(H5Tget_size(type), '\0');
  check(H5Aread(attr, type, s.data()), "read attribute");
  return s.c_str();
}

//! The time now, UTC, ISO 8601 (the files' created_utc).
inline std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// File access: no HDF5 file locking, and closing the file closes everything still open
// in it. With `in_memory`, the file is built in memory (HDF5's core driver, no backing
// store) and we write its image ourselves: HDF5 never meets a disk error (a full disk once
// left it with a file it could not close, and it crashed at exit).
inline hid_t file_access(bool in_memory) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) throw RuntimeFailure("HDF5: cannot create file access list");
  H5Pset_file_locking(fapl, false, true);
  H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
  if (in_memory && H5Pset_fapl_core(fapl, size_t{1} << 22, false) < 0) {
    H5Pclose(fapl);
    throw RuntimeFailure("HDF5: cannot select the in-memory driver");
  }
  return fapl;
}

}  // namespace hscsim::h5
