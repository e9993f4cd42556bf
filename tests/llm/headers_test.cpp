// The llm headers build on the composition half of the core only (no executor, no oneTBB), and
// the typed-prompt pieces work without a server: rendering, the reply contract, reply parsing.
#include <millrace/llm.hpp>

#ifdef TBB_VERSION_MAJOR  // defined by every oneTBB header
#error "an llm header includes oneTBB"
#endif

#include <doctest/doctest.h>

namespace llm = millrace::llm;

TEST_CASE("llm.signature.render_and_inputs") {
  llm::signature s{"Q about {text} by {author}; {{literal}} and {text} again", {"q", "a"}};
  CHECK(s.inputs() == std::vector<std::string>{"text", "author"});
  std::string missing;
  CHECK(*s.render({{"text", "T"}, {"author", "A"}}, &missing) == "Q about T by A; {literal} and T again");
  CHECK(!s.render({{"text", "T"}}, &missing));
  CHECK(missing == "author");
  CHECK(s.system_message().find("with the fields: q, a.") != std::string::npos);
}

TEST_CASE("llm.signature.parse_outputs") {
  llm::signature s{"{x}", {"q", "n"}};
  std::vector<std::pair<std::string, std::string>> out;
  CHECK(llm::detail::parse_outputs(s, R"({"q": "why?", "n": 3, "extra": 1})", out).empty());
  REQUIRE(out.size() == 2);
  CHECK(out[0].second == "why?");
  CHECK(out[1].second == "3");  // non-strings as their JSON text
  CHECK(llm::detail::parse_outputs(s, "```json\n{\"q\": \"x\", \"n\": [1, 2]}\n```", out).empty());
  CHECK(out[1].second == "[1,2]");
  CHECK(llm::detail::parse_outputs(s, R"({"q": "x"})", out) == "the reply lacks the field 'n'");
  CHECK(!llm::detail::parse_outputs(s, "[1]", out).empty());
  CHECK(!llm::detail::parse_outputs(s, "sure! here it is", out).empty());
}

TEST_CASE("llm.reply.parse_chat_body") {
  llm::parsed_reply r;
  CHECK(llm::detail::parse_chat_body(
            R"({"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":5,"completion_tokens":2}})", r)
            .empty());
  CHECK(r.content == "hi");
  CHECK(r.prompt_tokens == 5);
  CHECK(r.completion_tokens == 2);
  CHECK(!llm::detail::parse_chat_body(R"({"choices":[]})", r).empty());
  CHECK(!llm::detail::parse_chat_body(R"({"choices":[{"message":{"content":"x")", r).empty());
}

TEST_CASE("llm.endpoint.env_and_redact") {
  ::setenv("OPENAI_BASE_URL", "http://h:1/v1/", 1);
  ::setenv("OPENAI_API_KEY", "k-123", 1);
  auto e = llm::endpoint{}.resolved();
  CHECK(e.url() == "http://h:1/v1/chat/completions");
  CHECK(e.api_key == "k-123");
  auto given = llm::endpoint{"http://x/v1", "m", "mine"}.resolved();  // options win over the environment
  CHECK(given.url() == "http://x/v1/chat/completions");
  CHECK(given.api_key == "mine");
  ::unsetenv("OPENAI_BASE_URL");
  ::unsetenv("OPENAI_API_KEY");
  CHECK(llm::detail::redact("a k-123 b k-123", "k-123") == "a *** b ***");
}
