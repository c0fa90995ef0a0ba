#pragma once
// Small helpers for the HDF5 C API shared by the results, part and checkpoint files: an
// owning id, error checks that throw RuntimeFailure, and string and scalar attributes.
#include <hdf5.h>

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

}  // namespace hscsim::h5
