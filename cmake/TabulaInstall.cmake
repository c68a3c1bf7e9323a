# Install rules and the exported CMake package: find_package(tabula) then tabula::tabula.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TABULA_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/tabula")

install(TARGETS tabula EXPORT tabulaTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TABULA_BUILD_TOOLS)
  install(TARGETS tabula_cli tabula_gen EXPORT tabulaTargets
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(DIRECTORY include/tabula DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT tabulaTargets NAMESPACE tabula:: DESTINATION ${TABULA_CMAKE_DIR})

configure_package_config_file(cmake/tabulaConfig.cmake.in
                              "${PROJECT_BINARY_DIR}/tabulaConfig.cmake"
                              INSTALL_DESTINATION ${TABULA_CMAKE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/tabulaConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/tabulaConfig.cmake"
              "${PROJECT_BINARY_DIR}/tabulaConfigVersion.cmake"
              cmake/FindSOCI.cmake
              cmake/TabulaGenerate.cmake
        DESTINATION ${TABULA_CMAKE_DIR})

# The build tree as a package too (fmt does the same): find_package(tabula) with
# tabula_DIR=<build dir> uses the targets as built, without installing.
export(EXPORT tabulaTargets NAMESPACE tabula:: FILE "${PROJECT_BINARY_DIR}/tabulaTargets.cmake")
configure_file(cmake/FindSOCI.cmake "${PROJECT_BINARY_DIR}/FindSOCI.cmake" COPYONLY)
configure_file(cmake/TabulaGenerate.cmake "${PROJECT_BINARY_DIR}/TabulaGenerate.cmake" COPYONLY)

# pkg-config, for builds that are not CMake. Relocatable: the prefix is found from the .pc
# file's own place, so `cmake --install --prefix` anywhere works. libtabula is static by
# default, so its dependencies are listed in Libs.
file(RELATIVE_PATH TABULA_PC_PREFIX "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig"
     "${CMAKE_INSTALL_PREFIX}")
configure_file(cmake/tabula.pc.in "${PROJECT_BINARY_DIR}/tabula.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/tabula.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
