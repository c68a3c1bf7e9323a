# For one sample database (or the embedded Chinook in SQLite): generate a header with tabula-gen
# from the live database, then compile it with -Wall -Wextra -Werror together with static
# assertions that Boost.PFR sees one field per column the traits name. One CTest test per
# database, so they run in parallel (wide_1000 alone takes about 30 s and 3.5 GB: Boost.PFR
# counting 1000 fields).
#
#   cmake -DGEN=... -DCLI=... -DCXX=... -DINCLUDES="a;b" -DSTATE=<mariadb-state> -DWORK=<dir>
#         -DDATABASE=<name on the test server, or chinook_sqlite> -P compile_generated.cmake
file(MAKE_DIRECTORY "${WORK}")
if(DATABASE STREQUAL "chinook_sqlite")
  execute_process(COMMAND ${CLI} demo --sqlite-path "${WORK}/chinook.db"
                          --header "${WORK}/demo_models.hpp" OUTPUT_QUIET RESULT_VARIABLE code)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "could not make the SQLite Chinook database (${code})")
  endif()
  set(source "sqlite:///${WORK}/chinook.db")
else()
  file(READ "${STATE}/url" url)
  string(STRIP "${url}" url)
  string(REGEX REPLACE "/[^/?]*$" "/${DATABASE}" source "${url}")
endif()

set(include_flags "")
foreach(dir IN LISTS INCLUDES)
  list(APPEND include_flags "-I${dir}")
endforeach()

set(ns "gen_${DATABASE}")
execute_process(COMMAND ${GEN} "${source}" --namespace ${ns} -o "${WORK}/${ns}.hpp"
                RESULT_VARIABLE code ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "tabula-gen failed for database ${DATABASE}: ${err}")
endif()
file(READ "${WORK}/${ns}.hpp" header)
if(header MATCHES "tabula-test-pw")
  message(FATAL_ERROR "the header for database ${DATABASE} contains the password")
endif()
file(WRITE "${WORK}/${ns}.cpp" "#include \"${ns}.hpp\"
#include <boost/pfr.hpp>
template <class... T>
constexpr bool fields_match(tabula::model_list<T...>*) {
return ((boost::pfr::tuple_size_v<T> == tabula::table_traits<T>::columns.size()) && ...);
}
static_assert(fields_match(static_cast<${ns}::all_models*>(nullptr)));
")
execute_process(COMMAND ${CXX} -std=c++20 -Wall -Wextra -Wpedantic -Wshadow -Werror
                        -fsyntax-only ${include_flags} -I${WORK} "${WORK}/${ns}.cpp"
                RESULT_VARIABLE code ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "the header for database ${DATABASE} does not compile:\n${err}")
endif()
string(REGEX MATCHALL "\n// ---- table " tables "${header}")
list(LENGTH tables count)
string(REGEX REPLACE "//[^@]*@" "//" shown "${source}")  # never log the password
message(STATUS "${shown}: ${count} tables, compiled")
