// millrace/filters/pii.hpp — personal data in text: e-mail addresses, IPv4/IPv6 addresses, phone
// numbers, Luhn-checked card numbers, mod-97-checked IBANs and US social security numbers (RE2;
// link millrace::pii), redacted to tokens, dropped or counted. pii_filter is a quality filter for mr::filters::apply; mr::filters::pii<Rec> runs alone.
//   auto p = mr::filters::pii<Doc>({.params = {.action = mr::filters::pii_action::redact}});  // "<EMAIL>"
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <millrace/core/compose.hpp>
#include <millrace/filters/apply.hpp>
#include <millrace/filters/detail/pii_engine.hpp>
#include <millrace/filters/detail/record_stage.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/filters/text_view.hpp>

namespace millrace::filters {

/// What the PII filter does with a text that holds personal data.
enum class pii_action {
  redact,    ///< each match is replaced by its kind's token; the record stays
  drop,      ///< the record fails with reason "contains_<kind>" (the first match's kind)
  annotate,  ///< nothing changes; counts go to filter_result (statistics "<name>.<kind>")
};

/// The PII filter's parameters (defaults in the comments; the kinds and checks in `detect`).
struct pii_params {
  pii_action action = pii_action::redact;   ///< on a match: redact (default), drop the record or annotate
  pii_detect_options detect{};              ///< the kinds looked for and their extra checks
  std::string email_token = "<EMAIL>";      ///< an e-mail address is redacted to this
  std::string ip_token = "<IP_ADDRESS>";    ///< an IPv4 or IPv6 address is redacted to this
  std::string phone_token = "<PHONE>";      ///< a phone number is redacted to this
  std::string card_token = "<CREDIT_CARD>"; ///< a card number is redacted to this
  std::string iban_token = "<IBAN>";        ///< an IBAN is redacted to this
  std::string ssn_token = "<SSN>";          ///< a US social security number is redacted to this
};

/// The PII filter: the patterns are compiled once when it is built (copies share them) and
/// matched from any number of threads. As a quality filter for mr::filters::apply (it reads
/// doc_stats::text only): in apply's drop mode, action redact rewrites the text and action drop
/// fails the record; in apply's annotate mode it writes its counts and never rewrites.
class pii_filter {
 public:
  explicit pii_filter(pii_params p = {}, std::string filter_name = "pii")
      : name(std::move(filter_name)), params_(std::move(p)), engine_(std::make_shared<const detail::pii_engine>(params_.detect)) {}

  /// The filter's name: in reasons' tallies, statistics ("pii.email") and exclusions.
  std::string name;
  /// It reads only the text: mr::filters::apply runs it without analyzing the text for it.
  static constexpr bool text_only = true;

  /// The parameters it was built with (read-only: the patterns were compiled from them).
  const pii_params& params() const { return params_; }

  /// The matches in `text`, in order, not overlapping.
  std::vector<pii_match> find(std::string_view text) const { return engine_->find(text); }

  /// `text` with each match replaced by its token.
  std::string redact(std::string_view text, const std::vector<pii_match>& matches) const {
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    for (auto& m : matches) {
      out.append(text.substr(at, m.begin - at));
      out += token(m.kind);
      at = m.end;
    }
    out.append(text.substr(at));
    return out;
  }
  std::string redact(std::string_view text) const { return redact(text, find(text)); }

  /// The token a match of kind `k` is redacted to (params' *_token; IPv4 and IPv6 share ip_token).
  const std::string& token(pii_kind k) const {
    switch (k) {
      case pii_kind::email: return params_.email_token;
      case pii_kind::ipv4:
      case pii_kind::ipv6: return params_.ip_token;
      case pii_kind::phone: return params_.phone_token;
      case pii_kind::credit_card: return params_.card_token;
      case pii_kind::iban: return params_.iban_token;
      case pii_kind::ssn: break;
    }
    return params_.ssn_token;
  }

