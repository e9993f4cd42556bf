// millrace/io/write_formatted.hpp — a sharded, atomic writer (the one behind write_jsonl) for any
// record type, with the caller's encoder: each record appends its line(s) to a buffer.
//   auto sink = mr::io::write_formatted<Doc>("out/", [](std::string& out, const Doc& d) { out += d.json; out += '\n'; });
#pragma once

#include <concepts>
#include <filesystem>
#include <string>
#include <utility>

#include <millrace/io/write.hpp>

namespace millrace::io {

/// What write_formatted takes: appends the encoding of one record (its trailing newline
/// included) to `out`.
template <class F, class T>
concept record_encoder = std::copy_constructible<F> && requires(const F& f, std::string& out, const T& r) { f(out, r); };

/// A sink writing each T as `encode(out, record)` appends it, in shards of `ext` files with the
/// manifest, atomic renames, compression and resume of write_options (as write_jsonl). `encode`
/// is called from one thread at a time per run and is copied into every run.
template <class T, record_encoder<T> F>
auto write_formatted(std::filesystem::path dir, F encode, write_options opt = {}, std::string ext = ".jsonl",
                     std::string name = "write_formatted") {
  return millrace::stage(detail::writer_sink<T, F>(std::move(dir), std::move(opt), std::move(ext), std::move(encode)),
                         std::move(name));
}

}  // namespace millrace::io
