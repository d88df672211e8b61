# Packaging tests (issue 10), included from include/CMakeLists.txt so that
# they see the generated files' locations:
#   packaging_headers    every public header and its macros compile as C99,
#                        C11, C++17 and C++20 with -Wall -Wextra -Werror
#                        -pedantic (label unit)
#   packaging_buildtree  an extension and an embedding program built with
#                        the build tree's pymodrt-config and -uninstalled.pc,
#                        then imported (label unit)
#   packaging_install    cmake --install into a fresh prefix, then
#                        examples/out-of-tree built with find_package,
#                        pymodrt-config and pkg-config, each module imported
#                        100 times (label packaging)
add_test(NAME packaging_headers
  COMMAND ${CMAKE_COMMAND} -DCC=${CMAKE_C_COMPILER} -DCXX=${CMAKE_CXX_COMPILER}
          -DINCLUDE_DIR=${PROJECT_SOURCE_DIR}/include
          -DWORK_DIR=${PROJECT_BINARY_DIR}/tests/packaging/headers
          -DUSAGE=${PROJECT_SOURCE_DIR}/tests/test_packaging_usage.inc
          -P ${PROJECT_SOURCE_DIR}/tests/test_packaging_headers.cmake)
set_tests_properties(packaging_headers PROPERTIES LABELS "unit" TIMEOUT 120)

find_program(PYMODRT_MAKE NAMES gmake make)
if(NOT PYMODRT_MAKE)
  message(WARNING "make not found: packaging_buildtree and packaging_install are not registered "
                  "(apt-get install -y make)")
  return()
endif()

# The import step: pymodrt-stress when it is built (installed copy for the
# install test), otherwise the example's own embedding program hello-host.
# A module argument containing '/' is loaded from that file; @DIR@ and
# @SUFFIX@ stand for the directory holding the module and its suffix.
set(_import_args "")
if(TARGET pymodrt-stress)
  set(_import_args --iterations 100 --no-scaling --quiet @DIR@/hello@SUFFIX@)
endif()

foreach(mode buildtree install)
  set(_tool "")
  if(TARGET pymodrt-stress)
    if(mode STREQUAL "install")
      set(_tool "installed:pymodrt-stress")   # the copy in the test's prefix
    else()
      set(_tool $<TARGET_FILE:pymodrt-stress>)
    endif()
  endif()
  add_test(NAME packaging_${mode}
    COMMAND ${CMAKE_COMMAND} -DMODE=${mode}
            -DBUILD_DIR=${PROJECT_BINARY_DIR} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
            -DWORK_DIR=${PROJECT_BINARY_DIR}/tests/packaging/${mode}
            -DCC=${CMAKE_C_COMPILER} -DMAKE=${PYMODRT_MAKE} -DPKG_CONFIG=${PKG_CONFIG_EXECUTABLE}
            -DGENERATOR=${CMAKE_GENERATOR}
            -DBINDIR=${CMAKE_INSTALL_BINDIR} -DLIBDIR=${CMAKE_INSTALL_LIBDIR}
            -DINCLUDEDIR=${CMAKE_INSTALL_INCLUDEDIR}
            "-DIMPORT_TOOL=${_tool}" "-DIMPORT_ARGS=${_import_args}"
            -P ${PROJECT_SOURCE_DIR}/tests/test_packaging_install.cmake)
endforeach()
set_tests_properties(packaging_buildtree PROPERTIES LABELS "unit" TIMEOUT 120)
set_tests_properties(packaging_install PROPERTIES LABELS "packaging" TIMEOUT 300)
