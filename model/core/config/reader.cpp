#include "model/core/config/reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace hscsim::config {

namespace {
std::string fmt_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:g}", v);
}
std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}
const char* kind_name(const Node& n) {
  switch (n.kind) {
    case Node::Kind::Map: return "a map";
    case Node::Kind::Seq: return "a list";
    case Node::Kind::Scalar: return "a single value";
    default: return "nothing";
  }
}
}  // namespace

std::string Range::describe(bool integer, bool exact) const {
  const char* what = integer ? "a whole number" : "a number";
  const double inf = std::numeric_limits<double>::infinity();
  const auto num = [exact](double v) { return exact && std::isfinite(v) ? fmt::format("{}", v) : fmt_number(v); };
  if (min == -inf && max == inf) return what;
  if (max == inf) return fmt::format("{} >= {}", what, num(min));
  if (min == -inf) return fmt::format("{} <= {}", what, num(max));
  return fmt::format("{} in [{}, {}]", what, num(min), num(max));
}
Range probability() { return {0.0, 1.0}; }
Range capacity() { return {0.0, kMaxCapacity}; }
Range non_negative() { return {0.0, std::numeric_limits<double>::infinity()}; }
Range positive_rr() { return {0.0, 1000.0}; }

AgeTable AgeTable::constant(const std::vector<std::string>& cols, double value) {
  AgeTable t;
  t.from_age_years = {0.0};
  t.columns = cols;
  t.values.assign(cols.size(), std::vector<double>{value});
  t.index();
  return t;
}

void AgeTable::index() {
  row_of_age.assign(kMaxAge + 1, 0);
  size_t r = 0;
  for (int a = 0; a <= kMaxAge; ++a) {
    while (r + 1 < from_age_years.size() && from_age_years[r + 1] <= a) ++r;
    row_of_age[static_cast<size_t>(a)] = static_cast<uint8_t>(r);
  }
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::numeric_limits<size_t>::max();
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Close enough to be a typo: at most a third of the word's letters wrong (min 1, max 3).
  size_t limit = std::clamp<size_t>(word.size() / 3, 1, 3);
  return best_d <= limit ? best : std::string();
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates, std::string_view otherwise) {
  const std::string c = closest(word, candidates);
  return c.empty() ? std::string(otherwise) : fmt::format("; did you mean '{}'?", c);
}

namespace {
SchemaCapture* g_capture = nullptr;
std::string fmt_fallback(double v) { return fmt_number(v); }
//! An age table's row keys as the reference lists them: "from_age_years, <columns>".
std::string table_columns(const std::vector<std::string>& columns) {
  std::string cols = "from_age_years";
  for (const auto& c : columns) cols += ", " + c;
  return cols;
}
}  // namespace

SchemaCapture::SchemaCapture() { g_capture = this; }
SchemaCapture::~SchemaCapture() { g_capture = nullptr; }
void SchemaCapture::record(KeyDoc k) {
  for (auto& o : keys_)
    if (o.path == k.path) {
      if (o.fallback == "required" && k.fallback != "required") o.fallback = k.fallback;
      return;
    }
  keys_.push_back(std::move(k));
}

void Reader::declare(std::string_view key, std::string type, std::string accepted, std::string fallback) const {
  if (g_capture) g_capture->record({schema_key(key), std::move(type), std::move(accepted), std::move(fallback)});
}
std::string Reader::schema_key(std::string_view key) const {
  const std::string k = names_.empty() ? std::string(key) : names_;
  return schema_.empty() ? k : schema_ + "." + k;
}
Reader Reader::sub(const Node& n, std::string path, std::string schema) const {
  Reader r(n, std::move(path));
  r.schema_ = std::move(schema);
  return r;
}

Reader::Reader(const Node& node, std::string path) : node_(&node), path_(std::move(path)) {
  // Shown in the reference with list indices as [].
  for (size_t i = 0; i < path_.size(); ++i) {
    if (path_[i] == '[') {
      schema_ += "[]";
      while (i < path_.size() && path_[i] != ']') ++i;
    } else {
      schema_ += path_[i];
    }
  }
  if (!node.is_map())
    throw ConfigError(fmt::format("{}: error: {}: expected a map of keys, got {}", node.origin.describe(),
                                  path_.empty() ? "(top level)" : path_, kind_name(node)));
}

std::string Reader::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

ConfigError Reader::error(const Node& n, const std::string& path, const std::string& message) const {
  return ConfigError(fmt::format("{}: error: {}: {}", n.origin.describe(), path, message));
}

