// millrace/recipe/yaml.hpp — YAML recipes (yaml-cpp, the optional millrace::yaml component):
// parsed into the same recipe::node tree as JSON, with the line of every value.
//   auto src = mr::recipe::parse_yaml_file("fineweb.yaml");   // then recipe::compile(src, registry)
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <millrace/recipe/recipe.hpp>

namespace millrace::recipe {

namespace detail {

// A plain (unquoted) scalar is typed as YAML 1.2's core schema types it: null, booleans,
// numbers; a quoted one is always a string.
inline node yaml_to_node(const YAML::Node& y, const std::string& file) {
  node n;
  n.line = y.Mark().line >= 0 ? std::size_t(y.Mark().line) + 1 : 0;
  switch (y.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return n;
    case YAML::NodeType::Sequence:
      n.k = node::kind::list;
      for (const auto& e : y) n.items.push_back(yaml_to_node(e, file));
      return n;
    case YAML::NodeType::Map:
      n.k = node::kind::map;
      for (const auto& kv : y) {
        const std::string key = kv.first.as<std::string>();
        node v = yaml_to_node(kv.second, file);
        v.line = std::size_t(kv.first.Mark().line) + 1;  // messages point at the key
        if (n.find(key)) throw recipe_error(file, v.line, fmt::format("key '{}' appears twice", key));
        n.members.emplace_back(key, std::move(v));
      }
      return n;
    case YAML::NodeType::Scalar: {
      const std::string& s = y.Scalar();
      if (y.Tag() != "!") {  // plain scalar
        if (s == "~" || s == "null" || s == "Null" || s == "NULL") return n;
        if (s == "true" || s == "True" || s == "TRUE") return n.k = node::kind::boolean, n.boolean = true, n;
        if (s == "false" || s == "False" || s == "FALSE") return n.k = node::kind::boolean, n;
        if (!s.empty() && std::string_view("+-.0123456789").find(s[0]) != std::string_view::npos) {
          char* end = nullptr;
          const double d = std::strtod(s.c_str(), &end);
          if (end && *end == '\0') return n.k = node::kind::number, n.number = d, n;
        }
      }
      n.k = node::kind::string;
      n.string = s;
      return n;
    }
  }
  return n;
}

}  // namespace detail

/// Parses a YAML recipe; `file` names it in messages (a syntax error gives its line).
inline recipe_source parse_yaml(const std::string& text, std::string file = "recipe.yaml") {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw recipe_error(file, e.mark.line >= 0 ? std::size_t(e.mark.line) + 1 : 0, e.msg);
  }
  return {file, detail::yaml_to_node(root, file)};
}
/// Reads and parses a YAML recipe file.
inline recipe_source parse_yaml_file(const std::string& path) { return parse_yaml(detail::read_file(path), path); }

}  // namespace millrace::recipe
