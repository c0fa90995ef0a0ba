#pragma once
//! Facts about this build, recorded in every results file.
namespace hscsim::build_info {
const char* version();     //!< semantic version of hscsim
const char* git_commit();  //!< commit hash at build time, "-dirty" if the tree had changes
const char* build_type();  //!< CMake build type
const char* compiler();    //!< compiler id and version
}  // namespace hscsim::build_info
