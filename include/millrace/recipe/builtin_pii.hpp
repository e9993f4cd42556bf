// millrace/recipe/builtin_pii.hpp — the PII operator for recipes (RE2: link millrace::pii):
// e-mail, IPv4/IPv6, phone and Luhn-checked card numbers, redacted, dropped or annotated.
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
           .doc = "personal data in the text (e-mail, IPv4/IPv6, phone, Luhn-checked card numbers): redact to "
                  "tokens, drop the record, or annotate counts",
           .params = {string_param("action", "redact", "redact: matches become tokens; drop: records with PII leave; "
                                                       "annotate: counts into \"filter_result\"")
                          .one_of({"redact", "drop", "annotate"}),
                      flag_param("email", d.detect.email, "e-mail addresses"), flag_param("ipv4", d.detect.ipv4, "IPv4 addresses"),
                      flag_param("ipv6", d.detect.ipv6, "IPv6 addresses"), flag_param("phone", d.detect.phone, "phone numbers"),
                      flag_param("credit_card", d.detect.credit_card, "Luhn-checked card numbers"),
                      flag_param("ipv4_skip_versions", d.detect.ipv4_skip_versions, "a dotted quad after \"version\", \"v\", ... is not an address"),
                      flag_param("card_issuer_check", d.detect.card_issuer_check, "card numbers need a known issuer prefix"),
                      string_param("email_token", d.email_token, "replacement of an e-mail address"),
                      string_param("ip_token", d.ip_token, "replacement of an IP address"),
                      string_param("phone_token", d.phone_token, "replacement of a phone number"),
                      string_param("card_token", d.card_token, "replacement of a card number")},
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
                 p.detect.ipv4_skip_versions = v.flag("ipv4_skip_versions");
                 p.detect.card_issuer_check = v.flag("card_issuer_check");
                 p.email_token = v.string("email_token");
                 p.ip_token = v.string("ip_token");
                 p.phone_token = v.string("phone_token");
                 p.card_token = v.string("card_token");
                 o.tally = ctx.tally;
                 o.exclusions = filter_exclusions(ctx);
                 return make_step(filters::pii<document>(std::move(o), ctx.step_name));
               },
           .group = "filters"});
}

}  // namespace millrace::recipe
