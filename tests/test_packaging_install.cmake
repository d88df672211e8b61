# test_packaging_install.cmake: what a new extension author does, end to end.
#
#   MODE=install    `cmake --install` the (already built) tree into a fresh
#                   prefix under WORK_DIR, then build examples/out-of-tree
#                   three ways against that prefix:
#                     1. CMake: find_package(pymodrt) + pymodrt_add_extension,
#                        and pymodrt::runtime / pymodrt::runtime_static hosts;
#                     2. make with flags from the installed pymodrt-config;
#                     3. make with flags from pkg-config (pymodrt.pc,
#                        pymodrt-embed.pc);
#                   and import each module 100 times (IMPORT_TOOL if given,
#                   for example pymodrt-stress, else the example's own
#                   hello-host).  Also checks that nothing installed names
#                   the build tree and that pymodrt-config finds its prefix
#                   through a symlink.
#   MODE=buildtree  the same cc and pkg-config builds from the build tree's
#                   pymodrt-config and -uninstalled.pc files, without
#                   installing.
#
# Run by ctest (tests/test_packaging.cmake) as
#   cmake -DMODE=... -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DCC=...
#         -DMAKE=... -DPKG_CONFIG=... -DGENERATOR=... -D{BIN,LIB,INCLUDE}DIR=...
#         (GNUInstallDirs' relative directories) [-DIMPORT_TOOL=...]
#         [-DIMPORT_ARGS=...] -P this
cmake_minimum_required(VERSION 3.25)
foreach(v MODE BUILD_DIR SOURCE_DIR WORK_DIR CC MAKE PKG_CONFIG GENERATOR BINDIR LIBDIR INCLUDEDIR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "test_packaging_install: -D${v}=... missing")
  endif()
endforeach()
set(example ${SOURCE_DIR}/examples/out-of-tree)

