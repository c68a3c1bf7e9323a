# tabula_set_warnings(<target>): strict warnings for tabula's own code only. They are PRIVATE so
# that they are never pushed onto consumers of the installed package.
function(tabula_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion)
  if(TABULA_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
