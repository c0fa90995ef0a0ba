#pragma once
// Typed, validating access to one map of the config tree. Each module reads its own
// section through a Reader: the call that reads a key is also the declaration of that
// key (name, type, range). Reading records which keys were used, and finish() rejects
// any key nobody read, with a "did you mean" suggestion. Every error names the file,
// line, column, the key path, the bad value and what is accepted.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/core/config/node.hpp"
#include "model/core/errors.hpp"

namespace hscsim::config {

//! Accepted closed interval for a number.
struct Range {
  double min;
  double max;
  //! "a number in [min, max]"; `exact` shows the bounds with every digit (else six).
  std::string describe(bool integer, bool exact = false) const;
};
//! Whole numbers are read through a double: above 2^53 they are no longer exact, and a
//! cast to int64 would overflow, so larger values are rejected.
inline constexpr double kMaxWholeNumber = 9007199254740992.0;  // 2^53
//! Every capacity (beds, places, appointments or hours a week, per provider or per
//! 100,000 people): small enough that capacity x days x any multiplier stays far inside
//! int64 in the allocation arithmetic.
inline constexpr double kMaxCapacity = 1e9;
//! Names (providers, neighbourhoods, services, scenarios, targets) become HDF5 group names.
inline constexpr size_t kMaxNameLength = 64;

Range probability();   //!< [0, 1]
Range capacity();      //!< [0, kMaxCapacity]
Range non_negative();  //!< [0, inf)
Range positive_rr();   //!< relative risk: [0, 1000]

//! A table by age band: rows start at from_age_years (first 0, strictly increasing),
//! the last band is open-ended. Each named column holds one value per band.
struct AgeTable {
  std::vector<double> from_age_years;
  std::vector<std::string> columns;
  std::vector<std::vector<double>> values;  //!< values[column][row]
  static constexpr int kMaxAge = 130;       //!< ages above this use the last band
  std::vector<uint8_t> row_of_age;          //!< row index for each whole year 0..kMaxAge

  size_t rows() const { return from_age_years.size(); }
  size_t row(int age_years) const {
    return row_of_age[static_cast<size_t>(age_years < 0 ? 0 : (age_years > kMaxAge ? kMaxAge : age_years))];
  }
  //! A one-row table holding the same value in each column (scalar shorthand).
  static AgeTable constant(const std::vector<std::string>& columns, double value);
  void index();  //!< builds row_of_age
};

//! One declared key, as recorded while configs are read (for the generated reference).
struct KeyDoc {
  std::string path;      //!< dotted; list items as [], user-chosen names as <name>
  std::string type;      //!< number, whole number, true/false, text, choice, list, map, age table ...
  std::string accepted;  //!< range or accepted values
  std::string fallback;  //!< default when omitted; "required" when it must be given
};

//! While alive, every Reader call records the key it declares (one capture at a time;
//! not thread-safe, meant for `hscsim info --config-reference`).
class SchemaCapture {
 public:
  SchemaCapture();
  ~SchemaCapture();
  SchemaCapture(const SchemaCapture&) = delete;
  SchemaCapture& operator=(const SchemaCapture&) = delete;
  //! Keys in first-seen order, one entry per path.
  const std::vector<KeyDoc>& keys() const { return keys_; }
  void record(KeyDoc k);

 private:
  std::vector<KeyDoc> keys_;
};

class Reader {
 public:
  //! `node` must be a map (throws ConfigError naming `path` otherwise).
  Reader(const Node& node, std::string path);

  const std::string& path() const { return path_; }
  const Node& node() const { return *node_; }
  bool has(std::string_view key) const;

