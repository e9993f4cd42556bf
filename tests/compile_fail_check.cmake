# A compile-fail check (millrace_add_compile_fail): builds TARGET in BUILD_DIR, which must fail, with
# a diagnostic that matches REGEX and stays readable: at most MAX_BYTES of compiler output and no
# line longer than MAX_COLUMNS (issue 16: a wrong lambda once gave 8-10 KB of 600-column lines).
#   cmake -DBUILD_DIR=b -DTARGET=t "-DREGEX=..." -DMAX_BYTES=6000 -DMAX_COLUMNS=600 -P compile_fail_check.cmake
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${TARGET} compiled: the check it stands for did not fire")
endif()
if(NOT out MATCHES "${REGEX}")
  message(FATAL_ERROR "${TARGET} failed without the expected diagnostic '${REGEX}':\n${out}")
endif()
# The compiler's lines only (not make's progress and command lines); ';' would split CMake lists.
string(REPLACE ";" "," text "${out}")
string(REPLACE "\n" ";" lines "${text}")
set(bytes 0)
set(longest 0)
foreach(line IN LISTS lines)
  if(line MATCHES "^(g?make|\\[ *[0-9]+%\\]|Consolidate compiler|Scanning dependencies)")
    continue()
  endif()
  string(LENGTH "${line}" n)
  math(EXPR bytes "${bytes} + ${n} + 1")
  if(n GREATER longest)
    set(longest ${n})
  endif()
endforeach()
message(STATUS "${TARGET}: diagnostic of ${bytes} bytes, longest line ${longest} columns")
if(bytes GREATER MAX_BYTES OR longest GREATER MAX_COLUMNS)
  message(FATAL_ERROR "${TARGET}: the diagnostic is too long (${bytes} bytes, longest line ${longest} columns; "
                      "at most ${MAX_BYTES} bytes and ${MAX_COLUMNS} columns):\n${out}")
endif()
