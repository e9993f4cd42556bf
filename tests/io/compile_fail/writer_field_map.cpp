// Must not compile: a writer's field map binds a member of another record type; the error is at
// the write_jsonl call (not at mr::run) and says the field belongs to another type.
#include <millrace/io.hpp>
#include <string>
#include <vector>
struct Doc {
  std::string id, text;
};
struct Page {
  std::string url;
};
int main() {
  namespace io = millrace::io;
#ifdef MILLRACE_CONTROL
  auto w = io::write_jsonl<Doc>("out/", io::fields(io::field("id", &Doc::id), io::field("text", &Doc::text)));
#else
  auto w = io::write_jsonl<Doc>("out/", io::fields(io::field("id", &Doc::id), io::field("url", &Page::url)));
#endif
  (void)w;
  return 0;
}
