// Loading a data lake: every *.csv / *.csv.zst under a directory (sorted relative paths), each read
// with millrace::io::csv_reader into a finished lake::table.
// Example: for (auto& f : millrace::lake::list_tables("lake/")) tables.push_back(read_table("lake/", f));
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <millrace/io/csv.hpp>
#include <millrace/io/error.hpp>
#include <millrace/lake/table.hpp>

namespace millrace::lake {

// Relative '/'-separated paths of the lake's tables, sorted (the table order of every result).
inline std::vector<std::string> list_tables(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw io::input_error(dir.string(), 0, "not a directory");
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink);
       it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file()) continue;
    const std::string name = it->path().filename().string();
    auto ends = [&](std::string_view s) {
      return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
    };
    if (ends(".csv") || ends(".csv.zst")) out.push_back(fs::relative(it->path(), dir).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Reads dir/rel into a finished table whose path() is rel. Throws io::input_error("file:line:
// reason") on a malformed record, an empty file or a duplicate column name.
inline table read_table(const std::filesystem::path& dir, const std::string& rel,
                        const table_options& opt = {}, io::csv_options csv = {}) {
  const auto file = dir / rel;
  csv.header = true;
  io::csv_reader reader(file, csv);
  if (reader.header().empty()) throw io::input_error(file.string(), 1, "no header row");
  table t;
  try {
    t = table(rel, reader.header(), opt);
  } catch (const std::invalid_argument& e) {
    throw io::input_error(file.string(), 1, e.what());
  }
  std::vector<std::string> fields;
  while (reader.next(fields)) {
    try {
      t.add_row(fields);
    } catch (const std::invalid_argument& e) {
      throw io::input_error(file.string(), reader.line(), e.what());
    }
  }
  t.finish();
  t.set_file_bytes(static_cast<std::uint64_t>(std::filesystem::file_size(file)));
  return t;
}

}  // namespace millrace::lake
