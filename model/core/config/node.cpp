#include "model/core/config/node.hpp"

#include <yaml-cpp/yaml.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "model/core/errors.hpp"
#include "model/core/files.hpp"

namespace hscsim::config {
namespace fs = std::filesystem;

std::string Origin::describe() const {
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

const Node* Node::find(std::string_view key) const {
  for (const auto& e : map)
    if (e.key == key) return &e.value;
  return nullptr;
}
Node* Node::find(std::string_view key) {
  for (auto& e : map)
    if (e.key == key) return &e.value;
  return nullptr;
}

namespace {

Origin origin_of(const YAML::Mark& m, const std::string& source) {
  if (m.line < 0) return Origin{source, 0, 0};
  return Origin{source, m.line + 1, m.column + 1};
}

ConfigError error_at(const Origin& o, const std::string& message) {
  return ConfigError(fmt::format("{}: error: {}", o.describe(), message));
}

// What one document may expand to once aliases are followed: a YAML alias refers to a
// node written elsewhere, so a small file can name a huge (or infinite) tree.
struct Budget {
  size_t nodes = 0;
  size_t bytes = 0;
};

Node convert(const YAML::Node& y, const std::string& source, std::vector<YAML::Node>& ancestors, Budget& budget) {
  Node n;
  n.origin = origin_of(y.Mark(), source);
  for (const auto& a : ancestors)
    if (a.is(y))
      throw error_at(n.origin, "YAML alias refers to a node that contains it (a recursive alias); aliases may only "
                               "repeat a finished node");
  if (ancestors.size() >= limits::kMaxDepth)
    throw error_at(n.origin, fmt::format("values nested more than {} levels deep", limits::kMaxDepth));
  if (++budget.nodes > limits::kMaxNodes || budget.bytes > limits::kMaxExpandedBytes)
    throw error_at(n.origin, fmt::format("the document expands to more than {} values or {} MiB of text once YAML "
                                         "aliases are followed; use fewer or smaller aliases",
                                         limits::kMaxNodes, limits::kMaxExpandedBytes >> 20));
  switch (y.Type()) {
    case YAML::NodeType::Scalar:
      n.kind = Node::Kind::Scalar;
      n.scalar = y.Scalar();
      budget.bytes += n.scalar.size();
      break;
    case YAML::NodeType::Sequence:
      n.kind = Node::Kind::Seq;
      ancestors.push_back(y);
      for (const auto& item : y) n.seq.push_back(convert(item, source, ancestors, budget));
      ancestors.pop_back();
      break;
    case YAML::NodeType::Map:
      n.kind = Node::Kind::Map;
      ancestors.push_back(y);
      for (const auto& kv : y) {
        Entry e;
        e.key_origin = origin_of(kv.first.Mark(), source);
        if (!kv.first.IsScalar()) throw error_at(e.key_origin, "a map key must be a single value (a name)");
        e.key = kv.first.Scalar();
        budget.bytes += e.key.size();
        for (const auto& other : n.map)
          if (other.key == e.key) throw error_at(e.key_origin, fmt::format("key '{}' appears twice in the same map", e.key));
        e.value = convert(kv.second, source, ancestors, budget);
        if (e.value.is_null()) e.value.origin = e.key_origin;
        n.map.push_back(std::move(e));
      }
      ancestors.pop_back();
      break;
    default:
      n.kind = Node::Kind::Null;
  }
  return n;
}

// How deeply the text nests, estimated without parsing (the YAML parser recurses once per
// level, so a hostile file could otherwise exhaust the stack before we see a node):
// flow brackets open across lines, plus each line's indentation and leading "- " items.
// Quoted text and comments are skipped. Returns the 1-based line of the first line
// deeper than `limit`, or 0.
int first_too_deep_line(const std::string& text, size_t limit) {
  size_t flow = 0;
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    size_t indent = 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '-' || text[i] == '?')) {
      if (text[i] == ' ') ++indent;
      else if (i + 1 < text.size() && (text[i + 1] == ' ' || text[i + 1] == '\n')) indent += 2;
      else break;
      ++i;
    }
    char quote = 0;
    for (; i < text.size() && text[i] != '\n'; ++i) {
      const char c = text[i];
      if (quote) {
        if (c == quote) quote = 0;
        else if (c == '\\' && quote == '"') ++i;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#') {
        while (i < text.size() && text[i] != '\n') ++i;
        break;
      } else if (c == '[' || c == '{') {
        ++flow;
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
      if (flow + indent / 2 > limit) return line;
    }
    if (flow + indent / 2 > limit) return line;
    ++line;
    ++i;
  }
  return 0;
}

Node parse_document(const std::string& text, const std::string& source) {
  if (int line = first_too_deep_line(text, limits::kMaxDepth))
    throw error_at(Origin{source, line, 1}, fmt::format("values nested more than {} levels deep", limits::kMaxDepth));
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}:{}: error: YAML syntax: {}", source, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (docs.empty()) return Node{Node::Kind::Null, {}, {}, {}, Origin{source, 1, 1}};
  if (docs.size() > 1) {
    Origin o = origin_of(docs[1].Mark(), source);
    throw error_at(o.line > 0 ? o : Origin{source, 0, 0},
                   "a second YAML document (after '---'); a config file holds exactly one document");
  }
  std::vector<YAML::Node> ancestors;
  Budget budget;
  try {
    return convert(docs[0], source, ancestors, budget);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}:{}: error: YAML: {}", source, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

// One file named by the user or by an `extends:` / `include:` entry, on the chain of files
// being read (for cycles).
struct Link {
  fs::path canonical;
  std::string shown;    //!< the path from the working folder
  std::string written;  //!< as written in the entry that names it ("" for the top file)
  Origin named_at;    //!< where the previous file names it (file empty for the top file)
  std::string how;    //!< "extends" or "include" ("" for the top file)
};

// The error prefix for a problem with file `shown`: at the entry that names it, or the
// file itself when it was named on the command line.
ConfigError file_error(const Link& l, const std::string& message) {
  const std::string& name = l.named_at.file.empty() ? l.shown : l.written;
  const std::string shown = name.size() > 160 ? name.substr(0, 80) + "..." + name.substr(name.size() - 40) : name;
  if (l.named_at.file.empty()) return ConfigError(fmt::format("{}: error: {}", shown, message));
  return error_at(l.named_at, fmt::format("{}: file '{}' {}", l.how, shown, message));
}


// Reads a config file: only a regular file, at most kMaxFileBytes.
std::string read_regular_file(const Link& l) {
  struct stat st {};
  if (::stat(l.shown.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT)
      throw file_error(l, l.named_at.file.empty()
                              ? "cannot open config file (does it exist? paths in `extends:` are relative to the file "
                                "that names them)"
                              : fmt::format("not found (looked for {}; paths are relative to the file that names them)",
                                            l.shown));
    throw file_error(l, fmt::format("cannot be read: {}", std::strerror(err)));
  }
  if (!S_ISREG(st.st_mode))
    throw file_error(l, fmt::format("is {}; a config must be a regular file", file_kind(st.st_mode)));
  if (static_cast<uint64_t>(st.st_size) > limits::kMaxFileBytes)
    throw file_error(l, fmt::format("is {} bytes; a config file may hold at most {} MiB", st.st_size,
                                    limits::kMaxFileBytes >> 20));
  std::ifstream in(l.shown, std::ios::binary);
  if (!in) throw file_error(l, fmt::format("cannot open: {}", std::strerror(errno)));
  std::string text;
  text.resize(static_cast<size_t>(st.st_size));
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) throw file_error(l, "cannot read");
  return text;
}

