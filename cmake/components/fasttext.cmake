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
millrace_component(fasttext LIBS ${MILLRACE_FASTTEXT_LIBRARY} INCLUDES ${MILLRACE_FASTTEXT_INCLUDE_DIR})
