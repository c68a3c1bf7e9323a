# tabula_generate_models(TARGET <target> SNAPSHOT <schema.json> NAMESPACE <ns>
#                        [HEADER <name.hpp>] [TABLES <table>...])
#
# Generates a typed model header from a schema snapshot at build time (no database needed) and
# adds its directory to <target>'s include path: `#include "<name.hpp>"` (default
# <ns with :: as _>_models.hpp). The header is rebuilt when the snapshot or tabula-gen changes.
# Make the snapshot with `tabula inspect --json <url> > schema.json` and commit it; check it in CI
# with `tabula-gen --check`.
function(tabula_generate_models)
  cmake_parse_arguments(arg "" "TARGET;SNAPSHOT;NAMESPACE;HEADER" "TABLES" ${ARGN})
  foreach(required TARGET SNAPSHOT NAMESPACE)
    if(NOT arg_${required})
      message(FATAL_ERROR "tabula_generate_models: ${required} is required")
    endif()
  endforeach()
  if(NOT arg_HEADER)
    string(REPLACE "::" "_" stem "${arg_NAMESPACE}")
    set(arg_HEADER "${stem}_models.hpp")
  endif()
  get_filename_component(snapshot "${arg_SNAPSHOT}" ABSOLUTE)
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/tabula_generated/${arg_TARGET}")
  set(header "${dir}/${arg_HEADER}")
  set(table_args "")
  foreach(table IN LISTS arg_TABLES)
    list(APPEND table_args --table "${table}")
  endforeach()
  add_custom_command(
    OUTPUT "${header}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${dir}"
    COMMAND tabula::gen "${snapshot}" --namespace "${arg_NAMESPACE}" ${table_args} -o "${header}"
    DEPENDS "${snapshot}" tabula::gen
    COMMENT "tabula-gen ${arg_HEADER} from ${arg_SNAPSHOT}"
    VERBATIM)
  target_sources(${arg_TARGET} PRIVATE "${header}")
  target_include_directories(${arg_TARGET} PRIVATE "${dir}")
endfunction()
