# For every sample database (and the embedded Chinook in SQLite): generate a header with
# tabula-gen from the live database, then compile it with -Wall -Wextra -Werror together with
# static assertions that Boost.PFR sees one field per column the traits name.
#
#   cmake -DGEN=... -DCLI=... -DCXX=... -DINCLUDES="a;b" -DSTATE=<mariadb-state> -DWORK=<dir>
#         -P compile_generated.cmake
file(READ "${STATE}/url" url)
string(STRIP "${url}" url)
file(MAKE_DIRECTORY "${WORK}")

execute_process(COMMAND ${CLI} demo --sqlite-path "${WORK}/chinook.db" --header "${WORK}/demo_models.hpp" OUTPUT_QUIET
                RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "could not make the SQLite Chinook database (${code})")
endif()

set(sources "sqlite:///${WORK}/chinook.db")
foreach(db sakila employees employees_partitioned Chinook Chinook_AutoIncrement wordpress
           wordpress_ms wide_200 wide_1000 mariadb_features)
  string(REGEX REPLACE "/[^/?]*$" "/${db}" db_url "${url}")
  list(APPEND sources "${db_url}")
endforeach()

set(include_flags "")
foreach(dir IN LISTS INCLUDES)
  list(APPEND include_flags "-I${dir}")
endforeach()

set(n 0)
foreach(source IN LISTS sources)
  math(EXPR n "${n} + 1")
  set(ns "gen${n}")
  execute_process(COMMAND ${GEN} "${source}" --namespace ${ns} -o "${WORK}/${ns}.hpp"
                  RESULT_VARIABLE code ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "tabula-gen failed for database ${n}: ${err}")
  endif()
  file(READ "${WORK}/${ns}.hpp" header)
  if(header MATCHES "tabula-test-pw")
    message(FATAL_ERROR "the header for database ${n} contains the password")
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
    message(FATAL_ERROR "the header for database ${n} does not compile:\n${err}")
  endif()
  string(REGEX MATCHALL "\n// ---- table " tables "${header}")
  list(LENGTH tables count)
  string(REGEX REPLACE "//[^@]*@" "//" shown "${source}")  # never log the password
  message(STATUS "${shown}: ${count} tables, compiled")
endforeach()
