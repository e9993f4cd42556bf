# Component millrace::llm: the LLM-in-the-loop operators (include/millrace/llm/) need libcurl.
# Each file in cmake/components/ is included by millraceDependencies.cmake, in the build tree and
# in the installed package alike. It finds its dependency quietly; when found, in the build tree
# (MILLRACE_BUILDING) millrace_component() defines the INTERFACE target millrace_<name>, alias
# millrace::<name>, exported with the package. A missing dependency only switches the component off.
find_package(CURL QUIET)
if(NOT TARGET CURL::libcurl)
  if(MILLRACE_BUILDING)
    message(STATUS "millrace: libcurl not found; millrace::llm and its tests are skipped")
  endif()
  return()
endif()
millrace_component(llm LIBS CURL::libcurl)
