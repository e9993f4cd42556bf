// millrace/io/detail/error_impl.hpp — input_error's and output_error's constructors (io/error.hpp
// declares): the messages are built here, once, not in every unit that can throw one.
#pragma once

#include <string>
#include <utility>

#include <millrace/detail/config.hpp>
#include <millrace/io/error.hpp>

namespace millrace::io {

MILLRACE_INLINE input_error::input_error(std::string file, std::size_t line, std::string reason)
    : std::runtime_error(line ? file + ":" + std::to_string(line) + ": " + reason : file + ": " + reason),
      file_(std::move(file)), line_(line), reason_(std::move(reason)) {}

MILLRACE_INLINE input_error::input_error(std::string file, std::size_t line, std::uint64_t offset, bool line_known,
                                         std::string reason)
    : std::runtime_error(line_known ? file + ":" + std::to_string(line) + ": " + reason
                                    : file + ": byte " + std::to_string(offset) + ": " + reason),
      file_(std::move(file)), line_(line_known ? line : 0), offset_(offset), reason_(std::move(reason)) {}

MILLRACE_INLINE output_error::output_error(std::string path, std::string reason)
    : std::runtime_error(path + ": " + reason), path_(std::move(path)), reason_(std::move(reason)) {}

}  // namespace millrace::io