  double real(std::string_view key, const Range& r);
  double real(std::string_view key, const Range& r, double fallback);
  int64_t integer(std::string_view key, const Range& r);
  int64_t integer(std::string_view key, const Range& r, int64_t fallback);
  bool boolean(std::string_view key);
  bool boolean(std::string_view key, bool fallback);
  std::string text(std::string_view key);
  std::string text(std::string_view key, const std::string& fallback);
  //! A name: 1 to kMaxNameLength letters, digits, '_' or '-'.
  std::string name(std::string_view key);
  std::string choice(std::string_view key, const std::vector<std::string>& accepted);
  std::string choice(std::string_view key, const std::vector<std::string>& accepted, const std::string& fallback);
  //! choice() among `names`, returned as the index of the name chosen (for an enum whose
  //! config names are listed in enum order).
  template <size_t N>
  size_t choice_index(std::string_view key, const std::array<std::string_view, N>& names) {
    const std::string v = choice(key, {names.begin(), names.end()});
    return static_cast<size_t>(std::find(names.begin(), names.end(), v) - names.begin());
  }

  //! A list of exactly `n` numbers in range (n = 0: any length >= 1).
  std::vector<double> reals(std::string_view key, size_t n, const Range& r);
  std::vector<double> reals(std::string_view key, size_t n, const Range& r, const std::vector<double>& fallback);

  Reader child(std::string_view key);
  std::optional<Reader> optional_child(std::string_view key);
  //! A list of maps.
  std::vector<Reader> list(std::string_view key);

  //! An age table: a list of rows {from_age_years: A, <col>: v, ...}, or a single
  //! number meaning the same value at every age in every column (when allow_scalar).
  AgeTable age_table(std::string_view key, const std::vector<std::string>& columns, const Range& r,
                     bool allow_scalar = true);
  //! age_table(), or `fallback` in every column at every age when the key is omitted.
  AgeTable age_table(std::string_view key, const std::vector<std::string>& columns, const Range& r, double fallback);

  //! age_table(), or the word `keyword` in its place: then nothing (the caller derives
  //! the table). Any other word is an error that names the accepted forms.
  std::optional<AgeTable> age_table_or(std::string_view key, std::string_view keyword,
                                       const std::vector<std::string>& columns, const Range& r);

  //! Whether `key` holds the word `word` (then it counts as read); otherwise the caller
  //! reads it in its other form, which `form` names for the config reference.
  bool word_instead(std::string_view key, std::string_view word, std::string_view form);

  //! Marks a key as read without reading it (for keys handled elsewhere).
  void skip(std::string_view key);

  //! Declares that this map's keys are names the user chooses (conditions, practices,
  //! contract kinds ...): the config reference shows them as `placeholder`.
  void names(std::string placeholder) { names_ = std::move(placeholder); }

  //! Throws ConfigError for the first key that nobody read.
  void finish() const;

  //! Builds an error located at `n` for key path `path`.
  ConfigError error(const Node& n, const std::string& path, const std::string& message) const;
  ConfigError error(std::string_view key, const std::string& message) const;  //!< at this map's key
  std::string key_path(std::string_view key) const;

 private:
  const Node& require(std::string_view key, const char* expected);
  const Node* lookup(std::string_view key);
  double to_real(const Node& n, const std::string& path, const Range& r, bool integer) const;

  //! Records `key` in the active SchemaCapture, if any.
  void declare(std::string_view key, std::string type, std::string accepted, std::string fallback) const;
  std::string schema_key(std::string_view key) const;  //!< key path as shown in the reference
  Reader sub(const Node& n, std::string path, std::string schema) const;

  const Node* node_;
  std::string path_;
  std::string schema_;  //!< path with list indices as [] and names as placeholders
  std::string names_;   //!< placeholder for user-chosen keys ("" = keys are fixed)
  std::vector<std::string> used_;
};

//! Checks that shares sum to 1 within `tolerance`; then rescales them to sum exactly 1.
void require_shares(std::vector<double>& shares, const Node& where, const std::string& path, double tolerance = 1e-3);

//! Levenshtein distance, for "did you mean".
size_t edit_distance(std::string_view a, std::string_view b);
//! The closest of `candidates` to `word`, or "" when none is close.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
//! "; did you mean 'x'?" with the closest of `candidates` to `word`, or `otherwise` when
//! none is close: the one way every "unknown name" message suggests a fix.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                         std::string_view otherwise = "");

}  // namespace hscsim::config
