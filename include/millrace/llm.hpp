// millrace/llm.hpp — LLM-in-the-loop operators over an OpenAI-compatible chat-completions
// endpoint: llm::predict, llm::refine, llm::judge, their client, typed prompts and the cache.
// Needs libcurl (target millrace::llm when CURL was found).
//   auto p = src | mr::llm::judge("Rate {text} 0..1", o, {.keep_at_least = 0.5}) | mr::collect(out);
#pragma once

#include <millrace/llm/cache.hpp>
#include <millrace/llm/client.hpp>
#include <millrace/llm/predict.hpp>
#include <millrace/llm/judge.hpp>
#include <millrace/llm/options.hpp>
#include <millrace/llm/refine.hpp>
#include <millrace/llm/signature.hpp>