std::string describe_chain(const std::vector<Link>& chain, size_t from, const Link& again) {
  std::string out;
  for (size_t k = from; k < chain.size(); ++k) {
    const Link& next = k + 1 < chain.size() ? chain[k + 1] : again;
    out += fmt::format("{}'{}' {} '{}' at {}", out.empty() ? "" : ", which ", chain[k].shown, next.how, next.shown,
                       next.named_at.describe());
  }
  return out;
}

Node load_rec(Link self_link, std::vector<Link>& chain);

// Loads the file named by entry `ref` (a scalar) of the file at chain.back().
Node load_named(const Node& ref, const std::string& how, std::vector<Link>& chain) {
  if (!ref.is_scalar() || ref.scalar.empty())
    throw error_at(ref.origin, fmt::format("{}: expected a file path or a list of file paths", how));
  Link l;
  l.written = ref.scalar;
  l.shown = (fs::path(chain.back().shown).parent_path() / ref.scalar).string();
  l.named_at = ref.origin;
  l.how = how;
  return load_rec(std::move(l), chain);
}

std::vector<const Node*> file_list(const Node& n, const std::string& how) {
  std::vector<const Node*> files;
  if (n.is_scalar()) files.push_back(&n);
  else if (n.is_seq())
    for (const auto& item : n.seq) {
      if (!item.is_scalar()) throw error_at(item.origin, fmt::format("{}: expected a file path", how));
      files.push_back(&item);
    }
  else
    throw error_at(n.origin, fmt::format("{}: expected a file path or a list of file paths", how));
  return files;
}

