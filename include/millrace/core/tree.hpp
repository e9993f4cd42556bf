// millrace/core/tree.hpp — millrace::tree<T>: an ordered tree stored in flat vectors, node ids in
// insertion order (pre-order when built top-down, as the Markdown parser does). A plain container,
// in core so that text/ (the Markdown parser) and ops/ (mapreduce_tree's explicit-tree input) share
// it without depending on each other; ops::tree names the same type.
//   mr::tree<std::string> t; auto r = t.add_root("doc"); t.add_child(r, "section 1");
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace millrace {

/// A rooted tree of T values stored in one vector (children by index).
template <class T>
class tree {
 public:
  using value_type = T;
  using node_id = std::size_t;
  static constexpr node_id npos = std::numeric_limits<node_id>::max();  ///< parent() of the root: no node

  /// The root is node 0; a tree has at most one root.
  node_id add_root(T value) {
    if (!values_.empty()) throw std::logic_error("tree: the tree already has a root");
    return push(npos, std::move(value));
  }
  /// Appends a child after the parent's existing children.
  node_id add_child(node_id parent, T value) {
    if (parent >= values_.size()) throw std::out_of_range("tree: add_child to a node that does not exist");
    const node_id id = push(parent, std::move(value));
    children_[parent].push_back(id);
    return id;
  }

  /// Number of nodes.
  std::size_t size() const { return values_.size(); }
  /// Whether the tree has no nodes yet (before add_root).
  bool empty() const { return values_.empty(); }
  /// Node 0 (only meaningful when !empty()).
  node_id root() const { return 0; }

  T& operator[](node_id id) { return values_[id]; }
  const T& operator[](node_id id) const { return values_[id]; }
  /// The node's parent, npos for the root. Ids are not checked here, nor below (as for operator[]).
  node_id parent(node_id id) const { return parents_[id]; }
  /// The node's children in the order added; the span is invalidated by add_child.
  std::span<const node_id> children(node_id id) const { return children_[id]; }
  /// Whether the node has no children (yet: a node is a leaf until a child is added to it).
  bool is_leaf(node_id id) const { return children_[id].empty(); }
  /// Edges between the node and the root (the root is at depth 0).
  std::size_t depth(node_id id) const { return depths_[id]; }

 private:
  node_id push(node_id parent, T value) {
    values_.push_back(std::move(value));
    parents_.push_back(parent);
    children_.emplace_back();
    depths_.push_back(parent == npos ? 0 : depths_[parent] + 1);
    return values_.size() - 1;
  }

  std::vector<T> values_;
  std::vector<node_id> parents_;
  std::vector<std::vector<node_id>> children_;
  std::vector<std::size_t> depths_;
};

}  // namespace millrace
