# Component millrace::cuda: the GPU stages (include/millrace/cuda/*.cuh, CUDA streams, Thrust/CUB)
# need nvcc and the CUDA runtime. Modelled on components/llm.cmake: found quietly; in the build tree
# (MILLRACE_BUILDING) it enables the CUDA language and defines the INTERFACE target millrace_cuda,
# alias millrace::cuda, exported with the package. A missing nvcc only switches the component off:
# a CPU-only build never needs it. MILLRACE_CUDA: AUTO (use nvcc when found), ON (fail without it)
# or OFF. MILLRACE_HAVE_CUDA tells tests/ and examples/ whether the .cu targets exist.
#
# Traps (../shared/DESIGN.md §6): CMake 3.25 has no CUDA C++20 dialect, so -std=c++20 is taught to
# it below; CMAKE_CUDA_ARCHITECTURES is set before enable_language (90 = sm_90 code + compute_90
# PTX, one architecture to keep nvcc's time small); Debian's fmt 9 needs FMT_USE_CONSTEXPR=1 in a
# .cu file; g++ finds Thrust/CUB only with the toolkit's include/cccl folder on its path.
set(MILLRACE_HAVE_CUDA OFF)
if(NOT MILLRACE_BUILDING)
  # The installed package: millrace::cuda links CUDA::cudart.
  find_package(CUDAToolkit QUIET)
  return()
endif()

set(MILLRACE_CUDA "AUTO" CACHE STRING "CUDA backend: AUTO (when nvcc is found), ON (required) or OFF")
set_property(CACHE MILLRACE_CUDA PROPERTY STRINGS AUTO ON OFF)
if(MILLRACE_CUDA STREQUAL "OFF")
  message(STATUS "millrace: MILLRACE_CUDA=OFF; millrace::cuda and its tests are skipped")
  return()
endif()
if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
  set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)  # the toolkit's usual place, not on PATH here
endif()
include(CheckLanguage)
check_language(CUDA)
if(CMAKE_CUDA_COMPILER AND NOT EXISTS "${CMAKE_CUDA_COMPILER}")
  set(CMAKE_CUDA_COMPILER "")  # a stale or wrong path given: treat as not found
endif()
if(NOT CMAKE_CUDA_COMPILER)
  if(MILLRACE_CUDA STREQUAL "ON")
    message(FATAL_ERROR "millrace: MILLRACE_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
  message(STATUS "millrace: nvcc not found; millrace::cuda and its tests are skipped")
  return()
endif()
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  set(CMAKE_CUDA_ARCHITECTURES 90)
endif()
enable_language(CUDA)
# CMake 3.25 knows no CUDA C++20 dialect for nvcc, yet millrace's cxx_std_20 asks for one: teach it.
if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
  set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
  set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
  set(CMAKE_CUDA20_STANDARD__HAS_FULL_SUPPORT ON)
  list(APPEND CMAKE_CUDA_COMPILE_FEATURES cuda_std_20)
endif()
find_package(CUDAToolkit QUIET)
if(NOT TARGET CUDA::cudart)
  if(MILLRACE_CUDA STREQUAL "ON")
    message(FATAL_ERROR "millrace: MILLRACE_CUDA=ON but the CUDA runtime (CUDA::cudart) was not found")
  endif()
  message(STATUS "millrace: nvcc found but not the CUDA runtime; millrace::cuda is skipped")
  return()
endif()
set(MILLRACE_HAVE_CUDA ON)
# Thrust/CUB for g++ too: the device logic's CPU-backend tests compile them without nvcc.
find_path(MILLRACE_CCCL_INCLUDE thrust/version.h
          HINTS ${CUDAToolkit_INCLUDE_DIRS}/cccl ${CUDAToolkit_LIBRARY_ROOT}/include/cccl NO_DEFAULT_PATH)
if(NOT TARGET millrace_cuda)
  add_library(millrace_cuda INTERFACE)
  add_library(millrace::cuda ALIAS millrace_cuda)
  set_target_properties(millrace_cuda PROPERTIES EXPORT_NAME cuda)
  target_link_libraries(millrace_cuda INTERFACE millrace CUDA::cudart)
  target_compile_options(millrace_cuda INTERFACE $<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr>)
  target_compile_definitions(millrace_cuda INTERFACE $<$<COMPILE_LANGUAGE:CUDA>:FMT_USE_CONSTEXPR=1>)
  install(TARGETS millrace_cuda EXPORT millraceTargets)
endif()
# The backend library for g++-built code (millrace/cuda/backend.hpp): the jobs' --device gpu.
if(NOT TARGET millrace_cuda_backend)
  # EXCLUDE_FROM_ALL: built when a job or test links it, not by builds without them (the sanitizer
  # stages of CI, which would spend a minute of nvcc on it).
  add_library(millrace_cuda_backend STATIC EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/../../src/cuda/backend.cu)
  # millrace::compiled when it is built (defined later; resolved at generate time): the jobs use it,
  # and nvcc then does not compile oneTBB's flow graph and the dedup code again.
  target_link_libraries(millrace_cuda_backend PUBLIC millrace_cuda $<TARGET_NAME_IF_EXISTS:millrace_compiled>)
  target_compile_definitions(millrace_cuda_backend INTERFACE MILLRACE_HAVE_CUDA_BACKEND=1)
endif()
