#pragma once
// The config reference (docs/config-reference.md), generated from the code's own key
// declarations: every Reader call declares its key's type, range and default, so
// reading a set of configs with a SchemaCapture active lists every key those configs
// exercise. `scripts/config-reference` runs it over the shipped configs; a test checks
// that the committed file is up to date.
#include <string>
#include <vector>

namespace hscsim {

//! Markdown for the keys declared while reading `configs` (each resolved with its
//! scenarios). `names` are the paths as shown in the header. Throws ConfigError.
std::string config_reference(const std::vector<std::string>& configs, const std::vector<std::string>& names);

//! The unit a key's name states (suffix rule, e.g. _per_year, _gbp, _days), or "".
std::string unit_of_key(const std::string& path);

}  // namespace hscsim