  /// Counts per kind (indexed by pii_kind) of the matches.
  static std::array<std::size_t, pii_kind_count> count(const std::vector<pii_match>& matches) {
    std::array<std::size_t, pii_kind_count> n{};
    for (auto& m : matches) ++n[std::size_t(m.kind)];
    return n;
  }

  /// The check on one text: writes counts into `out` (when given), the redacted text into
  /// `rewritten` (when given, action redact and something matched), and returns the reason
  /// (action drop and something matched) or "".
  std::string_view check_text(std::string_view text, filter_result* out, std::string* rewritten) const {
    const auto matches = find(text);
    if (out) {
      const auto n = count(matches);
      for (std::size_t k = 0; k < pii_kind_count; ++k) out->set(name, pii_kind_name(pii_kind(k)), double(n[k]));
    }
    if (matches.empty()) return {};
    if (params_.action == pii_action::drop) {
      const std::string_view why = reason(matches.front().kind);
      if (out) out->failures.emplace_back(name, std::string(why));
      return why;
    }
    if (params_.action == pii_action::redact && rewritten) *rewritten = redact(text, matches);
    return {};
  }

  /// The quality_filter entry point (mr::filters::apply).
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* rewritten = nullptr) const {
    return check_text(st.text, out, rewritten);
  }

  /// The reason a record with a first match of kind `k` fails with: "contains_<kind>".
  static std::string_view reason(pii_kind k) {
    constexpr std::array<std::string_view, pii_kind_count> r{"contains_email", "contains_ipv4",        "contains_ipv6",
                                                             "contains_phone", "contains_credit_card", "contains_iban",
                                                             "contains_ssn"};
    return r[std::size_t(k)];
  }

 private:
  pii_params params_;
  std::shared_ptr<const detail::pii_engine> engine_;
};

/// The options of mr::filters::pii<Rec> (the operator that runs the PII filter alone, without
/// apply's one scan: it reads only the bytes).
template <class Rec>
struct pii_options {
  pii_params params{};  ///< the filter's action, detection options and tokens
  /// Records dropped (action drop), with the filter's name and reason; calls are serialized.
  std::function<void(excluded<Rec>&&)> exclusions{};
  /// Records in / with PII ("dropped", in every action) / reasons per kind; the caller keeps it.
  filter_tally* tally = nullptr;
};

/// mr::filters::pii<Rec>(options, name): a parallel stage over records with a `text` member (or
/// strings). redact: the text is rewritten, every record stays; drop: records with PII leave
/// (to exclusions); annotate: counts into rec.filter_result (the record needs that member).
/// The tally counts a record as "dropped" when it held PII, whatever the action.
template <class Rec>
auto pii(pii_options<Rec> opt = {}, std::string name = "pii") {
  const pii_action action = opt.params.action;
  pii_filter f(std::move(opt.params), name);
  auto check = [f = std::move(f), action](Rec& r, filter_result* ann) -> std::string_view {
    const std::string_view text = detail::text_of(r);
    const auto matches = f.find(text);
    if (ann) {
      const auto n = pii_filter::count(matches);
      for (std::size_t k = 0; k < pii_kind_count; ++k) ann->set(f.name, pii_kind_name(pii_kind(k)), double(n[k]));
    }
    if (matches.empty()) return {};
    const std::string_view why = pii_filter::reason(matches.front().kind);
    if (ann) ann->failures.emplace_back(f.name, std::string(why));
    if (action == pii_action::redact) detail::set_text(r, f.redact(text, matches));
    return why;  // counted in the tally; only action drop removes the record
  };
  detail::record_filter_stage<Rec, decltype(check)> st(std::move(check), name, action != pii_action::drop,
                                                      action == pii_action::annotate, std::move(opt.exclusions), opt.tally);
  return millrace::stage(std::move(st), std::move(name));
}

}  // namespace millrace::filters
