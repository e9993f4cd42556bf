// millrace/lake/operators.hpp — data-lake containment as millrace operators: read_lake(dir) is a source
// fragment of lake::table (tables read in parallel, in sorted path order), containments() a barrier
// stage that emits one record per containment once every table has arrived. Example:
// mr::run(lake::read_lake("lake/") | lake::containments({.sample = 16}) | mr::collect(v));
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <millrace/core/compose.hpp>
#include <millrace/lake/containment.hpp>
#include <millrace/lake/read_table.hpp>

namespace millrace::lake {

/// One containment, by table path: container ⊇ contained.
struct containment_record {
  std::string container, contained;  ///< table paths (table::path()): the superset and the contained table
  friend bool operator==(const containment_record&, const containment_record&) = default;
};

/// Callable for mr::map: reads one table of a lake by its relative path.
struct table_reader {
  std::filesystem::path dir;  ///< the lake's root directory; paths are relative to it
  table_options options;      ///< how every table is read (name folding, number normalization)
  table operator()(const std::string& rel) const { return read_table(dir, rel, options); }
};

/// Source fragment: every table under dir. A bad file fails the run with operator 'lake.read_table':
/// file:line: reason. `name` is the prefix of its two ops: "<name>.tables", "<name>.read_table".
inline auto read_lake(const std::filesystem::path& dir, table_options opt = {}, const std::string& name = "lake") {
  return from_range(list_tables(dir), name + ".tables") | map(table_reader{dir, opt}, name + ".read_table");
}

/// Barrier stage: collects the tables (in input order), then runs find_containments in finish().
/// The full result (stage counts, times) is kept in `result` for the caller to read (use
/// mr::stage(std::ref(s)) to keep access to it).
struct containment_stage {
  containment_options options = {};  ///< passed to find_containments
  std::vector<table> tables = {};     ///< every table received so far, in input order
  containment_result result = {};     ///< find_containments' full result; filled by finish()

  /// Keeps the batch's tables; emits nothing (the barrier).
  std::vector<containment_record> process(std::vector<table>&& batch) {
    for (auto& t : batch) tables.push_back(std::move(t));
    return {};
  }
  /// Runs find_containments over all tables; one record per edge, in result.edges' order.
  std::vector<containment_record> finish() {
    result = find_containments(tables, options);
    std::vector<containment_record> out;
    out.reserve(result.edges.size());
    for (const auto& e : result.edges) out.push_back({tables[e.container].path(), tables[e.contained].path()});
    return out;
  }
};

/// The pipeline operator: tables in, one containment_record (container path, contained path) per
/// containment out, after the last table (a barrier); named "lake.containments" unless `name` says.
inline auto containments(containment_options opt = {}, std::string name = "lake.containments") {
  return stage(containment_stage{std::move(opt), {}, {}}, std::move(name));
}

}  // namespace millrace::lake
