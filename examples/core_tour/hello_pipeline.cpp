// The smallest useful millrace program: clean a few documents, keep the long ones, print the
// run report and the lowered graph (fused operators share one stage).
#include <millrace/core.hpp>

#include <string>
#include <vector>

namespace mr = millrace;

struct Doc {
  std::string id;
  std::string text;
};

int main() {
  std::vector<Doc> docs = {{"a", "  Hello,   World!  "}, {"b", "tiny"}, {"c", "The quick brown fox jumps over the lazy dog."}};
  std::vector<Doc> kept;

  auto collapse = [](Doc d) {  // collapse runs of spaces, trim both ends
    std::string out;
    for (char c : d.text)
      if (c != ' ' || (!out.empty() && out.back() != ' ')) out += c;
    while (!out.empty() && out.back() == ' ') out.pop_back();
    d.text = std::move(out);
    return d;
  };
  auto job = mr::from_range(docs, "docs")                                                  //
             | mr::map(collapse, "collapse_spaces")                                        //
             | mr::filter([](const Doc& d) { return d.text.size() >= 10; }, "min_length")  //
             | mr::collect(kept, "kept");

  auto report = mr::run(job, mr::cpu{.threads = 2});
  fmt::print("{}\n", report);
  for (const auto& d : kept) fmt::print("{}: {}\n", d.id, d.text);
  fmt::print("\n{}", mr::to_dot(job));
  return kept.size() == 2 && kept[0].text == "Hello, World!" ? 0 : 1;
}
