// Long-document analysis with ops::mapreduce_tree: parse a Markdown document into its outline,
// map every node to statistics and a MinHash signature, reduce bottom-up (counts add, a section's
// signature is the element-wise min of its children's = the signature of the union of their
// shingles), then report sections that are near-duplicates of each other.
//   long_document [--input data/long_document/handbook.md] [--threshold 0.7] [--threads 0]
//                 [--expect data/long_document/planted.tsv]
#include <millrace/core.hpp>
#include <millrace/dedup/components.hpp>
#include <millrace/dedup/minhash.hpp>
#include <millrace/ops/mapreduce_tree.hpp>
#include <millrace/text/markdown.hpp>
#include <millrace/text/normalize.hpp>
#include <millrace/text/shingle.hpp>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

namespace mr = millrace;
namespace ops = millrace::ops;
namespace text = millrace::text;

namespace {

constexpr std::size_t shingle_words = 5;

struct stats {
  std::uint64_t sections = 0, paragraphs = 0, code_blocks = 0, words = 0, bytes = 0;
  std::vector<std::uint64_t> signature;  // MinHash of the subtree's shingles; all-max = none
};

void shingles_of(const std::string& block, std::vector<std::uint64_t>& out) {
  text::word_shingle_hashes(text::normalize(block), shingle_words, out);
}

// The exact Jaccard similarity of two subtrees' shingle sets (to verify MinHash estimates).
std::set<std::uint64_t> subtree_shingles(const text::md_tree& doc, std::size_t id) {
  std::set<std::uint64_t> s;
  std::vector<std::uint64_t> h;
  std::vector<std::size_t> todo{id};
  while (!todo.empty()) {
    const auto n = todo.back();
    todo.pop_back();
    if (!doc[n].text.empty()) {
      h.clear();
      shingles_of(doc[n].text, h);
      s.insert(h.begin(), h.end());
    }
    for (auto c : doc.children(n)) todo.push_back(c);
  }
  return s;
}

double exact_jaccard(const std::set<std::uint64_t>& a, const std::set<std::uint64_t>& b) {
  std::size_t inter = 0;
  for (auto x : a) inter += b.count(x);
  const std::size_t uni = a.size() + b.size() - inter;
  return uni == 0 ? 0.0 : static_cast<double>(inter) / static_cast<double>(uni);
}

bool is_ancestor(const text::md_tree& doc, std::size_t a, std::size_t b) {
  for (auto p = doc.parent(b); p != text::md_tree::npos; p = doc.parent(p)) {
    if (p == a) return true;
  }
  return false;
}

// Groups pairs into clusters (sets of titles), for comparing found vs planted: the titles get
// ordinals and the project's union-find (dedup::min_root_forest) links them.
std::set<std::set<std::string>> clusters(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::map<std::string, std::uint64_t> ordinal;
  std::vector<std::string> titles;
  auto id = [&](const std::string& t) {
    auto [it, added] = ordinal.emplace(t, titles.size());
    if (added) titles.push_back(t);
    return it->second;
  };
  std::vector<std::pair<std::uint64_t, std::uint64_t>> links;
  for (const auto& [a, b] : pairs) links.emplace_back(id(a), id(b));
  millrace::dedup::min_root_forest forest(titles.size());
  for (const auto& [a, b] : links) forest.unite(a, b);
  forest.flatten();
  std::map<std::uint64_t, std::set<std::string>> by_root;
  for (std::uint64_t i = 0; i < titles.size(); ++i) by_root[forest.root(i)].insert(titles[i]);
  std::set<std::set<std::string>> out;
  for (auto& [_, s] : by_root) out.insert(s);
  return out;
}

}  // namespace

