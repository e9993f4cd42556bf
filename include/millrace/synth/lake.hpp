// millrace/synth/lake.hpp — a seeded synthetic data lake: base tables, tables derived by
// projection, selection, sampling, column reordering, row shuffling and exact copy,
// near-containments with one mutated row, unrelated tables with a base's schema, and tables with a
// renamed column. Same seed -> same bytes. Example: auto lake =
// millrace::synth::generate_lake({.seed = 7, .tables = 200});
//          millrace::synth::write_lake(lake, "lake/");
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <millrace/core/random.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/lake/value.hpp>

namespace millrace::synth {

/// How a generated table was derived from its base table.
enum class derivation {
  base, projection, selection, sample, reorder_columns, shuffle_rows, copy, mutated, unrelated,
  renamed, recased
};

/// The name of a derivation ("base", "projection", ...).
inline const char* to_string(derivation d) {
  switch (d) {
    case derivation::base: return "base";
    case derivation::projection: return "projection";
    case derivation::selection: return "selection";
    case derivation::sample: return "sample";
    case derivation::reorder_columns: return "reorder";
    case derivation::shuffle_rows: return "shuffle";
    case derivation::copy: return "copy";
    case derivation::mutated: return "mutated";
    case derivation::unrelated: return "unrelated";
    case derivation::renamed: return "renamed";
    case derivation::recased: return "recased";
  }
  return "?";
}

/// Size and seed of a generated data lake.
struct lake_options {
  std::uint64_t seed = 1;                   ///< same seed and options: same lake
  std::size_t tables = 100;                 ///< tables generated, base and derived together
  std::size_t min_rows = 8, max_rows = 60;  ///< row count range of a base (or unrelated) table
  std::size_t min_cols = 2, max_cols = 7;   ///< column count range of a base table (at most 20)
  double base_fraction = 0.2;      ///< share of base tables; the rest is derived or unrelated
  double null_fraction = 0.03;     ///< share of empty cells
};

/// One generated table file and how it was derived.
struct lake_table {
  std::string path;                              ///< relative, '/'-separated
  std::vector<std::string> header;               ///< column names
  std::vector<std::vector<std::string>> rows;    ///< raw cells, header.size() per row ("" = null)
  derivation kind = derivation::base;            ///< how the table was made from parent
  /// Index of the table it was derived from (unrelated: the base whose schema it reuses); -1 for a base.
  int parent = -1;
};

/// A generated data lake: its tables, each knowing the table it was derived from.
struct lake {
  std::vector<lake_table> tables;  ///< in generation order; a parent always comes before its children
};

namespace detail {

// The project's splitmix64 (millrace/core/random.hpp): portable, so a seed gives the same lake
// with every standard library.
using rng = millrace::splitmix64;

struct column_kind {
  const char* name;
  int type;  // 0 id, 1 small int, 2 float, 3 date, 4 category, 5 free text
};

inline const std::vector<column_kind>& column_pool() {
  static const std::vector<column_kind> pool = {
      {"id", 0},       {"qty", 1},      {"age", 1},      {"year", 1},     {"price", 2},
      {"score", 2},    {"weight", 2},   {"created", 3},  {"shipped", 3},  {"city", 4},
      {"country", 4},  {"category", 4}, {"status", 4},   {"name", 5},     {"comment", 5},
      {"email", 5},    {"rating", 1},   {"discount", 2}, {"updated", 3},  {"region", 4}};
  return pool;
}

inline std::string make_value(rng& r, int type, std::size_t row) {
  static const char* cities[] = {"Paris", "Lyon", "Oslo", "Lima", "Quito", "Kyiv", "Hanoi",
                                 "Washington, D.C.", "Porto", "Cork", "Bern", "Accra"};
  static const char* words[] = {"alpha", "beta", "gamma", "delta", "say \"hi\"", "eta", "theta",
                                "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi"};
  switch (type) {
    case 0: return std::to_string(row * 3 + r.below_unbiased(3) + 1);
    case 1: return std::to_string(r.below_unbiased(100));
    case 2: return ::millrace::lake::canonicalize(fmt::format("{:.2f}", r.uniform() * 1000.0));
    case 3: {
      const int y = 2015 + static_cast<int>(r.below_unbiased(10));
      const int m = 1 + static_cast<int>(r.below_unbiased(12));
      const int d = 1 + static_cast<int>(r.below_unbiased(28));
      return fmt::format("{:04}-{:02}-{:02}", y, m, d);
    }
    case 4: return cities[r.below_unbiased(std::size(cities))];
    default: {  // one draw per statement: argument evaluation order differs between compilers
      const char* w1 = words[r.below_unbiased(std::size(words))];
      const char* w2 = words[r.below_unbiased(std::size(words))];
      return fmt::format("{} {} {}", w1, w2, r.below_unbiased(1000));
    }
  }
}

inline std::string row_key(const std::vector<std::string>& row) {
  std::string k;
  for (const auto& v : row) {
    k += ::millrace::lake::canonicalize(v);
    k += '\x1f';
  }
  return k;
}

}  // namespace detail

/// Generates a data lake with known containments (the lake job's ground truth).
inline lake generate_lake(const lake_options& o) {
  detail::rng r{o.seed * 0x2545F4914F6CDD1Dull + 17};
  lake out;
  const auto& pool = detail::column_pool();
  std::vector<std::size_t> bases;
  std::vector<std::vector<int>> base_types;  // per table: column type codes (for unrelated)
  auto make_base = [&](std::vector<std::size_t> cols) {
    lake_table t;
    std::vector<int> types;
    for (auto c : cols) {
      t.header.push_back(pool[c].name);
      types.push_back(pool[c].type);
    }
    const std::size_t nrows = r.between(o.min_rows, o.max_rows);
    for (std::size_t i = 0; i < nrows; ++i) {
      std::vector<std::string> row;
      for (auto ty : types)
        row.push_back(r.uniform() < o.null_fraction ? std::string() : detail::make_value(r, ty, i));
      t.rows.push_back(std::move(row));
    }
    return std::make_pair(t, types);
  };
  for (std::size_t i = 0; i < o.tables; ++i) {
    lake_table t;
    std::vector<int> types;
    const bool base = out.tables.empty() || r.uniform() < o.base_fraction;
    if (base) {
      std::vector<std::size_t> all(pool.size());
      for (std::size_t k = 0; k < all.size(); ++k) all[k] = k;
      r.shuffle(all);
      all.resize(std::min(pool.size(), r.between(o.min_cols, o.max_cols)));
      std::tie(t, types) = make_base(all);
      t.kind = derivation::base;
      bases.push_back(i);
    } else {
      const auto kind = static_cast<derivation>(1 + r.below_unbiased(10));
      const std::size_t p = r.below_unbiased(out.tables.size());
      const lake_table& parent = out.tables[p];
      t.header = parent.header;
      t.rows = parent.rows;
      types = base_types[p];
      t.kind = kind;
      t.parent = static_cast<int>(p);
      const std::size_t nc = t.header.size();
      switch (kind) {
        case derivation::projection: {
          std::vector<std::size_t> keep(nc);
          for (std::size_t k = 0; k < nc; ++k) keep[k] = k;
          r.shuffle(keep);
          keep.resize(r.between(1, nc));
          std::sort(keep.begin(), keep.end());
          std::vector<std::string> h;
          std::vector<int> ty;
          for (auto k : keep) {
            h.push_back(t.header[k]);
            ty.push_back(types[k]);
          }
          for (auto& row : t.rows) {
            std::vector<std::string> nr;
            for (auto k : keep) nr.push_back(row[k]);
            row = std::move(nr);
          }
          t.header = h;
          types = ty;
          break;
        }
        case derivation::selection: {  // rows whose value in one column is <= a pivot value
          if (t.rows.empty()) break;
          const std::size_t c = r.below_unbiased(nc);
          const std::string pivot = t.rows[r.below_unbiased(t.rows.size())][c];
          std::erase_if(t.rows, [&](const auto& row) { return row[c] > pivot; });
          break;
        }
        case derivation::sample:
          std::erase_if(t.rows, [&](const auto&) { return r.uniform() < 0.5; });
          break;
        case derivation::reorder_columns: {
          std::vector<std::size_t> perm(nc);
          for (std::size_t k = 0; k < nc; ++k) perm[k] = k;
          r.shuffle(perm);
          std::vector<std::string> h;
          std::vector<int> ty;
          for (auto k : perm) {
            h.push_back(t.header[k]);
            ty.push_back(types[k]);
          }
          for (auto& row : t.rows) {
            std::vector<std::string> nr;
            for (auto k : perm) {
              // Respell some integers ("7" -> "007"): the same value after canonicalization.
              std::int64_t v = 0;
              if (::millrace::lake::parse_int(row[k], v) && v >= 0 && r.uniform() < 0.3) nr.push_back(std::string("00").append(row[k]));
              else nr.push_back(row[k]);
            }
            row = std::move(nr);
          }
          t.header = h;
          types = ty;
          break;
        }
        case derivation::shuffle_rows: r.shuffle(t.rows); break;
        case derivation::copy: break;
        case derivation::mutated: {  // a sample, then one cell set to another value of its column
          std::erase_if(t.rows, [&](const auto&) { return r.uniform() < 0.3; });
          std::set<std::string> parent_rows;
          for (const auto& row : parent.rows) parent_rows.insert(detail::row_key(row));
          bool done = false;
          for (int attempt = 0; attempt < 64 && !done && t.rows.size() >= 1; ++attempt) {
            const std::size_t ri = r.below_unbiased(t.rows.size()), c = r.below_unbiased(nc);
            const std::string& v = parent.rows[r.below_unbiased(parent.rows.size())][c];
            auto row = t.rows[ri];
            row[c] = v;
            if (!parent_rows.count(detail::row_key(row))) {
              t.rows[ri] = row;
              done = true;
            }
          }
          if (!done) t.kind = derivation::sample;  // could not mutate: it is a plain sample
          break;
        }
        case derivation::unrelated: {  // a base's schema, fresh rows
          const std::size_t b = bases[r.below_unbiased(bases.size())];
          std::vector<std::size_t> cols;
          for (const auto& name : out.tables[b].header)
            for (std::size_t k = 0; k < pool.size(); ++k)
              if (name == pool[k].name) cols.push_back(k);
          std::tie(t, types) = make_base(cols);
          t.kind = derivation::unrelated;
          t.parent = static_cast<int>(b);
          break;
        }
        case derivation::renamed:
          t.header[r.below_unbiased(nc)] += "_2";
          break;
        case derivation::recased: {
          auto& h = t.header[r.below_unbiased(nc)];
          for (auto& ch : h)
            if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
          break;
        }
        case derivation::base: break;
      }
    }
    t.path = fmt::format("g{:02}/t{:05}_{}.csv", i / 100, i, to_string(t.kind));
    out.tables.push_back(std::move(t));
    base_types.push_back(std::move(types));
  }
  return out;
}

/// RFC 4180: a field is quoted when it holds the delimiter, a quote, CR/LF or edge spaces.
inline std::string csv_field(const std::string& v) {
  const bool q = v.find_first_of(",\"\r\n") != std::string::npos ||
                 (!v.empty() && (v.front() == ' ' || v.back() == ' '));
  if (!q) return v;
  std::string s = "\"";
  for (char c : v) {
    if (c == '"') s += '"';
    s += c;
  }
  s += '"';
  return s;
}

/// Written with io::write_file_atomically (unpredictable temporary name, never through a planted
/// symlink, every write checked; throws io::output_error "file: reason"). No fsync: a generated lake
/// is scratch data that its seed reproduces, and hundreds of fsyncs would dominate the run.
inline void write_csv(const std::filesystem::path& file, const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows) {
  std::filesystem::create_directories(file.parent_path());
  std::string text;
  auto line = [&](const std::vector<std::string>& row) {
    // A lone empty field is written "" so that the line is not blank (readers skip those).
    if (row.size() == 1 && row[0].empty()) text += "\"\"";
    else
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i) text += ',';
        text += csv_field(row[i]);
      }
    text += "\r\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
  io::write_file_atomically(file, text, io::durability::no_fsync);
}

/// Writes every table under dir (created if needed).
inline void write_lake(const lake& l, const std::filesystem::path& dir) {
  for (const auto& t : l.tables) write_csv(dir / t.path, t.header, t.rows);
}

}  // namespace millrace::synth
