// millrace/filters/url.hpp — the URL filter: block lists of domains (a domain and its subdomains)
// and substrings, allow lists of domains that override them, given inline or as list files (one
// entry per line, '#' comments), tested on a record's URL; domains compare in their IDNA ASCII form
// (bücher.example = xn--bcher-kva.example); datatrove URLFilter's word lists (banned words, soft-banned
// words counted against a threshold, banned subwords); drops (to an exclusion output) or annotates.
//   auto f = mr::filters::url_filter<Doc>({.rules = {.block_substrings = {"casino"}, .domain_files = {"blocklist/adult.txt"}}});
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <millrace/core/compose.hpp>
#include <millrace/filters/detail/record_stage.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/text/idna.hpp>

namespace millrace::filters {

/// The rules of the URL filter. Substrings compare case-insensitively (ASCII); domains (entries
/// and URL hosts) compare in their IDNA ASCII form (text::domain_to_ascii: Unicode labels
/// lower-cased and Punycode-encoded), so "Bücher.example", "xn--bcher-kva.example" and
/// "b%C3%BCcher.example" in a URL are one domain.
struct url_rules {
  /// "example.com" blocks example.com and every subdomain (a.example.com), not notexample.com;
  /// a leading "*." or "." is accepted and ignored.
  std::vector<std::string> block_domains{};
  /// Blocks a URL that contains the substring anywhere (scheme, host, path, query).
  std::vector<std::string> block_substrings{};
  /// Files of domains: one per line; blank lines and text from '#' on are ignored.
  std::vector<std::string> domain_files{};
  /// Files of substrings: one per line (spaces at both ends trimmed); blank lines and lines
  /// starting with '#' are ignored ('#' elsewhere is part of the substring).
  std::vector<std::string> substring_files{};
  /// Domains allowed with their subdomains: an allowed host passes whatever substring matches it
  /// and whatever blocked domain contains it; only a blocked domain more specific than the allowed
  /// one wins (allow example.com, block ads.example.com: ads.example.com is blocked, the rest of
  /// example.com passes; block bad.com, allow blog.bad.com: only blog.bad.com passes).
  std::vector<std::string> allow_domains{};
  /// Files of allowed domains, in the format of domain_files.
  std::vector<std::string> allow_files{};

  // datatrove URLFilter's word lists. An entry is normalized as datatrove does: every character
  // but A-Z a-z 0-9 removed, ASCII lower-cased ("Sex-Shop" -> "sexshop"); an entry with nothing
  // left throws. The URL's words: the whole URL (scheme, host, path, query), ASCII lower-cased,
  // split at every character but A-Z a-z 0-9 ("https://Free.Casino/x?a=b" -> https free casino x a b).
  // All lists empty (the default): no word rule, behaviour as before.

