// The installed millrace::llm component: the llm headers compile against the installed package
// and link libcurl through the target (no request is made: the input is empty).
#include <millrace/core.hpp>
#include <millrace/llm.hpp>
#include <vector>
namespace mr = millrace;
namespace llm = millrace::llm;
int main() {
  const llm::signature sig{"Write a question about: {text}", {"question", "answer"}};
  llm::options o;
  o.endpoint.base_url = "http://127.0.0.1:9/v1";  // never contacted
  std::vector<llm::record> in, out;
  auto report = mr::run(mr::from_range(in) | llm::predict(sig, o) | mr::collect(out));
  return sig.inputs() == std::vector<std::string>{"text"} && out.empty() && report.find("llm.predict") ? 0 : 1;
}
