// millrace/lake/brute_force.hpp — reference containment by brute force: every ordered pair, column
// names compared as strings, rows compared as vectors of canonical strings. Slow on purpose; tests
// and benchmarks check against it. Example: auto edges =
// millrace::lake::brute_force_containments(tables, semantics::set);
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <millrace/lake/containment.hpp>
#include <millrace/lake/table.hpp>

namespace millrace::lake {

/// Is B contained in A? (No statistics, no hashing: the plain definition.)
inline bool brute_force_contains(const table& A, const table& B, semantics mode = semantics::set) {
  const auto& bk = B.sorted_keys();
  const auto& ak = A.sorted_keys();
  if (!std::includes(ak.begin(), ak.end(), bk.begin(), bk.end())) return false;
  std::vector<std::size_t> ca, cb;
  for (const auto& k : bk) {
    ca.push_back(static_cast<std::size_t>(A.find_key(k)));
    cb.push_back(static_cast<std::size_t>(B.find_key(k)));
  }
  auto project = [](const table& t, const std::vector<std::size_t>& cols, std::size_t r) {
    std::vector<std::string> row;
    row.reserve(cols.size());
    for (auto c : cols) row.emplace_back(t.cell(r, c));
    return row;
  };
  std::map<std::vector<std::string>, std::size_t> in_a;
  for (std::size_t r = 0; r < A.rows(); ++r) ++in_a[project(A, ca, r)];
  std::map<std::vector<std::string>, std::size_t> in_b;
  for (std::size_t r = 0; r < B.rows(); ++r) ++in_b[project(B, cb, r)];
  for (const auto& [row, count] : in_b) {
    auto it = in_a.find(row);
    if (it == in_a.end()) return false;
    if (mode == semantics::bag && it->second < count) return false;
  }
  return true;
}

/// Every containment between the tables by comparing all pairs of rows: the reference the planner's result is tested against.
inline std::vector<containment_edge> brute_force_containments(const std::vector<table>& tables,
                                                              semantics mode = semantics::set) {
  std::vector<containment_edge> out;
  for (std::uint32_t a = 0; a < tables.size(); ++a)
    for (std::uint32_t b = 0; b < tables.size(); ++b)
      if (a != b && brute_force_contains(tables[a], tables[b], mode)) out.push_back({a, b});
  return out;
}

}  // namespace millrace::lake