// A scenario's `include:` files (relative to this file) become its `overlay:` map, so the
// resolved config stays self-contained (run --from needs no other files).
void resolve_includes(Node& self, std::vector<Link>& chain) {
  Node* scenarios = self.find("scenarios");
  if (!scenarios || !scenarios->is_seq()) return;
  for (Node& sc : scenarios->seq) {
    if (!sc.is_map()) continue;
    const Node* inc = sc.find("include");
    if (!inc) continue;
    const Origin at = inc->origin;  // kept: the entry is erased below
    Node overlay;
    overlay.kind = Node::Kind::Map;
    overlay.origin = at;
    for (const Node* f : file_list(*inc, "include")) merge(overlay, load_named(*f, "include", chain));
    if (const Node* own = sc.find("overlay")) merge(overlay, *own);
    std::erase_if(sc.map, [](const Entry& e) { return e.key == "include" || e.key == "overlay"; });
    sc.map.push_back(Entry{"overlay", at, std::move(overlay)});
  }
}

Node load_rec(Link self_link, std::vector<Link>& chain) {
  std::error_code ec;
  self_link.canonical = fs::weakly_canonical(self_link.shown, ec);
  if (ec) throw file_error(self_link, fmt::format("cannot be read: {}", ec.message()));
  for (size_t k = 0; k < chain.size(); ++k)
    if (chain[k].canonical == self_link.canonical)
      throw error_at(self_link.named_at, fmt::format("{}: cycle: {}", self_link.how, describe_chain(chain, k, self_link)));
  if (chain.size() >= limits::kMaxFileDepth)
    throw file_error(self_link, fmt::format("is more than {} files deep in `extends:`/`include:`", limits::kMaxFileDepth));
  Node self = parse_document(read_regular_file(self_link), self_link.shown);
  if (self.is_null()) {
    self.kind = Node::Kind::Map;
    self.origin = Origin{self_link.shown, 1, 1};
  }
  if (!self.is_map())
    throw error_at(self.origin, "a config file must be a map of keys at the top level");
  chain.push_back(self_link);
  resolve_includes(self, chain);
  const Node* ext = self.find("extends");
  if (!ext) {
    chain.pop_back();
    return self;
  }
  Node merged;
  merged.kind = Node::Kind::Map;
  merged.origin = self.origin;
  for (const Node* p : file_list(*ext, "extends")) merge(merged, load_named(*p, "extends", chain));
  chain.pop_back();
  std::erase_if(self.map, [](const Entry& e) { return e.key == "extends"; });
  merge(merged, self);
  return merged;
}

void emit_into(YAML::Emitter& out, const Node& n) {
  switch (n.kind) {
    case Node::Kind::Scalar:
      out << n.scalar;
      break;
    case Node::Kind::Seq: {
      bool flat = true;
      for (const auto& item : n.seq) flat = flat && item.is_scalar();
      if (flat) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : n.seq) emit_into(out, item);
      out << YAML::EndSeq;
      break;
    }
    case Node::Kind::Map: {
      bool flat = !n.map.empty() && n.map.size() <= 8;
      for (const auto& e : n.map) flat = flat && e.value.is_scalar();
      if (flat) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& e : n.map) {
        out << YAML::Key << e.key << YAML::Value;
        emit_into(out, e.value);
      }
      out << YAML::EndMap;
      break;
    }
    default:
      out << YAML::Null;
  }
}

// A key path segment as typed in --set or a scenario's `set:`: a key name, or a list index.
bool valid_segment(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

}  // namespace

Node key_node(const Entry& e) {
  Node n;
  n.kind = Node::Kind::Scalar;
  n.scalar = e.key;
  n.origin = e.key_origin;
  return n;
}

Node parse(const std::string& text, const std::string& source) {
  if (text.size() > limits::kMaxFileBytes)
    throw ConfigError(fmt::format("{}: error: {} bytes of YAML; at most {} MiB are accepted", source, text.size(),
                                  limits::kMaxFileBytes >> 20));
  return parse_document(text, source);
}

Node load(const std::string& path) {
  std::vector<Link> chain;
  Link top;
  top.shown = path;
  return load_rec(std::move(top), chain);
}

void drop_other_form(Node& map, const std::string& key) {
  static constexpr std::string_view kSuffix = "_per_100000";
  std::string other = key;
  if (key.size() > kSuffix.size() && key.ends_with(kSuffix))
    other.resize(key.size() - kSuffix.size());
  else
    other.append(kSuffix);
  std::erase_if(map.map, [&](const Entry& e) { return e.key == other; });
}

