// millrace/filters/url.hpp — the URL filter: block lists of domains (a domain and its subdomains)
// and substrings, allow lists of domains that override them, given inline or as list files (one
// entry per line, '#' comments), tested on a record's URL; domains compare in their IDNA ASCII form
// (bücher.example = xn--bcher-kva.example); drops (to an exclusion output) or annotates.
//   auto f = mr::filters::url_filter<Doc>({.rules = {.block_substrings = {"casino"}, .domain_files = {"blocklist/adult.txt"}}});
#pragma once

#include <cstddef>
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
};

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
  }

  /// "" when the URL passes, else "blocked_domain" or "blocked_substring". The host's domains
  /// are tested from the most specific (a.b.example.com, b.example.com, example.com, com): the
  /// first that is allowed or blocked decides (allowed when both); a host in no listed domain is
  /// then tested against the substrings.
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
    return {};
  }

  /// Blocked domains held.
  std::size_t domains() const { return domains_.size(); }
  /// Blocked substrings held.
  std::size_t substrings() const { return substrings_.size(); }
  /// Allowed domains held.
  std::size_t allowed_domains() const { return allowed_.size(); }

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

  std::unordered_set<std::string> domains_, allowed_;
  std::vector<std::string> substrings_;
};

/// The options of mr::filters::url_filter<Rec> (defaults in the comments).
template <class Rec>
struct url_filter_options {
  url_rules rules{};
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
