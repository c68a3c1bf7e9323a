# Consumes tabula three ways, as users do, each building and running a tiny program:
# - installed into a fresh prefix: find_package(tabula) and tabula::tabula, the typed header made
#   by the installed tabula-gen;
# - the build tree as it is (tabula_DIR=<build dir>), the same project;
# - the installed pkg-config file (tabula.pc), with a plain compiler command line;
# and checks that the library alone configures without CLI11 (TABULA_BUILD_TOOLS=OFF), as a
# project taking tabula in with add_subdirectory() would.
set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/consumer-build")
file(REMOVE_RECURSE "${WORK_DIR}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "failed (${code}): ${ARGN}\n${out}")
  endif()
  message(STATUS "ok: ${ARGN}")
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/install/consumer" -B "${consumer_build}"
    -G "${GENERATOR}" "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_BUILD_TYPE=Release
    # A sanitizer build's library needs the same runtime in the consumer.
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
run(${CMAKE_COMMAND} --build "${consumer_build}")
run("${consumer_build}/consumer")

set(tree_build "${WORK_DIR}/consumer-of-build-tree")
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/install/consumer" -B "${tree_build}"
    -G "${GENERATOR}" "-Dtabula_DIR=${BUILD_DIR}" -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
run(${CMAKE_COMMAND} --build "${tree_build}")
run("${tree_build}/consumer")

file(GLOB_RECURSE pc_files "${prefix}/*/tabula.pc")
list(LENGTH pc_files found)
if(NOT found EQUAL 1)
  message(FATAL_ERROR "expected one installed tabula.pc, found: ${pc_files}")
endif()
get_filename_component(pc_dir "${pc_files}" DIRECTORY)
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
execute_process(COMMAND pkg-config --cflags --libs tabula RESULT_VARIABLE code
                OUTPUT_VARIABLE pc_flags ERROR_VARIABLE pc_error OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "pkg-config --cflags --libs tabula failed: ${pc_error}")
endif()
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
separate_arguments(extra_cxx UNIX_COMMAND "${CXX_FLAGS}")
separate_arguments(extra_link UNIX_COMMAND "${LINKER_FLAGS}")
run(${CXX} ${extra_cxx} "${SOURCE_DIR}/tests/install/pkgconfig_consumer.cpp" ${pc_flags}
    ${extra_link} -o "${WORK_DIR}/pkgconfig_consumer")
run("${WORK_DIR}/pkgconfig_consumer")
foreach(tool tabula tabula-gen)
  if(NOT EXISTS "${prefix}/bin/${tool}")
    message(FATAL_ERROR "the ${tool} tool was not installed")
  endif()
endforeach()

run(${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}/library-only" -G "${GENERATOR}"
    -DTABULA_BUILD_TOOLS=OFF -DTABULA_BUILD_TESTS=OFF -DTABULA_BUILD_EXAMPLES=OFF
    -DTABULA_BUILD_BENCH=OFF -DCMAKE_DISABLE_FIND_PACKAGE_CLI11=ON)
