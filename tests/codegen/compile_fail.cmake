# Compiles SOURCE and expects it to FAIL with a message matching EXPECT (a readable
# static_assert, not a wall of template errors).
#   cmake -DCXX=... -DINCLUDES="a;b" -DSOURCE=... -DEXPECT=regex -P compile_fail.cmake
set(include_flags "")
foreach(dir IN LISTS INCLUDES)
  list(APPEND include_flags "-I${dir}")
endforeach()
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only ${include_flags} "${SOURCE}"
                RESULT_VARIABLE code ERROR_VARIABLE err)
if(code EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but must not")
endif()
if(NOT err MATCHES "${EXPECT}")
  message(FATAL_ERROR "${SOURCE} failed without the expected message '${EXPECT}':\n${err}")
endif()
message(STATUS "${SOURCE}: refused as expected")