namespace {
int run_main(int argc, char** argv) {
  CLI::App app{"Long-document analysis with MapReduce over the Markdown outline"};
  std::string input = "data/long_document/handbook.md", expect_file;
  double threshold = 0.7;
  int threads = 0;
  app.add_option("--input", input, "Markdown document")->check(CLI::ExistingFile);
  app.add_option("--threshold", threshold, "Jaccard similarity that makes two sections near-duplicates");
  app.add_option("--threads", threads, "worker threads (0 = all cores)");
  app.add_option("--expect", expect_file, "TSV of planted near-duplicate pairs; exit 1 unless found exactly");
  CLI11_PARSE(app, argc, argv);

  const text::md_tree doc = text::read_markdown(input);
  const mr::dedup::minhasher mh({.num_perm = 112, .seed = 1});

  // map: one node's own contribution; reduce: counts add, signatures take the element-wise min.
  auto map = [&mh](const text::md_node& n) {
    stats s;
    std::vector<std::uint64_t> h;
    if (n.kind == text::md_kind::section) s.sections = 1;
    if (n.kind == text::md_kind::paragraph) s.paragraphs = 1;
    if (n.kind == text::md_kind::code) s.code_blocks = 1;
    if (!n.text.empty()) {
      std::vector<std::string_view> words;
      text::word_tokens(n.text, words);
      s.words = words.size();
      s.bytes = n.text.size();
      shingles_of(n.text, h);
    }
    s.signature = mh.sign(h);
    return s;
  };
  auto reduce = ops::associative([](stats a, const stats& b) {
    a.sections += b.sections;
    a.paragraphs += b.paragraphs;
    a.code_blocks += b.code_blocks;
    a.words += b.words;
    a.bytes += b.bytes;
    for (std::size_t i = 0; i < a.signature.size(); ++i) a.signature[i] = std::min(a.signature[i], b.signature[i]);
    return a;
  });
  // the ops run on the executor's backend: cpu{.threads = 0} is all cores
  const std::vector<stats> per_node = millrace::with_executor(
      millrace::cpu{.threads = static_cast<std::size_t>(threads > 0 ? threads : 0)},
      [&] { return ops::mapreduce_tree(doc, map, reduce); });

  // Counts add up: the root's totals equal a plain count over the nodes.
  std::uint64_t paragraphs = 0, sections = 0;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    paragraphs += doc[i].kind == text::md_kind::paragraph;
    sections += doc[i].kind == text::md_kind::section;
  }
  const stats& total = per_node[doc.root()];
  fmt::print("{}: {} nodes, {} sections, {} paragraphs, {} code blocks, {} words, {} bytes of text\n", input,
             doc.size(), total.sections, total.paragraphs, total.code_blocks, total.words, total.bytes);
  if (total.paragraphs != paragraphs || total.sections != sections) {
    fmt::print(stderr, "counts do not add up: {} paragraphs, {} sections in the tree\n", paragraphs, sections);
    return 1;
  }
  fmt::print("\n{:<48} {:>8} {:>10} {:>7}\n", "chapter", "sections", "paragraphs", "words");
  for (auto c : doc.children(doc.root())) {
    for (auto ch : doc.children(c)) {
      if (doc[ch].kind != text::md_kind::section) continue;
      const auto& s = per_node[ch];
      fmt::print("{:<48} {:>8} {:>10} {:>7}\n", doc[ch].title.substr(0, 48), s.sections - 1, s.paragraphs, s.words);
    }
  }

  // Near-duplicate sections: every pair of sections with content, not nested in each other, whose
  // MinHash estimate reaches the threshold (a few hundred sections: all pairs is cheap and misses
  // nothing, where LSH banding would drop some pairs near the threshold); the exact Jaccard of
  // their shingle sets is shown to verify the estimate.
  std::vector<std::size_t> secs;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (doc[i].kind == text::md_kind::section && per_node[i].words > 0) secs.push_back(i);
  }
  std::vector<std::pair<std::string, std::string>> found;
  fmt::print("\nnear-duplicate sections (threshold {}, {} sections, word {}-gram MinHash x {}):\n", threshold,
             secs.size(), shingle_words, mh.num_perm());
  for (std::size_t x = 0; x < secs.size(); ++x) {
    for (std::size_t y = x + 1; y < secs.size(); ++y) {
      const auto a = secs[x], b = secs[y];
      if (is_ancestor(doc, a, b)) continue;
      const double est = mr::dedup::estimate_jaccard(per_node[a].signature, per_node[b].signature);
      if (est < threshold) continue;
      const double exact = exact_jaccard(subtree_shingles(doc, a), subtree_shingles(doc, b));
      fmt::print("  line {:>5} \"{}\"  ~  line {:>5} \"{}\"   J est {:.3f} exact {:.3f}\n", doc[a].line,
                 doc[a].title, doc[b].line, doc[b].title, est, exact);
      found.emplace_back(doc[a].title, doc[b].title);
    }
  }
  fmt::print("{} pair(s)\n", found.size());

  if (!expect_file.empty()) {
    std::ifstream in(expect_file);
    if (!in) {
      fmt::print(stderr, "{}: cannot open for reading\n", expect_file);
      return 1;
    }
    std::vector<std::pair<std::string, std::string>> planted;
    std::string line;
    for (std::size_t no = 1; std::getline(in, line); ++no) {
      if (line.empty() || line[0] == '#') continue;
      const auto tab = line.find('\t');
      if (tab == std::string::npos) {
        fmt::print(stderr, "{}:{}: expected two titles separated by a tab\n", expect_file, no);
        return 1;
      }
      planted.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    }
    const bool same = clusters(found) == clusters(planted);
    fmt::print("planted clusters {} found: {}\n", same ? "==" : "!=", same ? "ok" : "MISMATCH");
    if (!same) return 1;
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {  // bad input or a failed operator: say why, no core dump
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}
