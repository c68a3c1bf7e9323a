# FindSOCI: locate SOCI 4.x as Debian packages it (headers in /usr/include/soci, no CMake config).
#
# Imported targets (each only when found):
#   SOCI::core     libsoci_core
#   SOCI::mysql    libsoci_mysql  + MariaDB Connector/C (the libmysqlclient API)
#   SOCI::sqlite3  libsoci_sqlite3 + libsqlite3
#
# Components: core (always), mysql, sqlite3. Result variables: SOCI_FOUND, SOCI_VERSION,
# SOCI_INCLUDE_DIR, SOCI_<component>_FOUND.

include(FindPackageHandleStandardArgs)

find_path(SOCI_INCLUDE_DIR NAMES soci/soci.h)
find_library(SOCI_core_LIBRARY NAMES soci_core)

if(SOCI_INCLUDE_DIR AND EXISTS "${SOCI_INCLUDE_DIR}/soci/version.h")
  file(STRINGS "${SOCI_INCLUDE_DIR}/soci/version.h" _soci_version_line
       REGEX "^#define[ \t]+SOCI_VERSION[ \t]+[0-9]+")
  string(REGEX REPLACE ".*SOCI_VERSION[ \t]+([0-9]+).*" "\\1" _soci_version_num
         "${_soci_version_line}")
  if(_soci_version_num)
    math(EXPR _major "${_soci_version_num} / 100000")
    math(EXPR _minor "${_soci_version_num} / 100 % 1000")
    math(EXPR _patch "${_soci_version_num} % 100")
    set(SOCI_VERSION "${_major}.${_minor}.${_patch}")
  endif()
endif()

if(SOCI_core_LIBRARY AND SOCI_INCLUDE_DIR)
  set(SOCI_core_FOUND TRUE)
  if(NOT TARGET SOCI::core)
    add_library(SOCI::core UNKNOWN IMPORTED)
    set_target_properties(SOCI::core PROPERTIES
      IMPORTED_LOCATION "${SOCI_core_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${SOCI_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES "${CMAKE_DL_LIBS}")
  endif()
endif()

if("mysql" IN_LIST SOCI_FIND_COMPONENTS)
  find_library(SOCI_mysql_LIBRARY NAMES soci_mysql)
  find_path(SOCI_MARIADB_INCLUDE_DIR NAMES mysql.h PATH_SUFFIXES mariadb mysql)
  find_library(SOCI_MARIADB_LIBRARY NAMES mariadb mysqlclient)
  if(SOCI_core_FOUND AND SOCI_mysql_LIBRARY AND SOCI_MARIADB_INCLUDE_DIR AND SOCI_MARIADB_LIBRARY)
    set(SOCI_mysql_FOUND TRUE)
    if(NOT TARGET SOCI::mysql)
      add_library(SOCI::mysql UNKNOWN IMPORTED)
      set_target_properties(SOCI::mysql PROPERTIES
        IMPORTED_LOCATION "${SOCI_mysql_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${SOCI_MARIADB_INCLUDE_DIR}"
        INTERFACE_LINK_LIBRARIES "SOCI::core;${SOCI_MARIADB_LIBRARY}")
    endif()
  endif()
endif()

if("sqlite3" IN_LIST SOCI_FIND_COMPONENTS)
  find_library(SOCI_sqlite3_LIBRARY NAMES soci_sqlite3)
  find_path(SOCI_SQLITE3_INCLUDE_DIR NAMES sqlite3.h)
  find_library(SOCI_SQLITE3_LIBRARY NAMES sqlite3)
  if(SOCI_core_FOUND AND SOCI_sqlite3_LIBRARY AND SOCI_SQLITE3_INCLUDE_DIR AND SOCI_SQLITE3_LIBRARY)
    set(SOCI_sqlite3_FOUND TRUE)
    if(NOT TARGET SOCI::sqlite3)
      add_library(SOCI::sqlite3 UNKNOWN IMPORTED)
      set_target_properties(SOCI::sqlite3 PROPERTIES
        IMPORTED_LOCATION "${SOCI_sqlite3_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${SOCI_SQLITE3_INCLUDE_DIR}"
        INTERFACE_LINK_LIBRARIES "SOCI::core;${SOCI_SQLITE3_LIBRARY}")
    endif()
  endif()
endif()

find_package_handle_standard_args(SOCI
  REQUIRED_VARS SOCI_core_LIBRARY SOCI_INCLUDE_DIR
  VERSION_VAR SOCI_VERSION
  HANDLE_COMPONENTS)

mark_as_advanced(SOCI_INCLUDE_DIR SOCI_core_LIBRARY SOCI_mysql_LIBRARY SOCI_sqlite3_LIBRARY
                 SOCI_MARIADB_INCLUDE_DIR SOCI_MARIADB_LIBRARY SOCI_SQLITE3_INCLUDE_DIR
                 SOCI_SQLITE3_LIBRARY)