  /// A URL with one of these among its words fails ("banned_word"); a word inside a longer one
  /// does not count ("casino" does not match "casinos" nor "mycasino").
  std::vector<std::string> banned_words{};
  /// A URL with at least soft_word_threshold distinct ones among its words fails ("soft_banned_words").
  std::vector<std::string> soft_banned_words{};
  /// Soft-banned words that make a URL fail (default 2, as datatrove; at least 1).
  std::size_t soft_word_threshold = 2;
  /// A URL whose normalized form (the URL with every character but A-Z a-z 0-9 removed,
  /// lower-cased: "https://a.com/x-y" -> "httpsacomxy") contains one as a substring fails
  /// ("banned_subword"); it may span separators ("xy" matches ".../x-y").
  std::vector<std::string> banned_subwords{};
  /// Files of banned words / soft-banned words / banned subwords: one entry per line; blank lines
  /// and text from '#' on are ignored ('#' cannot be part of a normalized entry).
  std::vector<std::string> banned_word_files{};
  std::vector<std::string> soft_banned_word_files{};  ///< files of soft-banned words, in that format
  std::vector<std::string> banned_subword_files{};    ///< files of banned subwords, in that format
};

namespace detail {

/// The 36 symbols of a normalized URL (a-z, 0-9) as 0..35; -1 for the characters normalization removes.
inline int url_symbol(unsigned char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '0' && c <= '9') return 26 + (c - '0');
  return -1;
}

/// A multi-pattern substring matcher (Aho-Corasick) over the 36 symbols of a normalized URL. Why
/// this and not one find() per pattern (as the block_substrings rules do): datatrove's subword
/// lists hold hundreds of entries, and here the cost per URL is one table step per character
/// whatever their number. The alphabet is 36 symbols, so every state keeps a dense row of 36
/// next states (the goto and failure links folded into one DFA when it is built: 144 bytes per
/// trie node) and the scan has no failure-link loop.
class subword_matcher {
 public:
  /// Adds a pattern of symbols a-z 0-9 (already normalized, not empty).
  void add(std::string_view pattern) {
    if (next_.empty()) new_state();
    std::int32_t s = 0;
    for (unsigned char c : pattern) {
      const int k = url_symbol(c);
      if (next_[s][k] == 0) {
        const std::int32_t n = new_state();
        next_[s][k] = n;
      }
      s = next_[s][k];
    }
    if (!out_[s]) ++patterns_;
    out_[s] = 1;
  }
  /// Builds the DFA (breadth first: a state's failure state is done before it); call after the adds.
  void build() {
    if (next_.empty()) return;
    std::vector<std::int32_t> fail(next_.size(), 0), queue;
    for (int k = 0; k < 36; ++k)
      if (next_[0][k]) queue.push_back(next_[0][k]);
    for (std::size_t i = 0; i < queue.size(); ++i) {
      const std::int32_t s = queue[i];
      out_[s] |= out_[fail[s]];
      for (int k = 0; k < 36; ++k) {
        const std::int32_t t = next_[s][k];
        if (t) {
          fail[t] = next_[fail[s]][k];
          queue.push_back(t);
        } else {
          next_[s][k] = next_[fail[s]][k];
        }
      }
    }
  }
  /// Whether a pattern occurs in the normalized form of `text` (characters other than A-Z a-z 0-9 skipped).
  bool found_in(std::string_view text) const {
    if (patterns_ == 0) return false;
    std::int32_t s = 0;
    for (unsigned char c : text) {
      const int k = url_symbol(c);
      if (k < 0) continue;
      s = next_[s][k];
      if (out_[s]) return true;
    }
    return false;
  }
  /// Distinct patterns held.
  std::size_t size() const { return patterns_; }

 private:
  std::int32_t new_state() {
    next_.emplace_back();
    next_.back().fill(0);
    out_.push_back(0);
    return std::int32_t(next_.size() - 1);
  }
  std::vector<std::array<std::int32_t, 36>> next_;
  std::vector<unsigned char> out_;
  std::size_t patterns_ = 0;
};

}  // namespace detail

/// The host of a URL, lower-cased, without userinfo, port, brackets (IPv6) or a final '.':
/// "https://u@WWW.Example.com:8080/x" -> "www.example.com". A URL without "scheme://" is read
/// from its start ("example.com/path").
inline std::string url_host(std::string_view url) {
  std::size_t b = url.find("://");
  b = b == std::string_view::npos ? (url.substr(0, 2) == "//" ? 2 : 0) : b + 3;
  std::size_t e = url.find_first_of("/?#", b);
  std::string_view auth = url.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b);
  if (auto at = auth.rfind('@'); at != std::string_view::npos) auth.remove_prefix(at + 1);
  if (!auth.empty() && auth.front() == '[') {
    const auto close = auth.find(']');
    auth = auth.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  } else if (auto colon = auth.find(':'); colon != std::string_view::npos) {
    auth = auth.substr(0, colon);
  }
  while (!auth.empty() && auth.back() == '.') auth.remove_suffix(1);
  std::string h(auth);
  for (auto& c : h)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return h;
}

