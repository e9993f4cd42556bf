// millrace/lake/read_table.hpp — loading a data lake: every *.csv / *.csv.zst under a directory
// (sorted relative paths), each read with millrace::io::csv_reader into a finished lake::table. A
// file is one table however many names reach it (symbolic or hard links), and each table knows
// whether its file lies inside the lake. Example: for (auto& f :
// millrace::lake::list_tables("lake/")) tables.push_back(read_table("lake/", f));
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <millrace/io/csv.hpp>
#include <millrace/io/error.hpp>
#include <millrace/lake/table.hpp>

namespace millrace::lake {

/// One table file of a lake. Two names for one file (a symlink and its target, two hard links) are
/// one table: otherwise the table would "contain itself" and a plan could delete it "rebuilt from"
/// itself.
struct lake_file {
  std::string name;                  ///< relative '/'-separated path: the table's name
  std::vector<std::string> aliases;  ///< the other names of the same file, sorted
  std::filesystem::path resolved;    ///< canonical path of the file
  bool inside_lake = true;           ///< resolved lies under the lake directory's canonical path:
                                     // a file outside (reached by a symlink) is never deleted
};

/// An entry with a table's name that is no readable table file: a dangling symbolic link, a FIFO, a
/// socket, a device. Never opened (a FIFO would block the reader forever).
struct lake_problem {
  std::string name;    ///< relative path
  std::string why;     ///< "dangling symbolic link (to 'gone.csv')", "not a regular file (a FIFO)"
  std::string reason;  ///< "dir/name:0: why" (io::input_error's what(), as for unreadable tables)
};

/// The table files found under a lake's root, sorted by name, and the files skipped with why.
struct lake_listing {
  std::vector<lake_file> tables;       ///< sorted by name
  std::vector<lake_problem> problems;  ///< sorted by name
};

namespace detail {

inline bool is_table_name(std::string_view name) {
  return name.ends_with(".csv") || name.ends_with(".csv.zst");
}

inline const char* file_type_name(mode_t m) {
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISDIR(m)) return "a directory";
  return "not a regular file";
}

// Why a table file cannot be opened, from its (followed) file type; empty when it is a regular file.
// Checked with stat(2) before any open(2), so that a FIFO is reported instead of read.
inline std::string unreadable_reason(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    const int e = errno;
    struct stat lst {};
    if (::lstat(file.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
      std::error_code ec;
      const auto target = std::filesystem::read_symlink(file, ec);
      return e == ENOENT ? "dangling symbolic link (to '" + target.string() + "')"
                         : "symbolic link cannot be followed: " + std::string(std::strerror(e));
    }
    return "cannot stat: " + std::string(std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) return std::string("not a regular file (") + file_type_name(st.st_mode) + ")";
  return {};
}

inline bool path_is_under(const std::filesystem::path& p, const std::filesystem::path& dir) {
  auto [d, q] = std::mismatch(dir.begin(), dir.end(), p.begin(), p.end());
  return d == dir.end() || (std::next(d) == dir.end() && d->empty());  // "dir/" ends in an empty part
}

}  // namespace detail

/// Every table of the lake and every table-named entry that is not one. Directories are followed
/// through symlinks too, each directory once (a symlink loop is not an endless walk).
inline lake_listing scan_lake(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw io::input_error(dir.string(), 0, "not a directory");
  const fs::path root = fs::canonical(dir);
  lake_listing out;
  struct found {
    std::vector<std::string> names;
    fs::path any;  // one path to the file
  };
  std::map<std::pair<dev_t, ino_t>, found> files;  // by file identity, so links count once
  std::set<std::pair<dev_t, ino_t>> seen_dirs;
  auto problem = [&](const std::string& rel, const std::string& why) {
    out.problems.push_back({rel, why, io::input_error((dir / rel).string(), 0, why).what()});
  };
  std::vector<std::pair<fs::path, std::string>> todo{{dir, ""}};  // (path, relative name)
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) seen_dirs.emplace(st.st_dev, st.st_ino);
  while (!todo.empty()) {
    auto [d, rel_dir] = std::move(todo.back());
    todo.pop_back();
    std::error_code ec;
    fs::directory_iterator it(d, ec), end;
    if (ec) {
      problem(rel_dir.empty() ? "." : rel_dir, "cannot read directory: " + ec.message());
      continue;
    }
    for (; it != end; it.increment(ec)) {
      const fs::path p = it->path();
      const std::string name = p.filename().string();
      const std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
      if (::stat(p.c_str(), &st) != 0) {  // dangling or looping symlink, or gone meanwhile
        if (detail::is_table_name(name)) problem(rel, detail::unreadable_reason(p));
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        if (seen_dirs.emplace(st.st_dev, st.st_ino).second) todo.emplace_back(p, rel);
        continue;
      }
      if (!detail::is_table_name(name)) continue;
      if (!S_ISREG(st.st_mode)) {
        problem(rel, std::string("not a regular file (") + detail::file_type_name(st.st_mode) + ")");
        continue;
      }
      auto& f = files[{st.st_dev, st.st_ino}];
      f.names.push_back(rel);
      if (f.any.empty()) f.any = p;
    }
    if (ec) problem(rel_dir.empty() ? "." : rel_dir, "cannot read directory: " + ec.message());
  }
  for (auto& [id, f] : files) {
    std::sort(f.names.begin(), f.names.end());
    lake_file t;
    std::error_code ec;
    t.resolved = fs::canonical(f.any, ec);
    if (ec) t.resolved = fs::weakly_canonical(f.any);
    t.inside_lake = detail::path_is_under(t.resolved, root);
    // The table's name: the file's own path in the lake when one of its names is that, else the
    // smallest name (a symlink to a file outside, or hard links).
    std::string primary = f.names.front();
    if (t.inside_lake) {
      const std::string real = t.resolved.lexically_relative(root).generic_string();
      if (std::binary_search(f.names.begin(), f.names.end(), real)) primary = real;
    }
    t.name = primary;
    for (auto& n : f.names)
      if (n != primary) t.aliases.push_back(n);
    out.tables.push_back(std::move(t));
  }
  std::sort(out.tables.begin(), out.tables.end(),
            [](const lake_file& a, const lake_file& b) { return a.name < b.name; });
  std::sort(out.problems.begin(), out.problems.end(),
            [](const lake_problem& a, const lake_problem& b) { return a.name < b.name; });
  return out;
}

/// Relative '/'-separated names of the lake's tables, sorted (the table order of every result), one
/// per file (see scan_lake). Throws io::input_error naming the first entry that is no readable table
/// file (a dangling symlink, a FIFO): use scan_lake to skip those instead.
inline std::vector<std::string> list_tables(const std::filesystem::path& dir) {
  const auto l = scan_lake(dir);
  if (!l.problems.empty()) {
    const auto& p = l.problems.front();
    throw io::input_error((dir / p.name).string(), 0, p.why);
  }
  std::vector<std::string> out;
  for (const auto& t : l.tables) out.push_back(t.name);
  return out;
}

/// Reads dir/rel into a finished table whose path() is rel. Throws io::input_error("file:line:
/// reason") on a malformed record, an empty file or a duplicate column name, and ("file:0: reason")
/// on a name that is no regular file: the type is checked before opening, so a FIFO is never read.
inline table read_table(const std::filesystem::path& dir, const std::string& rel,
                        const table_options& opt = {}, io::csv_options csv = {}) {
  const auto file = dir / rel;
  if (const auto why = detail::unreadable_reason(file); !why.empty()) throw io::input_error(file.string(), 0, why);
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
