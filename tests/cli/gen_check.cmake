# tabula-gen --check: exit 0 on a header generated from the same snapshot; exit 1, naming the
# table and the columns, once the snapshot has a column renamed.
execute_process(COMMAND ${GEN} ${SNAPSHOT} --namespace sakila -o gen_check.hpp
                RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "generating failed (${code})")
endif()
execute_process(COMMAND ${GEN} --check gen_check.hpp ${SNAPSHOT}
                RESULT_VARIABLE code OUTPUT_VARIABLE out)
if(NOT code EQUAL 0 OR NOT out MATCHES "up to date")
  message(FATAL_ERROR "fresh header not up to date (${code}): ${out}")
endif()
file(READ ${SNAPSHOT} json)
string(REPLACE "\"name\": \"release_year\"" "\"name\": \"year_released\"" json "${json}")
file(WRITE gen_check_drifted.json "${json}")
execute_process(COMMAND ${GEN} --check gen_check.hpp gen_check_drifted.json
                RESULT_VARIABLE code OUTPUT_VARIABLE out)
message(STATUS "exit ${code}\n${out}")
if(NOT code EQUAL 1)
  message(FATAL_ERROR "drift not reported by the exit code (${code})")
endif()
if(NOT out MATCHES "table film:.*- std::optional<std::int16_t> release_year.*\\+ std::optional<std::int16_t> year_released")
  message(FATAL_ERROR "drift report does not name the change")
endif()
