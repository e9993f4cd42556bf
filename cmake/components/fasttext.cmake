# Component millrace::fasttext: fastText language identification with a model file (lid.176,
# GlotLID; include/millrace/filters/fasttext_langid.hpp) needs libfasttext (Debian
# libfasttext-dev). Each file in cmake/components/ is included by millraceDependencies.cmake, in
# the build tree and in the installed package alike. It finds its dependency quietly; when found,
# in the build tree (MILLRACE_BUILDING) it defines the INTERFACE target millrace_<name>, alias
# millrace::<name>, exported with the package. A missing dependency only switches the component off.
find_path(MILLRACE_FASTTEXT_INCLUDE_DIR fasttext/fasttext.h)
find_library(MILLRACE_FASTTEXT_LIBRARY NAMES fasttext)
if(NOT MILLRACE_FASTTEXT_INCLUDE_DIR OR NOT MILLRACE_FASTTEXT_LIBRARY)
  if(MILLRACE_BUILDING)
    message(STATUS "millrace: libfasttext not found; millrace::fasttext and its tests are skipped")
  endif()
  return()
endif()
if(MILLRACE_BUILDING AND NOT TARGET millrace_fasttext)
  add_library(millrace_fasttext INTERFACE)
  add_library(millrace::fasttext ALIAS millrace_fasttext)
  set_target_properties(millrace_fasttext PROPERTIES EXPORT_NAME fasttext)
  target_include_directories(millrace_fasttext INTERFACE ${MILLRACE_FASTTEXT_INCLUDE_DIR})
  target_link_libraries(millrace_fasttext INTERFACE millrace ${MILLRACE_FASTTEXT_LIBRARY})
  install(TARGETS millrace_fasttext EXPORT millraceTargets)
endif()
