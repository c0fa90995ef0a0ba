#pragma once
#include <stdexcept>
#include <string>

namespace hscsim {

//! Base of every error hscsim throws. Only main() turns errors into exit codes:
//! InputError (and derived) -> 2, anything else -> 1. The library never exits.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! The user gave us something we cannot accept (bad config, bad argument,
//! missing input file). Exit code 2; nothing is written.
class InputError : public Error {
 public:
  using Error::Error;
};

//! A config value or structure is invalid. The message names file, line, column,
//! key path, the bad value and what is accepted.
class ConfigError : public InputError {
 public:
  using InputError::InputError;
};

//! Something failed while running (I/O error, broken invariant). Exit code 1.
class RuntimeFailure : public Error {
 public:
  using Error::Error;
};

}  // namespace hscsim