/// The host of a URL in its IDNA ASCII form: url_host, percent-escapes decoded, then
/// text::domain_to_ascii ("https://Bücher.example/" -> "xn--bcher-kva.example"); a host that is
/// not valid UTF-8 is returned as url_host gives it.
inline std::string url_host_ascii(std::string_view url) {
  std::string h = url_host(url);
  bool plain = true;
  for (char c : h) plain = plain && static_cast<unsigned char>(c) < 0x80 && c != '%';
  if (plain) return h;
  std::string decoded;
  auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (h[i] == '%' && i + 2 < h.size() && hex(h[i + 1]) >= 0 && hex(h[i + 2]) >= 0) {
      decoded.push_back(char(hex(h[i + 1]) * 16 + hex(h[i + 2])));
      i += 2;
    } else {
      decoded.push_back(h[i]);
    }
  }
  return text::domain_to_ascii(decoded).value_or(h);
}

/// The compiled rules: hash sets of blocked and allowed domains (IDNA ASCII) and a list of
/// substrings, immutable (thread-safe).
class url_blocklist {
 public:
  /// Reads the files and checks every entry; a bad entry throws std::invalid_argument naming
  /// the file and line ("lists/bad.txt:3: 'http://a.com/' is not a domain ...").
  explicit url_blocklist(const url_rules& r) {
    for (std::size_t i = 0; i < r.block_domains.size(); ++i)
      add_domain(r.block_domains[i], "block_domains[" + std::to_string(i) + "]");
    for (std::size_t i = 0; i < r.block_substrings.size(); ++i)
      add_substring(r.block_substrings[i], "block_substrings[" + std::to_string(i) + "]");
    for (auto& f : r.domain_files) read_list(f, list::block);
    for (auto& f : r.substring_files) read_list(f, list::substrings);
    for (std::size_t i = 0; i < r.allow_domains.size(); ++i)
      add_domain(r.allow_domains[i], "allow_domains[" + std::to_string(i) + "]", allowed_);
    for (auto& f : r.allow_files) read_list(f, list::allow);
    add_words(r.banned_words, "banned_words", banned_);
    add_words(r.soft_banned_words, "soft_banned_words", soft_);
    add_words(r.banned_subwords, "banned_subwords", subword_list_);
    for (auto& f : r.banned_word_files) read_word_list(f, banned_);
    for (auto& f : r.soft_banned_word_files) read_word_list(f, soft_);
    for (auto& f : r.banned_subword_files) read_word_list(f, subword_list_);
    for (auto* v : {&banned_, &soft_, &subword_list_}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    for (auto& w : subword_list_) subwords_.add(w);
    subwords_.build();
    if (r.soft_word_threshold < 1)
      throw std::invalid_argument("mr::filters::url_filter: soft_word_threshold must be at least 1 (0 would drop every URL)");
    soft_threshold_ = r.soft_word_threshold;
  }

  /// "" when the URL passes, else "blocked_domain", "blocked_substring", "banned_word",
  /// "soft_banned_words" or "banned_subword" (tested in this order; the first that fails names
  /// the reason). The host's domains are tested from the most specific (a.b.example.com,
  /// b.example.com, example.com, com): the first that is allowed or blocked decides (allowed when
  /// both, and an allowed host passes every other rule); a host in no listed domain is then tested
  /// against the substrings, then the word lists (in datatrove's order: banned words, soft-banned
  /// words, banned subwords).
  std::string_view check(std::string_view url) const {
    const std::string host = url_host_ascii(url);
    for (std::string_view h = host; !h.empty();) {
      const std::string key(h);
      if (allowed_.count(key)) return {};
      if (domains_.count(key)) return "blocked_domain";
      const auto dot = h.find('.');
      if (dot == std::string_view::npos) break;
      h.remove_prefix(dot + 1);
    }
    if (!substrings_.empty()) {
      std::string lower(url);
      for (auto& c : lower)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
      for (auto& s : substrings_)
        if (lower.find(s) != std::string::npos) return "blocked_substring";
    }
    if (!banned_.empty() || !soft_.empty()) {
      std::size_t soft_found = 0;
      std::vector<std::string_view> seen;  // distinct soft-banned words met (few)
      std::string word;
      bool banned = false;
      auto end_word = [&] {
        if (word.empty()) return;
        if (std::binary_search(banned_.begin(), banned_.end(), word)) banned = true;
        else if (auto it = std::lower_bound(soft_.begin(), soft_.end(), word); it != soft_.end() && *it == word &&
                 std::find(seen.begin(), seen.end(), std::string_view(*it)) == seen.end()) {
          seen.push_back(*it);
          ++soft_found;
        }
        word.clear();
      };
      for (unsigned char c : url) {
        if (detail::url_symbol(c) < 0) end_word();
        else word.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : char(c));
        if (banned) break;
      }
      end_word();
      // datatrove tests every banned word before counting soft ones: a banned word anywhere wins.
      if (banned) return "banned_word";
      if (soft_found >= soft_threshold_) return "soft_banned_words";
    }
    if (subwords_.found_in(url)) return "banned_subword";
    return {};
  }

