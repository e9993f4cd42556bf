// millrace/recipe/builtin_pii.hpp — the PII operator for recipes (RE2: link millrace::pii):
// e-mail, IPv4/IPv6, phone, Luhn-checked card numbers, IBANs and US SSNs, redacted, dropped or annotated.
//   mr::recipe::registry reg = mr::recipe::builtin_registry();  mr::recipe::add_pii_ops(reg);   // "pii_redact"
#pragma once

#include <string>
#include <utility>

#include <millrace/filters/pii.hpp>
#include <millrace/recipe/registry.hpp>
#include <millrace/recipe/step_exclusions.hpp>

namespace millrace::recipe {

/// Registers "pii_redact" (filters::pii on the document's text).
inline void add_pii_ops(registry& reg) {
  const filters::pii_params d{};
  reg.add({.name = "pii_redact",
           .doc = "personal data in the text (e-mail, IPv4/IPv6, phone, Luhn-checked card numbers, mod-97-checked "
                  "IBANs, US social security numbers): redact to tokens, drop the record, or annotate counts",
           .params = {string_param("action", "redact", "redact: matches become tokens; drop: records with PII leave; "
                                                       "annotate: counts into \"filter_result\"")
                          .one_of({"redact", "drop", "annotate"}),
                      flag_param("email", d.detect.email, "e-mail addresses"), flag_param("ipv4", d.detect.ipv4, "IPv4 addresses"),
                      flag_param("ipv6", d.detect.ipv6, "IPv6 addresses"), flag_param("phone", d.detect.phone, "phone numbers"),
                      flag_param("credit_card", d.detect.credit_card, "Luhn-checked card numbers"),
                      flag_param("iban", d.detect.iban, "IBANs: a registered country, its length, mod 97; grouped by 4 or unbroken"),
                      flag_param("ssn", d.detect.ssn, "US social security numbers AAA-GG-SSSS, never-issued ones excluded"),
                      flag_param("ipv4_skip_versions", d.detect.ipv4_skip_versions, "a dotted quad after \"version\", \"v\", ... is not an address"),
                      flag_param("card_issuer_check", d.detect.card_issuer_check, "card numbers need a known issuer prefix"),
                      flag_param("iban_any_case", d.detect.iban_any_case, "IBANs in lower or mixed case too (default: upper case only)"),
                      flag_param("iban_format_check", d.detect.iban_format_check, "an IBAN's BBAN must have its country's registry format"),
                      flag_param("ssn_spaces", d.detect.ssn_spaces, "also AAA GG SSSS (single spaces)"),
                      flag_param("ssn_bare_digits", d.detect.ssn_bare_digits, "also nine digits in a row (many false positives)"),
                      string_param("email_token", d.email_token, "replacement of an e-mail address"),
                      string_param("ip_token", d.ip_token, "replacement of an IP address"),
                      string_param("phone_token", d.phone_token, "replacement of a phone number"),
                      string_param("card_token", d.card_token, "replacement of a card number"),
                      string_param("iban_token", d.iban_token, "replacement of an IBAN"),
                      string_param("ssn_token", d.ssn_token, "replacement of a social security number")},
           .build =
               [](const param_values& v, const step_context& ctx) {
                 filters::pii_options<document> o;
                 auto& p = o.params;
                 const std::string& a = v.string("action");
                 p.action = a == "drop" ? filters::pii_action::drop : a == "annotate" ? filters::pii_action::annotate : filters::pii_action::redact;
                 p.detect.email = v.flag("email");
                 p.detect.ipv4 = v.flag("ipv4");
                 p.detect.ipv6 = v.flag("ipv6");
                 p.detect.phone = v.flag("phone");
                 p.detect.credit_card = v.flag("credit_card");
                 p.detect.iban = v.flag("iban");
                 p.detect.ssn = v.flag("ssn");
                 p.detect.ipv4_skip_versions = v.flag("ipv4_skip_versions");
                 p.detect.card_issuer_check = v.flag("card_issuer_check");
                 p.detect.iban_any_case = v.flag("iban_any_case");
                 p.detect.iban_format_check = v.flag("iban_format_check");
                 p.detect.ssn_spaces = v.flag("ssn_spaces");
                 p.detect.ssn_bare_digits = v.flag("ssn_bare_digits");
                 p.email_token = v.string("email_token");
                 p.ip_token = v.string("ip_token");
                 p.phone_token = v.string("phone_token");
                 p.card_token = v.string("card_token");
                 p.iban_token = v.string("iban_token");
                 p.ssn_token = v.string("ssn_token");
                 o.tally = ctx.tally;
                 o.exclusions = filter_exclusions(ctx);
                 return make_step(filters::pii<document>(std::move(o), ctx.step_name));
               },
           .group = "filters"});
}

}  // namespace millrace::recipe
