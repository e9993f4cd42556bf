# Component millrace::llm: the LLM-in-the-loop operators (include/millrace/llm/) need libcurl.
# Each file in cmake/components/ is included by millraceDependencies.cmake, in the build tree and
# in the installed package alike. It finds its dependency quietly; when found, in the build tree
# (MILLRACE_BUILDING) it defines the INTERFACE target millrace_<name>, alias millrace::<name>,
# exported with the package. A missing dependency only switches the component off.
find_package(CURL QUIET)
if(NOT TARGET CURL::libcurl)
  if(MILLRACE_BUILDING)
    message(STATUS "millrace: libcurl not found; millrace::llm and its tests are skipped")
  endif()
  return()
endif()
if(MILLRACE_BUILDING AND NOT TARGET millrace_llm)
  add_library(millrace_llm INTERFACE)
  add_library(millrace::llm ALIAS millrace_llm)
  set_target_properties(millrace_llm PROPERTIES EXPORT_NAME llm)
  target_link_libraries(millrace_llm INTERFACE millrace CURL::libcurl)
  install(TARGETS millrace_llm EXPORT millraceTargets)
endif()
