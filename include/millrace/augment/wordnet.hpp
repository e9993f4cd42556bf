// millrace/augment/wordnet.hpp — WordNet 3.0 loader: parses the real database files (index.*,
// data.*, *.exc, cntlist.rev) once and answers lemma + part-of-speech -> synonym lemmas, read-only
// and safe to share across threads. Example: auto wn = millrace::augment::wordnet::load(); auto s =
// wn.synonyms("car", millrace::augment::pos::noun);
#pragma once

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace millrace::augment {

/// WordNet's four parts of speech.
enum class pos : std::uint8_t { noun = 0, verb = 1, adj = 2, adv = 3 };
/// Every part of speech, in WordNet's file order.
inline constexpr std::array<pos, 4> all_pos{pos::noun, pos::verb, pos::adj, pos::adv};

/// The name of a part of speech ("noun", "verb", "adj", "adv").
constexpr std::string_view pos_name(pos p) {
  constexpr std::array<std::string_view, 4> names{"noun", "verb", "adj", "adv"};
  return names[static_cast<std::size_t>(p)];
}

/// Thrown when the database cannot be opened or parsed; what() names the file (and line).
struct wordnet_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Which WordNet senses synonym lookup may use.
struct synonym_options {
  /// Senses are listed by WordNet in decreasing tagged frequency (SemCor counts). Using the first
  /// few keeps replacements close to the common meaning; 0 = all senses (original EDA behaviour).
  std::size_t max_senses = 3;
};

/// The WordNet database loaded from its data files: synonyms of a word by part of speech.
class wordnet {
 public:
  /// Default directory: $WNSEARCHDIR when set, else /usr/share/wordnet (Debian's wordnet-base).
  static std::filesystem::path default_path() {
    if (const char* env = std::getenv("WNSEARCHDIR"); env != nullptr && *env != '\0') return env;
    return "/usr/share/wordnet";
  }

  /// Reads the database in dir (data.*, index.*, *.exc for the four parts of speech; cntlist.rev
  /// when present); throws wordnet_error when a file is missing or malformed.
  static wordnet load(const std::filesystem::path& dir = default_path()) {
    wordnet wn;
    wn.dir_ = dir;
    for (pos p : all_pos) {
      wn.load_data(p);
      wn.load_index(p);
      wn.load_exceptions(p);
    }
    wn.load_counts();
    for (auto& m : wn.offsets_) m = {};   // only needed while linking index to data
    return wn;
  }

  wordnet(wordnet&&) noexcept = default;
  wordnet& operator=(wordnet&&) noexcept = default;
  wordnet(const wordnet&) = delete;   // synonyms are views into this object's arena
  wordnet& operator=(const wordnet&) = delete;

  /// Directory the database was loaded from.
  const std::filesystem::path& path() const { return dir_; }

  /// Synonym lemmas (multi-word lemmas with spaces, never the lemma itself) of a base-form lemma in
  /// sense-frequency order, without repeats. Lemma lookup is case-insensitive; empty if unknown.
  std::vector<std::string_view> synonyms(std::string_view lemma, pos p, synonym_options o = {}) const {
    std::vector<std::string_view> out;
    synonyms(lemma, p, out, o);
    return out;
  }
  void synonyms(std::string_view lemma, pos p, std::vector<std::string_view>& out, synonym_options o = {}) const {
    out.clear();
    const std::string key = detail_lower(lemma);
    const auto& idx = index_[static_cast<std::size_t>(p)];
    auto it = idx.find(key);
    if (it == idx.end()) return;
    const lemma_entry& e = it->second;
    const std::size_t n = o.max_senses == 0 ? e.count : std::min<std::size_t>(e.count, o.max_senses);
    for (std::size_t s = 0; s < n; ++s) {
      const synset& ss = synsets_[sense_synsets_[e.first + s]];
      for (std::uint32_t w = 0; w < ss.count; ++w) {
        std::string_view cand = words_[ss.first + w];
        if (equal_ci(cand, key)) continue;
        bool seen = false;
        for (auto x : out) seen = seen || x == cand;
        if (!seen) out.push_back(cand);
      }
    }
  }

  /// Number of senses of a base-form lemma for a part of speech (0 = not in WordNet).
  std::size_t sense_count(std::string_view lemma, pos p) const {
    const auto& idx = index_[static_cast<std::size_t>(p)];
    auto it = idx.find(detail_lower(lemma));
    return it == idx.end() ? 0 : it->second.count;
  }

  /// Total SemCor tag count of the lemma's senses for this part of speech (cntlist.rev); a prior for
  /// which part of speech a word usually has in running text.
  std::uint32_t tag_count(std::string_view lemma, pos p) const {
    const auto& idx = index_[static_cast<std::size_t>(p)];
    auto it = idx.find(detail_lower(lemma));
    return it == idx.end() ? 0 : it->second.tag_count;
  }

  /// Base form of an (inflected) word as WordNet's morphy finds it: exception lists first, then the
  /// word itself, then the detachment rules. nullopt when no base form is in the index.
  std::optional<std::string> base_form(std::string_view word, pos p) const {
    const std::string w = detail_lower(word);
    const auto pi = static_cast<std::size_t>(p);
    if (auto it = exceptions_[pi].find(w); it != exceptions_[pi].end()) return it->second;
    if (index_[pi].count(w) != 0) return w;
    struct rule { std::string_view suffix, ending; };
    static constexpr rule noun_rules[] = {{"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"},
                                          {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}};
    static constexpr rule verb_rules[] = {{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""},
                                          {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}};
    static constexpr rule adj_rules[] = {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}};
    std::span<const rule> rules;
    if (p == pos::noun) rules = noun_rules;
    if (p == pos::verb) rules = verb_rules;
    if (p == pos::adj) rules = adj_rules;
    for (const rule& r : rules) {
      if (w.size() <= r.suffix.size() || !w.ends_with(r.suffix)) continue;
      std::string b = w.substr(0, w.size() - r.suffix.size());
      b += r.ending;
      if (index_[pi].count(b) != 0) return b;
    }
    return std::nullopt;
  }

  /// Number of lemmas in the index of part of speech p.
  std::size_t lemma_count(pos p) const { return index_[static_cast<std::size_t>(p)].size(); }
  /// Number of synsets over all four parts of speech.
  std::size_t synset_count() const { return synsets_.size(); }

 private:
  wordnet() = default;
  struct synset { std::uint32_t first = 0, count = 0; };
  struct lemma_entry { std::uint32_t first = 0, count = 0, tag_count = 0; };

  static std::string detail_lower(std::string_view s) {
    std::string r(s);
    for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
  }
  static bool equal_ci(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto x = static_cast<unsigned char>(a[i]);
      const auto y = static_cast<unsigned char>(b[i]);
      // synonyms carry spaces where the index has underscores
      if (std::tolower(x) != std::tolower(y) && !(x == ' ' && y == '_')) return false;
    }
    return true;
  }

  static constexpr std::array<std::string_view, 4> file_suffix{"noun", "verb", "adj", "adv"};

  std::string read_file(const std::string& name) const {
    const auto file = dir_ / name;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      throw wordnet_error("WordNet database not found: cannot open '" + file.string() +
                          "' (install Debian's wordnet-base, or set WNSEARCHDIR / the path option "
                          "to the directory holding index.noun, data.noun, ...)");
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text;
  }

  [[noreturn]] void parse_error(const std::string& name, std::size_t line, std::string_view why) const {
    throw wordnet_error((dir_ / name).string() + ":" + std::to_string(line) + ": " + std::string(why));
  }

  // Splits text into lines, calling f(line, line_number) for each non-license line.
  template <class F>
  static void for_lines(std::string_view text, F&& f) {
    std::size_t pos0 = 0, line_no = 0;
    while (pos0 < text.size()) {
      std::size_t end = text.find('\n', pos0);
      if (end == std::string_view::npos) end = text.size();
      ++line_no;
      std::string_view line = text.substr(pos0, end - pos0);
      pos0 = end + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty() || line.front() == ' ') continue;   // license header lines start with spaces
      f(line, line_no);
    }
  }

  struct fields {
    std::string_view rest;
    std::optional<std::string_view> next() {
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      if (rest.empty()) return std::nullopt;
      std::size_t e = rest.find(' ');
      if (e == std::string_view::npos) e = rest.size();
      std::string_view f = rest.substr(0, e);
      rest.remove_prefix(e);
      return f;
    }
  };

  template <class T>
  static bool to_number(std::string_view s, T& v, int base = 10) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    return ec == std::errc() && p == s.data() + s.size();
  }

  void load_data(pos p) {
    const std::string name = "data." + std::string(file_suffix[static_cast<std::size_t>(p)]);
    const std::string text = read_file(name);
    auto& by_offset = offsets_[static_cast<std::size_t>(p)];
    for_lines(text, [&](std::string_view line, std::size_t ln) {
      fields f{line};
      auto off = f.next();
      f.next();            // lex_filenum
      auto type = f.next();
      auto wcnt = f.next();
      std::uint32_t offset = 0, count = 0;
      if (!off || !type || !wcnt || !to_number(*off, offset) || !to_number(*wcnt, count, 16))
        parse_error(name, ln, "malformed synset line");
      synset ss{static_cast<std::uint32_t>(words_.size()), 0};
      for (std::uint32_t i = 0; i < count; ++i) {
        auto word = f.next();
        auto lex_id = f.next();
        if (!word || !lex_id) parse_error(name, ln, "synset line ends inside its word list");
        std::string w(*word);
        if (auto paren = w.find('('); paren != std::string::npos && w.back() == ')') w.resize(paren);   // adj marker (p), (a), (ip)
        for (char& c : w) if (c == '_') c = ' ';
        words_.push_back(store(w));
        ++ss.count;
      }
      by_offset.emplace(offset, static_cast<std::uint32_t>(synsets_.size()));
      synsets_.push_back(ss);
    });
  }

  void load_index(pos p) {
    const std::string name = "index." + std::string(file_suffix[static_cast<std::size_t>(p)]);
    const std::string text = read_file(name);
    auto& idx = index_[static_cast<std::size_t>(p)];
    const auto& by_offset = offsets_[static_cast<std::size_t>(p)];
    for_lines(text, [&](std::string_view line, std::size_t ln) {
      fields f{line};
      auto lemma = f.next();
      f.next();   // pos
      auto scnt = f.next();
      auto pcnt = f.next();
      std::size_t synset_cnt = 0, p_cnt = 0;
      if (!lemma || !scnt || !pcnt || !to_number(*scnt, synset_cnt) || !to_number(*pcnt, p_cnt))
        parse_error(name, ln, "malformed index line");
      for (std::size_t i = 0; i < p_cnt; ++i) f.next();   // pointer symbols
      f.next();                                          // sense_cnt (same as synset_cnt)
      f.next();                                          // tagsense_cnt
      lemma_entry e{static_cast<std::uint32_t>(sense_synsets_.size()), 0, 0};
      for (std::size_t i = 0; i < synset_cnt; ++i) {
        auto off = f.next();
        std::uint32_t o = 0;
        if (!off || !to_number(*off, o)) parse_error(name, ln, "malformed synset offset");
        auto it = by_offset.find(o);
        if (it == by_offset.end()) parse_error(name, ln, "synset offset " + std::string(*off) + " not in data file");
        sense_synsets_.push_back(it->second);
        ++e.count;
      }
      idx.emplace(std::string(*lemma), e);
    });
  }

  void load_exceptions(pos p) {
    const std::string name = std::string(file_suffix[static_cast<std::size_t>(p)]) + ".exc";
    const std::string text = read_file(name);
    auto& exc = exceptions_[static_cast<std::size_t>(p)];
    for_lines(text, [&](std::string_view line, std::size_t ln) {
      fields f{line};
      auto inflected = f.next();
      auto base = f.next();
      if (!inflected || !base) parse_error(name, ln, "exception line needs an inflected form and a base form");
      exc.emplace(std::string(*inflected), std::string(*base));   // first base wins
    });
  }

  // cntlist.rev: "lemma%ss_type:lex_filenum:lex_id:head:head_id sense_number tag_count".
  void load_counts() {
    const std::string name = "cntlist.rev";
    const auto file = dir_ / name;
    if (!std::filesystem::exists(file)) return;   // optional: without it every tag count is 0
    const std::string text = read_file(name);
    for_lines(text, [&](std::string_view line, std::size_t ln) {
      fields f{line};
      auto key = f.next();
      f.next();
      auto cnt = f.next();
      std::uint32_t c = 0;
      const std::size_t pct = key ? key->find('%') : std::string_view::npos;
      if (!key || !cnt || pct == std::string_view::npos || pct + 1 >= key->size() || !to_number(*cnt, c))
        parse_error(name, ln, "malformed sense count line");
      const char t = (*key)[pct + 1];
      const int pi = t == '1' ? 0 : t == '2' ? 1 : (t == '3' || t == '5') ? 2 : t == '4' ? 3 : -1;
      if (pi < 0) parse_error(name, ln, "unknown synset type in sense key");
      auto& idx = index_[static_cast<std::size_t>(pi)];
      auto it = idx.find(std::string(key->substr(0, pct)));
      if (it != idx.end()) it->second.tag_count += c;
    });
  }

  std::string_view store(const std::string& s) {
    // Chunked arena: string_views stay valid as it grows (chunks are never reallocated).
    if (arena_.empty() || arena_.back().capacity() - arena_.back().size() < s.size()) {
      arena_.emplace_back();
      arena_.back().reserve(std::max<std::size_t>(1 << 20, s.size()));
    }
    std::string& chunk = arena_.back();
    const std::size_t at = chunk.size();
    chunk += s;
    return std::string_view(chunk).substr(at, s.size());
  }

  std::filesystem::path dir_;
  std::vector<std::string> arena_;   // moved, never copied piecewise: string data pointers stay put
  std::vector<std::string_view> words_;
  std::vector<synset> synsets_;
  std::vector<std::uint32_t> sense_synsets_;
  std::array<std::unordered_map<std::uint32_t, std::uint32_t>, 4> offsets_;
  std::array<std::unordered_map<std::string, lemma_entry>, 4> index_;
  std::array<std::unordered_map<std::string, std::string>, 4> exceptions_;
};

}  // namespace millrace::augment