ConfigError Reader::error(std::string_view key, const std::string& message) const {
  const Node* n = node_->find(key);
  return error(n ? *n : *node_, key_path(key), message);
}

bool Reader::has(std::string_view key) const { return node_->find(key) != nullptr; }

const Node* Reader::lookup(std::string_view key) {
  const Node* n = node_->find(key);
  if (std::find(used_.begin(), used_.end(), key) == used_.end()) used_.emplace_back(key);
  return n;
}

void Reader::skip(std::string_view key) { lookup(key); }

const Node& Reader::require(std::string_view key, const char* expected) {
  const Node* n = lookup(key);
  if (!n) throw error(*node_, key_path(key), fmt::format("required key is missing (expected {})", expected));
  return *n;
}

namespace {
//! The whole scalar as a finite number (a leading '+' allowed), or nothing.
std::optional<double> parse_number(const std::string& s) {
  double v = 0;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (!s.empty() && *first == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (s.empty() || ec != std::errc() || ptr != last || !std::isfinite(v)) return std::nullopt;
  return v;
}
}  // namespace

double Reader::to_real(const Node& n, const std::string& path, const Range& r, bool integer) const {
  if (!n.is_scalar())
    throw error(n, path, fmt::format("expected {}, got {}", r.describe(integer), kind_name(n)));
  const std::string& s = n.scalar;
  const std::optional<double> parsed = parse_number(s);
  if (!parsed)
    throw error(n, path, fmt::format("'{}' is not {}; expected {}", s, integer ? "a whole number" : "a number",
                                     r.describe(integer)));
  const double v = *parsed;
  if (integer && v != std::floor(v))
    throw error(n, path, fmt::format("{} is not a whole number; expected {}", s, r.describe(true)));
  if (v < r.min || v > r.max) {
    // When the bound reads like the value at six digits, show the bounds exactly.
    const bool close = fmt_number(v) == fmt_number(v < r.min ? r.min : r.max);
    throw error(n, path, fmt::format("{} is out of range; expected {}", s, r.describe(integer, close)));
  }
  if (integer && std::fabs(v) > kMaxWholeNumber)
    throw error(n, path, fmt::format("{} is too large; whole numbers are accepted up to {}", s,
                                     fmt_number(kMaxWholeNumber)));
  return v;
}

double Reader::real(std::string_view key, const Range& r) {
  declare(key, "number", r.describe(false), "required");
  return to_real(require(key, r.describe(false).c_str()), key_path(key), r, false);
}
double Reader::real(std::string_view key, const Range& r, double fallback) {
  declare(key, "number", r.describe(false), fmt_fallback(fallback));
  const Node* n = lookup(key);
  return n ? to_real(*n, key_path(key), r, false) : fallback;
}
int64_t Reader::integer(std::string_view key, const Range& r) {
  declare(key, "whole number", r.describe(true), "required");
  return static_cast<int64_t>(to_real(require(key, r.describe(true).c_str()), key_path(key), r, true));
}
int64_t Reader::integer(std::string_view key, const Range& r, int64_t fallback) {
  declare(key, "whole number", r.describe(true), std::to_string(fallback));
  const Node* n = lookup(key);
  return n ? static_cast<int64_t>(to_real(*n, key_path(key), r, true)) : fallback;
}

namespace {
bool to_bool(const Reader& rd, const Node& n, const std::string& path) {
  if (n.is_scalar()) {
    if (n.scalar == "true" || n.scalar == "True" || n.scalar == "TRUE") return true;
    if (n.scalar == "false" || n.scalar == "False" || n.scalar == "FALSE") return false;
  }
  throw rd.error(n, path, fmt::format("'{}' is not accepted; expected true or false",
                                      n.is_scalar() ? n.scalar : kind_name(n)));
}
}  // namespace

bool Reader::boolean(std::string_view key) {
  declare(key, "true/false", "true, false", "required");
  return to_bool(*this, require(key, "true or false"), key_path(key)); }
bool Reader::boolean(std::string_view key, bool fallback) {
  declare(key, "true/false", "true, false", fallback ? "true" : "false");
  const Node* n = lookup(key);
  return n ? to_bool(*this, *n, key_path(key)) : fallback;
}

std::string Reader::text(std::string_view key) {
  declare(key, "text", "", "required");
  const Node& n = require(key, "a text value");
  if (!n.is_scalar()) throw error(n, key_path(key), fmt::format("expected a text value, got {}", kind_name(n)));
  return n.scalar;
}
std::string Reader::text(std::string_view key, const std::string& fallback) {
  declare(key, "text", "", fallback.empty() ? "(empty)" : fallback);
  if (!has(key)) return (lookup(key), fallback);
  const Node& n = *lookup(key);
  if (!n.is_scalar()) throw error(n, key_path(key), fmt::format("expected a text value, got {}", kind_name(n)));
  return n.scalar;
}

std::string Reader::name(std::string_view key) {
  declare(key, "name", fmt::format("1 to {} letters, digits, _ or -", kMaxNameLength), "required");
  const Node& n = require(key, "a name");
  if (!n.is_scalar()) throw error(n, key_path(key), fmt::format("expected a name, got {}", kind_name(n)));
  const std::string& s = n.scalar;
  const bool ok = !s.empty() && s.size() <= kMaxNameLength &&
                  std::all_of(s.begin(), s.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
                  });
  if (!ok)
    throw error(n, key_path(key),
                fmt::format("'{}' is not accepted as a name; a name is 1 to {} letters, digits, _ or - (no spaces)",
                            s.size() > 80 ? s.substr(0, 60) + "..." : s, kMaxNameLength));
  return s;
}

