// The URL filter tests' fixtures (url_test.cpp, url_words_test.cpp): a record with a URL, and list
// files written where the filter can read them.
#pragma once

#include <millrace/filters/filter_result.hpp>

#include <mrtest/files.hpp>
#include <mrtest/temp_dir.hpp>

#include <string>

namespace url_fixtures {

/// A record with a URL and a text, and the filter's annotations.
struct Page {
  std::string url, text;
  millrace::filters::filter_result filter_result{};
};

/// Writes a list file (block list, word list) into a directory removed at exit; its path.
inline std::string write_list(const std::string& name, const std::string& body) {
  static const mrtest::temp_dir lists("url-lists");
  mrtest::write_file(lists / name, body);
  return (lists / name).string();
}

}  // namespace url_fixtures
