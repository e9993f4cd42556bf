// millrace/ops/tree.hpp — ops::tree<T>: the ordered tree of millrace/core/tree.hpp, under the name
// mapreduce_tree's users know.
//   mr::ops::tree<std::string> t; auto r = t.add_root("doc"); t.add_child(r, "section 1");
#pragma once

#include <millrace/core/tree.hpp>

namespace millrace::ops {

/// The ordered tree (millrace::tree) that ops::mapreduce_tree reduces.
using millrace::tree;

}  // namespace millrace::ops
