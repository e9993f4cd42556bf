# CTest docs.snippets.<doc>: every ```cpp block of README.md and docs/*.md compiled, and the programs
# (and fragments marked `run`) run, by scripts/docs-snippets.py (how a block is checked: its header).
# One translation unit and one executable per doc, linked with millrace::compiled. The executables
# are EXCLUDE_FROM_ALL: each test builds its own, so a doc that does not compile fails its test and
# not everyone's build (a RESOURCE_LOCK keeps two of these builds from running at once).
# Included by CMakeLists.txt when the tests are built, Python 3 is found and millrace::compiled exists.
set(_snip_script ${PROJECT_SOURCE_DIR}/scripts/docs-snippets.py)
set(_snip_dir ${CMAKE_BINARY_DIR}/docs-snippets)
file(MAKE_DIRECTORY ${_snip_dir})
set(_snip_have "")
set(_snip_libs millrace::compiled)
foreach(_c IN ITEMS lake llm pii cld2 fasttext yaml)
  if(TARGET millrace::${_c})
    list(APPEND _snip_have ${_c})
    list(APPEND _snip_libs millrace::${_c})
  endif()
endforeach()
string(REPLACE ";" "," _snip_have_csv "${_snip_have}")
file(GLOB _snip_docs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
list(SORT _snip_docs)
add_custom_target(docs_snippets)   # builds them all: cmake --build B --target docs_snippets
foreach(_doc IN ITEMS ${PROJECT_SOURCE_DIR}/README.md ${_snip_docs})
  file(STRINGS ${_doc} _fences REGEX "^ *```(cpp|c\\+\\+|cxx) *$")
  if(NOT _fences)
    continue()
  endif()
  # A doc is checked once its blocks are marked up (at least one `<!-- snippet:` header): the docs
  # not yet marked are listed at configure time, not tested (docs-snippets.py list shows them).
  file(STRINGS ${_doc} _marked REGEX "^<!-- snippet:")
  if(NOT _marked)
    get_filename_component(_unmarked ${_doc} NAME)
    list(APPEND _snip_unmarked ${_unmarked})
    continue()
  endif()
  get_filename_component(_name ${_doc} NAME_WE)
  string(MAKE_C_IDENTIFIER "${_name}" _id)
  set(_cpp ${_snip_dir}/${_name}.cpp)
  add_custom_command(OUTPUT ${_cpp} ${_snip_dir}/${_name}.json
    COMMAND ${Python3_EXECUTABLE} ${_snip_script} generate ${_doc} ${_cpp} --have "${_snip_have_csv}"
            --root ${PROJECT_SOURCE_DIR}
    DEPENDS ${_doc} ${_snip_script}
    COMMENT "docs snippets: ${_name}.md" VERBATIM)
  add_executable(docs_snippets_${_id} EXCLUDE_FROM_ALL ${_cpp})
  target_link_libraries(docs_snippets_${_id} PRIVATE ${_snip_libs})
  # The docs show fragments: an unused variable or parameter in one, or designated initializers
  # that leave members at their defaults, are not faults of the doc.
  target_compile_options(docs_snippets_${_id} PRIVATE -Wall -Wextra -Wno-unused-variable
    -Wno-unused-but-set-variable -Wno-unused-parameter -Wno-unused-function -Wno-unused-local-typedefs
    -Wno-missing-field-initializers $<$<BOOL:${MILLRACE_WERROR}>:-Werror>)
  add_dependencies(docs_snippets docs_snippets_${_id})
  add_test(NAME docs.snippets.${_name}
    COMMAND ${Python3_EXECUTABLE} ${_snip_script} run ${_snip_dir}/${_name}.json
            $<TARGET_FILE:docs_snippets_${_id}> ${_snip_dir}/run-${_name} --root ${PROJECT_SOURCE_DIR}
            --build ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target docs_snippets_${_id})
  set_tests_properties(docs.snippets.${_name} PROPERTIES TIMEOUT 900 LABELS docs
                       RESOURCE_LOCK millrace_docs_snippets_build)
endforeach()
if(_snip_unmarked)
  string(REPLACE ";" " " _snip_unmarked "${_snip_unmarked}")
  message(STATUS "millrace: docs.snippets: not yet marked up, not tested: ${_snip_unmarked}")
endif()
