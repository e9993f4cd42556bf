# Component millrace::yaml: YAML recipes for millrace-run (include/millrace/recipe/yaml.hpp) need
# yaml-cpp (Debian libyaml-cpp-dev). Modelled on llm.cmake: found quietly; when found, in the build
# tree (MILLRACE_BUILDING) it defines the INTERFACE target millrace_yaml, alias millrace::yaml,
# exported with the package. Without it millrace-run reads JSON recipes only.
find_package(yaml-cpp QUIET)
if(NOT TARGET yaml-cpp)
  if(MILLRACE_BUILDING)
    message(STATUS "millrace: yaml-cpp not found; millrace::yaml (YAML recipes) and its tests are skipped")
  endif()
  return()
endif()
millrace_component(yaml LIBS yaml-cpp)
