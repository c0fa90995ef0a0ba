#include "model/config/node.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "model/errors.hpp"

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
  return Origin{source, m.line + 1, m.column + 1};
}

Node convert(const YAML::Node& y, const std::string& source) {
  Node n;
  n.origin = origin_of(y.Mark(), source);
  switch (y.Type()) {
    case YAML::NodeType::Scalar:
      n.kind = Node::Kind::Scalar;
      n.scalar = y.Scalar();
      break;
    case YAML::NodeType::Sequence:
      n.kind = Node::Kind::Seq;
      for (const auto& item : y) n.seq.push_back(convert(item, source));
      break;
    case YAML::NodeType::Map:
      n.kind = Node::Kind::Map;
      for (const auto& kv : y) {
        Entry e;
        e.key = kv.first.Scalar();
        e.key_origin = origin_of(kv.first.Mark(), source);
        for (const auto& other : n.map)
          if (other.key == e.key)
            throw ConfigError(fmt::format("{}: error: key '{}' appears twice in the same map",
                                          e.key_origin.describe(), e.key));
        e.value = convert(kv.second, source);
        if (e.value.is_null()) e.value.origin = e.key_origin;
        n.map.push_back(std::move(e));
      }
      break;
    default:
      n.kind = Node::Kind::Null;
  }
  return n;
}

Node load_rec(const fs::path& path, std::vector<fs::path>& chain) {
  std::error_code ec;
  fs::path canon = fs::weakly_canonical(path, ec);
  for (const auto& p : chain)
    if (p == canon)
      throw ConfigError(fmt::format("{}: error: extends: cycle: '{}' extends itself through the chain",
                                    path.string(), path.string()));
  std::ifstream in(path);
  if (!in)
    throw ConfigError(fmt::format("{}: error: cannot open config file (does it exist? paths in "
                                  "`extends:` are relative to the file that names them)",
                                  path.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  Node self = parse(ss.str(), path.string());
  if (self.is_null()) {
    self.kind = Node::Kind::Map;
    self.origin = Origin{path.string(), 1, 1};
  }
  if (!self.is_map())
    throw ConfigError(fmt::format("{}: error: a config file must be a map of keys at the top level",
                                  self.origin.describe()));
  // A scenario's `include:` files (relative to this file) become its `overlay:` map, so
  // the resolved config stays self-contained (run --from needs no other files).
  if (Node* scenarios = self.find("scenarios"); scenarios && scenarios->is_seq()) {
    for (Node& sc : scenarios->seq) {
      if (!sc.is_map()) continue;
      Node* inc = sc.find("include");
      if (!inc) continue;
      std::vector<const Node*> files;
      if (inc->is_scalar()) files.push_back(inc);
      else if (inc->is_seq())
        for (const auto& item : inc->seq) files.push_back(&item);
      Node overlay;
      overlay.kind = Node::Kind::Map;
      overlay.origin = inc->origin;
      for (const Node* f : files) {
        if (!f->is_scalar())
          throw ConfigError(fmt::format("{}: error: include: expected a file path or a list of file paths", f->origin.describe()));
        fs::path file = path.parent_path() / f->scalar;
        if (!fs::exists(file))
          throw ConfigError(fmt::format("{}: error: include: file '{}' not found (looked for {}; paths are relative to "
                                        "the file that names them)",
                                        f->origin.describe(), f->scalar, file.string()));
        chain.push_back(canon);
        merge(overlay, load_rec(file, chain));
        chain.pop_back();
      }
      if (Node* own = sc.find("overlay")) merge(overlay, *own);
      std::erase_if(sc.map, [](const Entry& e) { return e.key == "include" || e.key == "overlay"; });
      sc.map.push_back(Entry{"overlay", inc->origin, overlay});
    }
  }
  const Node* ext = self.find("extends");
  if (!ext) return self;

  std::vector<const Node*> parents;
  if (ext->is_scalar()) {
    parents.push_back(ext);
  } else if (ext->is_seq()) {
    for (const auto& item : ext->seq) {
      if (!item.is_scalar())
        throw ConfigError(fmt::format("{}: error: extends: expected a file path", item.origin.describe()));
      parents.push_back(&item);
    }
  } else {
    throw ConfigError(fmt::format("{}: error: extends: expected a file path or a list of file paths",
                                  ext->origin.describe()));
  }
  chain.push_back(canon);
  Node merged;
  merged.kind = Node::Kind::Map;
  merged.origin = self.origin;
  for (const Node* p : parents) {
    fs::path parent_path = path.parent_path() / p->scalar;
    if (!fs::exists(parent_path))
      throw ConfigError(fmt::format("{}: error: extends: file '{}' not found (looked for {})",
                                    p->origin.describe(), p->scalar, parent_path.string()));
    merge(merged, load_rec(parent_path, chain));
  }
  chain.pop_back();
  Node own = self;
  std::erase_if(own.map, [](const Entry& e) { return e.key == "extends"; });
  merge(merged, own);
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

}  // namespace

Node key_node(const Entry& e) {
  Node n;
  n.kind = Node::Kind::Scalar;
  n.scalar = e.key;
  n.origin = e.key_origin;
  return n;
}

Node parse(const std::string& text, const std::string& source) {
  try {
    YAML::Node y = YAML::Load(text);
    return convert(y, source);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}:{}: error: YAML syntax: {}", source, e.mark.line + 1,
                                  e.mark.column + 1, e.msg));
  }
}

Node load(const std::string& path) {
  std::vector<fs::path> chain;
  return load_rec(fs::path(path), chain);
}

void merge(Node& base, const Node& over) {
  if (base.is_map() && over.is_map()) {
    for (const auto& e : over.map) {
      if (Node* existing = base.find(e.key)) {
        merge(*existing, e.value);
      } else {
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

void set_path(Node& root, const std::string& path, const Node& value, const std::string& where) {
  std::vector<std::string> parts;
  std::stringstream ps(path);
  for (std::string part; std::getline(ps, part, '.');) {
    if (part.empty()) throw ConfigError(fmt::format("{}: error: empty segment in key path '{}'", where, path));
    parts.push_back(part);
  }
  if (parts.empty()) throw ConfigError(fmt::format("{}: error: empty key path", where));
  Node* cur = &root;
  std::string walked;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& key = parts[i];
    const std::string parent = walked;
    walked += (walked.empty() ? "" : ".") + key;
    if (cur->is_seq()) {
      char* end = nullptr;
      long idx = std::strtol(key.c_str(), &end, 10);
      if (*end != '\0' || idx < 0 || static_cast<size_t>(idx) >= cur->seq.size())
        throw ConfigError(fmt::format("{}: error: '{}' is a list of {} items; index it with 0 to {}", where, parent,
                                      cur->seq.size(), cur->seq.size() ? cur->seq.size() - 1 : 0));
      cur = &cur->seq[static_cast<size_t>(idx)];
    } else {
      if (cur->is_null()) cur->kind = Node::Kind::Map;
      if (!cur->is_map())
        throw ConfigError(fmt::format("{}: error: cannot set '{}': its parent is a single value, not a map", where, walked));
      Node* next = cur->find(key);
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