std::string Reader::choice(std::string_view key, const std::vector<std::string>& accepted) {
  declare(key, "choice", join(accepted), "required");
  const Node& n = require(key, fmt::format("one of: {}", join(accepted)).c_str());
  if (n.is_scalar() && std::find(accepted.begin(), accepted.end(), n.scalar) != accepted.end()) return n.scalar;
  std::string got = n.is_scalar() ? "'" + n.scalar + "'" : kind_name(n);
  std::string hint;
  if (n.is_scalar()) {
    std::string c = closest(n.scalar, accepted);
    if (!c.empty()) hint = fmt::format(" (did you mean '{}'?)", c);
  }
  throw error(n, key_path(key), fmt::format("{} is not accepted{}; expected one of: {}", got, hint, join(accepted)));
}
std::string Reader::choice(std::string_view key, const std::vector<std::string>& accepted, const std::string& fallback) {
  declare(key, "choice", join(accepted), fallback);
  if (!has(key)) return fallback;
  return choice(key, accepted);
}

std::vector<double> Reader::reals(std::string_view key, size_t n, const Range& r) {
  declare(key, n ? fmt::format("list of {} numbers", n) : "list of numbers", r.describe(false), "required");
  const Node& node = require(key, n ? fmt::format("a list of {} numbers", n).c_str() : "a list of numbers");
  const std::string p = key_path(key);
  if (!node.is_seq())
    throw error(node, p, fmt::format("expected a list of {} numbers, got {}", n ? std::to_string(n) : "", kind_name(node)));
  if ((n && node.seq.size() != n) || node.seq.empty())
    throw error(node, p, fmt::format("expected a list of {} numbers, got {}", n ? std::to_string(n) : "one or more",
                                     node.seq.size()));
  std::vector<double> out;
  for (size_t i = 0; i < node.seq.size(); ++i) out.push_back(to_real(node.seq[i], fmt::format("{}[{}]", p, i), r, false));
  return out;
}
std::vector<double> Reader::reals(std::string_view key, size_t n, const Range& r, const std::vector<double>& fallback) {
  std::vector<std::string> f;
  for (double v : fallback) f.push_back(fmt_number(v));
  declare(key, n ? fmt::format("list of {} numbers", n) : "list of numbers", r.describe(false), "[" + join(f) + "]");
  return has(key) ? reals(key, n, r) : (lookup(key), fallback);
}

Reader Reader::child(std::string_view key) {
  declare(key, "map", "", "required");
  return sub(require(key, "a map of keys"), key_path(key), schema_key(key));
}

std::optional<Reader> Reader::optional_child(std::string_view key) {
  declare(key, "map", "", "(optional)");
  const Node* n = lookup(key);
  if (!n) return std::nullopt;
  return sub(*n, key_path(key), schema_key(key));
}

std::vector<Reader> Reader::list(std::string_view key) {
  const Node& n = require(key, "a list");
  if (!n.is_seq()) throw error(n, key_path(key), fmt::format("expected a list, got {}", kind_name(n)));
  std::vector<Reader> out;
  for (size_t i = 0; i < n.seq.size(); ++i)
    out.push_back(sub(n.seq[i], fmt::format("{}[{}]", key_path(key), i), schema_key(key) + "[]"));
  return out;
}