void merge(Node& base, const Node& over) {
  if (base.is_map() && over.is_map()) {
    for (const auto& e : over.map) {
      if (Node* existing = base.find(e.key)) {
        merge(*existing, e.value);
      } else {
        drop_other_form(base, e.key);
        base.map.push_back(e);
      }
    }
    return;
  }
  base = over;
}

void apply_override(Node& root, const std::string& assignment) {
  const std::string where = fmt::format("--set {}", assignment);
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(fmt::format("{}: error: expected key.path=value", where));
  Node parsed = parse(assignment.substr(eq + 1), "--set");
  auto set_origin = [&](auto& self, Node& n) -> void {
    n.origin = Origin{where, 0, 0};
    for (auto& e : n.map) {
      e.key_origin = n.origin;
      self(self, e.value);
    }
    for (auto& item : n.seq) self(self, item);
  };
  set_origin(set_origin, parsed);
  if (parsed.is_null()) {  // "key=" sets an empty string
    parsed.kind = Node::Kind::Scalar;
    parsed.scalar = "";
  }
  set_path(root, assignment.substr(0, eq), parsed, where);
}

const Node* find_path(const Node& root, const std::string& dotted) {
  const Node* n = &root;
  size_t from = 0;
  while (n && from <= dotted.size()) {
    const size_t dot = dotted.find('.', from);
    const std::string seg = dotted.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
    if (n->is_map()) {
      n = n->find(seg);
    } else if (n->is_seq() && !seg.empty() && seg.find_first_not_of("0123456789") == std::string::npos) {
      const size_t k = std::stoul(seg);
      n = k < n->seq.size() ? &n->seq[k] : nullptr;
    } else {
      return nullptr;
    }
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  return n;
}

double number_at(const Node& root, const std::string& dotted, const std::string& where, const std::string& what) {
  const std::string at = where.empty() ? "" : where + ": error: ";
  const Node* n = find_path(root, dotted);
  if (!n)
    throw ConfigError(fmt::format("{}{}: '{}' is not a key of the config (it must be set there, so the value given "
                                  "replaces a stated one; `hscsim check CONFIG` prints the resolved config)",
                                  at, what, dotted));
  char* end = nullptr;
  const double v = n->is_scalar() ? std::strtod(n->scalar.c_str(), &end) : std::nan("");
  if (!n->is_scalar() || end == n->scalar.c_str() || *end != '\0' || !std::isfinite(v))
    throw ConfigError(fmt::format("{}{}: '{}' ({}) is not a single number", at, what, dotted, n->origin.describe()));
  return v;
}

void set_path(Node& root, const std::string& path, const Node& value, const std::string& where) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (!valid_segment(parts.back()))
      throw ConfigError(fmt::format("{}: error: key path '{}': {} '{}'; a path is key names (letters, digits, _ and -) "
                                    "and list indices joined by '.', such as neighbourhoods.0.name",
                                    where, path, parts.back().empty() ? "empty segment" : "bad segment",
                                    parts.back()));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  Node* cur = &root;
  std::string walked;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& key = parts[i];
    const std::string parent = walked;
    walked += (walked.empty() ? "" : ".") + key;
    if (cur->is_seq()) {
      const bool digits = key.find_first_not_of("0123456789") == std::string::npos && key.size() <= 9;
      const size_t idx = digits ? std::stoul(key) : 0;
      if (!digits || idx >= cur->seq.size())
        throw ConfigError(fmt::format("{}: error: '{}' is a list of {} items; index it with 0 to {}", where, parent,
                                      cur->seq.size(), cur->seq.size() ? cur->seq.size() - 1 : 0));
      cur = &cur->seq[idx];
    } else {
      if (cur->is_null()) cur->kind = Node::Kind::Map;
      if (!cur->is_map())
        throw ConfigError(fmt::format("{}: error: cannot set '{}': its parent is a single value, not a map", where, walked));
      Node* next = cur->find(key);
      if (!next && i + 1 == parts.size()) drop_other_form(*cur, key);
      if (!next) {
        Entry e;
        e.key = key;
        e.key_origin = value.origin;
        e.value.origin = value.origin;
        cur->map.push_back(std::move(e));
        next = &cur->map.back().value;
      }
      cur = next;
    }
  }
  *cur = value;
}

std::string emit(const Node& root) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit_into(out, root);
  return std::string(out.c_str()) + "\n";
}

}  // namespace hscsim::config
