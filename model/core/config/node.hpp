#pragma once
// The config tree: YAML read into our own nodes so every value remembers where it
// came from (file, line, column), through `extends:` composition and `--set`
// overrides. Validation errors can then point at the exact place a value was written.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hscsim::config {

//! What a config may be, so that no file can exhaust memory, the stack or time. A file
//! beyond a limit is rejected with its location (exit 2).
namespace limits {
inline constexpr size_t kMaxFileBytes = size_t{4} << 20;      //!< one YAML file (or --set value, stored config)
inline constexpr size_t kMaxDepth = 64;                        //!< nesting of maps and lists
inline constexpr size_t kMaxNodes = 500000;                    //!< values in one document, aliases followed
inline constexpr size_t kMaxExpandedBytes = size_t{32} << 20;  //!< text in one document, aliases followed
inline constexpr size_t kMaxFileDepth = 32;                    //!< files on one `extends:`/`include:` chain
}  // namespace limits

//! Where a value was written. line/column are 1-based; line 0 means "not from a file"
//! (a --set override, or a default).
struct Origin {
  std::string file;
  int line = 0;
  int column = 0;
  std::string describe() const;  //!< "file:line:col" or just "file"
};

struct Entry;

struct Node {
  enum class Kind { Null, Scalar, Map, Seq };
  Kind kind = Kind::Null;
  std::string scalar;        //!< text of a scalar, exactly as written
  std::vector<Entry> map;    //!< map entries in the order written
  std::vector<Node> seq;     //!< sequence items
  Origin origin;

  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  bool is_map() const { return kind == Kind::Map; }
  bool is_seq() const { return kind == Kind::Seq; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_null() const { return kind == Kind::Null; }
};

struct Entry {
  std::string key;
  Origin key_origin;
  Node value;
};

//! A map key as a scalar node (located at the key), for checking keys that are names.
Node key_node(const Entry& e);
//! Parses one YAML document. `source` names it in error messages. Throws ConfigError
//! (syntax, a second document, limits, recursive aliases).
Node parse(const std::string& text, const std::string& source);

//! Loads a config file and resolves `extends:` (a path or list of paths, relative to
//! the file; later ones win, and the file itself wins over all of them) and scenarios'
//! `include:`. Maps merge key by key; scalars and lists are replaced whole. Only regular
//! files are read, one YAML document each, within `limits`. Throws ConfigError naming the
//! entry that refers to a missing or unreadable file, a YAML syntax error, a recursive or
//! over-expanding alias, or an `extends:`/`include:` cycle (each step with its line).
Node load(const std::string& path);

//! A quantity given per 100,000 people (`key_per_100000`) and the same quantity given in
//! absolute numbers (`key`) are two forms of one setting: setting either form (by a
//! merge, `--set` or a scenario's `set:`) removes the other form from `map`. Within one
//! file both forms together are an error for the reader of that setting to report.
void drop_other_form(Node& map, const std::string& key);

//! Deep-merges `over` onto `base` (a key replaces its other form: drop_other_form).
void merge(Node& base, const Node& over);

//! Applies one `--set key.path=value` override. `value` is read as YAML, so lists
//! (`[1, 2]`) and maps work. Integer path segments index into lists. Throws
//! ConfigError if the assignment is malformed or the path crosses a scalar.
void apply_override(Node& root, const std::string& assignment);

//! Sets the value at a dotted key path (integer segments index lists) to `value`,
//! creating maps as needed (a key replaces its other form: drop_other_form). `where`
//! names the override in error messages. Throws
//! ConfigError if the path is malformed or crosses a single value.
void set_path(Node& root, const std::string& path, const Node& value, const std::string& where);

//! The node at a dotted key path (integer segments index lists), or nullptr.
const Node* find_path(const Node& root, const std::string& dotted);

//! The number stated at a dotted key path: a parameter other tools set (calibration,
//! sensitivity, uncertainty). Throws ConfigError, starting with `where` (the naming
//! file's location, or empty) and `what` (the tool), if the path is not a key of the
//! config or is not a single finite number.
double number_at(const Node& root, const std::string& dotted, const std::string& where, const std::string& what);

//! The resolved config as YAML text (comments are not kept).
std::string emit(const Node& root);

}  // namespace hscsim::config
