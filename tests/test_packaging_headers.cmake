# test_packaging_headers.cmake: every public header compiles on its own
# translation unit as C99, C11, C++17 and C++20 with
#     -Wall -Wextra -Werror -pedantic
# and the headers' macros expand to valid code in all four
# (test_packaging_usage.inc).  Run by ctest as
#     cmake -DCC=... -DCXX=... -DINCLUDE_DIR=... -DWORK_DIR=... -DUSAGE=... -P this
#
# Entry headers (Python.h, pymodrt.h, structmember.h) get a unit each, alone.
# The others are parts of Python.h, as in CPython (they rely on its preamble),
# so "each after Python.h" is what compiling Python.h already does: the
# script checks that Python.h really reaches every one of them, so a new
# header that nothing includes cannot slip past unchecked, instead of
# compiling ~30 units that are identical once the include guards act.
cmake_minimum_required(VERSION 3.25)
foreach(v CC CXX INCLUDE_DIR WORK_DIR USAGE)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "test_packaging_headers: -D${v}=... missing")
  endif()
endforeach()
set(entry_headers Python.h pymodrt.h structmember.h)
set(warn -Wall -Wextra -Werror -pedantic)

get_filename_component(INCLUDE_DIR "${INCLUDE_DIR}" ABSOLUTE)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
file(GLOB headers RELATIVE ${INCLUDE_DIR} ${INCLUDE_DIR}/*.h)
list(SORT headers)
if(NOT headers)
  message(FATAL_ERROR "no headers in ${INCLUDE_DIR}")
endif()

# Which headers Python.h pulls in.
file(WRITE ${WORK_DIR}/python_h.c "#include <Python.h>\n")
execute_process(COMMAND ${CC} -I${INCLUDE_DIR} -M ${WORK_DIR}/python_h.c
  OUTPUT_VARIABLE deps ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${CC} -M Python.h failed:\n${err}")
endif()
string(REGEX REPLACE "[ \t\r\n\\\\]+" ";" deps "${deps}")

set(tus "")
foreach(h IN LISTS headers)
  string(MAKE_C_IDENTIFIER "${h}" id)
  if(h IN_LIST entry_headers)
    set(body "#include <${h}>\n")
  else()
    if("${INCLUDE_DIR}/${h}" IN_LIST deps)
      set(found TRUE)
    else()
      set(found FALSE)
    endif()
    if(NOT found)
      message(FATAL_ERROR "include/${h} is neither an entry header (${entry_headers}) nor "
                          "included by Python.h: include it from Python.h, or add it to "
                          "entry_headers in tests/test_packaging_headers.cmake")
    endif()
    continue()
  endif()
  # One definition so that the unit is not empty (ISO C requires a declaration).
  string(APPEND body "int check_${id};\n")
  list(APPEND tus ${WORK_DIR}/h_${id})
  file(WRITE ${WORK_DIR}/h_${id}.c "${body}")
  file(WRITE ${WORK_DIR}/h_${id}.cc "${body}")
endforeach()
# Sources are named by language (.c, .cc) rather than forced with -x, which
# gcc does not apply to every file of a multi-file command line.
configure_file(${USAGE} ${WORK_DIR}/usage.c COPYONLY)
configure_file(${USAGE} ${WORK_DIR}/usage.cc COPYONLY)
list(APPEND tus ${WORK_DIR}/usage)
list(LENGTH headers nh)
list(LENGTH entry_headers ne)

# One compiler run per language mode, all units at once (the driver reports
# every failing unit).
set(failed "")
foreach(mode "C;c99" "C;c11" "CXX;c++17" "CXX;c++20")
  list(GET mode 0 lang)
  list(GET mode 1 std)
  if(lang STREQUAL "C")
    set(cmd ${CC})
    list(TRANSFORM tus APPEND .c OUTPUT_VARIABLE srcs)
  else()
    set(cmd ${CXX})
    list(TRANSFORM tus APPEND .cc OUTPUT_VARIABLE srcs)
  endif()
  execute_process(COMMAND ${cmd} -std=${std} ${warn} -fsyntax-only -I${INCLUDE_DIR} ${srcs}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(STATUS "-std=${std}: ${nh} headers (${ne} entry units) and the usage unit compile cleanly")
  else()
    message("-std=${std} FAILED:\n${out}${err}")
    list(APPEND failed ${std})
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "public headers fail under: ${failed}")
endif()