AgeTable Reader::age_table(std::string_view key, const std::vector<std::string>& columns, const Range& r,
                           bool allow_scalar) {
  const std::string cols = table_columns(columns);
  declare(key, allow_scalar ? "age table or number" : "age table",
          fmt::format("rows {{{}}}; values {}", cols, r.describe(false)), "required");
  const Node& n = require(key, "an age table");
  const std::string p = key_path(key);
  if (allow_scalar && n.is_scalar()) return AgeTable::constant(columns, to_real(n, p, r, false));
  std::string row_form = "{from_age_years: A";
  for (const auto& c : columns) row_form += ", " + c + ": v";
  row_form += "}";
  if (!n.is_seq() || n.seq.empty())
    throw error(n, p, fmt::format("expected an age table: a list of rows {}{}", row_form,
                                  allow_scalar ? ", or a single number" : ""));
  AgeTable t;
  t.columns = columns;
  t.values.assign(columns.size(), {});
  for (size_t i = 0; i < n.seq.size(); ++i) {
    Reader row(n.seq[i], fmt::format("{}[{}]", p, i));
    row.schema_ = schema_key(key) + "[]";
    double from = row.real("from_age_years", {0.0, static_cast<double>(AgeTable::kMaxAge)});
    if (i == 0 && from != 0.0)
      throw error(n.seq[i], row.key_path("from_age_years"),
                  fmt::format("the first row starts at age {}; an age table must start at 0", fmt_number(from)));
    if (i > 0 && from <= t.from_age_years.back())
      throw error(n.seq[i], row.key_path("from_age_years"),
                  fmt::format("{} does not follow the previous row's {}; rows must be in increasing age order",
                              fmt_number(from), fmt_number(t.from_age_years.back())));
    if (from != std::floor(from))
      throw error(n.seq[i], row.key_path("from_age_years"), fmt::format("{} is not a whole year", fmt_number(from)));
    t.from_age_years.push_back(from);
    for (size_t c = 0; c < columns.size(); ++c) t.values[c].push_back(row.real(columns[c], r));
    row.finish();
  }
  if (t.rows() > 255) throw error(n, p, "an age table may have at most 255 rows");
  t.index();
  return t;
}

AgeTable Reader::age_table(std::string_view key, const std::vector<std::string>& columns, const Range& r, double fallback) {
  const std::string cols = table_columns(columns);
  // Declared first with its fallback (the declaration age_table() adds is then ignored).
  declare(key, "age table or number", fmt::format("rows {{{}}}; values {}", cols, r.describe(false)),
          fmt_fallback(fallback) + " at every age");
  if (has(key)) return age_table(key, columns, r);
  lookup(key);
  return AgeTable::constant(columns, fallback);
}

std::optional<AgeTable> Reader::age_table_or(std::string_view key, std::string_view keyword,
                                             const std::vector<std::string>& columns, const Range& r) {
  const std::string cols = table_columns(columns);
  declare(key, fmt::format("age table, number or `{}`", keyword),
          fmt::format("rows {{{}}}; values {}; or the word {}", cols, r.describe(false), keyword), "required");
  const Node& n = require(key, "an age table");
  if (n.is_scalar() && n.scalar == keyword) return std::nullopt;
  if (n.is_scalar() && !parse_number(n.scalar))
    throw error(n, key_path(key), fmt::format("'{}' is neither a number nor '{}'; expected an age table (rows {{{}}}), a "
                                              "number, or the word {}", n.scalar, keyword, cols, keyword));
  return age_table(key, columns, r, true);
}

bool Reader::word_instead(std::string_view key, std::string_view word, std::string_view form) {
  declare(key, fmt::format("{} or `{}`", form, word), fmt::format("or the word {}", word), "required");
  const Node* n = node_->find(key);
  if (!n || !n->is_scalar() || n->scalar != word) return false;
  lookup(key);
  return true;
}

void Reader::finish() const {
  std::vector<std::string> known = used_;
  for (const auto& e : node_->map) {
    if (std::find(used_.begin(), used_.end(), e.key) != used_.end()) continue;
    std::string accepted = known.empty() ? "none" : join(known);
    throw ConfigError(fmt::format("{}: error: {}: unknown key '{}'{} Accepted keys here: {}", e.key_origin.describe(),
                                  key_path(e.key), e.key, did_you_mean(e.key, known, "."), accepted));
  }
}

void require_shares(std::vector<double>& shares, const Node& where, const std::string& path, double tolerance) {
  double sum = 0;
  for (double s : shares) sum += s;
  if (std::fabs(sum - 1.0) > tolerance)
    throw ConfigError(fmt::format("{}: error: {}: shares sum to {}; they must sum to 1 (within {})",
                                  where.origin.describe(), path, fmt::format("{:.6g}", sum), fmt_number(tolerance)));
  for (double& s : shares) s /= sum;
}

}  // namespace hscsim::config