# run(<what> COMMAND ...): run a command, stop with its output on failure,
# keep its stdout in RUN_OUT.
function(run what)
  execute_process(${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  string(STRIP "${out}" out)
  set(RUN_OUT "${out}" PARENT_SCOPE)
  message(STATUS "ok: ${what}")
endfunction()

# Import the module built in <dir> (a file hello<suffix>) <n> times.
function(import_check what dir host)
  if(IMPORT_TOOL)
    string(REPLACE "@DIR@" "${dir}" args "${IMPORT_ARGS}")
    string(REPLACE "@SUFFIX@" "${suffix}" args "${args}")
    run("${what}: ${IMPORT_TOOL} ${args}" COMMAND ${IMPORT_TOOL} ${args})
  else()
    run("${what}: hello-host --iterations 100" COMMAND ${host} --iterations 100 ${dir})
  endif()
  message(STATUS "    ${RUN_OUT}")
endfunction()

# expect(<text> <substring> <what>)
function(expect text sub what)
  string(FIND "${text}" "${sub}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "${what}: expected '${sub}' in '${text}'")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

if(MODE STREQUAL "buildtree")
  set(config ${BUILD_DIR}/pymodrt-config)
  run("build-tree pymodrt-config" COMMAND ${config} --includes --ldflags --extension-suffix)
  expect("${RUN_OUT}" "-I${SOURCE_DIR}/include" "build-tree --includes")
  expect("${RUN_OUT}" "-Wl,-rpath,${BUILD_DIR}" "build-tree --ldflags")
  string(REGEX MATCH "\\.pymodrt-[^\n]*\\.so" suffix "${RUN_OUT}")
  run("make with the build tree's pymodrt-config"
      COMMAND ${MAKE} -C ${example} CC=${CC} PYMODRT_CONFIG=${config} OUT=${WORK_DIR}/config)
  import_check("build-tree pymodrt-config" ${WORK_DIR}/config ${WORK_DIR}/config/hello-host)
  set(ENV{PKG_CONFIG_PATH} ${BUILD_DIR}/pkgconfig)
  set(ENV{PKG_CONFIG_LIBDIR} "")
  run("make with pkg-config (-uninstalled.pc)"
      COMMAND ${MAKE} -C ${example} CC=${CC} FLAGS=pkg-config PKG_CONFIG=${PKG_CONFIG}
              OUT=${WORK_DIR}/pkg-config)
  import_check("build-tree pkg-config" ${WORK_DIR}/pkg-config ${WORK_DIR}/pkg-config/hello-host)
  return()
endif()

# ---------------------------------------------------------------- install
set(prefix ${WORK_DIR}/prefix)
run("cmake --install into ${prefix}" COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

foreach(f ${BINDIR}/pymodrt-config ${INCLUDEDIR}/pymodrt/Python.h ${INCLUDEDIR}/pymodrt/pymodrt.h
          ${LIBDIR}/libpymodrt.so ${LIBDIR}/libpymodrt.a ${LIBDIR}/pkgconfig/pymodrt.pc
          ${LIBDIR}/pkgconfig/pymodrt-embed.pc ${LIBDIR}/cmake/pymodrt/pymodrtConfig.cmake)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${prefix}/${f}")
  endif()
endforeach()
if(IMPORT_TOOL MATCHES "^installed:(.*)")
  set(IMPORT_TOOL ${prefix}/${BINDIR}/${CMAKE_MATCH_1})
endif()
foreach(tool pymodrt-stress pymodrt-bench)
  if(EXISTS ${prefix}/${BINDIR}/${tool})
    message(STATUS "installed: ${BINDIR}/${tool}")
  endif()
endforeach()

# Nothing installed as text names the build or source tree.
file(GLOB_RECURSE texts ${prefix}/${BINDIR}/pymodrt-config ${prefix}/${LIBDIR}/pkgconfig/*
                        ${prefix}/${LIBDIR}/cmake/*)
foreach(f IN LISTS texts)
  file(READ ${f} body)
  string(REPLACE "${prefix}" "<prefix>" body "${body}")   # the prefix lies in the build tree
  foreach(tree ${BUILD_DIR} ${SOURCE_DIR})
    string(FIND "${body}" "${tree}" pos)
    if(NOT pos EQUAL -1)
      message(FATAL_ERROR "${f} names ${tree}")
    endif()
  endforeach()
endforeach()

# The installed pymodrt-config prints the prefix's paths, also when run
# through a symlink elsewhere.
set(config ${prefix}/${BINDIR}/pymodrt-config)
file(MAKE_DIRECTORY ${WORK_DIR}/elsewhere)
file(CREATE_LINK ${config} ${WORK_DIR}/elsewhere/pymodrt-config SYMBOLIC)
foreach(c ${config} ${WORK_DIR}/elsewhere/pymodrt-config)
  run("${c}" COMMAND ${c} --prefix --includes --ldflags --extension-suffix --embed)
  expect("${RUN_OUT}" "${prefix}\n-I${prefix}/${INCLUDEDIR}/pymodrt\n-L${prefix}/${LIBDIR} -Wl,-rpath,${prefix}/${LIBDIR} -lpymodrt"
         "installed pymodrt-config")
  expect("${RUN_OUT}" "\n.pymodrt-315t-" "installed --extension-suffix")
endforeach()
string(REGEX MATCH "\\.pymodrt-[^\n]*\\.so" suffix "${RUN_OUT}")

# 1. CMake.
run("configure examples/out-of-tree with find_package(pymodrt)"
    COMMAND ${CMAKE_COMMAND} -S ${example} -B ${WORK_DIR}/cmake -G ${GENERATOR}
            -DCMAKE_C_COMPILER=${CC} -DCMAKE_PREFIX_PATH=${prefix})
run("build examples/out-of-tree with CMake" COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/cmake)
if(NOT EXISTS ${WORK_DIR}/cmake/hello${suffix})
  message(FATAL_ERROR "pymodrt_add_extension did not make hello${suffix}")
endif()
import_check("CMake" ${WORK_DIR}/cmake ${WORK_DIR}/cmake/hello-host)
if(EXISTS ${WORK_DIR}/cmake/hello-host-static)
  run("static host (pymodrt::runtime_static)"
      COMMAND ${WORK_DIR}/cmake/hello-host-static --iterations 100 ${WORK_DIR}/cmake)
  message(STATUS "    ${RUN_OUT}")
endif()

# 2. make + pymodrt-config.
run("make with the installed pymodrt-config"
    COMMAND ${MAKE} -C ${example} CC=${CC} PYMODRT_CONFIG=${config} OUT=${WORK_DIR}/config)
import_check("pymodrt-config" ${WORK_DIR}/config ${WORK_DIR}/config/hello-host)

# 3. make + pkg-config.
set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
run("pkg-config --cflags pymodrt" COMMAND ${PKG_CONFIG} --cflags pymodrt)
expect("${RUN_OUT}" "-I${prefix}/${INCLUDEDIR}/pymodrt" "pkg-config --cflags pymodrt")
run("make with pkg-config"
    COMMAND ${MAKE} -C ${example} CC=${CC} FLAGS=pkg-config PKG_CONFIG=${PKG_CONFIG}
            OUT=${WORK_DIR}/pkg-config)
import_check("pkg-config" ${WORK_DIR}/pkg-config ${WORK_DIR}/pkg-config/hello-host)
