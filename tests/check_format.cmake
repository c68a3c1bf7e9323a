# Fails when a tracked C++ file under include/, src/, cli/, codegen/, tests/, examples/ or bench/
# is not formatted per .clang-format. Fix with: clang-format -i <file>
file(GLOB_RECURSE files RELATIVE "${SOURCE_DIR}"
     "${SOURCE_DIR}/include/*.hpp" "${SOURCE_DIR}/src/*.[ch]pp" "${SOURCE_DIR}/cli/*.[ch]pp"
     "${SOURCE_DIR}/codegen/*.[ch]pp" "${SOURCE_DIR}/tests/*.[ch]pp"
     "${SOURCE_DIR}/examples/*.[ch]pp" "${SOURCE_DIR}/bench/*.[ch]pp")
set(bad "")
foreach(file IN LISTS files)
  execute_process(COMMAND "${CLANG_FORMAT}" --dry-run --Werror "${file}"
                  WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE code OUTPUT_QUIET ERROR_QUIET)
  if(NOT code EQUAL 0)
    list(APPEND bad "${file}")
  endif()
endforeach()
list(LENGTH files count)
if(bad)
  string(REPLACE ";" "\n  " listing "${bad}")
  message(FATAL_ERROR "not clang-formatted (run clang-format -i):\n  ${listing}")
endif()
message(STATUS "${count} files formatted")
