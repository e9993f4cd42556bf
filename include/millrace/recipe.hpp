// millrace/recipe.hpp — recipes: the operator registry with millrace's operators registered,
// recipe checking and building (JSON; YAML in <millrace/recipe/yaml.hpp>, component millrace::yaml).
//   auto built = mr::recipe::build(mr::recipe::compile(mr::recipe::parse_json_file("r.json"), mr::recipe::builtin_registry()));
#pragma once

#include <millrace/recipe/builtin.hpp>
#include <millrace/recipe/document.hpp>
#include <millrace/recipe/io.hpp>
#include <millrace/recipe/quality_step.hpp>
#include <millrace/recipe/recipe.hpp>
#include <millrace/recipe/registry.hpp>
