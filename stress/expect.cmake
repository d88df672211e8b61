# expect.cmake: runs CMD ('|'-separated), and passes when its exit status is
# one of EXIT ('|'-separated) and its output matches the regular expression
# EXPECT.  Used by the planted-bug tests: pymodrt-stress must exit 1 and name
# the module and the invariant.
cmake_minimum_required(VERSION 3.25)
string(REPLACE "|" ";" _cmd "${CMD}")
string(REPLACE "|" ";" _exit "${EXIT}")
execute_process(COMMAND ${_cmd} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
message("${_out}")
message("${_err}")
if(NOT _rc IN_LIST _exit)
  message(FATAL_ERROR "exit status ${_rc}, expected one of ${EXIT}")
endif()
if(NOT "${_out}${_err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "output does not match '${EXPECT}'")
endif()
message("ok: exit status ${_rc} and the output names '${EXPECT}'")