  /// Blocked domains held.
  std::size_t domains() const { return domains_.size(); }
  /// Blocked substrings held.
  std::size_t substrings() const { return substrings_.size(); }
  /// Allowed domains held.
  std::size_t allowed_domains() const { return allowed_.size(); }
  /// Distinct banned words held (normalized).
  std::size_t banned_words() const { return banned_.size(); }
  /// Distinct soft-banned words held (normalized).
  std::size_t soft_banned_words() const { return soft_.size(); }
  /// Distinct banned subwords held (normalized).
  std::size_t banned_subwords() const { return subwords_.size(); }

 private:
  static std::string lower_trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    std::string out(s);
    for (auto& c : out)
      if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
  }

  enum class list { block, substrings, allow };

  void add_domain(std::string_view entry, const std::string& where) { add_domain(entry, where, domains_); }
  void add_domain(std::string_view entry, const std::string& where, std::unordered_set<std::string>& into) {
    std::string d = lower_trimmed(entry);
    if (d.rfind("*.", 0) == 0) d.erase(0, 2);
    else if (!d.empty() && d.front() == '.') d.erase(0, 1);
    while (!d.empty() && d.back() == '.') d.pop_back();
    bool ok = !d.empty() && d.find("..") == std::string::npos;
    for (unsigned char c : d)
      ok &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c >= 0x80;
    auto ascii = ok ? text::domain_to_ascii(d) : std::nullopt;
    if (!ascii)
      throw std::invalid_argument("mr::filters::url_filter: " + where + ": '" + std::string(entry) +
                                  "' is not a domain (expected a host name such as example.com; "
                                  "put URL parts in a substring list)");
    into.insert(std::move(*ascii));
  }
  void add_substring(std::string_view entry, const std::string& where) {
    std::string s = lower_trimmed(entry);
    if (s.empty()) throw std::invalid_argument("mr::filters::url_filter: " + where + ": empty substring");
    substrings_.push_back(std::move(s));
  }
  void read_list(const std::string& path, list kind) {
    const bool domain_list = kind != list::substrings;
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("mr::filters::url_filter: " + path + ": cannot open the list file");
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
      std::string_view l = line;
      if (domain_list) {
        if (auto h = l.find('#'); h != std::string_view::npos) l = l.substr(0, h);
      }
      const std::string t = lower_trimmed(l);
      if (t.empty() || t.front() == '#') continue;
      const std::string where = path + ":" + std::to_string(n);
      if (kind == list::substrings) add_substring(l, where);
      else add_domain(l, where, kind == list::allow ? allowed_ : domains_);
    }
  }

  /// datatrove's normalize(): A-Z a-z 0-9 kept (lower-cased), the rest removed.
  static std::string normalized(std::string_view s) {
    std::string out;
    for (unsigned char c : s)
      if (detail::url_symbol(c) >= 0) out.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : char(c));
    return out;
  }
  static void add_word(std::string_view entry, const std::string& where, std::vector<std::string>& into) {
    std::string w = normalized(entry);
    if (w.empty())
      throw std::invalid_argument("mr::filters::url_filter: " + where + ": '" + std::string(entry) +
                                  "' has no letter or digit (entries are compared with A-Z a-z 0-9 only)");
    into.push_back(std::move(w));
  }
  static void add_words(const std::vector<std::string>& entries, const char* option, std::vector<std::string>& into) {
    // (fmt::format, not `option + ("[" + ...)`: g++ 12 -O3 reports a false -Wrestrict on that)
    for (std::size_t i = 0; i < entries.size(); ++i) add_word(entries[i], fmt::format("{}[{}]", option, i), into);
  }
  static void read_word_list(const std::string& path, std::vector<std::string>& into) {
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("mr::filters::url_filter: " + path + ": cannot open the list file");
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
      std::string_view l = line;
      if (auto h = l.find('#'); h != std::string_view::npos) l = l.substr(0, h);
      if (lower_trimmed(l).empty()) continue;
      add_word(l, path + ":" + std::to_string(n), into);
    }
  }

  std::unordered_set<std::string> domains_, allowed_;
  std::vector<std::string> substrings_;
  std::vector<std::string> banned_, soft_, subword_list_;  // normalized, sorted, distinct
  detail::subword_matcher subwords_;
  std::size_t soft_threshold_ = 2;
};

