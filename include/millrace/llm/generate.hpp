// millrace/llm/generate.hpp — the former header of llm::predict (then named llm::generate); kept
// for one release so that existing includes still compile.
#pragma once

#include <millrace/llm/predict.hpp>
