# The libFuzzer harnesses in the main build (tests/fuzz/README.md): tests/fuzz/ is a project of
# its own, built with clang as an ExternalProject whatever compiler the main build uses, and each
# harness runs for 10 s on a copy of its seed corpus as the ctest test fuzz_<name>.
# Included from tests/CMakeLists.txt.
include(${CMAKE_CURRENT_LIST_DIR}/harnesses.cmake)
set(SA_FUZZ_SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR})

# clang with libFuzzer and the sanitizer runtimes (Debian: clang, libclang-rt-<version>-dev).
find_program(SA_FUZZ_CXX NAMES clang++ clang++-19 clang++-18 clang++-17 clang++-16 clang++-15 clang++-14
             DOC "clang++ that builds the libFuzzer harnesses")
if(SA_FUZZ_CXX AND NOT SA_FUZZ_CXX_CHECKED STREQUAL SA_FUZZ_CXX)
  set(_sa_fuzz_check ${CMAKE_CURRENT_BINARY_DIR}/fuzz-toolchain-check)
  file(WRITE ${_sa_fuzz_check}.cpp
       "#include <cstddef>\n#include <cstdint>\n"
       "extern \"C\" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n")
  execute_process(COMMAND ${SA_FUZZ_CXX} -fsanitize=fuzzer,address,undefined ${_sa_fuzz_check}.cpp -o ${_sa_fuzz_check}
                  RESULT_VARIABLE _sa_fuzz_rc OUTPUT_QUIET ERROR_QUIET)
  if(_sa_fuzz_rc EQUAL 0)
    set(_sa_fuzz_works ON)
  else()
    set(_sa_fuzz_works OFF)
  endif()
  set(SA_FUZZ_TOOLCHAIN_WORKS ${_sa_fuzz_works} CACHE INTERNAL "clang++ links -fsanitize=fuzzer,address,undefined")
  set(SA_FUZZ_CXX_CHECKED ${SA_FUZZ_CXX} CACHE INTERNAL "clang++ checked for libFuzzer")
endif()
if(NOT SA_FUZZ_CXX OR NOT SA_FUZZ_TOOLCHAIN_WORKS)
  set(SA_FUZZ_TOOLCHAIN_WORKS OFF)
endif()

option(STYLEALIGNED_BUILD_FUZZERS "Build the libFuzzer harnesses (clang) and run each briefly in ctest"
       ${SA_FUZZ_TOOLCHAIN_WORKS})
set(STYLEALIGNED_FUZZ_BUILD_JOBS 1 CACHE STRING
    "Parallel jobs of the fuzz sub-build (it runs beside the main build's own jobs)")

if(NOT STYLEALIGNED_BUILD_FUZZERS)
  if(NOT SA_FUZZ_TOOLCHAIN_WORKS)
    message(STATUS "libFuzzer harnesses not built: no clang++ that links -fsanitize=fuzzer,address,undefined "
                   "(install clang and libclang-rt-dev, see packaging/install-deps.sh)")
  endif()
  return()
endif()
if(NOT SA_FUZZ_TOOLCHAIN_WORKS)
  message(FATAL_ERROR "STYLEALIGNED_BUILD_FUZZERS is ON but no clang++ links -fsanitize=fuzzer,address,undefined")
endif()
message(STATUS "libFuzzer harnesses: ${SA_FUZZ_HARNESSES} (${SA_FUZZ_CXX})")

include(ExternalProject)
set(SA_FUZZ_BINARY_DIR ${CMAKE_CURRENT_BINARY_DIR}/fuzz)
set(_sa_fuzz_byproducts)
foreach(_sa_fuzz_name IN LISTS SA_FUZZ_HARNESSES)
  list(APPEND _sa_fuzz_byproducts ${SA_FUZZ_BINARY_DIR}/fuzz_${_sa_fuzz_name})
endforeach()
set(_sa_fuzz_args -DCMAKE_CXX_COMPILER=${SA_FUZZ_CXX} -DCMAKE_BUILD_TYPE=RelWithDebInfo
    -DSTYLEALIGNED_USE_CCACHE=${STYLEALIGNED_USE_CCACHE})
if(Torch_DIR)
  list(APPEND _sa_fuzz_args -DTorch_DIR=${Torch_DIR})  # the same LibTorch as the product
endif()
ExternalProject_Add(sa_fuzzers
  SOURCE_DIR ${SA_FUZZ_SOURCE_DIR}
  BINARY_DIR ${SA_FUZZ_BINARY_DIR}
  CMAKE_ARGS ${_sa_fuzz_args}
  BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR> -j ${STYLEALIGNED_FUZZ_BUILD_JOBS}
  BUILD_ALWAYS ON  # the sub-build tracks its own sources (core/ included); this only asks it
  BUILD_BYPRODUCTS ${_sa_fuzz_byproducts}
  INSTALL_COMMAND "")

# ctest: 10 s of fuzzing per harness on a fresh copy of its seed corpus (new inputs and crash
# artifacts stay in the build tree). Leaks and UBSan findings fail the test like crashes do.
foreach(_sa_fuzz_name IN LISTS SA_FUZZ_HARNESSES)
  set(_sa_fuzz_dict ${SA_FUZZ_SOURCE_DIR}/${_sa_fuzz_name}.dict)
  if(NOT EXISTS ${_sa_fuzz_dict})
    set(_sa_fuzz_dict ${SA_FUZZ_SOURCE_DIR}/json.dict)
  endif()
  add_test(NAME fuzz_${_sa_fuzz_name}
           COMMAND sh ${SA_FUZZ_SOURCE_DIR}/run_short.sh ${SA_FUZZ_BINARY_DIR}/fuzz_${_sa_fuzz_name}
                   ${SA_FUZZ_SOURCE_DIR}/corpus/${_sa_fuzz_name} ${SA_FUZZ_BINARY_DIR}/run/${_sa_fuzz_name} ${_sa_fuzz_dict})
  set_tests_properties(fuzz_${_sa_fuzz_name} PROPERTIES
    LABELS fuzz TIMEOUT 60
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1")
endforeach()