/// The options of mr::filters::url_filter<Rec> (defaults in the comments).
template <class Rec>
struct url_filter_options {
  url_rules rules{};  ///< the lists; url_filter reads and compiles them when it is called
  /// The record's URL; empty: the record's `url` member.
  std::function<std::string_view(const Rec&)> url_of{};
  /// A record with an empty URL fails with reason "missing_url" (false: it passes).
  bool drop_missing_url = false;
  /// Keep every record; write "<name>.blocked" (0 or 1) and the reason into rec.filter_result.
  bool annotate = false;
  /// Records dropped, with the filter's name and reason; calls are serialized.
  std::function<void(excluded<Rec>&&)> exclusions{};
  /// Records in / blocked / reasons; the caller keeps it.
  filter_tally* tally = nullptr;
};

/// mr::filters::url_filter<Rec>(options, name): a parallel stage dropping (or annotating) records
/// whose URL is blocked. The lists are read, checked and compiled here, before any data is read.
template <class Rec>
auto url_filter(url_filter_options<Rec> opt, std::string name = "url_filter") {
  auto rules = std::make_shared<const url_blocklist>(opt.rules);
  auto url_of = opt.url_of;
  if (!url_of) {
    if constexpr (requires(const Rec& r) { std::string_view(r.url); }) url_of = [](const Rec& r) { return std::string_view(r.url); };
    else throw std::invalid_argument("mr::filters::" + name + ": records have no `url` member; set url_filter_options::url_of");
  }
  auto check = [rules, url_of = std::move(url_of), missing = opt.drop_missing_url, name](Rec& r,
                                                                                         filter_result* ann) -> std::string_view {
    const std::string_view url = url_of(r);
    const std::string_view why = url.empty() ? (missing ? std::string_view("missing_url") : std::string_view{}) : rules->check(url);
    if (ann) {
      ann->set(name, "blocked", why.empty() ? 0.0 : 1.0);
      if (!why.empty()) ann->failures.emplace_back(name, std::string(why));
    }
    return why;
  };
  detail::record_filter_stage<Rec, decltype(check)> st(std::move(check), name, opt.annotate, opt.annotate,
                                                      std::move(opt.exclusions), opt.tally);
  return millrace::stage(std::move(st), std::move(name));
}

}  // namespace millrace::filters
